// The plan of a retrieve that fetches one series first: that series' steps lead (cut into runs
// of neighbouring instances from the middle of the stack outwards), the others keep their order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getStrings } from '../../../../../shared/dicom/dataset.js';
import { firstSeriesSteps, middleOut, stepIdentifier, UIDS_PER_REQUEST, type RetrieveStep } from '../../../../../electron/services/transfers/plan.js';

const SOP = 0x00080018;
const SERIES = 0x0020000e;
const uids = (n: number, prefix = '1.9') => Array.from({ length: n }, (_, i) => `${prefix}.${i + 1}`);
const seriesStep = (uid: string): RetrieveStep => ({ level: 'SERIES', identifier: stepIdentifier('9.9', [uid]), SeriesInstanceUID: uid });

test('middleOut: the run holding the middle slice first, then its neighbours alternately outwards, every instance once', () => {
  const runs = middleOut(uids(12), 4);
  assert.deepEqual(runs, [
    ['1.9.7', '1.9.8', '1.9.9'],
    ['1.9.10', '1.9.11', '1.9.12'],
    ['1.9.4', '1.9.5', '1.9.6'],
    ['1.9.1', '1.9.2', '1.9.3'],
  ]);
  assert.deepEqual(
    middleOut(uids(3), 8).map((r) => r.length),
    [1, 1, 1],
    'no more runs than instances',
  );
  assert.deepEqual(middleOut(uids(5), 1), [uids(5)]);
  const big = middleOut(uids(UIDS_PER_REQUEST * 3), 2);
  assert.ok(
    big.every((r) => r.length <= UIDS_PER_REQUEST),
    'a run fits one identifier',
  );
  assert.equal(big.flat().length, UIDS_PER_REQUEST * 3);
  assert.equal(new Set(big.flat()).size, UIDS_PER_REQUEST * 3);
  assert.ok(big[0]!.includes(`1.9.${UIDS_PER_REQUEST * 1.5 + 1}`), 'the middle first');
});

test('firstSeriesSteps: the series asked for leads, in IMAGE-level parts, the others in their order', () => {
  const steps = ['1.1', '1.2', '1.3'].map(seriesStep);
  const { steps: out, leading } = firstSeriesSteps('9.9', steps, '1.3', 3, uids(9, '1.3'));
  assert.equal(leading, 3);
  assert.deepEqual(
    out.map((s) => s.level),
    ['IMAGE', 'IMAGE', 'IMAGE', 'SERIES', 'SERIES'],
  );
  assert.deepEqual(
    out.map((s) => s.SeriesInstanceUID),
    ['1.3', '1.3', '1.3', '1.1', '1.2'],
  );
  assert.deepEqual(getStrings(out[0]!.identifier, SOP), ['1.3.4', '1.3.5', '1.3.6']);
  for (const s of out.slice(0, 3)) assert.deepEqual(getStrings(s.identifier, SERIES), ['1.3']);
});

test('firstSeriesSteps: one part, no instance list, or steps of a partly cached series: reordered, not cut', () => {
  const steps = ['1.1', '1.2'].map(seriesStep);
  assert.deepEqual(
    firstSeriesSteps('9.9', steps, '1.2', 1, uids(9, '1.2')).steps.map((s) => s.level),
    ['SERIES', 'SERIES'],
  );
  const r = firstSeriesSteps('9.9', steps, '1.2', 4);
  assert.deepEqual(
    r.steps.map((s) => s.SeriesInstanceUID),
    ['1.2', '1.1'],
  );
  assert.equal(r.leading, 1);
  const partial: RetrieveStep[] = [seriesStep('1.1'), { level: 'IMAGE', identifier: stepIdentifier('9.9', ['1.2'], ['1.2.5']), SeriesInstanceUID: '1.2' }];
  assert.deepEqual(
    firstSeriesSteps('9.9', partial, '1.2', 4, uids(9, '1.2')).steps.map((s) => s.level),
    ['IMAGE', 'SERIES'],
  );
  assert.deepEqual(firstSeriesSteps('9.9', steps, '7.7', 4), { steps, leading: 0 }, 'a series the job does not fetch changes nothing');
});
