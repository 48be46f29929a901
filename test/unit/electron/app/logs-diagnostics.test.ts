// The Activity screen's entries over real files in a temporary data directory: logs.tail (the end
// of the current log file, bounded, or where it will be written) and diagnostics.save (the bundle,
// its config.json without secrets, and the download names the web host accepts).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../../../../shared/config.js';
import { Cache } from '../../../../electron/cache/index.js';
import { composeAppCore, type ComposedCore } from '../../../../electron/app/compose.js';
import { ActivityLog } from '../../../../electron/services/audit/activity-log.js';
import { LOG_FILE, openLogFile } from '../../../../electron/services/audit/log-file.js';
import { tempDir } from '../../../helpers/tmp.js';
import { readZip } from '../../../helpers/zip.js';

const open: { composed: ComposedCore; cache: Cache }[] = [];
after(async () => {
  for (const { composed, cache } of open) {
    await composed.close();
    await cache.close();
  }
});

async function core(
  o: { logsDir?: string; logProblem?: () => string | undefined } = {},
): Promise<{ composed: ComposedCore; dataDir: string; activity: ActivityLog }> {
  const dataDir = tempDir('app-logs');
  const cache = await Cache.open(dataDir);
  const activity = new ActivityLog();
  const composed = composeAppCore({ dataDir, config: defaultConfig(), cache, activity, worklist: false, ...o });
  open.push({ composed, cache });
  return { composed, dataDir, activity };
}

describe('logs.tail', () => {
  test('before the first line: no file, the directory it will be written in, and why it is not written when it is not', async () => {
    const { composed, dataDir } = await core({
      logProblem: () => 'The log directory cannot be created (EACCES): Priors keeps working, but without a log on disk.',
    });
    const r = await composed.core.invoke('logs.tail', {});
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value, {
      dir: join(dataDir, 'logs'),
      text: '',
      truncated: false,
      problem: 'The log directory cannot be created (EACCES): Priors keeps working, but without a log on disk.',
    });
  });

  test('the end of the current file, whole lines, at most maxBytes', async () => {
    const logsDir = join(tempDir('app-logs-dir'), 'logs');
    const log = openLogFile(logsDir);
    for (let i = 0; i < 200; i++) log.log('info', `line ${i} ${'x'.repeat(40)}`);
    await log.close();
    const { composed } = await core({ logsDir });
    const whole = await composed.core.invoke('logs.tail', {});
    assert.ok(whole.ok, JSON.stringify(whole));
    const all = whole.value as { path: string; text: string; truncated: boolean };
    assert.equal(all.path, join(logsDir, LOG_FILE));
    assert.equal(all.text, readFileSync(all.path, 'utf8'));
    assert.equal(all.truncated, false);

    const end = await composed.core.invoke('logs.tail', { maxBytes: 1024 });
    assert.ok(end.ok, JSON.stringify(end));
    const tail = end.value as { text: string; truncated: boolean };
    assert.equal(tail.truncated, true);
    assert.ok(Buffer.byteLength(tail.text) <= 1024);
    assert.match(tail.text, /^\S+ info {2}line \d+ x+\n/, 'starts at a whole line');
    assert.match(tail.text, /line 199 x+\n$/, 'ends with the newest line');
    assert.ok(all.text.endsWith(tail.text));
  });

  test('a size out of bounds is refused before any file is read', async () => {
    const { composed } = await core();
    for (const maxBytes of [10, 64 * 1024 * 1024, 1.5, '1024']) {
      const r = await composed.core.invoke('logs.tail', { maxBytes });
      assert.ok(!r.ok && r.error.code === 'invalid-payload', `${JSON.stringify(maxBytes)}: ${JSON.stringify(r)}`);
    }
  });
});

describe('diagnostics.save', () => {
  test("the bundle in the data directory's diagnostics folder: config.json without secrets, the log, the activity; downloadable by its name only", async () => {
    const logsDir = join(tempDir('app-diag-logs'), 'logs');
    const log = openLogFile(logsDir);
    log.log('info', 'a1 open (acceptor): CT1 -> PRIORS');
    await log.close();
    const { composed, dataDir, activity } = await core({ logsDir });
    activity.logger('info', 'a2 open (requestor): PRIORS -> PACS 127.0.0.1:104');
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({
        local: { aeTitle: 'PRIORS' },
        nodes: [{ name: 'web', dicomweb: { url: 'https://pacs.example/dicom-web', auth: { kind: 'basic', user: 'radiology', password: 'hunter2' } } }],
      }),
    );
    const r = await composed.core.invoke('diagnostics.save', {});
    assert.ok(r.ok, JSON.stringify(r));
    const saved = r.value as { path: string; filename: string; entries: string[]; bytes: number; download: string };
    assert.match(saved.filename, /^priors-diagnostics-\d{8}-\d{6}(?:-\d+)?\.zip$/);
    assert.equal(saved.path, join(dataDir, 'diagnostics', saved.filename));
    assert.equal(saved.download, `/api/download/${saved.filename}`);

    const bytes = readFileSync(saved.path);
    assert.equal(saved.bytes, bytes.length);
    const zip = readZip(bytes);
    assert.deepEqual([...zip.keys()], saved.entries);
    assert.ok(saved.entries.includes('versions.json') && saved.entries.includes('environment.json'), saved.entries.join());
    const config = zip.get('config.json')?.toString('utf8') ?? '';
    assert.match(config, /"user": "radiology"/);
    assert.match(config, /"password": "\(removed\)"/);
    for (const [name, data] of zip) assert.doesNotMatch(data.toString('utf8'), /hunter2/, `no password in ${name}`);
    assert.match(zip.get('activity.txt')?.toString('utf8') ?? '', /info {2}a2 open \(requestor\): PRIORS -> PACS/);
    assert.match(zip.get(`logs/${LOG_FILE}`)?.toString('utf8') ?? '', /a1 open \(acceptor\): CT1 -> PRIORS\n$/);

    assert.equal(composed.core.downloadPath(saved.filename), saved.path);
    for (const name of ['config.json', `../${saved.filename}`, 'priors-diagnostics-20010101-000000.zip', `${saved.filename}.txt`]) {
      assert.equal(composed.core.downloadPath(name), undefined, name);
    }

    // saved again at once: a bundle of its own, the first one kept
    const again = await composed.core.invoke('diagnostics.save', {});
    assert.ok(again.ok, JSON.stringify(again));
    const second = again.value as { path: string; filename: string };
    assert.notEqual(second.filename, saved.filename);
    assert.ok(existsSync(saved.path) && existsSync(second.path));
    assert.equal(composed.core.downloadPath(second.filename), second.path);
  });
});
