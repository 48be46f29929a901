// The workstation UI in real Chromium over `priors serve --ui`: every screen opens from the
// navigation by its accessible name, and the page logs no console error or page error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { e2eSkipReason, openUi, type UiSession } from '../helpers/browser.js';
import { generateCtSeries } from '../helpers/data.js';
import { runDcmtk, storescu } from '../helpers/dcmtk-scu.js';
import { tempDir } from '../helpers/tmp.js';

// [navigation button text, section name] as in renderer/src/app/screens.ts.
const SCREENS = [
  ['Search', 'Search'],
  ['Transfers', 'Transfers'],
  ['Local cache', 'Local cache'],
  ['Nodes & settings', 'Nodes and settings'],
  ['Activity', 'Activity'],
  ['Audit', 'Audit'],
  ['Viewer', 'Viewer'],
  ['Prefetch', 'Prefetch'],
] as const;

describe('e2e: shell', { skip: e2eSkipReason(), timeout: 180_000 }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await openUi({ aeTitle: 'PRIORS_E2E', dataDir: await tempDir('e2e-shell') });
  });
  after(async () => {
    await ui?.close();
  });

  test('each screen opens from the navigation', async () => {
    const nav = ui.page.getByRole('navigation', { name: 'Screens' });
    for (const [button, name] of SCREENS) {
      await nav.getByRole('button', { name: button }).click();
      await ui.page.getByRole('region', { name, exact: true }).waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await nav.getByRole('button', { name: button }).getAttribute('aria-current'), 'page');
    }
    ui.assertNoErrors();
  });

  test('Audit: a study stored by storescu and an association refused appear with who, from where and how it ended', async () => {
    const ct = await generateCtSeries({ mode: 'tiny', count: 3, patientId: 'E2E-AUDIT', patientName: 'AUDIT^SHELL', seed: 81 });
    assert.equal((await storescu(ui.serve, ct.files, { callingAeTitle: 'MODALITY1' })).code, 0);
    assert.notEqual(
      (await runDcmtk('echoscu', ['-aet', 'MODALITY1', '-aec', 'NOT_PRIORS', '127.0.0.1', String(ui.serve.port)], { timeoutMs: 10_000 })).code,
      0,
    );
    const nav = ui.page.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('button', { name: 'Audit' }).click();
    const screen = ui.page.getByRole('region', { name: 'Audit', exact: true });
    // the store event is written once the study has settled (2 s after its last instance)
    const stored = screen.locator('tr[data-what="store"]');
    for (let i = 0; i < 30 && (await stored.count()) === 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await screen.getByRole('button', { name: 'Refresh' }).click();
    }
    await stored.first().waitFor({ timeout: 5_000 });
    const storeText = await stored.first().innerText();
    // a sentence: who, from where, how many of whose study; the UIDs behind "details"
    assert.match(storeText, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+MODALITY1 at 127\.0\.0\.1 stored 3 instances of AUDIT, SHELL — /);
    assert.match(storeText, /\sok$/);
    await stored.first().getByText('details').click();
    assert.match(await stored.first().innerText(), new RegExp(`E2E-AUDIT[\\s\\S]*${ct.StudyInstanceUID.replace(/\./g, '\\.')}`));
    const refused = screen.locator('tr[data-what="association-refused"]').first();
    assert.match(await refused.innerText(), /Refused an association from MODALITY1 at 127\.0\.0\.1[\s\S]*minor failure: the caller must use our AE title/);
    await screen.getByLabel('Outcome').selectOption('failed');
    await screen.locator('tr[data-what="store"]').first().waitFor({ state: 'detached', timeout: 5_000 });
    assert.ok((await screen.locator('tr[data-what="association-refused"]').count()) >= 1);
    ui.assertNoErrors();
  });
});
