import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type DataSet, type VR, setString } from '../../../../shared/dicom/dataset.js';
import {
  QUERY_KEYS,
  QUERY_LEVELS,
  QUERY_MODELS,
  type QueryLevel,
  type QueryModel,
  queryKeys,
  queryModelForSopClass,
  uniqueKey,
  validateIdentifier,
} from '../../../../shared/dicom/query.js';

const T = {
  QueryRetrieveLevel: 0x00080052,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  SpecificCharacterSet: 0x00080005,
};

function identifier(elements: Record<string, string | string[]>): DataSet {
  const ds: DataSet = new Map();
  const vrs: Record<string, VR> = {
    QueryRetrieveLevel: 'CS',
    PatientName: 'PN',
    PatientID: 'LO',
    StudyInstanceUID: 'UI',
    SeriesInstanceUID: 'UI',
    SOPInstanceUID: 'UI',
    StudyDate: 'DA',
    SpecificCharacterSet: 'CS',
  };
  for (const [keyword, value] of Object.entries(elements)) {
    setString(ds, T[keyword as keyof typeof T], vrs[keyword] ?? 'LO', value === '' ? [] : value);
  }
  return ds;
}

function key(model: QueryModel, level: QueryLevel, keyword: string) {
  const k = queryKeys(model, level).find((x) => x.keyword === keyword);
  assert.ok(k, `${model} ${level} ${keyword}`);
  return k;
}

describe('Information models, PS3.4 C.6', () => {
  test('C.6.1: Patient Root FIND/MOVE/GET are 1.2.840.10008.5.1.4.1.2.1.1-3, levels PATIENT to IMAGE', () => {
    const m = QUERY_MODELS.patient;
    assert.deepEqual([m.find, m.move, m.get], ['1.2.840.10008.5.1.4.1.2.1.1', '1.2.840.10008.5.1.4.1.2.1.2', '1.2.840.10008.5.1.4.1.2.1.3']);
    assert.deepEqual(m.levels, ['PATIENT', 'STUDY', 'SERIES', 'IMAGE']);
  });

  test('C.6.2: Study Root FIND/MOVE/GET are 1.2.840.10008.5.1.4.1.2.2.1-3, no PATIENT level', () => {
    const m = QUERY_MODELS.study;
    assert.deepEqual([m.find, m.move, m.get], ['1.2.840.10008.5.1.4.1.2.2.1', '1.2.840.10008.5.1.4.1.2.2.2', '1.2.840.10008.5.1.4.1.2.2.3']);
    assert.deepEqual(m.levels, ['STUDY', 'SERIES', 'IMAGE']);
  });

  test('C.6.3: Patient/Study Only (retired) has only the PATIENT and STUDY levels', () => {
    const m = QUERY_MODELS.patientstudy;
    assert.equal(m.retired, true);
    assert.deepEqual(m.levels, ['PATIENT', 'STUDY']);
    assert.deepEqual(queryKeys('patientstudy', 'SERIES'), []);
    assert.equal(m.find, '1.2.840.10008.5.1.4.1.2.3.1');
  });

  test('queryModelForSopClass maps each Q/R SOP Class UID to its model and service', () => {
    assert.deepEqual(queryModelForSopClass('1.2.840.10008.5.1.4.1.2.2.2'), { model: 'study', service: 'move' });
    assert.deepEqual(queryModelForSopClass('1.2.840.10008.5.1.4.1.2.1.3'), { model: 'patient', service: 'get' });
    assert.equal(queryModelForSopClass('1.2.840.10008.1.1'), undefined);
  });
});

