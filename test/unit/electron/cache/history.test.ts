// The history (electron/cache/history.ts): jobs, audit log and prefetch's state live in
// history.sqlite, apart from the index. An index of Priors before migration 006 has them copied
// out on the first open (once, even across a crash between the copy and 006), then dropped;
// a damaged index or history gives up only the rows on its damaged pages, and says which.
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { migrate, openDatabase, type Db } from '../../../../electron/cache/db.js';
import { AuditStore } from '../../../../electron/cache/audit.js';
import { copyHistoryInto, HISTORY_FILE, openHistoryDatabase, prepareHistory } from '../../../../electron/cache/history.js';
import { Cache } from '../../../../electron/cache/index.js';
import { JobStore } from '../../../../electron/cache/jobs.js';
import { MIGRATIONS } from '../../../../electron/cache/migrations.js';
import { PrefetchStore } from '../../../../electron/cache/prefetch.js';
import { tempDir } from '../../../helpers/tmp.js';

const STUDY = '1.2.826.0.1.3680043.10.1439.17.1';

/** An index as Priors before migration 006 left it: version 5, the history tables filled. */
function oldIndex(dir: string, auditEvents: number): Db {
  const db = openDatabase(join(dir, 'index.sqlite'));
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version <= 5),
  );
  const audit = AuditStore.over(db);
  for (let i = 0; i < auditEvents; i++) {
    audit.append({
      at: 1000 + i,
      what: 'query',
      outcome: 0,
      direction: 'incoming',
      peerAeTitle: 'CT1',
      peerHost: '10.0.0.1',
      detail: `event ${i} ${'x'.repeat(200)}`,
    });
  }
  const jobs = new JobStore(db);
  jobs.insert({ node: 'pacs', method: 'move', level: 'STUDY', StudyInstanceUID: STUDY }, 5);
  return db;
}

const count = (db: Db, table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
const tables = (db: Db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];

test('an index before 006: its history is copied to history.sqlite on the first open, then dropped from the index', async () => {
  const dir = tempDir('history-move');
  const old = openDatabase(join(dir, 'index.sqlite'));
  migrate(
    old,
    MIGRATIONS.filter((m) => m.version <= 5),
  );
  const audit = AuditStore.over(old);
  for (let i = 0; i < 254; i++) audit.append({ at: 1000 + i, what: 'store', outcome: 0, direction: 'incoming', peerAeTitle: 'CT1', StudyInstanceUID: STUDY });
  const job = new JobStore(old).insert({ node: 'pacs', method: 'get', level: 'STUDY', StudyInstanceUID: STUDY, expected: 4 }, 7);
  const rules = new PrefetchStore(old);
  rules.deleteRule('default'); // the user's rules replace the seeds: a deleted default stays deleted
  old.close();

  const logs: string[] = [];
  const cache = await Cache.open(dir, { log: (_l, m) => logs.push(m) });
  await cache.close();
  assert.ok(
    logs.some((m) => m.includes('Moved the history') && m.includes('history.sqlite')),
    logs.join('\n'),
  );
  const index = openDatabase(join(dir, 'index.sqlite'));
  try {
    for (const t of ['audit_event', 'transfer_job', 'prefetch_rule', 'prefetch_run']) assert.ok(!tables(index).includes(t), `${t} left the index`);
  } finally {
    index.close();
  }
  const history = openHistoryDatabase(dir);
  try {
    assert.equal(count(history, 'audit_event'), 254, 'every audit event moved');
    assert.deepEqual(history.prepare('SELECT min(seq), max(seq) FROM audit_event').raw().get(), [1, 254], 'with its sequence numbers');
    assert.throws(() => history.prepare('DELETE FROM audit_event').run(), /append-only/, 'and still append-only');
    assert.equal(new JobStore(history).get(job.id)?.expected, 4);
    assert.deepEqual(new PrefetchStore(history).rules(), [], "the user's rules, not the seeds");
    assert.equal(count(history, 'history_copy'), 1);
  } finally {
    history.close();
  }
  const again = await Cache.open(dir);
  await again.close();
  const after = openHistoryDatabase(dir);
  try {
    assert.equal(count(after, 'audit_event'), 254, 'copied once');
  } finally {
    after.close();
  }
});

test('a crash between the copy and migration 006: the next open drops the tables without copying twice', async () => {
  const dir = tempDir('history-crash');
  const db = openDatabase(join(dir, 'index.sqlite'));
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version <= 5),
  );
  const audit = AuditStore.over(db);
  for (let i = 0; i < 10; i++) audit.append({ at: i, what: 'query', outcome: 0, direction: 'incoming' });
  db.close();
  await prepareHistory(dir);
  copyHistoryInto(dir, join(dir, 'index.sqlite'), 'the index before 006'); // what the first open did before it was killed
  const cache = await Cache.open(dir);
  await cache.close();
  const history = openHistoryDatabase(dir);
  try {
    assert.equal(count(history, 'audit_event'), 10);
    assert.equal(count(history, 'history_copy'), 1);
  } finally {
    history.close();
  }
});

