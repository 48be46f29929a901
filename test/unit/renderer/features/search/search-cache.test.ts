import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheStateOf } from '../../../../../electron/app/search-cache.js';
import { cacheAfterTransfer, cacheAriaLabel, studyRowOf } from '../../../../../renderer/src/features/search/study-rows.js';

describe('in-cache badge', () => {
  test('held instances against the count the PACS announced', () => {
    assert.deepEqual(cacheStateOf(0, 10), { cache: 'none' });
    assert.deepEqual(cacheStateOf(0, undefined), { cache: 'none' });
    assert.deepEqual(cacheStateOf(10, 10), { cache: 'full' });
    assert.deepEqual(cacheStateOf(12, 10), { cache: 'full' });
    assert.deepEqual(cacheStateOf(4, 10), { cache: 'partial', cacheNote: '4 of 10 instances in the cache.' });
    const unknown = cacheStateOf(3, undefined);
    assert.equal(unknown.cache, 'partial');
    assert.match(unknown.cacheNote!, /PACS gave no instance count/);
  });

  test('accessible names of the badge', () => {
    assert.equal(cacheAriaLabel('full'), 'In cache: full');
    assert.equal(cacheAriaLabel('partial'), 'In cache: partial');
    assert.equal(cacheAriaLabel('none'), 'In cache: none');
    assert.equal(cacheAriaLabel('unknown'), 'In cache: none');
  });

  test('a finished transfer updates the badge', () => {
    const p = (arrived: number, skipped = 0) => ({ arrived, skipped });
    assert.equal(cacheAfterTransfer('none', { state: 'completed', level: 'STUDY', progress: p(5) }), 'full');
    assert.equal(cacheAfterTransfer('none', { state: 'completed', level: 'SERIES', progress: p(5) }), 'partial');
    assert.equal(cacheAfterTransfer('none', { state: 'incomplete', level: 'STUDY', progress: p(2) }), 'partial');
    assert.equal(cacheAfterTransfer('none', { state: 'failed', level: 'STUDY', progress: p(0) }), 'none');
    assert.equal(cacheAfterTransfer('full', { state: 'failed', level: 'SERIES', progress: p(0) }), 'full');
    assert.equal(cacheAfterTransfer('partial', { state: 'cancelled', level: 'STUDY', progress: p(0, 3) }), 'partial');
  });

  test('rows keep the state they are given', () => {
    assert.equal(studyRowOf({ StudyInstanceUID: '1.2' }, 'partial').cache, 'partial');
  });
});
