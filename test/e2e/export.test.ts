// Export from the Local cache screen in real Chromium over `priors serve --ui`: a patient's study
// exported de-identified with a pseudonym onto a folder medium with a DICOMDIR (the dialog's
// defaults and choices), the result's sentence shown, the files written under the pseudonym with
// a DICOMDIR dciodvfy accepts; a missing destination said in the dialog before anything is asked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { e2eSkipReason, openUi, type UiSession } from '../helpers/browser.js';
import { generateCtSeries } from '../helpers/data.js';
import { runDcmtk, storescu } from '../helpers/dcmtk-scu.js';
import { walkFiles } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('e2e: export from the Local cache screen', { skip: e2eSkipReason(), timeout: 180_000 }, () => {
  let ui: UiSession;
  const work = tempDir('e2e-export');
  before(async () => { ui = await openUi({ aeTitle: 'PRIORS_EXP', dataDir: join(work, 'data') }); });
  after(async () => { await ui?.close(); });

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
    assert.match(await status.innerText(), new RegExp(`to ${out.replace(/[/.]/g, '\\$&')} \\(with a DICOMDIR, de-identified\\)\\. The patient is named SUBJECT-9\\.`));
    await dialog.getByRole('button', { name: 'Close' }).click();
    await screen.getByRole('status').filter({ hasText: 'SUBJECT-9' }).first().waitFor({ timeout: 5_000 });

    const files = walkFiles(out);
    assert.equal(files.length, 4, files.join(', '));
    const dump = await runDcmtk('dcmdump', ['-q', '+P', '0010,0020', join(out, 'DICOMDIR')]);
    assert.match(dump.stdout, /\[SUBJECT-9\]/);
    const v = await runDcmtk('dciodvfy', [join(out, 'DICOMDIR')]);
    assert.deepEqual(`${v.stdout}\n${v.stderr}`.split('\n').filter((l) => l.startsWith('Error')), []);
    ui.assertNoErrors();
  });
});