/** Writes garbage over one page (1-based page number, 4096 bytes). */
function damagePage(path: string, page: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (page - 1) * 4096);
  } finally {
    closeSync(fd);
  }
}

test('a damaged index before 006: its audit events are copied out past the damaged pages, and what could not be read is named', async () => {
  const dir = tempDir('history-salvage');
  const db = oldIndex(dir, 300);
  const auditRoot = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'audit_event'").pluck().get() as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  // a leaf of the audit table in the middle: the last page of its b-tree that is not the root
  const leaf = db.prepare("SELECT max(pageno) FROM dbstat WHERE name = 'audit_event' AND pagetype = 'leaf'").pluck().get() as number | null;
  db.close();
  assert.ok(pages > 20 && auditRoot > 0);
  const target = leaf ?? auditRoot + 2;
  damagePage(join(dir, 'index.sqlite'), target);
  const cache = await Cache.open(dir);
  try {
    assert.ok(cache.recovery?.damaged, 'the index was set aside');
  } finally {
    await cache.close();
  }
  const history = openHistoryDatabase(dir);
  try {
    const copied = count(history, 'audit_event');
    assert.ok(copied > 250 && copied < 300, `the readable audit events were kept (${copied} of 300)`);
    const lost = history.prepare('SELECT lost FROM history_copy').pluck().get() as string;
    assert.match(lost, /audit_event: rows (between|after) rowid \d+/, lost);
    assert.equal(new JobStore(history).list().length, 1, 'the job kept');
  } finally {
    history.close();
  }
});

test('a damaged history: set aside, what can be read copied into a new one, and the open says so', async () => {
  const dir = tempDir('history-damaged');
  let cache = await Cache.open(dir);
  const audit = AuditStore.open(dir);
  for (let i = 0; i < 300; i++) audit.append({ at: i, what: 'query', outcome: 0, direction: 'incoming', detail: 'y'.repeat(300) });
  audit.close();
  await cache.close();
  const db = openDatabase(join(dir, HISTORY_FILE));
  const leaf = db.prepare("SELECT max(pageno) FROM dbstat WHERE name = 'audit_event' AND pagetype = 'leaf'").pluck().get() as number;
  db.close();
  damagePage(join(dir, HISTORY_FILE), leaf);
  const logs: string[] = [];
  cache = await Cache.open(dir, { log: (_l, m) => logs.push(m) });
  try {
    const report = cache.recovery?.history;
    assert.ok(report && existsSync(join(dir, report.setAside)), JSON.stringify(cache.recovery));
    assert.ok(report.rows > 250 && report.rows < 300, `${report.rows} rows kept`);
    assert.match(report.lost.join(';'), /audit_event/);
    assert.ok(
      logs.some((m) => m.includes('was damaged') && m.includes(report.setAside)),
      logs.join('\n'),
    );
  } finally {
    await cache.close();
  }
});
