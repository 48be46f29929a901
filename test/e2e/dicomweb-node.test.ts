// A DICOMweb archive in real Chromium over `priors serve --ui`: Orthanc with its DICOMweb plugin
// and Basic authentication. The node is added in Nodes & settings as a DICOMweb node; its Test
// with a wrong password fails in one sentence about the credentials, and passes once the password
// is right (QIDO-RS probe, QIDO-RS search, one instance by WADO-RS); the Search screen offers it
// like any node, lists its studies, and a retrieve from it ends completed by WADO-RS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { e2eSkipReason, launchChromium, openUi, type UiSession } from '../helpers/browser.js';
import { generateCtSeries } from '../helpers/data.js';
import { storescu } from '../helpers/dcmtk-scu.js';
import { startOrthanc, type OrthancPeer } from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { jobState, screen, search, testNode, WAIT } from '../helpers/ui-steps.js';

describe('e2e: a DICOMweb node', { skip: e2eSkipReason(), timeout: 600_000 }, () => {
  let ui: UiSession;
  let orthanc: OrthancPeer;

  before(async () => {
    orthanc = await startOrthanc({ dir: tempDir('e2e-dicomweb-orthanc'), dicomweb: { users: { alice: 'right-secret' } } });
    for (const [i, d] of ['20240103', '20240110'].entries()) {
      const s = await generateCtSeries({
        mode: 'tiny',
        count: 2,
        rows: 8,
        cols: 8,
        patientName: `WEB^UI${i}`,
        patientId: `DWUI-${i}`,
        studyDate: d,
        seed: 230 + i,
      });
      // its REST API asks for the password too: the studies go in by C-STORE
      const stored = await storescu(orthanc, s.files);
      assert.equal(stored.code, 0, stored.stderr);
    }
    ui = await openUi({ aeTitle: 'PRIORSWEB', dataDir: tempDir('e2e-dicomweb'), port: await freePort() }, await launchChromium());
  });
  after(async () => {
    const browser = ui?.browser;
    await ui?.close();
    await browser?.close();
    await orthanc?.stop();
  });

  test('added as a DICOMweb node; a wrong password fails the Test in one sentence, the right one passes', async () => {
    const page = ui.page;
    await screen(page, 'Nodes & settings', 'Nodes and settings');
    await page.getByRole('button', { name: 'Add a node' }).click();
    const form = page.getByRole('form', { name: 'Add node' });
    await form.getByLabel('Name', { exact: true }).fill('vna');
    await form.getByLabel('Protocol').selectOption('dicomweb');
    assert.equal(await form.getByLabel('AE title', { exact: true }).count(), 0, 'no DIMSE address asked');
    await form.getByLabel('Base URL').fill(orthanc.dicomwebUrl);
    await form.getByLabel('Authentication').selectOption('basic');
    await form.getByLabel('User', { exact: true }).fill('alice');
    await form.getByRole('button', { name: 'Save' }).click();
    assert.equal(await form.getByRole('alert').innerText(), 'Give the password for this user.');
    await form.getByLabel('Password', { exact: true }).fill('wrong');
    await form.getByRole('button', { name: 'Save' }).click();
    const row = page.getByRole('row').filter({ hasText: 'vna' }).first();
    await row.waitFor(WAIT);
    assert.match(await row.innerText(), new RegExp(`DICOMweb\\s+${orthanc.dicomwebUrl.replace(/[.]/g, '\\.')}\\s+WADO-RS`));

    const refused = await testNode(page, 'vna');
    assert.deepEqual([refused.outcome, refused.alert?.code], ['failed', 'http-unauthorized']);
    assert.equal(
      refused.alert!.text,
      `${orthanc.dicomwebUrl}/studies refused the user name and password (HTTP 401 Unauthorized) ("Unauthorized"): check the node's user and password.`,
    );

    // the stored password is never shown: its field is empty, and a new one replaces it
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit node' });
    assert.equal(await edit.getByLabel('Password', { exact: true }).inputValue(), '');
    await edit.getByLabel('Password', { exact: true }).fill('right-secret');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached', ...WAIT });
    const passed = await testNode(page, 'vna');
    assert.equal(passed.outcome, 'ok', JSON.stringify(passed));
    const steps = page.locator('[aria-label="Test of vna"] li[data-step]');
    assert.deepEqual(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome'))), ['ok', 'ok', 'ok']);
    assert.match(await steps.first().innerText(), /^QIDO-RS probe: OK/);
    assert.match(await steps.last().innerText(), /^Retrieve one instance \(WADO-RS\): OK .*arrived by WADO-RS/);
  });

  test('searched like any node, and a study retrieved from it by WADO-RS', async () => {
    assert.equal(await search(ui.page, { node: 'vna', name: 'WEB^UI*' }), 2);
    assert.match(await ui.page.getByLabel('Search in').locator('option[value="vna"]').innerText(), /^vna \(DICOMweb\)$/);
    const results = ui.page.getByRole('region', { name: 'Search results' });
    await results.locator('tbody > tr[data-index]').filter({ hasText: 'UI1' }).click();
    await ui.page.keyboard.press('r');
    assert.equal(await jobState(ui.page, 'UI1', /^(completed|incomplete|failed)$/), 'completed');
    ui.assertNoErrors();
  });
});
