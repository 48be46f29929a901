// A 100,000-instance / 10,000-study / 3,000-patient index built through Repository.index, and
// the query plans of the main C-FIND and retrieve queries: every one searches an index, none
// scans a table. (No timing assertions: plans are what makes them fast.)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueryLevel, QueryModel } from '../../../../shared/dicom/query.js';
import { type Db, migrate, openDatabase } from '../../../../electron/cache/db.js';
import { Repository } from '../../../../electron/cache/repository.js';
import { Listing } from '../../../../electron/cache/listing.js';
import { type FindKey, type FindOptions, compileFind, find, registerQueryFunctions } from '../../../../electron/cache/query.js';
import { syntheticRecords } from '../../../../electron/cache/synthetic.js';

let dir: string;
let db: Db;
let repo: Repository;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'priors-cache-scale-'));
  db = openDatabase(join(dir, 'index.sqlite'));
  migrate(db);
  registerQueryFunctions(db);
  repo = new Repository(db);
  repo.transaction(() => {
    for (const r of syntheticRecords({ patients: 3000, studies: 10000, instances: 100000 })) repo.index(r);
  });
  db.pragma('optimize');
});

after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The plan lines of a statement that read a table or index without a search. */
function scans(sql: string, params: unknown): string[] {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params as Record<string, unknown>) as { detail: string }[];
  return plan.map((r) => r.detail).filter((d) => /^SCAN /.test(d));
}

function planOf(sql: string, params: unknown): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params as Record<string, unknown>) as { detail: string }[]).map((r) => r.detail).join(' | ');
}

