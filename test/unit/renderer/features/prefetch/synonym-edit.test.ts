// Edits of the body-part synonym table (renderer/src/features/prefetch/synonym-edit.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addGroup, addWords, normalWord, removeGroup, removeWord, sameTable } from '../../../../../renderer/src/features/prefetch/synonym-edit.js';

const table = [
  ['CHEST', 'THORAX', 'LUNG'],
  ['HEAD', 'BRAIN'],
];

describe('synonym table edits', () => {
  test('add words to a group: normalised, several at once, repeats in the group refused', () => {
    assert.equal(normalWord('  soft   tissue neck '), 'SOFT TISSUE NECK');
    const r = addWords(table, 0, 'pulmonary, lungs ');
    assert.ok(r.ok);
    assert.deepEqual(r.groups[0], ['CHEST', 'THORAX', 'LUNG', 'PULMONARY', 'LUNGS']);
    assert.deepEqual(table[0], ['CHEST', 'THORAX', 'LUNG'], 'the table given is not changed');
    assert.deepEqual(addWords(table, 0, 'lung'), { ok: false, error: 'LUNG is in this group already.' });
    assert.deepEqual(addWords(table, 0, ' , '), { ok: false, error: 'Type a word to add.' });
  });

  test('a word names one body part: adding it to a second group is refused with the groups named', () => {
    assert.deepEqual(addWords(table, 1, 'thorax'), { ok: false, error: '"THORAX" is in groups 1 and 2: a word names one body part.' });
    const bad = addWords(table, 1, 'BRAIN/STEM');
    assert.ok(!bad.ok && /is not a word/.test(bad.error));
  });

  test('remove a word (an emptied group goes), a group; add a group', () => {
    assert.deepEqual(removeWord(table, 0, 'THORAX'), [
      ['CHEST', 'LUNG'],
      ['HEAD', 'BRAIN'],
    ]);
    assert.deepEqual(removeWord([['KNEE'], ['HIP']], 0, 'KNEE'), [['HIP']]);
    assert.deepEqual(removeGroup(table, 0), [['HEAD', 'BRAIN']]);
    const added = addGroup(table, 'knee, patella, knee');
    assert.ok(added.ok);
    assert.deepEqual(added.groups[2], ['KNEE', 'PATELLA']);
    assert.ok(!addGroup(table, '').ok);
    assert.ok(!addGroup(table, 'Lung').ok, 'a word of another group');
  });

  test('same table: order and words', () => {
    assert.ok(
      sameTable(table, [
        ['CHEST', 'THORAX', 'LUNG'],
        ['HEAD', 'BRAIN'],
      ]),
    );
    assert.ok(
      !sameTable(table, [
        ['HEAD', 'BRAIN'],
        ['CHEST', 'THORAX', 'LUNG'],
      ]),
    );
    assert.ok(
      !sameTable(table, [
        ['CHEST', 'THORAX'],
        ['HEAD', 'BRAIN'],
      ]),
    );
  });
});
