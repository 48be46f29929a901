// C-FIND over the cache index: each matching type of PS3.4 C.2.2.2 gives the rows the standard
// says, on a small synthetic index, and the SQL agrees with the reference predicates of
// shared/dicom/matching.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchesKey } from '../../../../shared/dicom/matching.js';
import type { VR } from '../../../../shared/dicom/dataset.js';
import type { QueryLevel } from '../../../../shared/dicom/query.js';
import type { InstanceIndexRecord } from '../../../../shared/records.js';
import { type Db, migrate, openDatabase } from '../../../../electron/cache/db.js';
import { Repository } from '../../../../electron/cache/repository.js';
import { type FindKey, type FindOptions, find, registerQueryFunctions } from '../../../../electron/cache/query.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const SR = '1.2.840.10008.5.1.4.1.1.88.22';
const US = '1.2.840.10008.5.1.4.1.1.6.1';

let n = 0;
function rec(
  patient: InstanceIndexRecord['patient'],
  study: InstanceIndexRecord['study'],
  series: InstanceIndexRecord['series'],
  sopClass: string,
  InstanceNumber?: string,
): InstanceIndexRecord {
  n++;
  return {
    patient,
    study,
    series,
    instance: { SOPInstanceUID: `1.2.3.9.${n}`, SOPClassUID: sopClass, ...(InstanceNumber ? { InstanceNumber } : {}) },
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    filePath: `files/x/${n}.dcm`,
    fileSize: 100 * n,
    dataSetOffset: 300,
    receivedAt: 1000 + n,
  };
}

const P1 = { PatientID: 'P1', IssuerOfPatientID: '', PatientName: 'Doe^John', PatientBirthDate: '19700101', PatientSex: 'M' };
const P2 = { PatientID: 'P2', IssuerOfPatientID: 'HOSP', PatientName: 'doe^jane', PatientBirthDate: '19800202', PatientSex: 'F' };
const P3 = { PatientID: 'P3', IssuerOfPatientID: '', PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう' };
const P4 = { PatientID: 'P4', IssuerOfPatientID: '' };
const P5 = { PatientID: 'P1', IssuerOfPatientID: 'OTHER', PatientName: 'Other^Person' };

const S1 = {
  StudyInstanceUID: '1.2.3.1',
  StudyDate: '20200115',
  StudyTime: '101500',
  AccessionNumber: 'A1',
  StudyID: '11',
  StudyDescription: 'CT HEAD',
  ReferringPhysicianName: 'Welby^Marcus',
};
const S2 = { StudyInstanceUID: '1.2.3.2', StudyDate: '20210301', StudyTime: '0830', AccessionNumber: 'A2', StudyDescription: 'MR KNEE' };
const S3 = { StudyInstanceUID: '1.2.3.3', StudyDate: '20200116', StudyTime: '0800', AccessionNumber: 'B3' };
const S4 = { StudyInstanceUID: '1.2.3.4', StudyDate: '20191231', StudyTime: '235959', AccessionNumber: 'A[1]' };
const S5 = { StudyInstanceUID: '1.2.3.5', StudyTime: '23' };
const S6 = { StudyInstanceUID: '1.2.3.6', StudyDate: '2022.01.01', AccessionNumber: 'X6' };

const RECORDS: InstanceIndexRecord[] = [
  rec(P1, S1, { SeriesInstanceUID: '1.2.3.1.1', Modality: 'CT', SeriesNumber: '1' }, CT, '1'),
  rec(P1, S1, { SeriesInstanceUID: '1.2.3.1.1', Modality: 'CT', SeriesNumber: '1' }, CT, '2'),
  rec(P1, S1, { SeriesInstanceUID: '1.2.3.1.2', Modality: 'SR', SeriesNumber: '2' }, SR),
  rec(P1, S2, { SeriesInstanceUID: '1.2.3.2.1', Modality: 'MR', SeriesNumber: '1', SeriesDate: '20210301' }, MR),
  rec(P2, S3, { SeriesInstanceUID: '1.2.3.3.1', Modality: 'MR', SeriesNumber: '01' }, MR),
  rec(P2, S3, { SeriesInstanceUID: '1.2.3.3.2', Modality: 'CT', SeriesNumber: '2' }, CT),
  rec(P3, S4, { SeriesInstanceUID: '1.2.3.4.1', Modality: 'US' }, US),
  rec(P4, S5, { SeriesInstanceUID: '1.2.3.5.1' }, CT),
  rec(P5, S6, { SeriesInstanceUID: '1.2.3.6.1', Modality: 'MR' }, MR),
];

let dir: string;
let db: Db;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'priors-cache-query-'));
  db = openDatabase(join(dir, 'index.sqlite'));
  migrate(db);
  registerQueryFunctions(db);
  const repo = new Repository(db);
  for (const r of RECORDS) repo.index(r);
});