describe('a 100,000-instance index', () => {
  test('has the sizes asked for and consistent aggregates', () => {
    const count = (t: string) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get();
    assert.equal(count('instance'), 100000);
    assert.equal(count('series'), 30000);
    assert.equal(count('study'), 10000);
    assert.equal(count('patient'), 3000);
    const totals = new Listing(db, dir).stats();
    assert.deepEqual({ ...totals, bytes: undefined }, { patients: 3000, studies: 10000, series: 30000, instances: 100000, bytes: undefined });
    const wrong = db
      .prepare(
        `SELECT count(*) FROM study s WHERE NumberOfStudyRelatedInstances !=
      (SELECT count(*) FROM series se JOIN instance i ON i.series_pk = se.id WHERE se.study_pk = s.id)
      OR NumberOfStudyRelatedSeries != (SELECT count(*) FROM series WHERE study_pk = s.id)
      OR ModalitiesInStudy IS NULL`,
      )
      .pluck()
      .get();
    assert.equal(wrong, 0);
    assert.equal(db.prepare('SELECT sum(size) FROM patient').pluck().get(), db.prepare('SELECT sum(file_size) FROM instance').pluck().get());
  });

  const cases: [string, QueryLevel, QueryModel, FindKey[], FindOptions?][] = [
    ['exact Patient ID (patient level)', 'PATIENT', 'patient', [{ keyword: 'PatientID', value: ['PID000123'] }]],
    ['exact Patient ID (study level)', 'STUDY', 'study', [{ keyword: 'PatientID', value: ['PID000123'] }]],
    ['Patient ID wild card prefix', 'PATIENT', 'patient', [{ keyword: 'PatientID', value: ['PID0001*'] }]],
    ['Patient Name prefix, case-sensitive', 'STUDY', 'study', [{ keyword: 'PatientName', value: ['SMI*'] }]],
    ['Patient Name prefix, case-insensitive', 'STUDY', 'study', [{ keyword: 'PatientName', value: ['smi*'] }], { caseInsensitivePN: true }],
    ['Patient Name exact', 'PATIENT', 'patient', [{ keyword: 'PatientName', value: ['SMITH^ANNA^0'] }]],
    ['Study Date range', 'STUDY', 'study', [{ keyword: 'StudyDate', value: ['20200101-20200131'] }]],
    ['Study Date open range', 'STUDY', 'study', [{ keyword: 'StudyDate', value: ['20240601-'] }]],
    [
      'Study Date + Time, date-time matching',
      'STUDY',
      'study',
      [
        { keyword: 'StudyDate', value: ['20200101-20200131'] },
        { keyword: 'StudyTime', value: ['1000-1200'] },
      ],
      { dateTimeMatching: true },
    ],
    ['Modalities in Study', 'STUDY', 'study', [{ keyword: 'ModalitiesInStudy', value: ['MG'] }]],
    [
      'Modalities in Study, two values, with a date',
      'STUDY',
      'study',
      [
        { keyword: 'ModalitiesInStudy', value: ['MG', 'NM'] },
        { keyword: 'StudyDate', value: ['20230101-'] },
      ],
    ],
    ['Modality (series level)', 'SERIES', 'study', [{ keyword: 'Modality', value: ['MG'] }]],
    [
      'Modality under a study',
      'SERIES',
      'study',
      [
        { keyword: 'StudyInstanceUID', value: ['2.25.999.1.77'] },
        { keyword: 'Modality', value: ['CT', 'MR', 'CR', 'DX', 'US', 'MG', 'PT', 'NM', 'XA', 'SR'] },
      ],
    ],
    ['Accession Number', 'STUDY', 'study', [{ keyword: 'AccessionNumber', value: ['ACC0000077'] }]],
    ['Accession Number prefix', 'STUDY', 'study', [{ keyword: 'AccessionNumber', value: ['ACC000007*'] }]],
    ['Study Instance UIDs', 'STUDY', 'study', [{ keyword: 'StudyInstanceUID', value: ['2.25.999.1.77', '2.25.999.1.78'] }]],
    ['Series Instance UID', 'SERIES', 'study', [{ keyword: 'SeriesInstanceUID', value: ['2.25.999.2.77'] }]],
    ['SOP Instance UID', 'IMAGE', 'study', [{ keyword: 'SOPInstanceUID', value: ['2.25.999.3.77'] }]],
    [
      'instances of a series',
      'IMAGE',
      'study',
      [
        { keyword: 'StudyInstanceUID', value: ['2.25.999.1.77'] },
        { keyword: 'SeriesInstanceUID', value: ['2.25.999.2.230'] },
      ],
    ],
    [
      'patient root: studies of a patient',
      'STUDY',
      'patient',
      [
        { keyword: 'PatientID', value: ['PID000123'] },
        { keyword: 'StudyDate', value: ['20000101-'] },
      ],
    ],
  ];
  for (const [name, level, model, keys, options] of cases) {
    test(`C-FIND ${name}: searches indexes only`, () => {
      const q = compileFind(level, model, keys, options ?? {});
      assert.deepEqual(scans(q.sql, q.params), [], planOf(q.sql, q.params));
      const found = [...find(db, level, model, keys, options ?? {})];
      assert.ok(found.length > 0, `${name} finds something in the synthetic index`);
    });
  }

  test('retrieve, delivery check and listings search indexes only', () => {
    const statements: [string, unknown[]][] = [
      [
        `SELECT i.file_path FROM instance i JOIN series se ON se.id = i.series_pk JOIN study s ON s.id = se.study_pk
        JOIN patient p ON p.id = s.patient_pk WHERE s.StudyInstanceUID IN (?, ?)`,
        ['2.25.999.1.5', '2.25.999.1.6'],
      ],
      [
        `SELECT count(*) FROM study s JOIN series se ON se.study_pk = s.id JOIN instance i ON i.series_pk = se.id
        WHERE s.StudyInstanceUID = ? AND i.received_at >= ?`,
        ['2.25.999.1.5', 0],
      ],
      ['SELECT count(*) FROM instance WHERE SOPInstanceUID IN (?, ?)', ['2.25.999.3.5', '2.25.999.3.6']],
      ['SELECT file_size FROM instance WHERE SOPInstanceUID = ?', ['2.25.999.3.5']],
    ];
    for (const [sql, params] of statements) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      assert.deepEqual(
        plan.filter((d) => /^SCAN /.test(d)),
        [],
        plan.join(' | '),
      );
    }
    const listing = new Listing(db, dir);
    assert.equal(listing.instancesFor('STUDY', ['2.25.999.1.5']).length, 10);
    assert.equal(listing.countArrivedFor({ studyUid: '2.25.999.1.5', since: 0 }), 10);
    assert.equal(listing.studies({ PatientID: 'PID000005' }).length, 4);
    assert.deepEqual(
      listing.studies({ StudyInstanceUID: '2.25.999.1.5' }).map((s) => s.StudyInstanceUID),
      ['2.25.999.1.5'],
      'one study by its UID (the viewer)',
    );
    const byUid = (
      db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM study s JOIN patient p ON p.id = s.patient_pk WHERE s.StudyInstanceUID = ?`).all('x') as { detail: string }[]
    ).map((r) => r.detail);
    assert.deepEqual(
      byUid.filter((d) => /^SCAN s\b/.test(d)),
      [],
      byUid.join(' | '),
    );
  });

  test('deleting a study keeps the aggregates right', () => {
    const before = new Listing(db, dir).stats();
    const files = repo.deleteStudy('2.25.999.1.9');
    assert.equal(files?.length, 10);
    const after = new Listing(db, dir).stats();
    assert.equal(after.instances, before.instances - 10);
    assert.equal(after.series, before.series - 3);
    assert.equal(after.studies, before.studies - 1);
  });
});