describe('Key attributes, PS3.4 Tables C.6-1 to C.6-5', () => {
  test('C.2: each level of each model has exactly one Unique Key', () => {
    for (const model of Object.keys(QUERY_MODELS) as QueryModel[]) {
      for (const level of QUERY_MODELS[model].levels) {
        assert.equal(queryKeys(model, level).filter((k) => k.type === 'U').length, 1, `${model} ${level}`);
      }
    }
  });

  test("Table C.6-1: Patient ID (0010,0020) U, Patient's Name (0010,0010) R at the PATIENT level", () => {
    const id = key('patient', 'PATIENT', 'PatientID');
    assert.deepEqual([id.tag, id.vr, id.type, id.citation], [0x00100020, 'LO', 'U', 'PS3.4 Table C.6-1']);
    assert.deepEqual([key('patient', 'PATIENT', 'PatientName').tag, key('patient', 'PATIENT', 'PatientName').type], [0x00100010, 'R']);
    for (const kw of [
      'IssuerOfPatientID',
      'PatientBirthDate',
      'PatientBirthTime',
      'PatientSex',
      'NumberOfPatientRelatedStudies',
      'NumberOfPatientRelatedSeries',
      'NumberOfPatientRelatedInstances',
    ])
      assert.equal(key('patient', 'PATIENT', kw).type, 'O', kw);
  });

  test('Table C.6-2: Study Instance UID U; Study Date, Study Time, Accession Number, Study ID R', () => {
    const keys = queryKeys('patient', 'STUDY');
    assert.deepEqual(
      keys
        .filter((k) => k.type !== 'O')
        .map((k) => `${k.keyword}:${k.type}`)
        .sort(),
      ['AccessionNumber:R', 'StudyDate:R', 'StudyID:R', 'StudyInstanceUID:U', 'StudyTime:R'],
    );
    assert.equal(key('patient', 'STUDY', 'StudyInstanceUID').tag, 0x0020000d);
    assert.equal(key('patient', 'STUDY', 'ModalitiesInStudy').tag, 0x00080061);
    assert.equal(key('patient', 'STUDY', 'SOPClassesInStudy').tag, 0x00080062);
    assert.ok(!keys.some((k) => k.keyword === 'PatientID'), 'patient keys belong to the PATIENT level in Patient Root');
  });

  test("Table C.6-5: in the Study Root model Patient ID and Patient's Name are Required keys of the STUDY level", () => {
    assert.deepEqual([key('study', 'STUDY', 'PatientID').type, key('study', 'STUDY', 'PatientID').citation], ['R', 'PS3.4 Table C.6-5']);
    assert.equal(key('study', 'STUDY', 'PatientName').type, 'R');
    assert.equal(key('study', 'STUDY', 'PatientBirthDate').type, 'O');
    assert.equal(uniqueKey('study', 'STUDY')?.keyword, 'StudyInstanceUID');
    assert.equal(queryKeys('study', 'STUDY').filter((k) => k.type === 'R').length, 6);
  });

  test('Table C.6-3: Series Instance UID U; Modality and Series Number R', () => {
    assert.deepEqual(
      queryKeys('patient', 'SERIES')
        .filter((k) => k.type !== 'O')
        .map((k) => `${k.keyword}:${k.type}`),
      ['Modality:R', 'SeriesNumber:R', 'SeriesInstanceUID:U'],
    );
    for (const kw of ['SeriesDescription', 'BodyPartExamined', 'SeriesDate', 'SeriesTime', 'NumberOfSeriesRelatedInstances']) {
      assert.equal(key('study', 'SERIES', kw).type, 'O', kw);
    }
  });

  test('Table C.6-4: SOP Instance UID U; Instance Number R; SOP Class UID O', () => {
    assert.deepEqual(
      queryKeys('study', 'IMAGE').map((k) => `${k.keyword}:${k.type}`),
      ['InstanceNumber:R', 'SOPInstanceUID:U', 'SOPClassUID:O'],
    );
    assert.equal(key('study', 'IMAGE', 'SOPInstanceUID').tag, 0x00080018);
  });

  test('C.2.2.2: each key lists the matching types of its VR', () => {
    assert.deepEqual(key('study', 'STUDY', 'StudyDate').matching, ['single-value', 'range', 'universal']);
    assert.deepEqual(key('study', 'STUDY', 'StudyInstanceUID').matching, ['single-value', 'list-of-uid', 'universal']);
    assert.ok(key('study', 'STUDY', 'PatientName').matching.includes('wild-card'));
  });

  test('every key has a PS3.4 citation, and levels appear in hierarchical order', () => {
    for (const byLevel of Object.values(QUERY_KEYS)) {
      for (const keys of Object.values(byLevel)) for (const k of keys ?? []) assert.match(k.citation, /^PS3\.4 /);
    }
    assert.deepEqual(QUERY_LEVELS, ['PATIENT', 'STUDY', 'SERIES', 'IMAGE']);
  });
});

