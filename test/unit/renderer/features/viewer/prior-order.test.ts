// The prior picker's order (renderer/src/features/viewer/prior-order.ts): prefetched first, then the rest, newest first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StudyRecord } from '../../../../../shared/records.js';
import { defaultPrior, orderPriors, priorOptionText } from '../../../../../renderer/src/features/viewer/prior-order.js';

const study = (uid: string, date: string, description = `CT ${date}`): StudyRecord => ({
  StudyInstanceUID: uid, StudyDate: date, StudyDescription: description, ModalitiesInStudy: ['CT'], PatientID: 'P',
} as unknown as StudyRecord);
const mark = { rule: 'default', reason: 'why', at: 0 };

test('prefetched studies first (newest first), then the others newest first; the open study left out', () => {
  const studies = [study('cur', '20261206'), study('y', '20261205'), study('o', '20190315'), study('m', '20220101'), study('n', '20261201')];
  const order = orderPriors(studies, { o: mark, m: mark }, 'cur');
  assert.deepEqual(order.map((c) => c.study.StudyInstanceUID), ['m', 'o', 'y', 'n']);
  assert.deepEqual(order.map((c) => !!c.mark), [true, true, false, false]);
  assert.equal(priorOptionText(order[1]!), '2019-03-15 CT 20190315 (CT) · prefetched');
  assert.equal(priorOptionText(order[2]!), '2026-12-05 CT 20261205 (CT)');
});

test('the prior opened: the newest prefetched study not newer than the current one, else the newest earlier', () => {
  const studies = [study('y', '20261205'), study('o', '20190315'), study('later', '20270101')];
  assert.equal(defaultPrior(orderPriors(studies, { o: mark }, 'cur'), '20261206'), 'o');
  assert.equal(defaultPrior(orderPriors(studies, {}, 'cur'), '20261206'), 'y');
  assert.equal(defaultPrior(orderPriors(studies, { later: mark }, 'cur'), '20261206'), 'y', 'a later study is not a prior');
  assert.equal(defaultPrior(orderPriors([], {}, 'cur'), '20261206'), undefined);
  assert.equal(defaultPrior(orderPriors(studies, {}, 'cur'), undefined), 'later', 'the current study\'s date unknown: any');
});
