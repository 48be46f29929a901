// The reading room (issue 18) in real Chromium at 1280×800 over `priors serve --ui --port N`,
// against a real Orthanc as the PACS: the settings show the port in effect and where it comes
// from and never claim a change applied when it did not; aligned settings with who may use each
// service; a node form with TLS in its own section and what the node is sent; a node test that
// leaves the cache as it found it and is audited, its skipped steps in plain words; series in
// Series Number order with their date; a study's actions on a right-click (send for a cached
// one); a custom date range checked by the app, its message next to it; a search that finds
// nothing says how to widen it, a date preset re-runs the search and the next session searches
// the same node; C-GET retrieves leave store rows in Audit like C-MOVE ones; the walk-through
// ends in the viewer by the mouse (a double-click retrieves and opens, Open on the focused row;
// current beside prior, a measurement, no console error); Audit and Activity read like
// sentences; the cache's check and repair.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { formatDicomDate } from '../../renderer/src/lib/format.js';
import { SCREENS } from '../../renderer/src/app/screens.js';
import { TransferSyntaxUid } from '../../shared/dicom/uids.js';
import { e2eSkipReason, launchChromium, openUi, type UiSession } from '../helpers/browser.js';
import { dicomDay } from '../helpers/e2e-pacs.js';
import { freePort } from '../helpers/ports.js';
import { startReadingRoomPacs, type ReadingRoomPacs } from '../helpers/reading-room-pacs.js';
import { tempDir } from '../helpers/tmp.js';
import { waitPaneReady } from '../helpers/viewer-host.js';
import { addNode, jobState, retrieveRow, screen, search, testNode, WAIT, type Doc, type El } from '../helpers/ui-steps.js';

const AE = 'PRIORSRR';
const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The x of each control's left edge in a form (inputs and selects that are not check boxes). */
async function controlLefts(form: Locator): Promise<number[]> {
  return form
    .locator('input:not([type="checkbox"]), select')
    .evaluateAll((els) => (els as unknown as { getBoundingClientRect(): { left: number } }[]).map((e) => Math.round(e.getBoundingClientRect().left)));
}

