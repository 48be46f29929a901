// The radiologist's workflow in real Chromium (Debian's, via playwright-core) over
// `priors serve --ui`, against a real Orthanc as the PACS: add the node and test it, search by
// name wildcard and by date preset, expand a study's series, retrieve one study by C-MOVE and one
// by C-GET to a verified end, see them in the local cache, cancel a big retrieve, and read the
// right sentence when a node's port is wrong or the PACS does not know our AE title.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditEvent } from '../../shared/audit.js';
import { diagnose } from '../../shared/diagnostics.js';
import { e2eSkipReason, launchChromium, openUi, type UiSession } from '../helpers/browser.js';
import { startE2ePacs, type E2ePacs } from '../helpers/e2e-pacs.js';
import { startOrthanc } from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import { cliJson, runPriors } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';
import { addNode, jobState, retrieveRow, screen, search, testNode, WAIT, type Doc } from '../helpers/ui-steps.js';

const AE = 'PRIORSE2E';

describe('e2e: the workflow against Orthanc', { skip: e2eSkipReason(), timeout: 600_000 }, () => {
  let ui: UiSession;
  let pacs: E2ePacs;

  before(async () => {
    const port = await freePort();
    pacs = await startE2ePacs({ priorsAeTitle: AE, priorsPort: port });
    ui = await openUi({ aeTitle: AE, dataDir: tempDir('e2e-workflow'), port }, await launchChromium());
  });
  after(async () => {
    const browser = ui?.browser;
    await ui?.close();
    await browser?.close();
    await pacs?.orthanc.stop();
  });

  test('add the PACS and test it: echo, find and a one-instance retrieve all pass', async () => {
    await addNode(ui.page, { name: 'pacs', aeTitle: pacs.orthanc.aeTitle, port: pacs.orthanc.port, method: 'move' });
    const r = await testNode(ui.page, 'pacs');
    assert.equal(r.outcome, 'ok', JSON.stringify(r));
    const steps = await Promise.all((await ui.page.locator('[aria-label="Test of pacs"] li[data-step]').all()).map((e) => e.getAttribute('data-outcome')));
    assert.ok(steps.length >= 3 && steps.every((s) => s === 'ok'), `steps: ${steps.join(', ')}`);
  });

  test('search by name wildcard, then by the Yesterday preset; the accented name reads decoded', async () => {
    await ui.page.reload();
    assert.equal(await search(ui.page, { node: 'pacs', name: 'DOE*' }), 3);
    assert.equal(await search(ui.page, { node: 'pacs', name: 'DOE*', preset: 'Yesterday' }), 1);
    await ui.page.getByRole('region', { name: 'Search results' }).getByText('CT CHEST YESTERDAY').waitFor();
    assert.equal(await search(ui.page, { node: 'pacs', name: 'M*' }), 1);
    const text = await ui.page.getByRole('region', { name: 'Search results' }).innerText();
    assert.match(text, /MÜLLER/);
    assert.doesNotMatch(text, /Ã/);
  });

  test('expand a study to its series with the keyboard', async () => {
    await search(ui.page, { node: 'pacs', name: 'DOE*' });
    const results = ui.page.getByRole('region', { name: 'Search results' });
    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT CHEST 2019' }).click();
    await ui.page.keyboard.press(' ');
    // the series arrive from a SERIES-level C-FIND: "Asking for the series…" first
    await ui.page.waitForFunction(
      () => {
        const document = (globalThis as unknown as { document: Doc }).document;
        const row = document.querySelector('tr.series-row');
        return !!row && !row.innerText.includes('Asking for the series');
      },
      undefined,
      WAIT,
    );
    const text = await results.locator('tr.series-row').first().innerText();
    assert.match(text, /\bCT\b/, text);
  });

  test('retrieve a study by C-MOVE: the job ends completed, the badge says full, the local cache lists it', async () => {
    await search(ui.page, { node: 'pacs', name: 'DOE*', preset: 'Today' });
    await retrieveRow(ui.page, 'CT CHEST TODAY');
    assert.equal(await jobState(ui.page, 'DOE', /^(completed|incomplete|failed)$/), 'completed');
    await search(ui.page, { node: 'pacs', name: 'DOE*', preset: 'Today' });
    await ui.page.getByRole('img', { name: 'In cache: full' }).first().waitFor(WAIT);
    await screen(ui.page, 'Local cache', 'Local cache');
    await ui.page.getByRole('region', { name: 'Local cache', exact: true }).getByText('DOE', { exact: false }).first().waitFor(WAIT);
  });

  test('retrieve the RLE study by C-GET: the job ends completed', async () => {
    await addNode(ui.page, { name: 'pacsget', aeTitle: pacs.orthanc.aeTitle, port: pacs.orthanc.port, method: 'get' });
    await ui.page.reload();
    await search(ui.page, { node: 'pacsget', name: 'RLE*' });
    await retrieveRow(ui.page, 'CT RLE');
    assert.equal(await jobState(ui.page, 'RLE', /^(completed|incomplete|failed)$/), 'completed');
  });

  test('open a retrieved study from Transfers; the viewer asks the PACS for priors and retrieves one beside it', async () => {
    await screen(ui.page, 'Transfers', 'Transfers');
    const done = ui.page.locator('li.job').filter({ hasText: 'CT CHEST TODAY' }).first();
    await done.getByRole('button', { name: 'Open' }).click();
    const viewer = ui.page.getByRole('region', { name: 'Viewer', exact: true });
    await viewer.getByRole('group', { name: 'Current study' }).waitFor(WAIT);
    await viewer.getByRole('button', { name: 'Ask pacs', exact: true }).click();
    const remote = viewer.getByRole('region', { name: 'Priors on the PACS' });
    const row = remote.locator('li').filter({ hasText: 'CT CHEST 2019' });
    await row.waitFor(WAIT);
    assert.equal(await remote.locator('li').filter({ hasText: 'CT CHEST TODAY' }).count(), 0, 'the open study is not offered');
    await row.getByRole('button', { name: 'Retrieve' }).click();
    // once the job ends, the picker offers the prior; choosing it opens it beside the current study
    const picker = viewer.getByRole('combobox', { name: 'Prior study' });
    await ui.page.waitForFunction(
      () => {
        const document = (globalThis as unknown as { document: Doc }).document;
        return Array.from(document.querySelectorAll('select[aria-label="Prior study"] option')).some((o) => /CT CHEST 2019/.test(o.textContent ?? ''));
      },
      undefined,
      { timeout: 120_000 },
    );
    const value = await picker.locator('option').filter({ hasText: 'CT CHEST 2019' }).getAttribute('value');
    await picker.selectOption(value!);
    await viewer.getByRole('group', { name: 'Prior study' }).waitFor(WAIT);
    await ui.page.waitForFunction(
      () => {
        const document = (globalThis as unknown as { document: Doc }).document;
        return /WW -?\d+ WL/.test(document.querySelector('[aria-label="Prior study"] .viewer-overlay')?.textContent ?? '');
      },
      undefined,
      WAIT,
    );
  });

  test('cancel a big retrieve while it runs: the job ends cancelled', async () => {
    await search(ui.page, { node: 'pacs', name: 'BIG*' });
    await retrieveRow(ui.page, 'CT BIG');
    await screen(ui.page, 'Transfers', 'Transfers');
    const job = ui.page.locator('li.job').filter({ hasText: 'BIG' }).first();
    await job.waitFor(WAIT);
    await job.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await jobState(ui.page, 'BIG', /^(cancelled|completed|failed|incomplete)$/), 'cancelled');
  });

  test('the audit log holds our queries and retrieves of the PACS and what it stored into us by C-MOVE', async () => {
    const r = await runPriors(['audit', '--limit', '1000'], { dataDir: ui.serve.dataDir, json: true });
    const { events } = cliJson<{ events: AuditEvent[] }>(r);
    const ours = (what: string, node: string) => events.filter((e) => e.what === what && e.direction === 'outgoing' && e.node === node);
    const queries = ours('query', 'pacs');
    assert.ok(
      queries.some((e) => e.outcome === 0 && e.peerAeTitle === pacs.orthanc.aeTitle && /PatientName=DOE\*/.test(e.detail ?? '')),
      JSON.stringify(queries),
    );
    const moves = ours('retrieve', 'pacs');
    assert.ok(
      moves.some((e) => e.outcome === 0 && /^C-MOVE/.test(e.detail ?? '') && (e.instances ?? 0) > 0 && e.PatientName?.startsWith('DOE')),
      JSON.stringify(moves),
    );
    assert.ok(
      moves.some((e) => e.outcome === 4 && /cancel/i.test(e.outcomeText ?? '')),
      'the cancelled big retrieve, as a minor failure',
    );
    assert.ok(ours('retrieve', 'pacsget').some((e) => e.outcome === 0 && /^C-GET/.test(e.detail ?? '')));
    const stores = events.filter((e) => e.what === 'store' && e.direction === 'incoming' && e.peerAeTitle === pacs.orthanc.aeTitle);
    assert.ok(stores.length >= 1 && stores.every((e) => e.peerHost === '127.0.0.1' && (e.instances ?? 0) > 0), JSON.stringify(stores));
  });

  test('a node on a wrong port: the test shows the connection-refused sentence', async () => {
    const closed = await freePort();
    await addNode(ui.page, { name: 'wrongport', aeTitle: 'ORTHANC', port: closed, method: 'move' });
    const r = await testNode(ui.page, 'wrongport');
    assert.equal(r.outcome, 'failed');
    const expected = diagnose({ kind: 'transport', code: 'ECONNREFUSED', host: '127.0.0.1', port: closed, calledAeTitle: 'ORTHANC' });
    assert.equal(r.alert?.code, expected.code);
    assert.equal(r.alert?.text, expected.sentence);
  });

  test('a PACS that does not know our AE title: the test says what to add where', async () => {
    const stranger = await startOrthanc({ dir: tempDir('e2e-orthanc-stranger'), aeTitle: 'STRANGER', allowUnknownCallers: false });
    try {
      await addNode(ui.page, { name: 'stranger', aeTitle: 'STRANGER', port: stranger.port, method: 'move' });
      const r = await testNode(ui.page, 'stranger');
      assert.equal(r.outcome, 'failed');
      assert.ok(r.alert, 'a failed step shows its sentence');
      assert.match(r.alert!.text, new RegExp(`${AE}`), 'the sentence names our AE title');
      assert.match(r.alert!.text, /add|known|allow/i);
    } finally {
      await stranger.stop();
    }
    ui.assertNoErrors();
  });
});
