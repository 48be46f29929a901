// The persisted transfer queue: migration 002 and the SQL of electron/cache/jobs.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../../../electron/cache/db.js';
import { JobStore } from '../../../../electron/cache/jobs.js';
import { HISTORY_MIGRATIONS, MIGRATIONS } from '../../../../electron/cache/migrations.js';
import { Cache } from '../../../../electron/cache/index.js';
import { tempDir } from '../../../helpers/tmp.js';

const STUDY = '1.2.826.0.1.3680043.10.1439.7.1';

function store(): { jobs: JobStore; close(): void } {
  const db = openDatabase(join(tempDir('cache-jobs'), 'history.sqlite'));
  migrate(db, HISTORY_MIGRATIONS); // the jobs live in the history (index migration 006 moved them there)
  return { jobs: new JobStore(db), close: () => db.close() };
}

test('migration 002 creates transfer_job after 001, and a store needs it', () => {
  assert.deepEqual(MIGRATIONS.map((m) => [m.version, m.name]).slice(0, 2), [
    [1, 'init'],
    [2, 'jobs'],
  ]);
  const db = openDatabase(join(tempDir('cache-jobs'), 'index.sqlite'));
  try {
    migrate(db, MIGRATIONS.slice(0, 1));
    assert.throws(() => new JobStore(db), /lacks the transfer_job table/);
    assert.deepEqual(migrate(db, MIGRATIONS.slice(0, 2)), [2]);
    const columns = db.prepare("SELECT name FROM pragma_table_info('transfer_job')").pluck().all();
    for (const c of ['id', 'node', 'method', 'level', 'StudyInstanceUID', 'series_uids', 'expected', 'state', 'progress', 'verdict', 'attempts']) {
      assert.ok(columns.includes(c), c);
    }
    assert.throws(
      () =>
        db
          .prepare(
            "INSERT INTO transfer_job (id, node, method, level, StudyInstanceUID, state, progress, created_at) VALUES ('x', 'n', 'push', 'STUDY', '1', 'queued', '{}', 0)",
          )
          .run(),
      /CHECK constraint/,
      'method is move or get',
    );
  } finally {
    db.close();
  }
});

test('migration 003: every update is a new revision, and a restart resume is one too', () => {
  assert.deepEqual(MIGRATIONS.map((m) => [m.version, m.name]).slice(2, 3), [[3, 'job-revision']]);
  const { jobs, close } = store();
  try {
    const a = jobs.insert({ node: 'pacs', method: 'move', level: 'STUDY', StudyInstanceUID: STUDY }, 1);
    assert.equal(a.revision, 0);
    assert.equal(jobs.update(a.id, { state: 'running', attempts: 1 })!.revision, 1);
    assert.equal(jobs.update(a.id, {})!.revision, 2, 'an empty patch still counts');
    const resumed = jobs.resumable().find((j) => j.id === a.id)!;
    assert.equal(resumed.state, 'queued');
    assert.equal(resumed.revision, 3);
    assert.equal(jobs.update(a.id, { state: 'cancelled' })!.revision, 4);
    assert.equal(jobs.get(a.id)!.revision, 4, 'read back from the row');
  } finally {
    close();
  }
});

test('insert, get and list keep every field and the queue order', () => {
  const { jobs, close } = store();
  try {
    const a = jobs.insert({ node: 'pacs', method: 'get', level: 'STUDY', StudyInstanceUID: STUDY, expected: 12, label: 'DOE^JOHN' }, 1000);
    const b = jobs.insert({ node: 'pacs', method: 'move', level: 'SERIES', StudyInstanceUID: STUDY, SeriesInstanceUIDs: ['1.2.3', '1.2.4'] }, 900);
    assert.notEqual(a.id, b.id);
    assert.deepEqual(jobs.get(a.id), a);
    assert.deepEqual(jobs.get(b.id), b);
    assert.equal(a.state, 'queued');
    assert.equal(a.attempts, 0);
    assert.deepEqual(b.SeriesInstanceUIDs, ['1.2.3', '1.2.4']);
    assert.equal(b.expected, undefined);
    assert.deepEqual(
      jobs.list().map((j) => j.id),
      [a.id, b.id],
      'insertion order, not the clock',
    );
    assert.equal(jobs.get('nope'), undefined);
  } finally {
    close();
  }
});

