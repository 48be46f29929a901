import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from '../../../shared/format.js';
import { formatBytes as rendererFormatBytes } from '../../../renderer/src/lib/format.js';

test('formatBytes: decimal units, three significant digits, nothing for a count that is not one', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.00 kB'],
    [1024, '1.02 kB'],
    [45_000, '45.0 kB'],
    [512_000, '512 kB'],
    [1_400_000, '1.40 MB'],
    [2_310_000_000, '2.31 GB'],
    [3e12, '3.00 TB'],
    [5e15, '5000 TB'],
  ];
  for (const [n, text] of cases) assert.equal(formatBytes(n), text, String(n));
  for (const n of [-1, Number.NaN, Infinity]) assert.equal(formatBytes(n), '');
  assert.equal(rendererFormatBytes, formatBytes, 'the UI uses the same function');
});
