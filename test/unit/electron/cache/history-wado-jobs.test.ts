// History migration 2: transfer_job is made anew so that 'wado' (WADO-RS from DICOMweb nodes) is
// a method; the jobs of a history at version 1 come through column for column, and a job of
// any other method is still refused by the CHECK constraint.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { migrate, openDatabase, schemaVersion } from '../../../../electron/cache/db.js';
import { JobStore } from '../../../../electron/cache/jobs.js';
import { HISTORY_MIGRATIONS } from '../../../../electron/cache/migrations.js';
import { tempDir } from '../../../helpers/tmp.js';

const STUDY = '1.2.826.0.1.3680043.10.1439.17.2';

test('a version-1 history keeps its jobs, and takes WADO-RS jobs after migration 2', () => {
  const db = openDatabase(join(tempDir('history-wado'), 'history.sqlite'));
  try {
    migrate(
      db,
      HISTORY_MIGRATIONS.filter((m) => m.version === 1),
    );
    assert.throws(() => new JobStore(db).insert({ node: 'web', method: 'wado', level: 'STUDY', StudyInstanceUID: STUDY }, 1), /CHECK constraint/);
    const old = new JobStore(db).insert(
      { node: 'pacs', method: 'get', level: 'SERIES', StudyInstanceUID: STUDY, SeriesInstanceUIDs: [`${STUDY}.1`], expected: 4 },
      7,
    );
    const before = db.prepare('SELECT * FROM transfer_job').all();
    assert.deepEqual(migrate(db, HISTORY_MIGRATIONS), [2]);
    assert.equal(schemaVersion(db), 2);
    assert.deepEqual(db.prepare('SELECT * FROM transfer_job').all(), before, 'every row and column as it was');
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transfer_job' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    assert.deepEqual(indexes, ['transfer_job_origin', 'transfer_job_state']);
    const jobs = new JobStore(db);
    const web = jobs.insert({ node: 'web', method: 'wado', level: 'STUDY', StudyInstanceUID: STUDY }, 8);
    assert.equal(web.method, 'wado');
    const seqOf = (id: string) => db.prepare('SELECT seq FROM transfer_job WHERE id = ?').pluck().get(id) as number;
    assert.ok(seqOf(web.id) > seqOf(old.id), 'sequence numbers go on');
    assert.throws(() => db.prepare("UPDATE transfer_job SET method = 'ftp' WHERE id = ?").run(web.id), /CHECK constraint/);
  } finally {
    db.close();
  }
});
