import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SORT, cellText, nextSort, sortRows, studyRowOf } from '../../../../../renderer/src/features/search/study-rows.js';
import { formatBytes, formatDicomDate, formatDuration, formatPersonName, splitValues } from '../../../../../renderer/src/lib/format.js';

const rows = [
  studyRowOf(
    {
      StudyInstanceUID: '1',
      PatientName: 'doe^john',
      StudyDate: '20240105',
      StudyTime: '0900',
      NumberOfStudyRelatedInstances: '10',
      NumberOfStudyRelatedSeries: '2',
      ModalitiesInStudy: 'CT\\SR',
    },
    'full',
  ),
  studyRowOf({ StudyInstanceUID: '2', PatientName: 'Ähnlich^Anna', StudyDate: '', NumberOfStudyRelatedInstances: '' }, 'none'),
  studyRowOf({ StudyInstanceUID: '3', PatientName: 'ADAMS', StudyDate: '20240105', StudyTime: '1400', NumberOfStudyRelatedInstances: '9' }, 'partial'),
  studyRowOf({ StudyInstanceUID: '4', PatientName: 'Brown', StudyDate: '20231231', NumberOfStudyRelatedInstances: 'x' }),
];
const uids = (list: { StudyInstanceUID: string }[]) => list.map((r) => r.StudyInstanceUID);

describe('renderer study rows', () => {
  test('a match is read into typed columns', () => {
    const r = rows[0]!;
    assert.deepEqual(r.ModalitiesInStudy, ['CT', 'SR']);
    assert.equal(r.NumberOfStudyRelatedInstances, 10);
    assert.equal(rows[3]!.NumberOfStudyRelatedInstances, undefined, 'not a count');
    assert.equal(cellText(r, 'PatientName'), 'doe, john');
    assert.equal(cellText(r, 'StudyDate'), '2024-01-05');
    assert.equal(cellText(r, 'NumberOfStudyRelatedInstances'), '2 / 10');
    assert.equal(cellText(rows[2]!, 'NumberOfStudyRelatedInstances'), '? / 9');
    assert.equal(cellText(r, 'cache'), 'In cache');
  });

  test('dates newest first by default, time breaks ties, empty last', () => {
    assert.deepEqual(uids(sortRows(rows, DEFAULT_SORT)), ['3', '1', '4', '2']);
    assert.deepEqual(uids(sortRows(rows, { column: 'StudyDate', direction: 'asc' })), ['4', '1', '3', '2']);
  });

  test('counts sort as numbers, names ignoring case, cache by completeness', () => {
    assert.deepEqual(uids(sortRows(rows, { column: 'NumberOfStudyRelatedInstances', direction: 'desc' })), ['1', '3', '2', '4']);
    // Ä sorts with A (locale collation), not after Z as code points would put it
    assert.deepEqual(uids(sortRows(rows, { column: 'PatientName', direction: 'asc' })), ['3', '2', '4', '1']);
    assert.deepEqual(uids(sortRows(rows, { column: 'cache', direction: 'asc' })), ['1', '3', '2', '4']);
  });

  test('sorting is stable and does not change its input', () => {
    const same = [studyRowOf({ StudyInstanceUID: 'a' }), studyRowOf({ StudyInstanceUID: 'b' }), studyRowOf({ StudyInstanceUID: 'c' })];
    assert.deepEqual(uids(sortRows(same, { column: 'PatientID', direction: 'desc' })), ['a', 'b', 'c']);
    const before = uids(rows);
    sortRows(rows, DEFAULT_SORT);
    assert.deepEqual(uids(rows), before);
  });

  test('header clicks flip, new columns start in their natural direction', () => {
    assert.deepEqual(nextSort(DEFAULT_SORT, 'StudyDate'), { column: 'StudyDate', direction: 'asc' });
    assert.deepEqual(nextSort(DEFAULT_SORT, 'PatientName'), { column: 'PatientName', direction: 'asc' });
    assert.deepEqual(nextSort(DEFAULT_SORT, 'NumberOfStudyRelatedInstances'), { column: 'NumberOfStudyRelatedInstances', direction: 'desc' });
  });

  test('formatting of DICOM values', () => {
    assert.equal(formatDicomDate('19991231'), '1999-12-31');
    assert.equal(formatDicomDate('1999'), '1999');
    assert.equal(formatPersonName('Yamada^Tarou=山田^太郎=やまだ^たろう'), 'Yamada, Tarou');
    assert.equal(formatPersonName('Smith^John^Q^Dr^Jr'), 'Smith, Dr John Q Jr');
    assert.equal(formatPersonName('^Anna'), 'Anna');
    assert.deepEqual(splitValues('CT\\ \\MR'), ['CT', 'MR']);
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1_400_000), '1.40 MB');
    assert.equal(formatBytes(123_456_789), '123 MB');
    assert.equal(formatBytes(-1), '');
    assert.equal(formatDuration(0.2), '1 s');
    assert.equal(formatDuration(200), '3 min 20 s');
    assert.equal(formatDuration(7500), '2 h 5 min');
  });
});
