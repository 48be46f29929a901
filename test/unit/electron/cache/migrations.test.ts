// The cache index: pragmas, numbered append-only migrations recorded in schema_version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase, schemaVersion } from '../../../../electron/cache/db.js';
import { MIGRATIONS } from '../../../../electron/cache/migrations.js';
import { CacheError } from '../../../../electron/cache/errors.js';

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'priors-cache-migrations-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'the index opens in WAL mode with synchronous NORMAL, foreign keys and a busy timeout',
  withDir((dir) => {
    const db = openDatabase(join(dir, 'index.sqlite'), { busyTimeoutMs: 1234 });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 1);
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 1234);
    } finally {
      db.close();
    }
  }),
);

test(
  'migrations apply in order, once, and are recorded',
  withDir((dir) => {
    const path = join(dir, 'index.sqlite');
    let db = openDatabase(path);
    assert.equal(schemaVersion(db), 0);
    assert.deepEqual(
      migrate(db, MIGRATIONS, () => 42),
      MIGRATIONS.map((m) => m.version),
    );
    const rows = db.prepare('SELECT version, name, applied_at FROM schema_version ORDER BY version').all();
    assert.deepEqual(
      rows,
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 42 })),
    );
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    for (const t of ['instance', 'patient', 'patient_name_form', 'schema_version', 'series', 'study']) assert.ok(tables.includes(t), t);
    db.close();

    db = openDatabase(path);
    assert.deepEqual(migrate(db), [], 'a second run applies nothing');
    const extra = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER)' }];
    assert.deepEqual(migrate(db, extra), [MIGRATIONS.length + 1], 'only the new migration runs');
    assert.equal(schemaVersion(db), MIGRATIONS.length + 1);
    db.close();
  }),
);

test(
  'a failing migration leaves nothing half applied',
  withDir((dir) => {
    const db = openDatabase(join(dir, 'index.sqlite'));
    try {
      migrate(db);
      const bad = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'bad', sql: 'CREATE TABLE half (x); SELECT * FROM no_such_table;' }];
      assert.throws(() => migrate(db, bad));
      assert.equal(schemaVersion(db), MIGRATIONS.length);
      assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get(), 0);
    } finally {
      db.close();
    }
  }),
);

test(
  'an index newer than the code is refused with ESCHEMA; gaps in numbering are refused',
  withDir((dir) => {
    const db = openDatabase(join(dir, 'index.sqlite'));
    try {
      migrate(db);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(99, 'future', 0);
      assert.throws(
        () => migrate(db),
        (e: unknown) => e instanceof CacheError && e.code === 'ESCHEMA',
      );
    } finally {
      db.close();
    }
    const db2 = openDatabase(join(dir, 'other.sqlite'));
    try {
      assert.throws(() => migrate(db2, [{ version: 2, name: 'gap', sql: '' }]), /without gaps/);
    } finally {
      db2.close();
    }
  }),
);

test(
  'the foreign keys cascade from patient to instance',
  withDir((dir) => {
    const db = openDatabase(join(dir, 'index.sqlite'));
    try {
      migrate(db);
      db.exec(`INSERT INTO patient (id, PatientID) VALUES (1, 'P');
      INSERT INTO study (id, patient_pk, StudyInstanceUID, last_received_at, last_accessed_at) VALUES (1, 1, '1.2', 0, 0);
      INSERT INTO series (id, study_pk, SeriesInstanceUID) VALUES (1, 1, '1.2.3');
      INSERT INTO instance (series_pk, SOPInstanceUID, SOPClassUID, TransferSyntaxUID, file_path, file_size, data_set_offset, received_at, last_accessed_at)
        VALUES (1, '1.2.3.4', '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.1.2.1', 'files/a', 1, 0, 0, 0);`);
      assert.throws(() => db.exec(`INSERT INTO series (study_pk, SeriesInstanceUID) VALUES (99, '9')`), /FOREIGN KEY/);
      db.exec('DELETE FROM patient WHERE id = 1');
      assert.equal(db.prepare('SELECT count(*) FROM instance').pluck().get(), 0);
    } finally {
      db.close();
    }
  }),
);