describe('Identifier validation, PS3.4 C.4.1.2.1 / C.4.2.2.1 / C.4.3.2.1', () => {
  test('C.4.1.1.3.1: the identifier shall contain Query/Retrieve Level (0008,0052)', () => {
    const r = validateIdentifier(identifier({ PatientName: 'DOE*' }), 'study', 'find');
    assert.equal(r.level, undefined);
    assert.match(r.error ?? '', /Query\/Retrieve Level \(0008,0052\) is missing/);
  });

  test('C.6: the level is one of PATIENT, STUDY, SERIES, IMAGE, with a single value', () => {
    assert.match(validateIdentifier(identifier({ QueryRetrieveLevel: 'FOO' }), 'study', 'find').error ?? '', /'FOO' is not PATIENT, STUDY/);
    assert.match(validateIdentifier(identifier({ QueryRetrieveLevel: '' }), 'study', 'find').error ?? '', /is empty/);
    assert.match(validateIdentifier(identifier({ QueryRetrieveLevel: ['STUDY', 'SERIES'] }), 'study', 'find').error ?? '', /has 2 values/);
  });

  test('C.6.2, C.6.3: a level the model does not have is refused', () => {
    const r = validateIdentifier(identifier({ QueryRetrieveLevel: 'PATIENT' }), 'study', 'find');
    assert.equal(r.level, 'PATIENT');
    assert.match(r.error ?? '', /PATIENT level is not part of the Study Root/);
    assert.match(validateIdentifier(identifier({ QueryRetrieveLevel: 'SERIES' }), 'patientstudy', 'find').error ?? '', /SERIES level/);
  });

  test('C.4.1.2.1: a STUDY-level C-FIND in the Study Root model needs no higher key', () => {
    assert.deepEqual(validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', PatientName: 'DOE*', StudyDate: '20200101-' }), 'study', 'find'), {
      level: 'STUDY',
    });
  });

  test('C.4.1.2.1: a SERIES-level C-FIND needs one Study Instance UID (unique key of the level above)', () => {
    const missing = validateIdentifier(identifier({ QueryRetrieveLevel: 'SERIES' }), 'study', 'find');
    assert.match(missing.error ?? '', /^Study Instance UID \(0020,000D\) is missing.*unique key of the STUDY level/);
    const two = validateIdentifier(identifier({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: ['1.2.3', '1.2.4'] }), 'study', 'find');
    assert.match(two.error ?? '', /has 2 values/);
    assert.deepEqual(validateIdentifier(identifier({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2.3' }), 'study', 'find'), { level: 'SERIES' });
  });

  test('C.4.1.2.1: in the Patient Root model a STUDY-level C-FIND needs one Patient ID, without wild cards', () => {
    assert.match(validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY' }), 'patient', 'find').error ?? '', /Patient ID \(0010,0020\) is missing/);
    assert.match(validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', PatientID: 'P*' }), 'patient', 'find').error ?? '', /holds a wild card/);
    assert.equal(validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', PatientID: 'P1' }), 'patient', 'find').error, undefined);
  });

  test('C.4.1.2.2: with relational queries the higher unique keys may be left out', () => {
    assert.deepEqual(validateIdentifier(identifier({ QueryRetrieveLevel: 'IMAGE' }), 'patient', 'find', { relational: true }), { level: 'IMAGE' });
  });

  test('C.4.2.2.1: a C-MOVE names what to retrieve by the unique key of its level; a list of UIDs is allowed', () => {
    assert.deepEqual(validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: ['1.2.3', '1.2.4'] }), 'study', 'move'), {
      level: 'STUDY',
    });
    assert.match(
      validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY' }), 'study', 'move').error ?? '',
      /Study Instance UID \(0020,000D\) is missing: a C-MOVE at the STUDY level/,
    );
    assert.match(
      validateIdentifier(identifier({ QueryRetrieveLevel: 'PATIENT', PatientID: ['P1', 'P2'] }), 'patient', 'move').error ?? '',
      /only UIDs may be listed/,
    );
  });

  test('C.4.2.2.1: a C-MOVE identifier holds only unique keys', () => {
    const r = validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3', PatientName: 'DOE' }), 'study', 'move');
    assert.match(r.error ?? '', /Patient's Name \(0010,0010\) is not allowed in a C-MOVE identifier/);
    const lenient = validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3', PatientName: 'DOE' }), 'study', 'move', {
      allowExtraKeys: true,
    });
    assert.equal(lenient.error, undefined);
    const withCharset = identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3', SpecificCharacterSet: 'ISO_IR 192' });
    assert.equal(validateIdentifier(withCharset, 'study', 'move').error, undefined, 'Specific Character Set is not a key');
  });

  test('C.4.3.2.1: a SERIES-level C-GET needs one Study Instance UID and the Series Instance UIDs, no wild cards', () => {
    const ok = identifier({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2.3', SeriesInstanceUID: ['1.2.3.1', '1.2.3.2'] });
    assert.deepEqual(validateIdentifier(ok, 'study', 'get'), { level: 'SERIES' });
    const list = identifier({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: ['1.2.3', '1.2.4'], SeriesInstanceUID: '1.2.3.1' });
    assert.match(validateIdentifier(list, 'study', 'get').error ?? '', /Study Instance UID.*has 2 values.*C\.4\.3\.2\.1/);
    const wild = identifier({ QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: '1.2.3', SeriesInstanceUID: '1.2.3.1', SOPInstanceUID: '1.2.*' });
    assert.match(validateIdentifier(wild, 'study', 'get').error ?? '', /SOP Instance UID \(0008,0018\) holds a wild card/);
  });

  test('C.4.2.2.1: a key of a lower level is not allowed in a C-MOVE', () => {
    const r = validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3', SeriesInstanceUID: '1.2.3.1' }), 'study', 'move');
    assert.match(r.error ?? '', /Series Instance UID \(0020,000E\) is not allowed/);
  });
});
