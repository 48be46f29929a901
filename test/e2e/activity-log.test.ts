// The Activity screen's "Open log" and "Save diagnostics" in real Chromium over `priors serve --ui`:
// the panel shows the end of the running serve's log file, and after a refresh the line of an
// association DCMTK's echoscu just opened; the bundle saved from the page downloads as a ZIP whose
// config.json keeps the node's user and not its password.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { e2eSkipReason, openUi, type UiSession } from '../helpers/browser.js';
import { runDcmtk } from '../helpers/dcmtk-scu.js';
import { tempDir } from '../helpers/tmp.js';
import { screen, WAIT } from '../helpers/ui-steps.js';
import { readZip } from '../helpers/zip.js';

const AE = 'PRIORSLOG';
const PASSWORD = 'sekret-pw-e2e';

describe('e2e: the log file and the diagnostics bundle from the Activity screen', { skip: e2eSkipReason(), timeout: 300_000 }, () => {
  let ui: UiSession;

  before(async () => {
    ui = await openUi({
      aeTitle: AE,
      dataDir: tempDir('e2e-activity-log'),
      nodes: [{ name: 'web', address: 'http://127.0.0.1:9/dicom-web', extraArgs: ['--dicomweb', '--user', 'alice', '--password', PASSWORD] }],
    });
  });
  after(async () => {
    await ui?.close();
  });

  test("Open log shows the serve's log file, and Refresh log its newest lines", async () => {
    await screen(ui.page, 'Activity', 'Activity');
    await ui.page.getByRole('button', { name: 'Open log' }).click();
    const file = ui.page.getByRole('region', { name: 'Log file' });
    await file.waitFor(WAIT);
    const path = join(ui.serve.dataDir, 'logs', 'priors.log');
    assert.ok((await file.innerText()).includes(`The end of ${path}`), await file.innerText());
    assert.match(await file.locator('pre').innerText(), new RegExp(`DICOM server ${AE} listening on 127\\.0\\.0\\.1`));

    const echoed = await runDcmtk('echoscu', ['-aet', 'LOGSCU', '-aec', AE, '127.0.0.1', String(ui.serve.port)], { timeoutMs: 10_000 });
    assert.equal(echoed.code, 0, echoed.stderr);
    // the file is written as lines come: refresh until the association's line is in it
    const pre = file.locator('pre');
    for (let i = 0; i < 50 && !/LOGSCU -> PRIORSLOG/.test(await pre.innerText()); i++) {
      await new Promise((r) => setTimeout(r, 100));
      await ui.page.getByRole('button', { name: 'Refresh log' }).click();
    }
    assert.match(await pre.innerText(), /open \(acceptor\): LOGSCU -> PRIORSLOG/);
    // the whole file as it was at the refresh (lines may have been added since)
    assert.ok(readFileSync(path, 'utf8').startsWith((await pre.innerText()).trimEnd()), 'the file from its first line');

    await ui.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await file.getByRole('button', { name: 'Copy path' }).click();
    assert.equal(await ui.page.evaluate('navigator.clipboard.readText()'), path);
    ui.assertNoErrors();
  });

  test('Save diagnostics says where the bundle went; the download is that ZIP, its config.json without the password', async () => {
    await screen(ui.page, 'Activity', 'Activity');
    await ui.page.getByRole('button', { name: 'Save diagnostics' }).click();
    const saved = ui.page.getByRole('status', { name: 'Diagnostics saved' });
    await saved.waitFor(WAIT);
    const text = (await saved.innerText()).replace(/\s+/g, ' ');
    const named = /^Saved (priors-diagnostics-\d{8}-\d{6}(?:-\d+)?\.zip) \(/.exec(text);
    assert.ok(named, text);
    const onDisk = join(ui.serve.dataDir, 'diagnostics', named[1]!);
    assert.ok(text.includes(`in ${onDisk}`), text);

    const [download] = await Promise.all([ui.page.waitForEvent('download'), saved.getByRole('link', { name: 'Download' }).click()]);
    assert.equal(download.suggestedFilename(), named[1]);
    const bytes = readFileSync(await download.path());
    assert.ok(bytes.equals(readFileSync(onDisk)), 'the saved bundle, byte for byte');
    const zip = readZip(bytes);
    const config = zip.get('config.json')?.toString('utf8');
    assert.ok(config !== undefined, [...zip.keys()].join());
    assert.match(config, /"user": "alice"/);
    assert.match(config, /"password": "\(removed\)"/);
    for (const [name, data] of zip) assert.ok(!data.includes(PASSWORD), `no password in ${name}`);
    assert.match(zip.get('logs/priors.log')?.toString('utf8') ?? '', /LOGSCU -> PRIORSLOG/);
    ui.assertNoErrors();
  });
});