test('update changes only the fields given; null clears; list filters by state', () => {
  const { jobs, close } = store();
  try {
    const a = jobs.insert({ node: 'pacs', method: 'get', level: 'STUDY', StudyInstanceUID: STUDY }, 1);
    const progress = { completed: 3, failed: 1, warning: 0, arrived: 3, skipped: 2, bytes: 1234, mbPerSecond: 1.5, etaSeconds: 4 };
    const run = jobs.update(a.id, { state: 'running', attempts: 1, startedAt: 5, progress, usedMethod: 'move' })!;
    assert.equal(run.state, 'running');
    assert.deepEqual(run.progress, progress);
    assert.equal(run.usedMethod, 'move');
    assert.equal(run.label, undefined);
    const done = jobs.update(a.id, { state: 'incomplete', finishedAt: 9, verdict: { code: 'x', sentence: 'One was missing.' } })!;
    assert.deepEqual(done.verdict, { code: 'x', sentence: 'One was missing.' });
    assert.equal(done.startedAt, 5);
    const again = jobs.update(a.id, { state: 'queued', verdict: null, finishedAt: null })!;
    assert.equal(again.verdict, undefined);
    assert.equal(again.finishedAt, undefined);
    assert.equal(jobs.update('nope', { state: 'failed' }), undefined);
    jobs.insert({ node: 'other', method: 'move', level: 'STUDY', StudyInstanceUID: STUDY }, 2);
    assert.equal(jobs.list({ states: ['queued'] }).length, 2);
    assert.equal(jobs.list({ states: ['failed', 'running'] }).length, 0);
    assert.equal(jobs.list({ limit: 1 }).length, 1);
  } finally {
    close();
  }
});

test('resumable: running jobs go back to queued, ended ones stay; clearFinished removes ended ones', () => {
  const { jobs, close } = store();
  try {
    const ids = ['running', 'queued', 'completed', 'failed'].map((state, i) => {
      const j = jobs.insert({ node: 'pacs', method: 'move', level: 'STUDY', StudyInstanceUID: STUDY }, i);
      if (state !== 'queued') jobs.update(j.id, { state: state as 'running', finishedAt: state === 'running' ? null : 100 + i });
      return j.id;
    });
    const resumed = jobs.resumable();
    assert.deepEqual(
      resumed.map((j) => j.id),
      [ids[0], ids[1]],
    );
    assert.ok(resumed.every((j) => j.state === 'queued'));
    assert.equal(jobs.get(ids[2]!)!.state, 'completed');
    assert.equal(jobs.clearFinished(103), 1, 'only the one finished before 103');
    assert.equal(jobs.clearFinished(), 1);
    assert.equal(jobs.list().length, 2);
  } finally {
    close();
  }
});

test('JobStore.open shares the history of a Cache and survives reopening', async () => {
  const dir = tempDir('cache-jobs-open');
  let cache = await Cache.open(dir);
  let jobs = JobStore.open(dir);
  const a = jobs.insert({ node: 'pacs', method: 'get', level: 'STUDY', StudyInstanceUID: STUDY, expected: 4 });
  jobs.update(a.id, { state: 'running' });
  jobs.close();
  await cache.close();
  cache = await Cache.open(dir);
  jobs = JobStore.open(dir);
  try {
    assert.deepEqual(
      jobs.resumable().map((j) => [j.id, j.state, j.expected]),
      [[a.id, 'queued', 4]],
    );
  } finally {
    jobs.close();
    await cache.close();
  }
});
