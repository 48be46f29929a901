// Prefetch in real Chromium (Debian's, via playwright-core) over `priors serve --ui`, against a
// real Orthanc holding DOE^JANE (E2E-DOE) with CT CHEST studies of today, yesterday and
// 2019-03-15 (test/helpers/e2e-pacs.ts): the rules editor (the shipped rule listed, a rule
// added, edited, refused with its field's message, disabled and deleted), a dry run's decisions
// and reasons as the screen renders them, and a real run from the viewer whose prior arrives,
// then carries the Prefetched badge in Search and Local cache, comes first in the prior picker
// and is tagged in Transfers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { e2eSkipReason, launchChromium, openUi, type UiSession } from '../helpers/browser.js';
import { dicomDay, startE2ePacs, type E2ePacs } from '../helpers/e2e-pacs.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { addNode, addRule, fillRule, jobState, prefetchScreen, retrieveRow, runPrefetch, screen, search, waitAttribute, WAIT } from '../helpers/ui-steps.js';

const AE = 'PRIORSPF';
/** YYYYMMDD as the run's sentences and reasons write it. */
const shown = (da: string): string => `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}`;
const squeeze = (s: string): string => s.replace(/\s+/g, ' ').trim();

describe('e2e: prefetch', { skip: e2eSkipReason(), timeout: 300_000 }, () => {
  let ui: UiSession;
  let pacs: E2ePacs;
  const today = dicomDay(0);
  const yesterday = dicomDay(-1);

  before(async () => {
    const port = await freePort();
    pacs = await startE2ePacs({ priorsAeTitle: AE, priorsPort: port });
    ui = await openUi({ aeTitle: AE, dataDir: tempDir('e2e-prefetch'), port }, await launchChromium());
  });
  after(async () => {
    const browser = ui?.browser;
    await ui?.close();
    await browser?.close();
    await pacs?.orthanc.stop();
  });

  test('the rules editor: the shipped rule, add, a bad value refused at its field, edit, disable, delete', async () => {
    const page = ui.page;
    const rules = (await prefetchScreen(page)).getByRole('region', { name: 'Prefetch rules' });
    const shipped = rules.locator('tr[data-rule="default"]');
    await shipped.waitFor(WAIT);
    assert.deepEqual((await shipped.locator('td').allInnerTexts()).slice(0, 5).map(squeeze), [
      '1',
      'default',
      'on',
      'same modality, same body part, newest 3 within 5 years, from every node',
      'every archive',
    ]);

    const added = await addRule(page, { name: 'ct-wide', relevant: 'Any modality', sameBodyPart: false, maxStudies: '2', years: '10' });
    assert.deepEqual((await added.locator('td').allInnerTexts()).slice(0, 5).map(squeeze), [
      '2',
      'ct-wide',
      'on',
      'any modality, newest 2 within 10 years, from every node',
      'every archive',
    ]);

    await added.getByRole('button', { name: 'Edit rule ct-wide' }).click();
    const form = rules.getByRole('form', { name: 'Edit rule ct-wide' });
    await fillRule(form, { maxStudies: '0' });
    const max = form.getByLabel('At most (newest studies)');
    const alert = form.getByRole('alert');
    assert.equal(squeeze(await alert.innerText()), 'The number of newest studies must be a whole number from 1 to 100, got 0.');
    assert.equal(await max.getAttribute('aria-invalid'), 'true');
    assert.equal(await alert.count(), 1, 'one message at a time');
    await form.getByRole('button', { name: 'Save rule' }).click();
    assert.equal(await form.count(), 1, 'a refused form stays open');
    assert.equal(squeeze(await added.locator('td').nth(3).innerText()), 'any modality, newest 2 within 10 years, from every node', 'nothing saved');

    await fillRule(form, { maxStudies: '4', forModalities: 'ct', minGapDays: '7' });
    assert.equal(await alert.count(), 0);
    assert.equal(await max.getAttribute('aria-invalid'), null);
    await form.getByRole('button', { name: 'Save rule' }).click();
    await form.waitFor({ state: 'detached', ...WAIT });
    assert.equal(
      squeeze(await added.locator('td').nth(3).innerText()),
      'for CT studies: any modality, newest 4 within 10 years, at least 7 days older, from every node',
    );

    await added.getByRole('button', { name: 'Disable rule ct-wide' }).click();
    await rules.locator('tr[data-rule="ct-wide"][data-enabled="false"]').waitFor(WAIT);
    assert.equal(squeeze(await added.locator('td').nth(2).innerText()), 'off');

    await added.getByRole('button', { name: 'Delete rule ct-wide' }).click();
    const dialog = page.getByRole('dialog');
    assert.match(await dialog.innerText(), /Delete the prefetch rule "ct-wide"/);
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await added.waitFor({ state: 'detached', ...WAIT });
    assert.deepEqual(await rules.locator('tr[data-rule]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule'))), ['default']);
  });

  test('synonyms and worklist providers: a word saved, a word of another group refused; a RIS marked in the node form, polled', async () => {
    const page = ui.page;
    const synonyms = (await prefetchScreen(page)).getByRole('region', { name: 'Body-part synonyms' });
    const chest = synonyms.locator('li[data-group="CHEST"]');
    await chest.getByLabel('Add a word to CHEST').fill('thorax');
    await chest.getByRole('button', { name: 'Add', exact: true }).click();
    assert.equal(squeeze(await chest.getByRole('alert').innerText()), 'THORAX is in this group already.');
    await chest.getByLabel('Add a word to CHEST').fill('skull');
    await chest.getByRole('button', { name: 'Add', exact: true }).click();
    assert.equal(squeeze(await chest.getByRole('alert').innerText()), '"SKULL" is in groups 1 and 2: a word names one body part.');
    await chest.getByLabel('Add a word to CHEST').fill('ribs');
    await chest.getByRole('button', { name: 'Add', exact: true }).click();
    await synonyms.getByRole('button', { name: 'Save synonyms' }).click();
    await synonyms.getByText('Synonyms saved').waitFor(WAIT);
    await page.reload();
    const again = (await prefetchScreen(page)).getByRole('region', { name: 'Body-part synonyms' }).locator('li[data-group="CHEST"]');
    await again.getByRole('button', { name: 'Remove RIBS from CHEST' }).waitFor(WAIT);

    // a RIS on a port where nothing listens: "Worklist provider" unticks "Archive" (it is never searched for priors)
    const closed = await freePort();
    await screen(page, 'Nodes & settings', 'Nodes and settings');
    await page.getByRole('button', { name: 'Add a node' }).click();
    const form = page.getByRole('form', { name: 'Add node' });
    await form.getByLabel('Name', { exact: true }).fill('ris');
    await form.getByLabel('AE title', { exact: true }).fill('RIS');
    await form.getByLabel('Port', { exact: true }).fill(String(closed));
    await form.getByLabel('Worklist provider').check();
    assert.equal(await form.getByLabel('Archive: searched for priors').isChecked(), false);
    await form.getByLabel('Hours ahead').fill('0');
    await form.getByRole('button', { name: 'Save' }).click();
    assert.equal(squeeze(await form.getByRole('alert').innerText()), 'Hours ahead must be a whole number from 1 to 168, got "0".');
    await form.getByLabel('Hours ahead').fill('8');
    await form.getByLabel('Modality', { exact: true }).fill('ct');
    await form.getByRole('button', { name: 'Save' }).click();
    const row = page.locator('tr[data-node="ris"]');
    await row.waitFor(WAIT);
    assert.equal(await row.locator('td[data-roles]').innerText(), 'worklist');

    const providers = (await prefetchScreen(page)).getByRole('region', { name: 'Worklist providers' });
    const ris = providers.locator('li[data-node="ris"]');
    assert.match(squeeze(await ris.innerText()), new RegExp(`^ris RIS at 127\\.0\\.0\\.1:${closed} · CT · every station · next 8 h, every 5 min`));
    await ris.getByRole('button', { name: 'Poll ris now' }).click();
    assert.match(squeeze(await ris.getByRole('alert').innerText({ timeout: 30_000 })), new RegExp(`127\\.0\\.0\\.1:${closed}`));
  });

  test('a dry run for E2E-DOE: each earlier study with its decision and reason, nothing queued', async () => {
    const page = ui.page;
    await addNode(page, { name: 'pacs', aeTitle: pacs.orthanc.aeTitle, port: pacs.orthanc.port, method: 'move' });
    const run = await runPrefetch(page, { patientId: 'E2E-DOE', dryRun: true });
    assert.equal(await run.getAttribute('data-state'), 'planned');
    assert.match(await run.locator('.run-current').innerText(), new RegExp(`CT · CHEST · ${shown(today)} · CT CHEST TODAY · newest on pacs`));
    assert.equal(squeeze(await run.locator('.run-sentence').innerText()), `1 relevant prior of CT CHEST study of ${shown(today)}: 1 would be fetched.`);
    assert.equal(await run.locator(`tr[data-study-uid="${pacs.today.StudyInstanceUID}"]`).count(), 0, 'the current study is not its own prior');

    // yesterday's is 1 day older (the rule's minimum gap), same modality and body part: fetch
    const yes = run.locator(`tr[data-study-uid="${pacs.yesterday.StudyInstanceUID}"]`);
    assert.equal(await yes.getAttribute('data-decision'), 'fetch');
    assert.deepEqual((await yes.locator('td').allInnerTexts()).map(squeeze), [
      'fetch',
      shown(yesterday),
      'CT',
      'CHEST',
      'CT CHEST YESTERDAY',
      'pacs',
      'not queued (dry run)',
      `${shown(yesterday)}: CT like the current study, CHEST like the current study, the newest of at most 3 within 5 years (rule "default")`,
    ]);
    // 2019-03-15 is more than 5 years before today (true from 2024-03-16 on): skipped, saying why
    const old = run.locator(`tr[data-study-uid="${pacs.old.StudyInstanceUID}"]`);
    assert.equal(await old.getAttribute('data-decision'), 'skip');
    assert.equal(squeeze(await old.locator('td.reason').innerText()), 'Not fetched: it is older than 5 years (2019-03-15) (rule "default")');

    const root = await prefetchScreen(page);
    assert.equal(squeeze(await root.getByRole('region', { name: 'Pending' }).getByRole('status').innerText()), 'No prefetch retrieve is queued or running.');
    // the run is listed among the last runs too, and the patient filter narrows them
    const last = root.getByRole('region', { name: 'Last runs' });
    const id = await run.getAttribute('data-run-id');
    const listed = last.locator(`li[data-run-id="${id}"]`);
    await listed.waitFor(WAIT);
    assert.match(await listed.locator('.run-trigger').innerText(), /^by hand$/);
    assert.match(await listed.innerText(), /DOE, JANE \(E2E-DOE\)/);
    await listed.getByRole('button', { name: /Show the studies/ }).click();
    assert.equal(await listed.locator(`tr[data-study-uid="${pacs.old.StudyInstanceUID}"]`).getAttribute('data-decision'), 'skip');
    await last.getByLabel('Patient', { exact: true }).fill('nobody');
    await last.getByText('No run for "nobody".').waitFor(WAIT);
    await last.getByLabel('Patient', { exact: true }).fill('doe jane');
    await listed.waitFor(WAIT);
  });

  test('a real run from the viewer: the prior arrives, is badged in Search and Local cache, listed and marked in the picker, tagged in Transfers', async () => {
    const page = ui.page;
    // the radiologist retrieved today's and yesterday's studies; a second rule keeps older ones
    for (const [preset, text] of [
      ['Today', 'CT CHEST TODAY'],
      ['Yesterday', 'CT CHEST YESTERDAY'],
    ] as const) {
      await search(page, { node: 'pacs', name: 'DOE*', preset });
      await retrieveRow(page, text);
      assert.equal(await jobState(page, text, /^(completed|incomplete|failed)$/), 'completed');
    }
    await addRule(page, { name: 'older', relevant: 'Any modality', sameBodyPart: false, maxStudies: '5', years: '10' });

    await screen(page, 'Local cache', 'Local cache');
    const cache = page.getByRole('region', { name: 'Local cache', exact: true });
    await cache.getByRole('button', { name: 'DOE, JANE' }).click();
    await cache.locator(`tr[data-study="${pacs.today.StudyInstanceUID}"]`).getByRole('button', { name: 'Open' }).click();
    const viewer = page.getByRole('region', { name: 'Viewer', exact: true });
    await viewer.getByRole('group', { name: 'Current study' }).waitFor(WAIT);
    // the picker's options, once it holds `count` (the patient's studies are read after the current one shows)
    const options = async (count: number) => {
      await page.waitForFunction(
        (n) => {
          const document = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document;
          return document.querySelectorAll('select[aria-label="Prior study"] option').length === n;
        },
        count,
        WAIT,
      );
      return (await viewer.getByRole('combobox', { name: 'Prior study' }).locator('option').allInnerTexts()).map(squeeze);
    };
    assert.deepEqual(await options(2), ['None', `${shown(yesterday)} CT CHEST YESTERDAY (CT)`]);

    await viewer.getByRole('button', { name: 'Prefetch priors' }).click();
    const status = viewer.getByRole('status', { name: 'Prefetch priors' });
    await waitAttribute(page, '[aria-label="Viewer"] [aria-label="Prefetch priors"]', 'data-state', /^(completed|incomplete|failed|stopped)$/);
    assert.equal(await status.getAttribute('data-state'), 'completed');
    assert.match(
      squeeze(await status.innerText()),
      new RegExp(`^Prefetch for DOE, JANE: 2 relevant priors of CT CHEST study of ${shown(today)}: 1 of 1 fetched, 1 already in the cache\\.`),
    );
    // the picker took the arrival in, marked: the relevant priors newest first (the prior opened is the newest relevant one)
    assert.deepEqual(await options(3), ['None', `${shown(yesterday)} CT CHEST YESTERDAY (CT)`, '2019-03-15 CT CHEST 2019 (CT) · prefetched']);

    await search(page, { node: 'pacs', name: 'DOE*' });
    const results = page.getByRole('region', { name: 'Search results' });
    const badged = results.locator('tbody > tr[data-prefetched="true"]');
    assert.equal(await badged.count(), 1);
    assert.match(await badged.innerText(), /CT CHEST 2019/);
    const badge = badged.locator('.badge-prefetched');
    assert.equal(squeeze(await badge.innerText()), 'Prefetched');
    assert.match(
      (await badge.getAttribute('title')) ?? '',
      /^Prefetched by rule "older" on .*: 2019-03-15: the 2nd newest of at most 5 within 10 years \(rule "older"\)$/,
    );

    await screen(page, 'Local cache', 'Local cache');
    // the open patient's studies are read again when the screen shows
    await cache.locator(`tr[data-study="${pacs.old.StudyInstanceUID}"][data-prefetched="true"]`).waitFor(WAIT);
    const marked = await cache.locator('tr[data-study][data-prefetched="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-study')));
    assert.deepEqual(marked, [pacs.old.StudyInstanceUID]);
    assert.equal(squeeze(await cache.locator(`tr[data-study="${pacs.old.StudyInstanceUID}"] .badge-prefetched`).innerText()), 'Prefetched');

    await screen(page, 'Transfers', 'Transfers');
    const tagged = page.locator('li.job[data-origin="prefetch"]');
    assert.equal(await tagged.count(), 1);
    assert.match(await tagged.innerText(), /^prefetch\s/);
    assert.match(await tagged.locator('.job-label').innerText(), /CT CHEST 2019/);
    assert.equal(await page.locator('li.job[data-origin="user"] .tag-prefetch').count(), 0);

    // P on a focused result: the same patient, nothing left to fetch
    await search(page, { node: 'pacs', name: 'DOE*', preset: 'Today' });
    await results.locator('tbody > tr[data-index]').first().click();
    await page.keyboard.press('p');
    const line = page.getByRole('region', { name: 'Search', exact: true }).getByRole('status', { name: 'Prefetch priors' });
    await waitAttribute(page, '[aria-label="Search"] [aria-label="Prefetch priors"]', 'data-state', /^(completed|incomplete|failed)$/);
    assert.equal(
      squeeze(await line.innerText()),
      `Prefetch for DOE, JANE: 2 relevant priors of CT CHEST study of ${shown(today)}, 2 already in the cache. Details in Prefetch (Alt+8)`,
    );
    ui.assertNoErrors();
  });
});