describe('e2e: the reading room against Orthanc', { skip: e2eSkipReason(), timeout: 900_000 }, () => {
  let ui: UiSession;
  let pacs: ReadingRoomPacs;
  let port: number;

  before(async () => {
    port = await freePort();
    pacs = await startReadingRoomPacs({ priorsAeTitle: AE, priorsPort: port });
    ui = await openUi({ aeTitle: AE, dataDir: tempDir('e2e-reading-room'), port, viewport: { width: 1280, height: 800 } }, await launchChromium());
  });
  after(async () => {
    const browser = ui?.browser;
    await ui?.close();
    await browser?.close();
    await pacs?.orthanc.stop();
  });

  test('settings show the port in effect and where it comes from; a save never claims a change applied that did not', async () => {
    assert.match(ui.serve.logs(), new RegExp(`on 127\\.0\\.0\\.1:${port} \\(port from --port; without --port Priors listens on 11112, the default\\)`));
    await screen(ui.page, 'Nodes & settings', 'Nodes and settings');
    const form = ui.page.getByRole('form', { name: 'This workstation' });
    assert.equal(await form.getByLabel('Port', { exact: true }).inputValue(), '11112');
    const note = form.getByLabel('Port in effect');
    assert.equal(
      squeeze(await note.innerText()),
      `In effect: ${port}, from the --port flag of priors serve; Priors uses 11112 when started without --port. Keep ${port}`,
    );
    await form.getByRole('button', { name: 'Save settings' }).click();
    const saved = ui.page.getByRole('status', { name: 'Settings saved' });
    assert.match(
      await saved.innerText(),
      new RegExp(`Port ${port} stays in effect \\(from the --port flag of priors serve\\); 11112 applies when Priors starts without --port`),
    );
    assert.doesNotMatch(await saved.innerText(), /applies now/);
    // keeping the port in effect: config.json gets it, and nothing is left pending for the port
    await note.getByRole('button', { name: `Keep ${port}` }).click();
    await form.getByRole('button', { name: 'Save settings' }).click();
    await ui.page.waitForFunction(
      (p) =>
        !/Port \d+ stays/.test(
          (globalThis as unknown as { document: Doc }).document.querySelector('[aria-label="Settings saved"]')?.textContent ?? `Port ${p} stays`,
        ),
      port,
      WAIT,
    );
    const config = JSON.parse(readFileSync(join(ui.serve.dataDir, 'config.json'), 'utf8')) as { local: { port: number } };
    assert.equal(config.local.port, port);
    // the note goes once the saved settings are read back
    await form.getByLabel('Port in effect').waitFor({ state: 'detached', ...WAIT });
  });

  test('settings: controls aligned in sections; who may use each service, saved and kept by later saves', async () => {
    const form = ui.page.getByRole('form', { name: 'This workstation' });
    const lefts = await controlLefts(form);
    assert.ok(lefts.length >= 6 && new Set(lefts).size === 1, `every control starts at one x: ${lefts.join(', ')}`);
    const services = form.getByRole('group', { name: 'Who may use each service' });
    assert.deepEqual(await services.getByLabel('Storage (C-STORE)').locator('option').allTextContents(), [
      'Any caller',
      'Configured nodes (from their host) and this machine',
      'This machine only',
    ]);
    await services.getByLabel('Storage (C-STORE)').selectOption('local');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await ui.page.getByRole('status', { name: 'Settings saved' }).waitFor(WAIT);
    const read = () =>
      (JSON.parse(readFileSync(join(ui.serve.dataDir, 'config.json'), 'utf8')) as { callingAePolicy: { mode: string; services?: Record<string, string> } })
        .callingAePolicy;
    assert.deepEqual(read().services, { storage: 'local' });
    // a save of another field keeps the services (the form used to rebuild the policy without them)
    await form.getByLabel('Calling AE titles').selectOption('configured');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await ui.page.waitForFunction(() => true);
    for (let i = 0; i < 50 && read().mode !== 'configured'; i++) await ui.page.waitForTimeout(100);
    assert.deepEqual(read(), { mode: 'configured', services: { storage: 'local' } });
    await ui.page.reload();
    await screen(ui.page, 'Nodes & settings', 'Nodes and settings');
    assert.equal(await ui.page.getByRole('form', { name: 'This workstation' }).getByLabel('Storage (C-STORE)').inputValue(), 'local');
    // back to what the rest of the tests need: any caller may store (Orthanc delivers C-MOVEs)
    await ui.page.getByRole('form', { name: 'This workstation' }).getByLabel('Storage (C-STORE)').selectOption('any');
    await ui.page.getByRole('form', { name: 'This workstation' }).getByLabel('Calling AE titles').selectOption('any');
    await ui.page.getByRole('form', { name: 'This workstation' }).getByRole('button', { name: 'Save settings' }).click();
    for (let i = 0; i < 50 && read().mode !== 'any'; i++) await ui.page.waitForTimeout(100);
    assert.deepEqual(read(), { mode: 'any' });
  });

  test('the node form: DICOM TLS in a section of its own, and what the node is sent (preferred syntax, never decompress)', async () => {
    await ui.page.getByRole('button', { name: 'Add a node' }).click();
    const form = ui.page.getByRole('form', { name: 'Add node' });
    const tls = form.getByRole('group', { name: 'DICOM TLS' });
    assert.equal(await tls.getByRole('textbox').count(), 3);
    const lefts = await controlLefts(tls);
    assert.equal(new Set(lefts).size, 1, `the TLS fields line up: ${lefts.join(', ')}`);
    await form.getByLabel('Name', { exact: true }).fill('sendtarget');
    await form.getByLabel('AE title', { exact: true }).fill('TARGET');
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill('104');
    const sent = form.getByRole('group', { name: 'Sent to this node' });
    assert.deepEqual(await sent.getByLabel('Preferred transfer syntax').locator('option').allTextContents(), [
      'As stored',
      'Implicit VR Little Endian',
      'Explicit VR Little Endian',
      'Explicit VR Big Endian',
    ]);
    await sent.getByLabel('Preferred transfer syntax').selectOption({ label: 'Implicit VR Little Endian' });
    assert.equal(await sent.getByRole('checkbox').count(), 12);
    await sent.getByLabel('JPEG 2000 Lossless', { exact: true }).check();
    await sent.getByLabel('HTJ2K', { exact: true }).check();
    await form.getByRole('button', { name: 'Save' }).click();
    await ui.page.locator('tr[data-node="sendtarget"]').waitFor(WAIT);
    const nodes = (JSON.parse(readFileSync(join(ui.serve.dataDir, 'config.json'), 'utf8')) as { nodes: { name: string; outgoing?: unknown }[] }).nodes;
    assert.deepEqual(nodes.find((n) => n.name === 'sendtarget')?.outgoing, {
      preferred: TransferSyntaxUid.ImplicitVRLittleEndian,
      neverDecompress: [TransferSyntaxUid.JPEG2000Lossless, TransferSyntaxUid.HTJ2K],
    });
    // editing keeps them, and unticking removes one
    await ui.page.locator('tr[data-node="sendtarget"]').getByRole('button', { name: 'Edit' }).click();
    const edit = ui.page.getByRole('form', { name: 'Edit node' });
    assert.equal(await edit.getByLabel('JPEG 2000 Lossless', { exact: true }).isChecked(), true);
    await edit.getByLabel('HTJ2K', { exact: true }).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached', ...WAIT });
    const after = (JSON.parse(readFileSync(join(ui.serve.dataDir, 'config.json'), 'utf8')) as { nodes: { name: string; outgoing?: unknown }[] }).nodes;
    assert.deepEqual(after.find((n) => n.name === 'sendtarget')?.outgoing, {
      preferred: TransferSyntaxUid.ImplicitVRLittleEndian,
      neverDecompress: [TransferSyntaxUid.JPEG2000Lossless],
    });
  });

  test('a node test leaves the cache as it found it and is in the audit log; skipped steps read as plain words', async () => {
    await addNode(ui.page, { name: 'pacs', aeTitle: pacs.orthanc.aeTitle, port: pacs.orthanc.port, method: 'move' });
    const r = await testNode(ui.page, 'pacs');
    assert.equal(r.outcome, 'ok', JSON.stringify(r));
    const retrieveStep = ui.page.locator('[aria-label="Test of pacs"] li[data-step="retrieve"]');
    assert.match(await retrieveStep.innerText(), /arrived by C-MOVE to PRIORSRR; it was removed again, so the cache is as before the test\.$/);
    await screen(ui.page, 'Local cache', 'Local cache');
    await ui.page.getByText('The cache is empty').waitFor(WAIT);
    // no "Partly" badge on any study of the PACS
    assert.equal(await search(ui.page, { node: 'pacs', name: 'DOE*' }), 3);
    assert.equal(
      await ui.page
        .getByRole('region', { name: 'Search results' })
        .getByRole('img', { name: /In cache: (partial|full)/ })
        .count(),
      0,
    );
    await screen(ui.page, 'Audit', 'Audit');
    const row = ui.page.locator('tr[data-what="retrieve"][data-direction="outgoing"]').filter({ hasText: '(node test)' }).first();
    await row.waitFor(WAIT);
    assert.match(squeeze(await row.innerText()), /Retrieved .* from pacs \(ORTHANC\) by C-MOVE \(node test\): 1 instance (details )?ok$/);
    // a node on a closed port: the steps after the failed echo say why they were not tried, once
    const closed = await freePort();
    await addNode(ui.page, { name: 'closed', aeTitle: 'NOBODY', port: closed, method: 'move' });
    await testNode(ui.page, 'closed');
    const find = await ui.page.locator('[aria-label="Test of closed"] li[data-step="find"]').innerText();
    assert.equal(squeeze(find), 'C-FIND: Not tried, because the C-ECHO failed.');
    assert.doesNotMatch(await ui.page.locator('[aria-label="Test of closed"]').innerText(), /skipped\s*—\s*skipped|Skipped:/i);
  });

  test('series of a study in Series Number order, with their Series Date', async () => {
    await search(ui.page, { node: 'pacs', name: 'DOE*' });
    const results = ui.page.getByRole('region', { name: 'Search results' });
    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT CHEST TODAY' }).click();
    await ui.page.keyboard.press(' ');
    await ui.page.waitForFunction(
      () => (globalThis as unknown as { document: Doc }).document.querySelectorAll('tr.series-row .series-table tbody tr').length === 3,
      undefined,
      WAIT,
    );
    const rows = await results
      .locator('tr.series-row .series-table tbody tr')
      .evaluateAll((trs) => (trs as unknown as El[]).map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim())));
    assert.deepEqual(
      rows.map((r) => r[1]),
      ['1', '2', '3'],
    );
    assert.deepEqual(
      rows.map((r) => r[4]),
      Array(3).fill(formatDicomDate(dicomDay(0))),
    );
  });

  test('a right-click on a study gives its actions; a study not in the cache offers retrieve and open', async () => {
    await search(ui.page, { node: 'pacs', name: 'DOE*' });
    const results = ui.page.getByRole('region', { name: 'Search results' });
    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT ABDOMEN' }).click({ button: 'right' });
    const menu = ui.page.getByRole('menu');
    assert.deepEqual((await menu.getByRole('menuitem').allInnerTexts()).map(squeeze), [
      'Retrieve and open O',
      'Retrieve R',
      'Show series Space',
      'Prefetch priors P',
    ]);
    // Esc closes the menu (and cancels nothing); the menu's Show series expands the study
    await ui.page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached', ...WAIT });
    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT ABDOMEN' }).click({ button: 'right' });
    await ui.page.keyboard.press('ArrowDown');
    await ui.page.keyboard.press('ArrowDown');
    await ui.page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached', ...WAIT });
    await results.locator('tr.series-row .series-table tbody tr').first().waitFor(WAIT);
  });

  test("a custom date range is checked by the app: one message at a time, next to the range, never the browser's", async () => {
    await screen(ui.page, 'Search', 'Search');
    const form = ui.page.getByRole('form', { name: 'Search criteria' });
    await form.getByLabel('Search in').selectOption('pacs');
    await form.getByLabel('Patient name').fill('DOE*');
    await form.getByText('Custom range', { exact: true }).click();
    const dates = form.getByRole('group', { name: 'Study date' });
    const from = form.getByLabel('From', { exact: true });
    await from.fill('2025-12-31');
    await form.getByLabel('To', { exact: true }).fill('2024-01-01');
    await from.press('Enter');
    assert.equal(await dates.getByRole('alert').innerText(), 'The start date comes after the end date.');
    // a date in another format: the app's sentence replaces the last one (the browser's popup used to block the submit)
    await from.fill('02/30/2024');
    await from.press('Enter');
    assert.equal(await dates.getByRole('alert').innerText(), 'The start date "02/30/2024" is not a date: write it as YYYY-MM-DD.');
    await from.fill('2024-02-30');
    await from.press('Enter');
    assert.equal(await dates.getByRole('alert').innerText(), 'The start date "2024-02-30" does not exist.');
    assert.equal(await ui.page.getByRole('alert').count(), 1, 'one message at a time');
    // a good range searches and the message goes
    await from.fill('2023-01-01');
    await from.press('Enter');
    await ui.page.waitForFunction(
      () => /found\.$/.test((globalThis as unknown as { document: Doc }).document.querySelector('.search-status')?.textContent ?? ''),
      undefined,
      WAIT,
    );
    assert.equal(await dates.getByRole('alert').count(), 0);
    await form.getByText('Any', { exact: true }).click();
  });

  test('a search that finds nothing says what was searched and how to widen it; a date preset re-runs the search; "Search in" opens on the last node searched', async () => {
    assert.equal(await search(ui.page, { node: 'pacs', name: 'NOBODY', preset: 'Today' }), 0);
    assert.equal(
      await ui.page.getByRole('note').filter({ hasText: 'Nothing found' }).innerText(),
      'Nothing found on pacs for patient name NOBODY, study date today. To widen it: widen the date range (Any searches every year); add a wildcard (NOBODY*).',
    );
    // a date preset re-runs the search shown, no Enter needed
    assert.equal(await search(ui.page, { node: 'pacs', name: 'DOE*', preset: 'Yesterday' }), 1);
    await ui.page.getByRole('form', { name: 'Search criteria' }).getByText('Any', { exact: true }).click();
    await ui.page.waitForFunction(
      () => /^3 studies found\.$/.test((globalThis as unknown as { document: Doc }).document.querySelector('.search-status')?.textContent ?? ''),
      undefined,
      WAIT,
    );
    // "sendtarget" is the first node of the list: without the memory the picker would open on it
    await ui.page.reload();
    await screen(ui.page, 'Search', 'Search');
    const picker = ui.page.getByRole('form', { name: 'Search criteria' }).getByLabel('Search in');
    await ui.page.waitForFunction(() => (globalThis as unknown as { document: Doc }).document.querySelectorAll('#sf-node option').length > 2, undefined, WAIT);
    assert.equal(await picker.inputValue(), 'pacs');
  });

  test('a C-GET retrieve leaves its store row in Audit, as a C-MOVE one does', async () => {
    await addNode(ui.page, { name: 'pacsget', aeTitle: pacs.orthanc.aeTitle, port: pacs.orthanc.port, method: 'get' });
    await ui.page.reload();
    await search(ui.page, { node: 'pacsget', name: 'RLE*' });
    await retrieveRow(ui.page, 'CT RLE');
    assert.equal(await jobState(ui.page, 'RLE', /^(completed|incomplete|failed)$/), 'completed');
    await search(ui.page, { node: 'pacs', name: 'DOE*', preset: 'Today' });
    await retrieveRow(ui.page, 'CT CHEST TODAY');
    assert.equal(await jobState(ui.page, 'CT CHEST TODAY', /^(completed|incomplete|failed)$/), 'completed');
    await screen(ui.page, 'Audit', 'Audit');
    const stores = ui.page.locator('tr[data-what="store"]');
    const byGet = /^\S+ \S+ ORTHANC at 127\.0\.0\.1 stored 6 instances of RLE, ROBIN — CT RLE \(2022-01-01\) \(our C-GET\) (details )?ok$/;
    // a study retrieved series by series on several associations leaves a store row per association
    const byMove = /ORTHANC at 127\.0\.0\.1 stored (\d+) instances? of DOE, JANE — CT CHEST TODAY/;
    const moved = (texts: string[]) => texts.reduce((sum, t) => sum + Number(byMove.exec(t)?.[1] ?? 0), 0);
    let texts: string[] = [];
    // store rows are written once their study settles (2 s)
    for (let i = 0; i < 40; i++) {
      texts = (await stores.allInnerTexts()).map(squeeze);
      if (texts.some((t) => byGet.test(t)) && moved(texts) === 20) break;
      await ui.page.waitForTimeout(500);
      await ui.page.getByRole('button', { name: 'Refresh' }).click();
    }
    assert.ok(
      texts.some((t) => byGet.test(t)),
      texts.join('\n'),
    );
    assert.equal(moved(texts), 20, texts.join('\n'));
  });

  test('the walk-through ends in the viewer: the current study beside the prior that chose itself, and a measurement', async () => {
    await search(ui.page, { node: 'pacs', name: 'DOE*' });
    const results = ui.page.getByRole('region', { name: 'Search results' });
    // a cached study's menu: open, and send it to a node
    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT CHEST TODAY' }).click({ button: 'right' });
    const menu = ui.page.getByRole('menu');
    assert.deepEqual((await menu.getByRole('menuitem').allInnerTexts()).map(squeeze), [
      'Open O',
      'Show series Space',
      'Prefetch priors P',
      'Export…',
      'Send to sendtarget',
      'Send to pacs',
      'Send to closed',
      'Send to pacsget',
    ]);
    await menu.getByRole('menuitem', { name: 'Send to pacs', exact: true }).click();
    await ui.page
      .locator('.search-status .notice')
      .filter({ hasText: /^Sent 20 instances of CT CHEST TODAY to pacs\.$/ })
      .waitFor(WAIT);
    // a double-click on a study not in the cache retrieves it and opens it, its images showing as they arrive
    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT CHEST 2023' }).dblclick();
    await waitPaneReady(ui.page, pacs.chest2023.StudyInstanceUID, 'Current study');
    assert.equal(await jobState(ui.page, 'CT CHEST 2023', /^(completed|incomplete|failed)$/), 'completed');
    // the focused row shows Open for the mouse: the current study opens beside the prior, which chose itself
    await screen(ui.page, 'Search', 'Search');
    const today = results.locator('tbody > tr[data-index]').filter({ hasText: 'CT CHEST TODAY' });
    await today.click();
    await today.getByRole('button', { name: 'Open', exact: true }).click();
    await waitPaneReady(ui.page, pacs.current.StudyInstanceUID, 'Current study');
    await waitPaneReady(ui.page, pacs.chest2023.StudyInstanceUID, 'Prior study');
    assert.match(
      await ui.page.locator(`[data-study="${pacs.current.StudyInstanceUID}"] h2`).innerText(),
      new RegExp(`^Current · ${formatDicomDate(dicomDay(0))} · CT CHEST TODAY`),
    );
    await ui.page.getByRole('toolbar', { name: 'Viewer tools' }).getByRole('button', { name: 'Length' }).click();
    const box = (await ui.page.getByLabel('Current study image').boundingBox())!;
    await ui.page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
    await ui.page.mouse.down();
    await ui.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 8 });
    await ui.page.mouse.up();
    await ui.page.waitForFunction(
      () =>
        /\d+(\.\d+)? mm/.test(
          Array.from((globalThis as unknown as { document: Doc }).document.querySelectorAll('[aria-label="Current study"] svg text'))
            .map((t) => t.textContent ?? '')
            .join(' '),
        ),
      undefined,
      WAIT,
    );
    ui.assertNoErrors();
  });

  test("Audit reads like sentences: patient, study description and date rather than UIDs; the app's own dates", async () => {
    await screen(ui.page, 'Audit', 'Audit');
    const table = ui.page.getByRole('table', { name: 'Audit events' });
    const retrieved = table.locator('tr[data-what="retrieve"]').filter({ hasText: 'CT CHEST TODAY' }).filter({ hasNotText: 'node test' }).first();
    assert.match(
      squeeze(await retrieved.innerText()),
      new RegExp(
        `^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} Retrieved DOE, JANE — CT CHEST TODAY \\(${formatDicomDate(dicomDay(0))}\\) from pacs \\(ORTHANC\\) by C-MOVE: 20 instances`,
      ),
    );
    // the UIDs are there, behind "details"
    assert.equal(await retrieved.getByText(pacs.current.StudyInstanceUID).isVisible(), false);
    await retrieved.getByText('details').click();
    assert.equal(await retrieved.getByText(pacs.current.StudyInstanceUID).isVisible(), true);
    const times = await table.locator('tbody time').allInnerTexts();
    assert.ok(times.length > 0 && times.every((t) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(t)), times.join(', '));
    // the date filter takes the app's format, and says so when it is not one
    await ui.page.getByLabel('Since').fill('12/31/2024');
    assert.match(await ui.page.getByRole('alert').filter({ hasText: 'Since' }).innerText(), /not a date: write it as YYYY-MM-DD/);
    await ui.page.getByLabel('Since').fill('');
  });

  test('Activity groups the lines of each operation into one sentence, the protocol lines behind a disclosure', async () => {
    await screen(ui.page, 'Activity', 'Activity');
    const log = ui.page.getByRole('list', { name: 'Association log' });
    const op = log
      .locator('li.log-group[data-association]')
      .filter({ hasText: /We \(PRIORSRR\) called ORTHANC at 127\.0\.0\.1:\d+ for query/ })
      .first();
    await op.waitFor(WAIT);
    assert.match(
      squeeze(await op.locator('.log-line').innerText()),
      /^\d{2}:\d{2}:\d{2} a\d+ \S* ?We \(PRIORSRR\) called ORTHANC at 127\.0\.0\.1:\d+ for query; released by (requestor|us|acceptor|peer)/,
    );
    const raw = op.locator('details.log-raw');
    assert.equal(await raw.locator('ol li').first().isVisible(), false);
    await raw.locator('summary').click();
    assert.match(await raw.locator('ol li').first().innerText(), /open \(requestor\): PRIORSRR -> ORTHANC/);
  });

  test('Activity opens the log file and saves the diagnostics bundle, downloadable from the page', async () => {
    await screen(ui.page, 'Activity', 'Activity');
    await ui.page.getByRole('button', { name: 'Open log' }).click();
    const file = ui.page.getByRole('region', { name: 'Log file' });
    await file.waitFor(WAIT);
    assert.match(await file.innerText(), new RegExp(`The end of ${join(ui.serve.dataDir, 'logs', 'priors.log').replace(/[.]/g, '\\.')}`));
    assert.match(await file.locator('pre').innerText(), /DICOM server PRIORSRR listening on 127\.0\.0\.1/);
    await ui.page.getByRole('button', { name: 'Save diagnostics' }).click();
    const saved = ui.page.getByRole('status', { name: 'Diagnostics saved' });
    await saved.waitFor(WAIT);
    assert.match(
      squeeze(await saved.innerText()),
      /^Saved priors-diagnostics-\d{8}-\d{6}(?:-\d+)?\.zip \([\d.]+ [kM]B: \d+ files\) in .*diagnostics.* · Download\. Passwords and tokens are removed/,
    );
    const [download] = await Promise.all([ui.page.waitForEvent('download'), saved.getByRole('link', { name: 'Download' }).click()]);
    assert.match(download.suggestedFilename(), /^priors-diagnostics-\d{8}-\d{6}(?:-\d+)?\.zip$/);
    assert.ok(
      readFileSync(await download.path())
        .subarray(0, 2)
        .equals(Buffer.from('PK')),
      'a ZIP file',
    );
  });

  test("the cache's check and repair, each finding in a sentence", async () => {
    await screen(ui.page, 'Local cache', 'Local cache');
    const panel = ui.page.getByRole('region', { name: 'Cache check' });
    await panel.getByRole('button', { name: 'Check' }).click();
    await panel.getByRole('list', { name: 'Findings' }).waitFor(WAIT);
    assert.equal(await panel.getByRole('status').getAttribute('data-ok'), 'true');
    assert.ok((await panel.locator('li[data-ok="true"]').count()) >= 3);
    // a file of the cache removed behind its back: found, then repaired
    const files = readdirSync(join(ui.serve.dataDir, 'files'), { recursive: true, encoding: 'utf8' })
      .map((f) => join('files', f))
      .filter((f) => f.endsWith('.dcm') && statSync(join(ui.serve.dataDir, f)).isFile());
    assert.ok(files.length > 0, 'the cache holds files');
    rmSync(join(ui.serve.dataDir, files[0]!));
    await panel.getByRole('button', { name: 'Check' }).click();
    await panel.locator('li[data-check="rows-without-files"][data-ok="false"]').waitFor(WAIT);
    assert.equal(await panel.getByRole('status').getAttribute('data-ok'), 'false');
    await panel.getByRole('button', { name: 'Repair' }).click();
    await ui.page.getByRole('dialog').getByRole('button', { name: 'Repair' }).click();
    await panel.getByRole('list', { name: 'Repairs done' }).waitFor(WAIT);
    assert.ok((await panel.getByRole('list', { name: 'Repairs done' }).locator('li').count()) >= 1);
    assert.equal(await panel.getByRole('status').getAttribute('data-ok'), 'true');
  });

  test('the keyboard help names every screen shortcut', async () => {
    await screen(ui.page, 'Search', 'Search');
    assert.match(await ui.page.locator('#results-help').innerText(), new RegExp(`Alt\\+1…${SCREENS.length} screens`));
    ui.assertNoErrors();
  });
});
