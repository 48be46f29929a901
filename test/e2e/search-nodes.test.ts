// The Search screen across archives in real Chromium over `priors serve --ui`: Orthanc A (its
// issuer set on the node), dcmqrscp B and Orthanc C hold overlapping studies of one patient
// (test/helpers/federation.ts) and a fourth node's port is closed. "All archives" lists each study
// once with the nodes that hold it, the closed node's sentence beside the results, the issuer A
// leaves out shown, the patients grouped with the namesake flagged until confirmed; a retrieve
// from a merged row takes the node picked in "Held by", else the first that answered, and says so;
// the local cache answers beside the nodes it is searched with.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { e2eSkipReason, launchChromium, openUi, type UiSession } from '../helpers/browser.js';
import { startFederation, type Federation } from '../helpers/federation.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { jobState, searchSeveral, WAIT } from '../helpers/ui-steps.js';

const AE = 'PRIORSFED';

describe('e2e: search across archives', { skip: e2eSkipReason(), timeout: 600_000 }, () => {
  let ui: UiSession;
  let fed: Federation;
  let downPort: number;

  before(async () => {
    const port = await freePort();
    downPort = await freePort();
    fed = await startFederation({ priors: { aeTitle: AE, port } });
    ui = await openUi(
      {
        aeTitle: AE,
        dataDir: tempDir('e2e-search-nodes'),
        port,
        nodes: [
          { name: 'a', address: `ARCHIVE_A@127.0.0.1:${fed.a.port}`, extraArgs: ['--issuer', 'HOSP_A'] },
          { name: 'b', address: `ARCHIVE_B@127.0.0.1:${fed.b.port}` },
          { name: 'c', address: `ARCHIVE_C@127.0.0.1:${fed.c.port}` },
          { name: 'down', address: `DOWN@127.0.0.1:${downPort}` },
        ],
      },
      await launchChromium(),
    );
  });
  after(async () => {
    const browser = ui?.browser;
    await ui?.close();
    await browser?.close();
    await fed?.stop();
  });

  const results = () => ui.page.getByRole('region', { name: 'Search results' });
  const row = (description: string) => results().locator('tbody > tr[data-index]').filter({ hasText: description });

  test('All archives: each study once with the nodes that hold it; the closed node says why beside the results', async () => {
    assert.equal(await searchSeveral(ui.page, { node: '@all', name: 'FED^AL*' }), 6);
    const held = async (d: string) => ((await row(d).locator('td.held-by').getAttribute('data-held-by')) ?? '').split(',').sort().join(',');
    assert.equal(await held('CT CHEST 2019'), 'a');
    assert.equal(await held('CT CHEST 2020'), 'a,b');
    assert.equal(await held('CT CHEST 2021'), 'b,c');
    assert.equal(await held('CT KNEE 2024'), 'c');
    const failed = ui.page.getByLabel('Nodes searched').locator('[data-node="down"]');
    assert.equal(await failed.getAttribute('data-outcome'), 'failed');
    assert.match(await failed.innerText(), new RegExp(`down: .*127\\.0\\.0\\.1:${downPort}`));
    // each node's count and time
    assert.match(await ui.page.getByLabel('Nodes searched').innerText(), /Answered: .*a \(2 in \d+(\.\d)? m?s\)/);
    // the issuer node a leaves out is shown on its study; C's other ID on its
    assert.match(await row('CT CHEST 2019').innerText(), /HOSP_A/);
    assert.equal(await row('CT KNEE 2024').locator('[data-other-ids]').getAttribute('data-other-ids'), 'FED-1 (HOSP_A)');
  });

  test('the patients: one grouped by identifiers, the namesake flagged and merged only once confirmed', async () => {
    const panel = ui.page.getByRole('region', { name: 'Patients' });
    await panel.locator('li[data-patient]').first().waitFor(WAIT);
    assert.equal(await panel.locator('li[data-patient]').count(), 2);
    assert.equal(await panel.locator('li[data-patient][data-studies="5"]').count(), 1);
    const flag = panel.getByRole('list', { name: 'Patients to confirm' }).getByRole('alert');
    assert.equal(await flag.count(), 1);
    assert.match(await flag.innerText(), /FED-X9 \(HOSP_C\) agree only on name, birth date and sex\. The same patient\? Not merged until you confirm\./);
    // "show only" one patient, then all again
    await panel.locator('li[data-patient][data-studies="1"] button').first().click();
    assert.equal(await results().locator('tbody > tr[data-index]').count(), 1);
    await panel.locator('li[data-patient][data-studies="1"] button').first().click();
    assert.equal(await results().locator('tbody > tr[data-index]').count(), 6);
    await flag.getByRole('button', { name: 'Same patient' }).click();
    await panel.locator('li[data-patient][data-confirmed="true"]').waitFor(WAIT);
    assert.equal(await panel.locator('li[data-patient]').count(), 1);
  });

  test('retrieve from a merged row: the node picked in "Held by", else the first that answered, named in the job', async () => {
    await row('CT CHEST 2020').getByRole('button', { name: 'b', exact: true }).click();
    assert.equal(await row('CT CHEST 2020').getByRole('button', { name: 'b', exact: true }).getAttribute('aria-pressed'), 'true');
    await row('CT CHEST 2020').click();
    await ui.page.keyboard.press('r');
    assert.equal(await jobState(ui.page, 'CT CHEST 2020 2020-01-01 from b (your choice)', /^(completed|incomplete|failed)$/), 'completed');
    await searchSeveral(ui.page, { node: '@several', tick: ['a', 'c'], name: 'FED^AL*' });
    await row('CT CHEST 2022').click();
    await ui.page.keyboard.press('r');
    assert.equal(await jobState(ui.page, 'CT CHEST 2022 2022-01-01 from c (the first to answer)', /^(completed|incomplete|failed)$/), 'completed');
    ui.assertNoErrors();
  });

  test('the local cache answers beside the nodes: a study retrieved from c is listed from the cache when only a is searched', async () => {
    assert.equal(await searchSeveral(ui.page, { node: '@several', tick: ['a', 'Local cache'], untick: ['c'], name: 'FED^AL*' }), 3);
    const held = async (d: string) => (await row(d).locator('td.held-by').getAttribute('data-held-by')) ?? '';
    assert.equal(await held('CT CHEST 2022'), ''); // no node searched holds it: the cache alone
    assert.equal(await row('CT CHEST 2022').locator('.badge-full').count(), 1);
    assert.equal(await held('CT CHEST 2020'), 'a'); // from a, and in the cache since it was retrieved from b
    assert.equal(await row('CT CHEST 2020').locator('.badge-full').count(), 1);
    assert.match(await ui.page.getByLabel('Nodes searched').innerText(), /Answered: local cache \(2 in \d+(\.\d)? m?s\), a \(2 in /);
    ui.assertNoErrors();
  });
});
