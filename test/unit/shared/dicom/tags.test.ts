import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tags from '../../../../shared/dicom/tags.js';
import { formatTag } from '../../../../shared/dicom/dataset.js';
import { keywordOf } from '../../../../shared/dicom/dictionary.js';

// a constant's name is its PS3.6 keyword in capitals: a mistyped tag names another attribute
test('each tag constant is the tag of the keyword it is named after', () => {
  const squash = (s: string) => s.replace(/_/g, '').toLowerCase();
  const entries = Object.entries(tags);
  assert.ok(entries.length >= 20);
  for (const [name, tag] of entries) {
    assert.equal(squash(keywordOf(tag) ?? '?'), squash(name), `${name} is ${formatTag(tag)}, ${keywordOf(tag) ?? 'not in the dictionary'}`);
  }
  assert.equal(new Set(entries.map(([, t]) => t)).size, entries.length, 'no tag is named twice');
});
