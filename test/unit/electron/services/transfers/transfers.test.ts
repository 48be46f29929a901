// The pure parts of the transfer queue: GET→MOVE fallback decision, job verdicts, the plan of
// what is missing from the cache, progress rates and the progress throttle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getStrings } from '../../../../../shared/dicom/dataset.js';
import { rates } from '../../../../../shared/transfers.js';
import { judgeJob, missingSteps, refusesGet, Throttle, UIDS_PER_REQUEST, type JobOutcome } from '../../../../../electron/services/transfers/index.js';
import type { RetrieveReport } from '../../../../../electron/services/retrieve/retrieve.js';
import { AssociationAbortedError } from '../../../../../electron/dimse/ul/association.js';
import { NoContextError } from '../../../../../electron/dimse/ul/errors.js';

function report(over: Partial<RetrieveReport>): RetrieveReport {
  return {
    verdict: 'complete',
    method: 'get',
    status: 0,
    statusName: 'Success',
    claimed: { completed: 0, failed: 0, warning: 0 },
    failedSopInstanceUids: [],
    ...over,
  };
}

test('refusesGet: no C-GET context, or a failure with nothing sent; not a transport failure or a partial get', () => {
  assert.equal(refusesGet({ error: new NoContextError('ORTHANC', '1.2.840.10008.5.1.4.1.2.2.3', 'Study Root Query/Retrieve Information Model - GET') }), true);
  assert.equal(refusesGet({ error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }), false);
  assert.equal(refusesGet({ error: new AssociationAbortedError(2, 0), arrived: 0 }), true, 'Orthanc aborts a C-GET it does not allow');
  assert.equal(refusesGet({ error: new AssociationAbortedError(2, 0), arrived: 3 }), false, 'an abort midway is not a refusal');
  assert.equal(refusesGet({ report: report({ verdict: 'failed', status: 0xa702, claimed: { completed: 0, failed: 3, warning: 0 }, arrived: 0 }) }), true);
  assert.equal(refusesGet({ report: report({ verdict: 'failed', status: 0x0124, arrived: 0 }) }), true);
  assert.equal(refusesGet({ report: report({ verdict: 'incomplete', status: 0xb000, claimed: { completed: 2, failed: 1, warning: 0 }, arrived: 2 }) }), false);
  assert.equal(refusesGet({ report: report({ verdict: 'failed', method: 'move', status: 0xa801, arrived: 0 }) }), false);
  assert.equal(refusesGet({ report: report({ verdict: 'complete' }) }), false);
});

const base: JobOutcome = { nodeAeTitle: 'PACS', method: 'get', fellBack: false, reports: [], cancelled: false, skipped: 0, arrived: 0, cachedAfter: 0 };

test('judgeJob: complete only when the cache holds what the query listed; one sentence otherwise', () => {
  const ok = judgeJob({
    ...base,
    reports: [report({ claimed: { completed: 5, failed: 0, warning: 0 }, arrived: 5 })],
    expected: 7,
    skipped: 2,
    arrived: 5,
    cachedAfter: 7,
  });
  assert.equal(ok.state, 'completed');
  assert.equal(ok.verdict.sentence, 'Retrieved 5 instances from PACS by C-GET; 2 instances were already in the cache; all 7 expected are in the cache.');
  const fell = judgeJob({
    ...base,
    method: 'move',
    fellBack: true,
    reports: [report({ method: 'move', claimed: { completed: 1, failed: 0, warning: 0 }, arrived: 1 })],
    arrived: 1,
    cachedAfter: 1,
  });
  assert.match(fell.verdict.sentence, /PACS refused C-GET, so C-MOVE was used/);
  const cached = judgeJob({ ...base, expected: 3, skipped: 3, cachedAfter: 3 });
  assert.deepEqual(cached, { state: 'completed', verdict: { code: 'complete', sentence: 'All 3 instances were already in the cache; nothing was fetched.' } });
  const short = judgeJob({
    ...base,
    reports: [report({ claimed: { completed: 4, failed: 0, warning: 0 }, arrived: 4 })],
    expected: 6,
    arrived: 4,
    cachedAfter: 4,
  });
  assert.equal(short.state, 'incomplete');
  assert.equal(short.verdict.code, 'expected-missing');
  assert.match(short.verdict.sentence, /^The query listed 6 instances but only 4 are in the cache after the C-GET: PACS sent fewer than it listed; retry/);
  const nothing = judgeJob({ ...base, reports: [report({})], expected: 6 });
  assert.equal(nothing.state, 'failed');
  assert.equal(nothing.verdict.code, 'nothing-sent');
  const bad = judgeJob({
    ...base,
    reports: [report({ verdict: 'incomplete', diagnosis: { code: 'sub-operations', sentence: 'Two failed.' } })],
    arrived: 3,
    cachedAfter: 3,
  });
  assert.deepEqual(bad, { state: 'incomplete', verdict: { code: 'sub-operations', sentence: 'Two failed.' } });
  assert.equal(judgeJob({ ...base, error: { code: 'connection-refused', sentence: 'Nothing accepts.' } }).state, 'failed');
  const cancelled = judgeJob({ ...base, cancelled: true, arrived: 1 });
  assert.deepEqual(cancelled, {
    state: 'cancelled',
    verdict: { code: 'cancelled', sentence: 'The retrieve was cancelled; 1 instance arrived before it stopped.' },
  });
});

