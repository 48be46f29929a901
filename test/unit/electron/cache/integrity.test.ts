// The integrity check of the index and the history (electron/cache/integrity.ts): sound, damaged
// (a page of garbage, a truncated file, a header that is not SQLite's), in this thread or in a
// worker for a large file, cut short after its time, and the damaged file set aside with its
// WAL and shared-memory files under a name that says when.
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { migrate, openDatabase } from '../../../../electron/cache/db.js';
import { checkDatabaseFile, isDamage, setAside } from '../../../../electron/cache/integrity.js';
import { syntheticRecords } from '../../../../electron/cache/synthetic.js';
import { Repository } from '../../../../electron/cache/repository.js';
import { tempDir } from '../../../helpers/tmp.js';

/** An index of 2,000 synthetic instances (a few hundred pages). */
function index(): string {
  const path = join(tempDir('integrity'), 'index.sqlite');
  const db = openDatabase(path);
  migrate(db);
  const repo = new Repository(db);
  repo.transaction(() => {
    for (const r of syntheticRecords({ patients: 20, studies: 60, instances: 2000 })) repo.index(r);
  });
  db.close();
  return path;
}

function garbage(path: string, page: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, page * 4096);
  } finally {
    closeSync(fd);
  }
}

test('a sound file passes, in this thread and in a worker', async () => {
  const path = index();
  assert.deepEqual({ ...(await checkDatabaseFile(path)), ms: 0 }, { ok: true, checked: 'full', ms: 0 });
  assert.deepEqual({ ...(await checkDatabaseFile(path, { inThreadBytes: 0 })), ms: 0 }, { ok: true, checked: 'full', ms: 0 });
});

test('damage is found and told on one line: garbage over pages, a truncated file, a header that is not a database', async () => {
  for (const [what, damage] of [
    [
      'garbage',
      (p: string) => {
        for (let page = 10; page < 30; page++) garbage(p, page);
      },
    ],
    ['truncated', (p: string) => truncateSync(p, 30_000)],
    ['not a database', (p: string) => garbage(p, 0)],
  ] as const) {
    for (const worker of [false, true]) {
      const path = index();
      damage(path);
      const verdict = await checkDatabaseFile(path, worker ? { inThreadBytes: 0 } : {});
      assert.equal(verdict.ok, false, `${what}${worker ? ' (worker)' : ''}`);
      if (!verdict.ok) assert.doesNotMatch(verdict.problem, /\n/, verdict.problem);
    }
  }
});

test('a check that takes longer than allowed is cut short, and says so', async () => {
  const verdict = await checkDatabaseFile(index(), { timeoutMs: 0, inThreadBytes: 0 });
  assert.deepEqual({ ...verdict, ms: 0 }, { ok: true, checked: 'cut-short', ms: 0 });
});

test('setAside renames the file with its -wal and -shm, never over an earlier one', () => {
  const dir = tempDir('integrity-aside');
  const path = join(dir, 'index.sqlite');
  const at = new Date('2026-03-04T05:06:07.089Z');
  for (const name of ['index.sqlite', 'index.sqlite-wal', 'index.sqlite-shm']) writeFileSync(join(dir, name), name);
  const first = setAside(path, at);
  assert.equal(first, join(dir, 'index.sqlite.damaged-2026-03-04T05-06-07-089Z'));
  for (const suffix of ['', '-wal', '-shm']) assert.ok(existsSync(first + suffix), suffix);
  assert.equal(existsSync(path), false);
  writeFileSync(path, 'again');
  assert.equal(setAside(path, at), `${first}-2`, 'a second damage the same millisecond');
});

test('isDamage: SQLITE_CORRUPT and SQLITE_NOTADB, also as the cause of a wrapping error; not SQLITE_FULL or SQLITE_BUSY', () => {
  assert.equal(isDamage(Object.assign(new Error('x'), { code: 'SQLITE_CORRUPT' })), true);
  assert.equal(isDamage(Object.assign(new Error('x'), { code: 'SQLITE_CORRUPT_INDEX' })), true);
  assert.equal(isDamage(Object.assign(new Error('x'), { code: 'SQLITE_NOTADB' })), true);
  assert.equal(isDamage(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'SQLITE_CORRUPT' }) })), true);
  assert.equal(isDamage(Object.assign(new Error('x'), { code: 'SQLITE_FULL' })), false);
  assert.equal(isDamage(Object.assign(new Error('x'), { code: 'SQLITE_BUSY' })), false);
});
