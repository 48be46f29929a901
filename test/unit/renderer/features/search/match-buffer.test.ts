import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatchBuffer, rowOfMatch } from '../../../../../renderer/src/features/search/match-buffer.js';

const match = (uid: string, extra: Record<string, unknown> = {}) =>
  ({ type: 'search.match', searchId: 's', row: { StudyInstanceUID: uid, PatientName: 'DOE^JO', ModalitiesInStudy: 'CT' }, ...extra }) as Parameters<
    typeof rowOfMatch
  >[0];

test('new studies become rows in arrival order; a study seen again merges into its row, on screen or still buffered', () => {
  const source = { kind: 'nodes' as const, nodes: ['a', 'b'] };
  const b = new MatchBuffer();
  assert.equal(b.pending, false);
  b.add(rowOfMatch(match('1.1', { heldBy: ['a'], cache: 'none' }), source));
  b.add(rowOfMatch(match('1.2', { heldBy: ['a'] }), source));
  b.add(rowOfMatch(match('1.1', { heldBy: ['a', 'b'], cache: 'none' }), source)); // still buffered: merged there
  let rows = b.take()([]);
  assert.deepEqual(
    rows.map((r) => [r.StudyInstanceUID, r.heldBy, r.cache]),
    [
      ['1.1', ['a', 'b'], 'none'],
      ['1.2', ['a'], 'unknown'],
    ],
  );
  assert.equal(b.pending, false);
  b.add(rowOfMatch(match('1.2', { heldBy: ['a', 'b'] }), source)); // on screen already: an update, no new row
  b.add(rowOfMatch(match('1.3'), source));
  rows = b.take()(rows);
  assert.deepEqual(
    rows.map((r) => [r.StudyInstanceUID, r.heldBy]),
    [
      ['1.1', ['a', 'b']],
      ['1.2', ['a', 'b']],
      ['1.3', undefined],
    ],
  );
});

test('a local match is cached; a remote one says its cache state, its note and its prefetch mark', () => {
  assert.equal(rowOfMatch(match('1.1'), { kind: 'local' }).cache, 'full');
  const row = rowOfMatch(match('1.1', { cache: 'partial', cacheNote: '3 of 5 instances', prefetched: { at: 1 } }), { kind: 'node', node: 'pacs' });
  assert.deepEqual([row.cache, row.cacheNote, row.prefetched], ['partial', '3 of 5 instances', { at: 1 }]);
});
