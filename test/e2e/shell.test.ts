// The workstation UI in real Chromium over `priors serve --ui`: every screen opens from the
// navigation by its accessible name, and the page logs no console error or page error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { e2eSkipReason, openUi, type UiSession } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';

// [navigation button text, section name] as in renderer/src/app/screens.ts.
const SCREENS = [['Search', 'Search'], ['Transfers', 'Transfers'], ['Local cache', 'Local cache'],
  ['Nodes & settings', 'Nodes and settings'], ['Activity', 'Activity']] as const;

describe('e2e: shell', { skip: e2eSkipReason(), timeout: 180_000 }, () => {
  let ui: UiSession;
  before(async () => { ui = await openUi({ aeTitle: 'PRIORS_E2E', dataDir: await tempDir('e2e-shell') }); });
  after(async () => { await ui?.close(); });

  test('each screen opens from the navigation', async () => {
    const nav = ui.page.getByRole('navigation', { name: 'Screens' });
    for (const [button, name] of SCREENS) {
      await nav.getByRole('button', { name: button }).click();
      await ui.page.getByRole('region', { name, exact: true }).waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await nav.getByRole('button', { name: button }).getAttribute('aria-current'), 'page');
    }
    ui.assertNoErrors();
  });
});