test('missingSteps: whole series at SERIES level, partial ones at IMAGE level in chunks, cached ones not at all', () => {
  const many = Array.from({ length: UIDS_PER_REQUEST + 5 }, (_, i) => `1.2.3.${i}`);
  const remote = new Map([
    ['1.1', ['1.1.1', '1.1.2']],
    ['1.2', ['1.2.1', '1.2.2']],
    ['1.3', ['1.3.1']],
    ['1.4', many],
  ]);
  const steps = missingSteps('9.9', remote, new Set(['1.2.1', '1.3.1', '1.2.3.0']));
  assert.deepEqual(
    steps.map((s) => s.level),
    ['SERIES', 'IMAGE', 'IMAGE', 'IMAGE'],
  );
  assert.deepEqual(getStrings(steps[0]!.identifier, 0x0020000e), ['1.1']);
  assert.deepEqual(getStrings(steps[1]!.identifier, 0x00080018), ['1.2.2']);
  assert.equal(getStrings(steps[2]!.identifier, 0x00080018).length, UIDS_PER_REQUEST);
  assert.equal(getStrings(steps[3]!.identifier, 0x00080018).length, 4);
  for (const s of steps) assert.deepEqual(getStrings(s.identifier, 0x0020000d), ['9.9']);
});

test('rates: MB/s from bytes, ETA from the instances left', () => {
  assert.deepEqual(rates({ bytes: 0, arrived: 0 }, 5000, 10), {});
  assert.deepEqual(rates({ bytes: 10e6, arrived: 5 }, 2000, 10), { mbPerSecond: 5, etaSeconds: 2 });
  assert.deepEqual(rates({ bytes: 10e6, arrived: 5, remaining: 20 }, 1000), { mbPerSecond: 10, etaSeconds: 4 });
  assert.deepEqual(rates({ bytes: 1e6, arrived: 1 }, 1000), { mbPerSecond: 1 });
});

test('Throttle: at most one call per interval per key, the last value delivered', (ctx) => {
  ctx.mock.timers.enable({ apis: ['setTimeout'] });
  let clock = 1000;
  const seen: [string, number][] = [];
  const t = new Throttle<number>(
    50,
    (k, v) => seen.push([k, v]),
    () => clock,
  );
  for (let i = 1; i <= 10; i++) t.push('a', i);
  t.push('b', 1);
  assert.deepEqual(seen, [
    ['a', 1],
    ['b', 1],
  ]);
  clock += 49;
  ctx.mock.timers.tick(49);
  assert.deepEqual(
    seen,
    [
      ['a', 1],
      ['b', 1],
    ],
    'nothing before the interval has passed',
  );
  clock += 1;
  ctx.mock.timers.tick(1);
  assert.deepEqual(seen, [
    ['a', 1],
    ['b', 1],
    ['a', 10],
  ]);
  t.push('a', 11);
  t.cancel('a');
  t.push('a', 12);
  assert.deepEqual(seen.at(-1), ['a', 12], 'after cancel the key starts afresh');
  t.clear();
});
