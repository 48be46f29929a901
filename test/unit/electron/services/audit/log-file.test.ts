// The log file on disk (rotation by size, a reader's tail) and the diagnostics bundle built from
// it (configuration without secrets, logs, versions), read back with Python's zipfile.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLogFile, logFiles, logTail, LOG_FILE } from '../../../../../electron/services/audit/log-file.js';
import { redactConfig, writeDiagnostics } from '../../../../../electron/services/audit/diagnostics.js';
import { tempDir } from '../../../../helpers/tmp.js';

describe('log file', () => {
  test('lines at info and above, timestamped; debug left out', async () => {
    const dir = join(tempDir('log'), 'logs');
    const log = openLogFile(dir, { now: () => Date.UTC(2026, 11, 6, 7, 30) });
    log.log('debug', 'a PDU');
    log.log('info', 'a1 open (acceptor): CT1 -> PRIORS');
    log.log('error', 'a1 C-STORE failed: A700');
    await log.close();
    assert.equal(
      readFileSync(join(dir, LOG_FILE), 'utf8'),
      '2026-12-06T07:30:00.000Z info  a1 open (acceptor): CT1 -> PRIORS\n2026-12-06T07:30:00.000Z error a1 C-STORE failed: A700\n',
    );
    assert.equal(statSync(join(dir, LOG_FILE)).mode & 0o777, 0o600, "the log is the user's alone");
    log.log('info', 'after close'); // ignored, never throws
  });

  test('rotates by size and keeps a bounded number of files, newest first', async () => {
    const dir = tempDir('log-rotate');
    const log = openLogFile(dir, { maxBytes: 4096, keep: 2 });
    const line = 'x'.repeat(100);
    for (let i = 0; i < 400; i++) {
      log.log('info', `${i} ${line}`);
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5)); // let rotations run between bursts
    }
    await log.close();
    const files = logFiles(dir);
    assert.deepEqual(
      files.map((f) => f.slice(dir.length + 1)),
      ['priors.log', 'priors.log.1', 'priors.log.2'],
    );
    assert.ok(!existsSync(join(dir, 'priors.log.3')), 'no more than the files kept');
    // the newest line is at the end of the current file, and older ones in the rotated ones
    assert.match(readFileSync(files[0]!, 'utf8'), /399 x+\n$/);
    const tail = logTail(dir, 512)!;
    assert.equal(tail.truncated, true);
    assert.match(tail.text, /^\S+ info {2}\d+ x+\n/, 'the tail starts at a whole line');
    assert.match(tail.text, /399 x+\n$/);
  });

  test('a log directory that cannot be created stops nothing: the log says why it is not kept', async () => {
    const file = join(tempDir('log-bad'), 'plain-file');
    writeFileSync(file, '');
    const log = openLogFile(join(file, 'logs'));
    log.log('info', 'still running');
    assert.match(
      log.problem() ?? '',
      /^The log directory .*plain-file\/logs cannot be created \((ENOTDIR|EEXIST)\): Priors keeps working, but without a log on disk/,
    );
    await log.close();
  });
});

describe('diagnostics bundle', () => {
  test("config without secrets, every log file, versions, the data directory's state", async () => {
    const root = tempDir('diag');
    const dirs = { config: join(root, 'config'), data: join(root, 'data'), logs: join(root, 'logs') };
    mkdirSync(dirs.config);
    mkdirSync(dirs.data);
    writeFileSync(
      join(dirs.config, 'config.json'),
      JSON.stringify({
        local: { aeTitle: 'PRIORS', tls: { port: 2762, certFile: '/etc/priors/cert.pem', keyFile: '/etc/priors/key.pem' } },
        nodes: [
          { name: 'web', dicomweb: { url: 'https://pacs/dicom-web', auth: { kind: 'basic', user: 'radiology', password: 'hunter2' } } },
          { name: 'b', dicomweb: { auth: { bearer: 'abc.def' } } },
        ],
      }),
    );
    writeFileSync(
      join(dirs.data, 'serve.json'),
      JSON.stringify({ pid: 1, aeTitle: 'PRIORS', port: 11112, api: { url: 'http://127.0.0.1:5000', token: 'secret-token' } }),
    );
    const log = openLogFile(dirs.logs);
    log.log('info', 'a1 open (acceptor): CT1 -> PRIORS');
    await log.close();
    const out = join(root, 'bundle.zip');
    const names = await writeDiagnostics(dirs, out, { activity: ['one line'] });
    assert.deepEqual(names, ['versions.json', 'config.json', 'environment.json', 'logs/priors.log', 'activity.txt']);
    const read = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import sys, zipfile, json\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: z.read(n).decode() for n in z.namelist()}))', out],
      { encoding: 'utf8' },
    );
    assert.equal(read.status, 0, read.stderr);
    const entries = JSON.parse(read.stdout) as Record<string, string>;
    const all = Object.values(entries).join('\n');
    for (const secret of ['hunter2', 'abc.def', 'secret-token']) assert.ok(!all.includes(secret), `${secret} is not in the bundle`);
    assert.match(entries['config.json']!, /"user": "radiology"/);
    assert.match(entries['config.json']!, /"keyFile": "\/etc\/priors\/key.pem"/, 'paths are kept: they are not secrets');
    assert.match(entries['logs/priors.log']!, /CT1 -> PRIORS/);
    const versions = JSON.parse(entries['versions.json']!) as Record<string, unknown>;
    assert.equal(versions.node, process.versions.node);
    assert.match(String(versions.priors), /^\d+\.\d+\.\d+/);
    const env = JSON.parse(entries['environment.json']!) as { serving: { api: string; aeTitle: string }; disk: { freeBytes: number } };
    assert.equal(env.serving.api, 'http://127.0.0.1:5000');
    assert.ok(env.disk.freeBytes > 0);
  });

  test('secrets are found at any depth and in arrays; other values untouched', () => {
    assert.deepEqual(redactConfig({ a: [{ password: 'p', x: 1 }], token: 't', tokenFile: 7, nested: { clientSecret: 's', port: 4 } }), {
      a: [{ password: '(removed)', x: 1 }],
      token: '(removed)',
      tokenFile: '(removed)',
      nested: { clientSecret: '(removed)', port: 4 },
    });
  });
});
