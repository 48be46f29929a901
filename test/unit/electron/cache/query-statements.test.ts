// C-FIND statements are prepared once per query shape and reused: two C-FINDs of the same shape
// answered at the same time (interleaved iterators on one connection) each get all their rows,
// values are bound (a second query with other values gets its own rows), and nulls are left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../../../electron/cache/db.js';
import { Repository } from '../../../../electron/cache/repository.js';
import { find, registerQueryFunctions } from '../../../../electron/cache/query.js';
import { syntheticRecords } from '../../../../electron/cache/synthetic.js';

test('interleaved C-FINDs of one shape share nothing but the SQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'priors-statements-'));
  const db = openDatabase(join(dir, 'index.sqlite'));
  try {
    migrate(db);
    registerQueryFunctions(db);
    const repo = new Repository(db);
    repo.transaction(() => {
      for (const r of syntheticRecords({ patients: 30, studies: 100, instances: 300 })) repo.index(r);
    });
    const byPatient = (id: string) =>
      find(db, 'STUDY', 'study', [
        { keyword: 'PatientID', value: [id] },
        { keyword: 'StudyInstanceUID', value: [''] },
      ]);
    const expected = (id: string) => [...byPatient(id)].map((r) => r.StudyInstanceUID).sort();
    const one = expected('PID000001');
    const two = expected('PID000002');
    assert.ok(one.length > 1 && two.length > 1);
    assert.notDeepEqual(one, two);

    const a = byPatient('PID000001');
    const b = byPatient('PID000002');
    const got: { a: unknown[]; b: unknown[] } = { a: [], b: [] };
    for (;;) {
      const x = a.next();
      const y = b.next();
      if (!x.done) got.a.push(x.value.StudyInstanceUID);
      if (!y.done) got.b.push(y.value.StudyInstanceUID);
      if (x.done && y.done) break;
    }
    assert.deepEqual(got.a.sort(), one);
    assert.deepEqual(got.b.sort(), two);
    // absent values are left out of the row, not returned as null
    for (const row of byPatient('PID000001')) assert.ok(Object.values(row).every((v) => v !== null));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
