// Synchronised scrolling of current and prior (renderer/src/features/viewer/sync.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkByPosition, linkHow, linkMode, linkText, nearestSlice, syncedIndex } from '../../../../../renderer/src/features/viewer/sync.js';
import { studyDateOf } from '../../../../../renderer/src/features/viewer/overlay.js';

const axial = (start: number, step: number, n: number, frameOfReference?: string) => ({
  axial: true,
  plane: 'axial',
  positions: Array.from({ length: n }, (_, i) => start + i * step),
  ...(frameOfReference ? { frameOfReference } : {}),
});

test('nearest slice by position, first of equals, unknown positions skipped', () => {
  assert.equal(nearestSlice([0, 5, 10], 6), 1);
  assert.equal(nearestSlice([0, 5, 10], 7.5), 1);
  assert.equal(nearestSlice([undefined, 5, 10], -100), 1);
  assert.equal(nearestSlice([0, 5, 10], 1000), 2);
});

test('by table position: each slice paired with the nearest one, whatever the two showed when linked', () => {
  const current = axial(-100, 1, 200); // 1 mm slices from -100
  const prior = axial(-150, 2.5, 100); // 2.5 mm slices from -150: they overlap
  assert.equal(linkHow(current, prior), 'table-position');
  assert.equal(syncedIndex(current, prior, 100, { from: 7, to: 70 }), 60, '0 mm is slice 60 of the prior (the anchor does not matter)');
  assert.equal(syncedIndex(current, prior, 110, { from: 7, to: 70 }), 64, '+10 mm is 4 slices of 2.5 mm');
  assert.equal(syncedIndex(prior, current, 64, { from: 0, to: 0 }), 110, 'and back');
  assert.equal(linkMode(current, prior), 'position');
  assert.equal(linkText('table-position'), 'by table position (both axial)');
});

test('one frame of reference: by position in any shared plane; stacks that do not overlap pair their first slices', () => {
  const sagittal = (n: number) => ({ axial: false, plane: 'sagittal', frameOfReference: '1.2.3', positions: Array.from({ length: n }, (_, i) => i * 2) });
  assert.equal(linkHow(sagittal(10), sagittal(5)), 'frame-of-reference');
  assert.equal(syncedIndex(sagittal(10), sagittal(5), 6, { from: 0, to: 0 }), 4, '12 mm is the last slice of the shorter stack');
  const elsewhere = axial(500, 2, 10); // another origin: no common table position
  assert.equal(linkHow(axial(0, 1, 20), elsewhere), 'first-slices');
  assert.equal(syncedIndex(axial(0, 1, 20), elsewhere, 4, { from: 0, to: 0 }), 2, '4 mm from the first slice is the third 2 mm slice');
});

test('by index when a stack is not axial (and no frame of reference is shared) or a position is unknown; clamped', () => {
  const sagittal = { axial: false, plane: 'sagittal', positions: [0, 1, 2, 3, 4] };
  const current = axial(0, 1, 10);
  assert.equal(linkByPosition(current, sagittal), false);
  assert.equal(linkMode(current, sagittal), 'index');
  assert.equal(syncedIndex(current, sagittal, 7, { from: 5, to: 2 }), 4);
  assert.equal(syncedIndex(current, sagittal, 0, { from: 5, to: 2 }), 0, 'clamped at the start');
  const unknown = { axial: true, positions: [0, undefined, 2] };
  assert.equal(linkByPosition(current, unknown), false);
  assert.equal(syncedIndex(current, { axial: true, positions: [] }, 3, { from: 0, to: 0 }), 0);
});

test("the overlay's study date from either shape the loader gives", () => {
  assert.equal(studyDateOf('20251103'), '2025-11-03');
  assert.equal(studyDateOf({ year: 2025, month: 11, day: 3 }), '2025-11-03');
  assert.equal(studyDateOf(undefined), '');
});
