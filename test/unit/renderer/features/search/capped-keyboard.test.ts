import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cappedBannerText, closeRange, splitDateRange, splitStudyQuery } from '../../../../../renderer/src/features/search/capped.js';
import { listAction, moveIndex } from '../../../../../renderer/src/lib/keyboard.js';

describe('renderer capped answers', () => {
  test('banner text names the node and the count', () => {
    assert.equal(
      cappedBannerText({ count: 500, reason: 'a round number of matches.' }, 'PACS'),
      'PACS answered 500 matches and may have stopped there (a round number of matches): the list is probably incomplete. ' +
        'Narrow the search, or split it by date to get every study.',
    );
    assert.match(cappedBannerText({ count: 1 }, 'X'), /^X answered 1 match and may/);
    assert.match(cappedBannerText({ count: 100 }, 'X', true), /Even split by date, one part stayed capped/);
  });

  test('date ranges split into halves that cover them without overlap', () => {
    assert.deepEqual(splitDateRange('20240101-20240131'), ['20240101-20240116', '20240117-20240131']);
    assert.deepEqual(splitDateRange('20240101-20240102'), ['20240101', '20240102']);
    assert.deepEqual(splitDateRange('20240228-20240302'), ['20240228-20240229', '20240301-20240302']);
    assert.equal(splitDateRange('20240101-20240101'), undefined);
    assert.equal(splitDateRange('20240101'), undefined);
    assert.equal(splitDateRange('20240101-'), undefined);
  });

  test('open ranges close before splitting', () => {
    const today = new Date(2024, 2, 1);
    assert.equal(closeRange('', today), '19000101-20240301');
    assert.equal(closeRange('20240101-', today), '20240101-20240301');
    assert.equal(closeRange('-20240101', today), '19000101-20240101');
    assert.equal(closeRange('20240101', today), '20240101');
  });

  test('a capped query splits by StudyDate and keeps its other keys', () => {
    const today = new Date(2024, 2, 1);
    const halves = splitStudyQuery({ PatientName: 'DOE*', StudyDate: '20240201-', StudyInstanceUID: '' }, today);
    assert.deepEqual(halves, [
      { PatientName: 'DOE*', StudyDate: '20240201-20240215', StudyInstanceUID: '' },
      { PatientName: 'DOE*', StudyDate: '20240216-20240301', StudyInstanceUID: '' },
    ]);
    assert.equal(splitStudyQuery({ StudyDate: '20240201' }, today), undefined);
    assert.equal(splitStudyQuery({ PatientName: 'X' }, today)?.[0].StudyDate, '19000101-19620131');
  });
});

describe('renderer list keyboard', () => {
  test('keys map to actions; letters in text fields do not', () => {
    assert.deepEqual(listAction({ key: 'ArrowDown' }), { kind: 'move', delta: 1 });
    assert.deepEqual(listAction({ key: ' ' }), { kind: 'expand' });
    assert.deepEqual(listAction({ key: 'r' }), { kind: 'retrieve' });
    assert.deepEqual(listAction({ key: 'O' }), { kind: 'open' });
    assert.deepEqual(listAction({ key: 'Escape', inTextField: true }), { kind: 'cancel' });
    assert.equal(listAction({ key: 'r', inTextField: true }), undefined);
    assert.equal(listAction({ key: 'r', ctrlKey: true }), undefined);
    assert.equal(listAction({ key: 'x' }), undefined);
  });

  test('moves stay inside the list', () => {
    assert.equal(moveIndex(-1, { kind: 'move', delta: 1 }, 5), 0);
    assert.equal(moveIndex(-1, { kind: 'move', delta: -1 }, 5), 4);
    assert.equal(moveIndex(4, { kind: 'move', delta: 1 }, 5), 4);
    assert.equal(moveIndex(2, { kind: 'move', delta: -10 }, 5), 0);
    assert.equal(moveIndex(2, { kind: 'last' }, 5), 4);
    assert.equal(moveIndex(3, { kind: 'first' }, 5), 0);
    assert.equal(moveIndex(0, { kind: 'move', delta: 1 }, 0), -1);
  });
});
