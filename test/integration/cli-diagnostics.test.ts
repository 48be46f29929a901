// `priors serve` keeps its log on disk (logs/priors.log of a --data directory), and `priors
// diagnostics` bundles it with the configuration, secrets removed, for a support ticket.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDcmtk } from '../helpers/dcmtk-scu.js';
import { cliJson, runPriors, serveApi, startPriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

test('the log of a serve run is on disk and in the diagnostics bundle', async () => {
  const dataDir = tempDir('cli-diag');
  const added = await runPriors(['nodes', 'add', 'pacs', 'PACS@127.0.0.1:4242'], { dataDir });
  assert.equal(added.code, 0, added.stderr);
  const serve = await startPriorsServe({ aeTitle: 'DIAGSCP', dataDir });
  const echoed = await runDcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'DIAGSCP', '127.0.0.1', String(serve.port)], { timeoutMs: 10_000 });
  assert.equal(echoed.code, 0, echoed.stderr);
  await serve.stop();
  const log = readFileSync(join(dataDir, 'logs', 'priors.log'), 'utf8');
  assert.match(log, /ECHOSCU -> DIAGSCP/, 'the association is in the log file');
  assert.match(log, /stopping \(SIG(INT|TERM)\)/);

  const out = join(dataDir, 'bundle.zip');
  const r = await runPriors(['diagnostics', '--out', out], { dataDir, json: true });
  const result = cliJson<{ file: string; entries: string[] }>(r);
  assert.equal(result.file, out);
  assert.deepEqual(result.entries, ['versions.json', 'config.json', 'environment.json', 'logs/priors.log']);
  const read = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nsys.stdout.write(z.read("logs/priors.log").decode() + "\\n--\\n" + z.read("config.json").decode())',
      out,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(read.status, 0, read.stderr);
  assert.match(read.stdout, /ECHOSCU -> DIAGSCP/);
  assert.match(read.stdout, /"aeTitle": "PACS"/);

  const bad = await runPriors(['diagnostics', '--out', join(dataDir, 'bundle.tar')], { dataDir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--out .*bundle\.tar must name a \.zip file/);
});

test('a running serve shows its log file and saves the diagnostics bundle through the API, downloadable with the token only', async () => {
  const dataDir = tempDir('api-diag');
  const added = await runPriors(['nodes', 'add', 'web', 'http://127.0.0.1:9/dicom-web', '--dicomweb', '--user', 'alice', '--password', 'sekret-pw'], {
    dataDir,
  });
  assert.equal(added.code, 0, added.stderr);
  const serve = await startPriorsServe({ aeTitle: 'DIAGAPI', dataDir });
  try {
    const echoed = await runDcmtk('echoscu', ['-aet', 'TAILSCU', '-aec', 'DIAGAPI', '127.0.0.1', String(serve.port)], { timeoutMs: 10_000 });
    assert.equal(echoed.code, 0, echoed.stderr);
    // the log file is written as the lines come (its stream may lag a moment behind the answer)
    let tail = await serveApi<{ dir: string; path?: string; text: string; truncated: boolean; problem?: string }>(dataDir, 'logs.tail', {});
    for (let i = 0; i < 50 && !/TAILSCU -> DIAGAPI/.test(tail.text); i++) {
      await new Promise((r) => setTimeout(r, 100));
      tail = await serveApi(dataDir, 'logs.tail', {});
    }
    assert.equal(tail.path, join(dataDir, 'logs', 'priors.log'));
    assert.match(tail.text, /TAILSCU -> DIAGAPI/);
    assert.equal(tail.problem, undefined);
    const small = await serveApi<{ text: string; truncated: boolean }>(dataDir, 'logs.tail', { maxBytes: 1024 });
    assert.ok(Buffer.byteLength(small.text) <= 1024 && (small.truncated || small.text === tail.text));

    const saved = await serveApi<{ path: string; filename: string; entries: string[]; bytes: number; download: string }>(dataDir, 'diagnostics.save', {});
    assert.equal(saved.path, join(dataDir, 'diagnostics', saved.filename));
    assert.ok(
      saved.entries.includes('config.json') && saved.entries.includes('logs/priors.log') && saved.entries.includes('activity.txt'),
      saved.entries.join(),
    );
    const read = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nsys.stdout.write(z.read("config.json").decode() + "\\n--\\n" + z.read("activity.txt").decode())',
        saved.path,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(read.status, 0, read.stderr);
    assert.doesNotMatch(read.stdout, /sekret-pw/, 'no password in the bundle');
    assert.match(read.stdout, /"user": "alice"/);
    assert.match(read.stdout, /TAILSCU -> DIAGAPI/);

    const info = JSON.parse(readFileSync(join(dataDir, 'serve.json'), 'utf8')) as { api: { url: string; token: string } };
    const got = await fetch(`${info.api.url}${saved.download}?token=${info.api.token}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/zip');
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(readFileSync(saved.path)));
    assert.equal((await fetch(`${info.api.url}${saved.download}`)).status, 401, 'not without the token');
    assert.equal((await fetch(`${info.api.url}/api/download/..%2Fconfig.json?token=${info.api.token}`)).status, 404, 'only saved bundles');
  } finally {
    await serve.stop();
  }
});