after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function rows(level: QueryLevel, keys: FindKey[], options: FindOptions = {}): Record<string, unknown>[] {
  return [...find(db, level, level === 'PATIENT' ? 'patient' : 'study', keys, options)];
}

function studies(keys: FindKey[], options: FindOptions = {}): string[] {
  return rows('STUDY', keys, options)
    .map((r) => String(r.StudyInstanceUID))
    .sort();
}

const k = (keyword: string, ...value: string[]): FindKey => ({ keyword, value });
const ALL = [S1, S2, S3, S4, S5, S6].map((s) => s.StudyInstanceUID);

describe('Universal and Single Value Matching (C.2.2.2.3, C.2.2.2.1)', () => {
  test('no keys, or zero-length keys, match every study', () => {
    assert.deepEqual(studies([]), ALL);
    assert.deepEqual(studies([k('PatientName'), k('StudyDate'), k('AccessionNumber', '*')]), ALL);
  });

  test('Patient ID matches exactly; the issuer tells patients apart', () => {
    assert.deepEqual(
      studies([k('PatientID', 'P1')]),
      [S1, S2, S6].map((s) => s.StudyInstanceUID),
    );
    assert.deepEqual(studies([k('PatientID', 'P1'), k('IssuerOfPatientID', 'OTHER')]), [S6.StudyInstanceUID]);
    assert.deepEqual(studies([k('PatientID', 'p1')]), [], 'LO single value matching is case-sensitive');
  });

  test('PN single value: trailing empty components ignored, case-insensitive on request', () => {
    assert.deepEqual(
      studies([k('PatientName', 'Doe^John^^')]),
      [S1, S2].map((s) => s.StudyInstanceUID),
    );
    assert.deepEqual(studies([k('PatientName', 'DOE^JOHN')]), []);
    assert.deepEqual(
      studies([k('PatientName', 'DOE^JOHN')], { caseInsensitivePN: true }),
      [S1, S2].map((s) => s.StudyInstanceUID),
    );
  });

  test('IS single value compares numbers: "01" matches Series Number 1', () => {
    const series = rows('SERIES', [k('StudyInstanceUID', S3.StudyInstanceUID), k('SeriesNumber', '1')]).map((r) => r.SeriesInstanceUID);
    assert.deepEqual(series, ['1.2.3.3.1']);
  });

  test('aggregates can be matched: Number of Study Related Instances', () => {
    assert.deepEqual(studies([k('NumberOfStudyRelatedInstances', '3')]), [S1.StudyInstanceUID]);
  });
});

describe('List of UID Matching (C.2.2.2.2)', () => {
  test('any of the listed UIDs', () => {
    assert.deepEqual(studies([k('StudyInstanceUID', '1.2.3.1', '1.2.3.3', '9.9')]), ['1.2.3.1', '1.2.3.3']);
    assert.deepEqual(studies([k('StudyInstanceUID', '1.2.3.1\0')]), ['1.2.3.1'], 'UID padding is ignored');
  });

  test('SOP Classes in Study holds a study having any listed class', () => {
    assert.deepEqual(studies([k('SOPClassesInStudy', SR)]), [S1.StudyInstanceUID]);
    assert.deepEqual(
      studies([k('SOPClassesInStudy', SR, US)]),
      [S1, S4].map((s) => s.StudyInstanceUID),
    );
  });
});

