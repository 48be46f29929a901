// The QIDO-RS request of a C-FIND identifier (PS3.18 §8.3.4, §10.6.1): the resource chosen by
// level and by the UIDs the identifier names, matching keys as parameters and return keys as
// includefield; the query string as servers read it; the capped-answer sentence; and the
// WADO-RS resources of a retrieve (§10.4.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSet } from '../../../../../shared/dicom/dataset.js';
import { queryString } from '../../../../../electron/services/dicomweb/http.js';
import { qidoCappedReason, qidoParams, qidoResource } from '../../../../../electron/services/dicomweb/qido.js';
import { wadoPaths } from '../../../../../electron/services/dicomweb/wado-retrieve.js';
import { identifierFromKeys, parseKey } from '../../../../../electron/services/query/query-keys.js';

const keys = (...k: string[]): DataSet => identifierFromKeys(k.map(parseKey));

test('matching keys become parameters, empty keys includefield; level and character set are left out', () => {
  const ds = keys('PatientName=DOE^J*', 'StudyDate=20240101-20240131', 'AccessionNumber', 'StudyInstanceUID=1.2.3\\1.2.4');
  ds.set(0x00080052, { vr: 'CS', value: ['STUDY'] });
  ds.set(0x00080005, { vr: 'CS', value: ['ISO_IR 192'] });
  assert.deepEqual(
    [...qidoParams(ds)],
    [
      ['StudyDate', '20240101-20240131'],
      ['includefield', 'AccessionNumber'],
      ['PatientName', 'DOE^J*'],
      ['StudyInstanceUID', '1.2.3,1.2.4'],
    ],
  );
  assert.deepEqual(
    [...qidoParams(ds, new Set([0x0020000d]))].map(([k]) => k),
    ['StudyDate', 'includefield', 'PatientName'],
  );
});

test('the resource of each level names the study and series in the path when the identifier gives exactly one', () => {
  const study = keys('StudyInstanceUID=1.2.3', 'SeriesInstanceUID=1.2.3.4');
  assert.equal(qidoResource('STUDY', study).path, '/studies');
  assert.deepEqual(qidoResource('SERIES', study).path, '/studies/1.2.3/series');
  assert.equal(qidoResource('IMAGE', study).path, '/studies/1.2.3/series/1.2.3.4/instances');
  assert.deepEqual([...qidoResource('IMAGE', study).inPath], [0x0020000d, 0x0020000e]);
  assert.equal(qidoResource('IMAGE', keys('StudyInstanceUID=1.2.3')).path, '/studies/1.2.3/instances');
  // a list or a wildcard cannot go into the path: the flat resource with the UIDs as matching keys
  assert.equal(qidoResource('SERIES', keys('StudyInstanceUID=1.2.3\\1.2.4')).path, '/series');
  assert.equal(qidoResource('IMAGE', keys('StudyInstanceUID=1.2.*')).path, '/instances');
});

test("the query string leaves '^', '*', '?', ',' and '\\' as they are and encodes what breaks a query", () => {
  const q = new URLSearchParams([
    ['PatientName', 'DOE^J*'],
    ['StudyDescription', 'CT a&b=c+d #1 50%'],
    ['PatientName', 'Müller?'],
    ['x', '1,2\\3'],
  ]);
  assert.equal(queryString(q), 'PatientName=DOE^J*&StudyDescription=CT%20a%26b%3Dc%2Bd%20%231%2050%25&PatientName=M%C3%BCller?&x=1,2\\3');
  assert.equal(queryString(q, true), 'PatientName=DOE%5EJ%2A&StudyDescription=CT%20a%26b%3Dc%2Bd%20%231%2050%25&PatientName=M%C3%BCller%3F&x=1%2C2%5C3');
  // both decode to the same values
  for (const strict of [false, true]) assert.deepEqual([...new URLSearchParams(queryString(q, strict).replace(/\+/g, '%2B'))], [...q]);
});

test('a capped answer: the node warned (299), a round count, or one more than a round count (Orthanc)', () => {
  assert.match(
    qidoCappedReason(7, '299 orthanc "Too many results, increase LimitFindResults"')!,
    /^the node warned that it returned only part of the matches \("Too many results, increase LimitFindResults"\): narrow the query$/,
  );
  assert.equal(qidoCappedReason(500, undefined), 'exactly 500 matches: the node probably stops at 500; narrow the query');
  assert.match(qidoCappedReason(101, undefined)!, /^101 matches, one more than 100: the node probably stops there/);
  assert.equal(qidoCappedReason(99, undefined), undefined);
  assert.equal(qidoCappedReason(0, '110 - "stale"'), undefined);
});

test('WADO-RS resources: the study, each series, or each instance of one series', () => {
  assert.deepEqual(wadoPaths('STUDY', keys('StudyInstanceUID=1.2.3')), ['/studies/1.2.3']);
  assert.deepEqual(wadoPaths('SERIES', keys('StudyInstanceUID=1.2.3', 'SeriesInstanceUID=1.2.3.4\\1.2.3.5')), [
    '/studies/1.2.3/series/1.2.3.4',
    '/studies/1.2.3/series/1.2.3.5',
  ]);
  assert.deepEqual(wadoPaths('IMAGE', keys('StudyInstanceUID=1.2.3', 'SeriesInstanceUID=1.2.3.4', 'SOPInstanceUID=1.2.3.4.5')), [
    '/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5',
  ]);
  assert.throws(() => wadoPaths('SERIES', keys('SeriesInstanceUID=1.2.3.4')), /needs the Study Instance UID/);
  assert.throws(() => wadoPaths('IMAGE', keys('StudyInstanceUID=1.2.3', 'SOPInstanceUID=1.2.3.4.5')), /exactly one Series Instance UID/);
});
