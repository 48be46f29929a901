import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSet } from '../../../../../shared/dicom/dataset.js';
import { arrivalFilter, isArrival } from '../../../../../electron/services/retrieve/retrieve.js';

test('an arrival belongs to a retrieve when it is of the study, series and instances its identifier names', () => {
  const arrived = (study: string, series: string, sop: string) => ({ studyInstanceUid: study, seriesInstanceUid: series, sopInstanceUid: sop });
  const study: DataSet = new Map([
    [0x0020000d, { vr: 'UI', value: ['1.2.3\0'] }],
    [0x0020000e, { vr: 'UI', value: [] }],
  ]);
  const byStudy = arrivalFilter(study);
  assert.deepEqual(byStudy, { studies: new Set(['1.2.3']) }, 'padding dropped, empty keys are no filter');
  assert.ok(isArrival(byStudy, arrived('1.2.3', '9', '9.1')));
  assert.ok(!isArrival(byStudy, arrived('1.2.4', '9', '9.1')));

  const images: DataSet = new Map([
    [0x0020000d, { vr: 'UI', value: ['1.2.3'] }],
    [0x0020000e, { vr: 'UI', value: ['1.2.3.1'] }],
    [0x00080018, { vr: 'UI', value: ['1.2.3.1.1', '1.2.3.1.2'] }],
  ]);
  const byImage = arrivalFilter(images);
  assert.ok(isArrival(byImage, arrived('1.2.3', '1.2.3.1', '1.2.3.1.2')));
  assert.ok(!isArrival(byImage, arrived('1.2.3', '1.2.3.1', '1.2.3.1.3')), 'another instance of the series');
  assert.ok(!isArrival(byImage, arrived('1.2.3', '1.2.3.2', '1.2.3.1.1')), 'another series');
});
