// The npm package as a user installs it: `npm pack` of this checkout, installed globally into a
// fresh prefix, runs `priors --version` and serves its UI; the tarball carries the built app and
// none of the development tree (tests, benches, sources, a data directory that happened to be
// in the checkout).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../helpers/ports.js';
import { REPO_ROOT } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function run(command: string, args: string[], cwd: string, timeoutMs = 180_000): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: 'false' } });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

describe('the npm package', () => {
  const work = tempDir('pack');
  const prefix = join(work, 'prefix');
  let files: string[] = [];
  let priors = '';

  before(() => {
    // what `npm ci` builds through prepare; built here when a checkout was installed without it
    if (!existsSync(join(REPO_ROOT, 'dist', 'priors-cli.mjs')) || !existsSync(join(REPO_ROOT, 'renderer', 'dist', 'index.html'))) {
      run('npm', ['run', 'build'], REPO_ROOT, 600_000);
    }
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO_ROOT)) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = packed[0]!.files.map((f) => f.path);
    // the dependencies come from npm's cache that `npm ci` filled; better-sqlite3's compilation
    // (minutes, from source where no prebuilt binary downloads) is skipped and the checkout's
    // own build, for this same Node, copied in: what is tested is the package, not node-gyp
    run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(work, packed[0]!.filename)], work);
    const installed = join(prefix, 'lib', 'node_modules', 'priors');
    cpSync(join(REPO_ROOT, 'node_modules', 'better-sqlite3', 'build'), join(installed, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
    priors = join(prefix, 'bin', 'priors');
  });

  test('carries the built app, the UI and the conformance statement, and nothing of the development tree', () => {
    for (const needed of [
      'bin/priors.js',
      'dist/priors-cli.mjs',
      'dist/dicom-dictionary.txt',
      'dist/electron/main.js',
      'dist/preload.cjs',
      'renderer/dist/index.html',
      'docs/conformance.md',
      'README.md',
      'package.json',
    ]) {
      assert.ok(files.includes(needed), `${needed} is in the package`);
    }
    assert.ok(
      files.some((f) => f.startsWith('renderer/dist/') && f.endsWith('.wasm')),
      "the viewer's codecs are in the package",
    );
    const stray = files.filter(
      (f) => /^(test|bench|scripts|electron|shared|renderer\/src|\.ci|build|priors-data|node_modules)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    assert.deepEqual(stray, []);
  });

  test('priors --version and --help run from the installed package', () => {
    assert.equal(run(priors, ['--version'], work).trim(), `priors ${VERSION}`);
    assert.match(run(priors, ['--help'], work), /^priors — find a patient's prior studies/);
  });

  describe('priors serve --ui from the installed package', () => {
    let child: ReturnType<typeof spawn> | undefined;
    after(() => {
      if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    });

    test('serves its UI', async () => {
      const port = await freePort();
      child = spawn(priors, ['serve', '--ui', '--data', join(work, 'data'), '--port', String(port), '--aet', 'PKGTEST'], {
        cwd: work,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let logs = '';
      child.stdout!.on('data', (d: Buffer) => {
        logs += d.toString();
      });
      child.stderr!.on('data', (d: Buffer) => {
        logs += d.toString();
      });
      const deadline = Date.now() + 60_000;
      let url: string | undefined;
      while (!(url = /Priors UI: (\S+)/.exec(logs)?.[1]) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      assert.ok(url, `no UI URL printed:\n${logs}`);
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>Priors<\/title>/);
      child.kill('SIGINT');
      await new Promise((r) => child!.once('exit', r));
    });
  });
});