describe('Wild Card Matching (C.2.2.2.4)', () => {
  test('* and ? on Patient Name, case-sensitive by default', () => {
    assert.deepEqual(
      studies([k('PatientName', 'Doe*')]),
      [S1, S2].map((s) => s.StudyInstanceUID),
    );
    assert.deepEqual(
      studies([k('PatientName', '?oe^J*')]),
      [S1, S2].map((s) => s.StudyInstanceUID),
    );
    assert.deepEqual(
      studies([k('PatientName', 'doe*')], { caseInsensitivePN: true }),
      [S1, S2, S3].map((s) => s.StudyInstanceUID),
    );
  });

  test('component groups: ideographic and phonetic forms match, a key with "=" matches whole values', () => {
    assert.deepEqual(studies([k('PatientName', '山田^太郎')]), [S4.StudyInstanceUID]);
    assert.deepEqual(studies([k('PatientName', '山田*')]), [S4.StudyInstanceUID]);
    assert.deepEqual(studies([k('PatientName', 'Yamada^Tarou=山田*')]), [S4.StudyInstanceUID]);
    assert.deepEqual(studies([k('PatientName', '山田^太郎=*')]), [], 'with "=" only the whole value is compared');
  });

  test('GLOB metacharacters in the data are literal: "[" is escaped', () => {
    assert.deepEqual(studies([k('AccessionNumber', 'A[1]')]), [S4.StudyInstanceUID]);
    assert.deepEqual(studies([k('AccessionNumber', 'A[1]*')]), [S4.StudyInstanceUID]);
    assert.deepEqual(
      studies([k('AccessionNumber', 'A?')]),
      [S1, S2].map((s) => s.StudyInstanceUID),
    );
  });

  test('Person Name outside the patient (Referring Physician) matches through the reference predicate', () => {
    assert.deepEqual(studies([k('ReferringPhysicianName', 'welby*')]), []);
    assert.deepEqual(studies([k('ReferringPhysicianName', 'welby*')], { caseInsensitivePN: true }), [S1.StudyInstanceUID]);
  });

  test('Modalities in Study: a study matches when any of its series does; several values match any', () => {
    assert.deepEqual(
      studies([k('ModalitiesInStudy', 'CT')]),
      [S1, S3].map((s) => s.StudyInstanceUID),
    );
    assert.deepEqual(
      studies([k('ModalitiesInStudy', 'CT', 'US')]),
      [S1, S3, S4].map((s) => s.StudyInstanceUID),
    );
    assert.deepEqual(
      studies([k('ModalitiesInStudy', 'CT\\US')]),
      [S1, S3, S4].map((s) => s.StudyInstanceUID),
    );
    assert.deepEqual(
      studies([k('ModalitiesInStudy', 'M?')]),
      [S2, S3, S6].map((s) => s.StudyInstanceUID),
    );
  });
});

describe('Range Matching (C.2.2.2.5)', () => {
  test('dates: closed, open-ended and single; ACR-NEMA dates normalized', () => {
    assert.deepEqual(
      studies([k('StudyDate', '20200101-20200131')]),
      [S1, S3].map((s) => s.StudyInstanceUID),
    );
    assert.deepEqual(studies([k('StudyDate', '-20191231')]), [S4.StudyInstanceUID]);
    assert.deepEqual(
      studies([k('StudyDate', '20210301-')]),
      [S2, S6].map((s) => s.StudyInstanceUID),
    );
    assert.deepEqual(studies([k('StudyDate', '20200115')]), [S1.StudyInstanceUID]);
    assert.deepEqual(studies([k('StudyDate', '20220101')]), [S6.StudyInstanceUID]);
    assert.deepEqual(studies([k('StudyDate', '2020')]), [], 'not a date: no match');
    assert.deepEqual(studies([k('StudyDate', '20200131-20200101')]), [], 'an inverted range matches nothing');
  });

  test('times: a partial stored time is the period it names', () => {
    assert.deepEqual(studies([k('StudyTime', '1000-1100')]), [S1.StudyInstanceUID]);
    assert.deepEqual(studies([k('StudyTime', '2330-2340')]), [S5.StudyInstanceUID]);
    assert.deepEqual(studies([k('StudyTime', '0830')]), [S2.StudyInstanceUID]);
  });

  test('date-time matching combines Study Date and Study Time into one range', () => {
    const keys = [k('StudyDate', '20200115-20200116'), k('StudyTime', '1000-0900')];
    assert.deepEqual(studies(keys), [], 'separately, the time range 10:00–09:00 is inverted');
    assert.deepEqual(
      studies(keys, { dateTimeMatching: true }),
      [S1, S3].map((s) => s.StudyInstanceUID),
      'together: from 15 Jan 10:00 to 16 Jan 09:00',
    );
    assert.deepEqual(
      studies([k('StudyDate', '20200115-20200116'), k('StudyTime', '1100-')], { dateTimeMatching: true }),
      [S3.StudyInstanceUID],
      'from 15 Jan 11:00 on',
    );
  });
});

describe('Empty Value Matching (C.2.2.2.7)', () => {
  test('"" matches absent values only', () => {
    assert.deepEqual(studies([k('AccessionNumber', '""')]), [S5.StudyInstanceUID]);
    assert.deepEqual(studies([k('PatientName', '""')]), [S5.StudyInstanceUID]);
    assert.deepEqual(studies([k('ModalitiesInStudy', '""')]), [S5.StudyInstanceUID]);
  });
});

