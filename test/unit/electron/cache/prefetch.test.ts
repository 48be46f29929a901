// Prefetch in the index: migration 005 (seeded rule and synonyms), rules in order, runs, marks,
// worklist procedures once each, and the origin of transfer jobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../../../electron/cache/db.js';
import { JobStore } from '../../../../electron/cache/jobs.js';
import { HISTORY_MIGRATIONS, MIGRATIONS } from '../../../../electron/cache/migrations.js';
import { PrefetchStore } from '../../../../electron/cache/prefetch.js';
import { DEFAULT_RULE, DEFAULT_SYNONYMS, type PrefetchRun } from '../../../../shared/prefetch.js';
import { tempDir } from '../../../helpers/tmp.js';

function open() {
  const db = openDatabase(join(tempDir('cache-prefetch'), 'history.sqlite'));
  migrate(db, HISTORY_MIGRATIONS); // prefetch's tables live in the history (index migration 006 moved them there)
  return { db, store: new PrefetchStore(db), jobs: new JobStore(db), close: () => db.close() };
}

test('migration 005 seeds the shipped rule and synonym table, and they are what the code calls the defaults', () => {
  assert.deepEqual(MIGRATIONS.map((m) => [m.version, m.name]).slice(4, 5), [[5, 'prefetch']]);
  const { store, close } = open();
  try {
    assert.deepEqual(store.rules(), [DEFAULT_RULE]);
    assert.deepEqual(store.synonyms(), DEFAULT_SYNONYMS);
  } finally {
    close();
  }
});

test('rules keep their order; a rename keeps the place; a clash and an unknown previous name are refused', () => {
  const { store, close } = open();
  try {
    store.saveRule({ ...DEFAULT_RULE, name: 'mammo', modalities: ['MG'], nodes: [], forModalities: ['MG'] });
    store.saveRule({ ...DEFAULT_RULE, name: 'all', allStudies: true, nodes: ['PACS'], forModalities: [] });
    assert.deepEqual(
      store.rules().map((r) => r.name),
      ['default', 'mammo', 'all'],
    );
    store.saveRule({ ...DEFAULT_RULE, name: 'same', maxStudies: 5, nodes: [], forModalities: [] }, 'default');
    assert.deepEqual(
      store.rules().map((r) => [r.name, r.maxStudies]),
      [
        ['same', 5],
        ['mammo', 3],
        ['all', 3],
      ],
    );
    assert.throws(() => store.saveRule({ ...DEFAULT_RULE, name: 'mammo', nodes: [], forModalities: [] }, 'all'), /already exists/);
    assert.throws(() => store.saveRule({ ...DEFAULT_RULE, name: 'x', nodes: [], forModalities: [] }, 'nope'), /No prefetch rule is named "nope"/);
    assert.equal(store.deleteRule('MAMMO'), true, 'names are case-insensitive');
    assert.equal(store.deleteRule('mammo'), false);
    assert.deepEqual(
      store.rules().map((r) => r.name),
      ['same', 'all'],
    );
  } finally {
    close();
  }
});

test('a stored rule that no longer reads is left out instead of failing every run', () => {
  const { db, store, close } = open();
  try {
    db.prepare('INSERT INTO prefetch_rule (name, position, definition) VALUES (\'broken\', 9, \'{"name":"broken","maxStudies":-1}\')').run();
    db.prepare("INSERT INTO prefetch_rule (name, position, definition) VALUES ('garbage', 10, 'not json')").run();
    assert.deepEqual(
      store.rules().map((r) => r.name),
      ['default'],
    );
  } finally {
    close();
  }
});

test('runs: revisions go up, the newest first, by patient and state; marks; the last run of a current study', () => {
  const { store, close } = open();
  try {
    const base: PrefetchRun = {
      id: 'r1',
      trigger: 'arrival',
      dryRun: false,
      PatientID: 'P1',
      current: { StudyInstanceUID: '1.1', modalities: ['CT'], bodyParts: ['CHEST'], source: 'cache' },
      state: 'running',
      sentence: '',
      candidates: [],
      nodes: [],
      startedAt: 1000,
      revision: 0,
    };
    assert.equal(store.insertRun(base).revision, 0);
    const done = store.updateRun({ ...base, state: 'completed', finishedAt: 2000 });
    assert.equal(done.revision, 1);
    store.insertRun({ ...base, id: 'r2', PatientID: 'P2', current: { StudyInstanceUID: '2.1', modalities: [], bodyParts: [], source: 'cache' } });
    assert.deepEqual(
      store.runs().map((r) => r.id),
      ['r2', 'r1'],
    );
    assert.deepEqual(
      store.runs({ PatientID: 'P1' }).map((r) => [r.id, r.state, r.revision]),
      [['r1', 'completed', 1]],
    );
    assert.deepEqual(
      store.runs({ states: ['running'] }).map((r) => r.id),
      ['r2'],
    );
    assert.equal(store.lastRunFor('1.1')?.id, 'r1');
    assert.equal(store.lastRunFor('9.9'), undefined);
    store.markPrefetched('3.1', { runId: 'r1', rule: 'default', reason: 'because', at: 5 });
    assert.deepEqual([...store.marks(['3.1', '3.2'])], [['3.1', { rule: 'default', reason: 'because', at: 5 }]]);
  } finally {
    close();
  }
});

test('a worklist procedure is claimed once; a released claim can be taken again', () => {
  const { store, close } = open();
  try {
    assert.equal(store.claimProcedure('RIS|1.2.3', 'RIS', 1), true);
    assert.equal(store.claimProcedure('RIS|1.2.3', 'RIS', 2), false);
    store.releaseProcedure('RIS|1.2.3');
    assert.equal(store.claimProcedure('RIS|1.2.3', 'RIS', 3), true);
  } finally {
    close();
  }
});

test("transfer jobs carry their origin; queued prefetch jobs start after the user's, each first in, first out", () => {
  const { jobs, close } = open();
  try {
    const p1 = jobs.insert({ node: 'PACS', method: 'move', level: 'STUDY', StudyInstanceUID: '1.1', origin: 'prefetch' }, 1);
    const u1 = jobs.insert({ node: 'PACS', method: 'move', level: 'STUDY', StudyInstanceUID: '1.2' }, 2);
    const p2 = jobs.insert({ node: 'PACS', method: 'move', level: 'STUDY', StudyInstanceUID: '1.3', origin: 'prefetch' }, 3);
    const u2 = jobs.insert({ node: 'PACS', method: 'move', level: 'STUDY', StudyInstanceUID: '1.4' }, 4);
    assert.equal(jobs.get(p1.id)?.origin, 'prefetch');
    assert.equal(jobs.get(u1.id)?.origin, 'user');
    assert.deepEqual(
      jobs.queuedInRunOrder().map((j) => j.id),
      [u1.id, u2.id, p1.id, p2.id],
    );
    assert.deepEqual(
      jobs.list({ states: ['queued'] }).map((j) => j.id),
      [p1.id, u1.id, p2.id, u2.id],
      'the list shows them as queued',
    );
  } finally {
    close();
  }
});
