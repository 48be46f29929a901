// `priors serve` keeps its log on disk (logs/priors.log of a --data directory), and `priors
// diagnostics` bundles it with the configuration, secrets removed, for a support ticket.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDcmtk } from '../helpers/dcmtk-scu.js';
import { cliJson, runPriors, startPriorsServe } from '../helpers/priors-cli.js';
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
  const read = spawnSync('/usr/bin/python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nsys.stdout.write(z.read("logs/priors.log").decode() + "\\n--\\n" + z.read("config.json").decode())', out], { encoding: 'utf8' });
  assert.equal(read.status, 0, read.stderr);
  assert.match(read.stdout, /ECHOSCU -> DIAGSCP/);
  assert.match(read.stdout, /"aeTitle": "PACS"/);

  const bad = await runPriors(['diagnostics', '--out', join(dataDir, 'bundle.tar')], { dataDir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--out .*bundle\.tar must name a \.zip file/);
});