describe('levels, unknown keys and rows', () => {
  test('keys the cache does not know, and keys of lower levels, are ignored', () => {
    assert.deepEqual(studies([k('OtherPatientIDs', 'x'), k('Modality', 'XX')]), ALL);
  });

  test('a level the model lacks is refused', () => {
    assert.throws(() => [...find(db, 'SERIES', 'patientstudy', [])], RangeError);
    assert.throws(() => [...find(db, 'PATIENT', 'study', [])], RangeError);
  });

  test('rows hold the level and the levels above, aggregates as numbers, absent values left out', () => {
    const [p] = rows('PATIENT', [k('PatientID', 'P1'), k('IssuerOfPatientID', '')]);
    assert.equal(p!.NumberOfPatientRelatedStudies, 2);
    assert.equal(p!.NumberOfPatientRelatedSeries, 3);
    assert.equal(p!.NumberOfPatientRelatedInstances, 4);
    assert.equal('StudyInstanceUID' in p!, false);
    const [s] = rows('STUDY', [k('StudyInstanceUID', S1.StudyInstanceUID)]);
    assert.equal(s!.PatientName, 'Doe^John');
    assert.equal(s!.ModalitiesInStudy, 'CT\\SR');
    assert.equal(s!.SOPClassesInStudy, [CT, SR].sort().join('\\'));
    assert.equal(s!.NumberOfStudyRelatedSeries, 2);
    assert.equal('StudyID' in s!, true);
    assert.equal('PatientBirthTime' in s!, false);
    const images = rows('IMAGE', [k('SeriesInstanceUID', '1.2.3.1.1')]);
    assert.deepEqual(images.map((r) => r.InstanceNumber).sort(), ['1', '2']);
    assert.equal(images[0]!.AvailableTransferSyntaxUID, '1.2.840.10008.1.2.1');
    assert.equal(images[0]!.StudyInstanceUID, S1.StudyInstanceUID);
  });

  test('limit, and the iterator is lazy', () => {
    assert.equal(rows('STUDY', [], { limit: 2 }).length, 2);
    const it = find(db, 'STUDY', 'study', []);
    assert.ok(it.next().value);
    it.return?.();
  });
});

// The SQL against the reference predicates, key by key, at the study level.
describe('agreement with shared/dicom/matching.ts', () => {
  const studyAttrs = new Map<string, Record<string, string | string[] | undefined>>();
  for (const r of RECORDS) {
    const s = studyAttrs.get(r.study.StudyInstanceUID) ?? { ...r.patient, ...r.study, ModalitiesInStudy: [] as string[] };
    const mods = s.ModalitiesInStudy as string[];
    if (r.series.Modality && !mods.includes(r.series.Modality)) mods.push(r.series.Modality);
    studyAttrs.set(r.study.StudyInstanceUID, s);
  }
  const cases: [string, VR, string][] = [
    ['PatientName', 'PN', 'Doe*'],
    ['PatientName', 'PN', '*o*'],
    ['PatientName', 'PN', 'doe^jane'],
    ['PatientName', 'PN', 'やまだ*'],
    ['PatientName', 'PN', '*^*'],
    ['PatientName', 'PN', 'Yamada^Tarou=山田^太郎=やまだ^たろう'],
    ['PatientName', 'PN', '""'],
    ['PatientID', 'LO', 'P?'],
    ['PatientID', 'LO', 'P1'],
    ['PatientSex', 'CS', 'F'],
    ['PatientBirthDate', 'DA', '1975-'],
    ['StudyDate', 'DA', '20200116-'],
    ['StudyDate', 'DA', '-20200115'],
    ['StudyTime', 'TM', '08-10'],
    ['StudyTime', 'TM', '2359'],
    ['AccessionNumber', 'SH', '*1*'],
    ['AccessionNumber', 'SH', 'A[1]'],
    ['StudyDescription', 'LO', '* HEAD'],
    ['ReferringPhysicianName', 'PN', 'Welby^Marcus'],
    ['ModalitiesInStudy', 'CS', 'MR'],
    ['ModalitiesInStudy', 'CS', '?R'],
  ];
  for (const ci of [false, true]) {
    for (const [keyword, vr, value] of cases) {
      test(`${keyword} = ${value}${ci ? ' (case-insensitive PN)' : ''}`, () => {
        const expected = [...studyAttrs]
          .filter(([, a]) => matchesKey(vr, value, a[keyword] as string | string[] | undefined, { caseInsensitivePN: ci }))
          .map(([uid]) => uid)
          .sort();
        assert.deepEqual(studies([k(keyword, value)], { caseInsensitivePN: ci }), expected);
      });
    }
  }
});
