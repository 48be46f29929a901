// Synchronised scrolling of current and prior (renderer/src/features/viewer/sync.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkByPosition, linkMode, nearestSlice, syncedIndex } from '../../../../../renderer/src/features/viewer/sync.js';
import { studyDateOf } from '../../../../../renderer/src/features/viewer/overlay.js';

const axial = (start: number, step: number, n: number) => ({ axial: true, positions: Array.from({ length: n }, (_, i) => start + i * step) });

test('nearest slice by position, first of equals, unknown positions skipped', () => {
  assert.equal(nearestSlice([0, 5, 10], 6), 1);
  assert.equal(nearestSlice([0, 5, 10], 7.5), 1);
  assert.equal(nearestSlice([undefined, 5, 10], -100), 1);
  assert.equal(nearestSlice([0, 5, 10], 1000), 2);
});

test('by position: the offset of the link holds; different slice spacing maps by millimetres', () => {
  const current = axial(-100, 1, 200); // 1 mm slices from -100
  const prior = axial(-300, 2.5, 100); // 2.5 mm slices from -300 (another table position)
  const anchor = { from: 100, to: 40 }; // linked while current showed 0 mm and prior -200 mm
  assert.equal(syncedIndex(current, prior, 100, anchor), 40);
  assert.equal(syncedIndex(current, prior, 110, anchor), 44, '+10 mm is 4 slices of 2.5 mm');
  assert.equal(syncedIndex(current, prior, 0, anchor), 0, '-100 mm lands on the first slice');
  assert.equal(syncedIndex(prior, current, 44, { from: 40, to: 100 }), 110, 'and back');
  assert.equal(linkMode(current, prior), 'position');
});

test('by index when a stack is not axial or a position is unknown; clamped', () => {
  const sagittal = { axial: false, positions: [0, 1, 2, 3, 4] };
  const current = axial(0, 1, 10);
  assert.equal(linkByPosition(current, sagittal), false);
  assert.equal(linkMode(current, sagittal), 'index');
  assert.equal(syncedIndex(current, sagittal, 7, { from: 5, to: 2 }), 4);
  assert.equal(syncedIndex(current, sagittal, 0, { from: 5, to: 2 }), 0, 'clamped at the start');
  const unknown = { axial: true, positions: [0, undefined, 2] };
  assert.equal(linkByPosition(current, unknown), false);
  assert.equal(syncedIndex(current, { axial: true, positions: [] }, 3, { from: 0, to: 0 }), 0);
});

test('the overlay\'s study date from either shape the loader gives', () => {
  assert.equal(studyDateOf('20251103'), '2025-11-03');
  assert.equal(studyDateOf({ year: 2025, month: 11, day: 3 }), '2025-11-03');
  assert.equal(studyDateOf(undefined), '');
});
