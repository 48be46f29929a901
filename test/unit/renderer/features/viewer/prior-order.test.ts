// Which prior the viewer opens and in what order (renderer/src/features/viewer/prior-order.ts):
// the main process's order (relevant by the prefetch rules first) kept; the first relevant study
// opened, else the newest not newer than the current one; the newer study is always "Current".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StudyRecord } from '../../../../../shared/records.js';
import { choicesOf, defaultPrior, morePriors, priorOptionText, readingOrder } from '../../../../../renderer/src/features/viewer/prior-order.js';

const study = (uid: string, date: string, description = `CT ${date}`): StudyRecord =>
  ({
    StudyInstanceUID: uid,
    StudyDate: date,
    StudyDescription: description,
    ModalitiesInStudy: ['CT'],
    PatientID: 'P',
  }) as unknown as StudyRecord;
const mark = { rule: 'default', reason: 'why', at: 0 };

test('choices keep the order given; a prefetched study is marked in its option', () => {
  const choices = choicesOf([
    { study: study('o', '20190315'), relevant: true, reason: 'relevant', prefetched: mark },
    { study: study('y', '20261205'), relevant: false, reason: 'it is of the ABDOMEN' },
  ]);
  assert.deepEqual(
    choices.map((c) => c.study.StudyInstanceUID),
    ['o', 'y'],
  );
  assert.equal(priorOptionText(choices[0]!), '2019-03-15 CT 20190315 (CT) · prefetched');
  assert.equal(priorOptionText(choices[1]!), '2026-12-05 CT 20261205 (CT)');
});

test('the prior opened: the first relevant study, else the newest study not newer than the current one', () => {
  const relevant = choicesOf([
    { study: study('o', '20190315'), relevant: true, reason: '' },
    { study: study('y', '20261205'), relevant: false, reason: '' },
  ]);
  assert.equal(defaultPrior(relevant, '20261206'), 'o');
  const none = choicesOf([
    { study: study('later', '20270101'), relevant: false, reason: '' },
    { study: study('y', '20261205'), relevant: false, reason: '' },
    { study: study('o', '20190315'), relevant: false, reason: '' },
  ]);
  assert.equal(defaultPrior(none, '20261206'), 'y');
  assert.equal(defaultPrior(none, undefined), 'later', "the current study's date unknown: any");
  assert.equal(defaultPrior([], '20261206'), undefined);
  assert.deepEqual(morePriors(none, 'y', 2), ['later', 'o']);
});

test('reading order: the opened study first unless another is of a later day', () => {
  const uids = (l: { study: StudyRecord }[]) => l.map((x) => x.study.StudyInstanceUID);
  const a = { study: study('a', '20230601') };
  const b = { study: study('b', '20261201') };
  const c = { study: study('c', '20220101') };
  assert.deepEqual(uids(readingOrder(b, [a, c])), ['b', 'a', 'c']);
  assert.deepEqual(uids(readingOrder(a, [b, c])), ['b', 'a', 'c'], 'the newer study is "Current", whichever was opened');
  const sameDay = { study: { ...study('s', '20230601'), StudyTime: '235959' } as StudyRecord };
  assert.deepEqual(uids(readingOrder(a, [sameDay])), ['a', 's'], 'of one day, the study opened stays first');
  const undated = { study: study('u', '') };
  assert.deepEqual(uids(readingOrder(undated, [b])), ['u', 'b'], 'a study without a date is never assumed older');
});
