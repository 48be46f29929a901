// The DICOM JSON model (PS3.18 F.2) as QIDO-RS answers carry it, into the rows a C-FIND gives:
// person names with their Alphabetic, Ideographic and Phonetic groups, dates and times as
// written (ranges are the query's business), numbers as text, several values joined with a
// backslash, bulk data and sequences left out, requested keys always present. And back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonOf, matchRowOf, personNameText, type JsonDataSet } from '../../../../shared/dicom/json-model.js';
import type { DataSet } from '../../../../shared/dicom/dataset.js';

const ANSWER: JsonDataSet = {
  '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
  '00080020': { vr: 'DA', Value: ['20240131'] },
  '00080030': { vr: 'TM', Value: ['101500.25'] },
  '00080061': { vr: 'CS', Value: ['CT', 'PR'] },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }] },
  '00081060': { vr: 'PN', Value: [{ Alphabetic: 'Smith^Ann' }, { Ideographic: '李^' }] },
  '00201206': { vr: 'IS', Value: [3] },
  '00280030': { vr: 'DS', Value: [0.5, 0.75] },
  '7FE00010': { vr: 'OW', BulkDataURI: 'http://pacs/bulk/1' },
  '00091001': { vr: 'OB', InlineBinary: 'AAEC' },
  '00081032': { vr: 'SQ', Value: [{ '00080100': { vr: 'SH', Value: ['X'] } }] },
  '00100020': { vr: 'LO', Value: ['12345'] },
  '00100030': { vr: 'DA' },
};

test('an answer as a C-FIND row: every text attribute, names with their groups, numbers as text, multiple values, no bulk data or sequences', () => {
  assert.deepEqual(matchRowOf(ANSWER), {
    StudyDate: '20240131',
    StudyTime: '101500.25',
    ModalitiesInStudy: 'CT\\PR',
    NameOfPhysiciansReadingStudy: 'Smith^Ann\\=李^',
    PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう',
    PatientID: '12345',
    PatientBirthDate: '',
    NumberOfStudyRelatedSeries: '3',
    PixelSpacing: '0.5\\0.75',
  });
});

test('with the requested keys: only those, each present even when the node left it out', () => {
  const row = matchRowOf(ANSWER, [0x00100010, 0x00100020, 0x00080050, 0x7fe00010]);
  assert.deepEqual(row, { PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', PatientID: '12345', AccessionNumber: '', PixelData: '' });
});

test('person names: groups dropped from the end only', () => {
  assert.equal(personNameText({ Alphabetic: 'A^B' }), 'A^B');
  assert.equal(personNameText({ Phonetic: 'p' }), '==p');
  assert.equal(personNameText(null), '');
  assert.equal(personNameText('DOE^J'), 'DOE^J');
});

test('a data set as JSON: names as groups, numbers as numbers, empty values, sequences, bulk data left out or inline', () => {
  const item: DataSet = new Map([[0x00080100, { vr: 'SH', value: ['X'] }]]);
  const ds: DataSet = new Map([
    [0x00100010, { vr: 'PN', value: ['Yamada^Tarou=山田^太郎'] }],
    [0x00201206, { vr: 'IS', value: ['3'] }],
    [0x00280010, { vr: 'US', value: [512] }],
    [0x00080020, { vr: 'DA', value: [] }],
    [0x00081032, { vr: 'SQ', value: [item] }],
    [0x00091001, { vr: 'OB', value: new Uint8Array([0, 1, 2]) }],
    [0x7fe00010, { vr: 'OW', value: new Uint8Array(10_000) }],
    [0x00080005, { vr: 'CS', value: ['ISO_IR 100'] }],
  ]);
  assert.deepEqual(jsonOf(ds, { inlineBinaryMax: 16 }), {
    '00080020': { vr: 'DA' },
    '00081032': { vr: 'SQ', Value: [{ '00080100': { vr: 'SH', Value: ['X'] } }] },
    '00091001': { vr: 'OB', InlineBinary: 'AAEC' },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' }] },
    '00201206': { vr: 'IS', Value: [3] },
    '00280010': { vr: 'US', Value: [512] },
  });
  // and back: the same text
  assert.equal(matchRowOf(jsonOf(ds)).PatientName, 'Yamada^Tarou=山田^太郎');
});
