// Export from the Local cache screen in real Chromium over `priors serve --ui`: a patient's study
// exported de-identified with a pseudonym onto a folder medium with a DICOMDIR (the dialog's
// defaults and choices), the result's sentence shown, the files written under the pseudonym with
// a DICOMDIR dciodvfy accepts; a missing destination said in the dialog before anything is asked.
// From Search's row menu against a real Orthanc: "Export…" on a cached study shows the Local cache
// screen with the same dialog and only that study ticked; a study not in the cache has no Export.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { e2eSkipReason, openUi, type UiSession } from '../helpers/browser.js';
import { generateCtSeries } from '../helpers/data.js';
import { runDcmtk, storescu } from '../helpers/dcmtk-scu.js';
import { loadIntoOrthanc, startOrthanc, type OrthancPeer } from '../helpers/peers.js';
import { walkFiles } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';
import { addNode, search, WAIT } from '../helpers/ui-steps.js';

const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('e2e: export from the Local cache screen', { skip: e2eSkipReason(), timeout: 180_000 }, () => {
  let ui: UiSession;
  let pacs: OrthancPeer | undefined;
  const work = tempDir('e2e-export');
  before(async () => {
    ui = await openUi({ aeTitle: 'PRIORS_EXP', dataDir: join(work, 'data') });
  });
  after(async () => {
    await ui?.close();
    await pacs?.stop();
  });

  test('a study de-identified onto a folder medium: the sentence, the pseudonym in the files, a valid DICOMDIR', async () => {
    const ct = await generateCtSeries({ mode: 'tiny', count: 3, patientId: 'E2E-EXPORT', patientName: 'EXPORT^UI', seed: 91 });
    assert.equal((await storescu(ui.serve, ct.files, { callingAeTitle: 'MODALITY1' })).code, 0);
    const page = ui.page;
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Local cache' }).click();
    const screen = page.getByRole('region', { name: 'Local cache', exact: true });
    await screen.getByRole('button', { name: 'EXPORT, UI' }).click();
    await screen.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export studies' });
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });

    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Give a new or empty folder to export into.' }).waitFor({ timeout: 10_000 });

    const out = join(work, 'medium');
    await dialog.getByLabel('Where to').fill(out);
    assert.equal(await dialog.getByLabel(/DICOMDIR/).isChecked(), true, 'a medium by default');
    await dialog.getByLabel(/De-identify/).check();
    await dialog.getByLabel('Pseudonym').fill('SUBJECT-9');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const status = dialog.getByRole('status');
    await status.filter({ hasText: /^Exported 3 instances of 1 study/ }).waitFor({ timeout: 60_000 });
    assert.match(
      await status.innerText(),
      new RegExp(`to ${out.replace(/[/.]/g, '\\$&')} \\(with a DICOMDIR, de-identified\\)\\. The patient is named SUBJECT-9\\.`),
    );
    await dialog.getByRole('button', { name: 'Close' }).click();
    await screen.getByRole('status').filter({ hasText: 'SUBJECT-9' }).first().waitFor({ timeout: 5_000 });

    const files = walkFiles(out);
    assert.equal(files.length, 4, files.join(', '));
    const dump = await runDcmtk('dcmdump', ['-q', '+P', '0010,0020', join(out, 'DICOMDIR')]);
    assert.match(dump.stdout, /\[SUBJECT-9\]/);
    const v = await runDcmtk('dciodvfy', [join(out, 'DICOMDIR')]);
    assert.deepEqual(
      `${v.stdout}\n${v.stderr}`.split('\n').filter((l) => l.startsWith('Error')),
      [],
    );
    ui.assertNoErrors();
  });

  test("Search's row menu: Export… on a cached study opens the dialog on Local cache with only that study ticked; none for a study not in the cache", async () => {
    const who = { mode: 'tiny' as const, patientId: 'E2E-MENU', patientName: 'MENU^MARA' };
    const [cached, other, remote] = await Promise.all([
      generateCtSeries({ ...who, count: 2, studyDate: '20240105', studyDescription: 'CT MENU CACHED', seed: 92 }),
      generateCtSeries({ ...who, count: 3, studyDate: '20230105', studyDescription: 'CT MENU OTHER', seed: 93 }),
      generateCtSeries({ ...who, count: 2, studyDate: '20220105', studyDescription: 'CT MENU REMOTE', seed: 94 }),
    ]);
    // the PACS holds the cached study and one that is not in the cache; the cache holds another of the patient too
    pacs = await startOrthanc({ dir: join(work, 'orthanc') });
    await loadIntoOrthanc(pacs, [...cached.files, ...remote.files]);
    assert.equal((await storescu(ui.serve, [...cached.files, ...other.files], { callingAeTitle: 'MODALITY1' })).code, 0);
    const page = ui.page;
    await addNode(page, { name: 'pacs', aeTitle: pacs.aeTitle, port: pacs.port, method: 'move' });
    assert.equal(await search(page, { node: 'pacs', name: 'MENU*' }), 2);
    const results = page.getByRole('region', { name: 'Search results' });
    const menu = page.getByRole('menu');

    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT MENU REMOTE' }).click({ button: 'right' });
    assert.deepEqual((await menu.getByRole('menuitem').allInnerTexts()).map(squeeze), [
      'Retrieve and open O',
      'Retrieve R',
      'Show series Space',
      'Prefetch priors P',
    ]);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached', ...WAIT });

    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT MENU CACHED' }).click({ button: 'right' });
    assert.deepEqual((await menu.getByRole('menuitem').allInnerTexts()).map(squeeze), [
      'Open O',
      'Show series Space',
      'Prefetch priors P',
      'Export…',
      'Send to pacs',
    ]);
    await menu.getByRole('menuitem', { name: 'Export…' }).click();
    const screen = page.getByRole('region', { name: 'Local cache', exact: true });
    await screen.waitFor({ state: 'visible', ...WAIT });
    const dialog = page.getByRole('dialog', { name: 'Export studies' });
    await dialog.waitFor({ state: 'visible', ...WAIT });
    assert.equal(await screen.getByRole('button', { name: 'MENU, MARA' }).getAttribute('aria-expanded'), 'true');
    // the patient's two cached studies are offered, only the one chosen in Search ticked
    const ticks = dialog.getByRole('group', { name: 'Studies' }).getByRole('checkbox');
    assert.equal(await ticks.count(), 2);
    const state = await Promise.all(
      [0, 1].map(async (i) => `${squeeze(await dialog.locator('label.export-study').nth(i).innerText())}: ${await ticks.nth(i).isChecked()}`),
    );
    assert.deepEqual(state.sort(), ['2023-01-05 · CT MENU OTHER · 3 instances: false', '2024-01-05 · CT MENU CACHED · 2 instances: true']);

    const out = join(work, 'from-search');
    await dialog.getByLabel('Where to').fill(out);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const status = dialog.getByRole('status');
    await status.filter({ hasText: /^Exported 2 instances of 1 study/ }).waitFor(WAIT);
    assert.match(await status.innerText(), new RegExp(`to ${out.replace(/[/.]/g, '\\$&')} \\(with a DICOMDIR\\)\\.`));
    await dialog.getByRole('button', { name: 'Close' }).click();
    const files = walkFiles(out);
    assert.equal(files.length, 3, files.join(', '));
    const dump = await runDcmtk('dcmdump', ['-q', '+P', '0020,000d', join(out, 'DICOMDIR')]);
    assert.deepEqual([...new Set(dump.stdout.match(/\[[\d.]+\]/g))], [`[${cached.StudyInstanceUID}]`]);
    ui.assertNoErrors();
  });
});
