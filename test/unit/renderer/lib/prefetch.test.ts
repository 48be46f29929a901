// Prefetch bits every screen shows (renderer/src/lib/prefetch.ts), the date-time format, and the P key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PrefetchRun } from '../../../../shared/prefetch.js';
import { formatDateTime } from '../../../../renderer/src/lib/format.js';
import { listAction } from '../../../../renderer/src/lib/keyboard.js';
import { newerRun, prefetchedTitle } from '../../../../renderer/src/lib/prefetch.js';

test('the badge tooltip names the rule, when, and why', () => {
  const at = new Date(2026, 11, 6, 9, 5).getTime();
  assert.equal(formatDateTime(at), '2026-12-06 09:05');
  assert.equal(formatDateTime(undefined), '');
  assert.equal(
    prefetchedTitle({ rule: 'default', reason: '2026-12-05: CT like the current study', at }),
    'Prefetched by rule "default" on 2026-12-06 09:05: 2026-12-05: CT like the current study',
  );
  assert.match(prefetchedTitle({ rule: '', reason: 'r', at }), /^Prefetched by a prefetch rule on /);
});

test('of two copies of a run, the higher revision; on a tie the incoming one', () => {
  const run = (revision: number, state: PrefetchRun['state']): PrefetchRun => ({
    id: 'r',
    trigger: 'manual',
    dryRun: false,
    PatientID: 'P',
    state,
    sentence: '',
    candidates: [],
    nodes: [],
    startedAt: 0,
    revision,
  });
  assert.equal(newerRun(run(2, 'completed'), run(1, 'running')).state, 'completed');
  assert.equal(newerRun(run(1, 'running'), run(2, 'completed')).state, 'completed');
  assert.equal(newerRun(run(1, 'running'), run(1, 'completed')).state, 'completed');
  assert.equal(newerRun(undefined, run(0, 'planned')).state, 'planned');
});

test('P prefetches from a result row; not while typing or with a modifier', () => {
  assert.deepEqual(listAction({ key: 'p' }), { kind: 'prefetch' });
  assert.deepEqual(listAction({ key: 'P', shiftKey: true }), { kind: 'prefetch' });
  assert.equal(listAction({ key: 'p', inTextField: true }), undefined);
  assert.equal(listAction({ key: 'p', ctrlKey: true }), undefined);
});
