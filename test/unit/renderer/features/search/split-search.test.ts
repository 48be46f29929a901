import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type PartAnswer, splitSearch, stillCappedText } from '../../../../../renderer/src/features/search/split-search.js';

/** A PACS in memory: studies by date, answering at most `cap` matches (then "looks capped"). */
function cappedPacs(studies: { uid: string; date: string }[], cap: number) {
  const asked: string[] = [];
  const run = async (keys: Record<string, string>): Promise<PartAnswer> => {
    const range = keys.StudyDate ?? '';
    asked.push(range);
    const [from, to] = range.includes('-') ? range.split('-') : [range, range];
    const hits = studies.filter((s) => (!from || s.date >= from!) && (!to || s.date <= to!));
    const uids = hits.slice(0, cap).map((s) => s.uid);
    return { outcome: 'completed', uids, ...(hits.length >= cap ? { looksCapped: { count: cap, reason: `exactly ${cap}` } } : {}) };
  };
  return { run, asked };
}

const TODAY = new Date(2024, 0, 31);
const days = (n: number, perDay: number) =>
  Array.from({ length: n * perDay }, (_, i) => ({
    uid: `1.2.${i}`,
    date: `202401${String(1 + Math.floor(i / perDay)).padStart(2, '0')}`,
  }));

describe('split search by date', () => {
  test('an uncapped answer runs once', async () => {
    const pacs = cappedPacs(days(3, 1), 10);
    const r = await splitSearch({ PatientName: 'A*' }, pacs.run, { split: true, today: TODAY });
    assert.equal(r.queries, 1);
    assert.equal(r.uids.length, 3);
    assert.deepEqual(r.stillCapped, []);
  });

  test('a capped answer is halved until every part is complete, merged without duplicates', async () => {
    const studies = days(20, 2); // 40 studies over 20 days, cap 5
    const pacs = cappedPacs(studies, 5);
    const r = await splitSearch({ StudyDate: '20240101-20240120' }, pacs.run, { split: true, today: TODAY });
    assert.equal(r.outcome, 'completed');
    assert.deepEqual([...r.uids].sort(), studies.map((s) => s.uid).sort());
    assert.equal(new Set(r.uids).size, r.uids.length);
    assert.deepEqual(r.stillCapped, []);
    assert.ok(r.queries > 1 && r.queries === pacs.asked.length);
  });

  test('an open date is closed from 1900 to today before splitting', async () => {
    const pacs = cappedPacs(days(4, 1), 2);
    const r = await splitSearch({}, pacs.run, { split: true, today: TODAY });
    assert.equal(r.uids.length, 4);
    assert.equal(pacs.asked[1], '19000101-19620116');
  });

  test('a single day still capped is reported, the rest completed', async () => {
    const studies = [...days(1, 6), { uid: 'x1', date: '20240110' }];
    const pacs = cappedPacs(studies, 3);
    const r = await splitSearch({ StudyDate: '20240101-20240110' }, pacs.run, { split: true, today: TODAY });
    assert.deepEqual(
      r.stillCapped.map((p) => [p.StudyDate, p.why]),
      [['20240101', 'single-day']],
    );
    assert.ok(r.uids.includes('x1'));
    assert.match(stillCappedText(r.stillCapped, 'PACS')!, /single day: 2024-01-01 \(3 matches\)/);
  });

  test('without split the capped part is only reported; the budget and depth bound the queries', async () => {
    const pacs = cappedPacs(days(20, 4), 2);
    const once = await splitSearch({ StudyDate: '20240101-20240120' }, pacs.run, { split: false, today: TODAY });
    assert.equal(once.queries, 1);
    assert.equal(once.stillCapped[0]!.why, 'not-split');
    assert.equal(stillCappedText(once.stillCapped, 'PACS'), undefined);
    const bounded = await splitSearch({ StudyDate: '20240101-20240120' }, pacs.run, { split: true, today: TODAY, maxQueries: 6 });
    assert.ok(bounded.queries <= 6);
    assert.ok(bounded.stillCapped.some((p) => p.why === 'budget'));
    const shallow = await splitSearch({ StudyDate: '20240101-20240120' }, pacs.run, { split: true, today: TODAY, maxDepth: 1 });
    assert.equal(shallow.queries, 3);
    assert.deepEqual(
      shallow.stillCapped.map((p) => p.why),
      ['depth', 'depth'],
    );
    assert.match(stillCappedText(shallow.stillCapped, 'PACS')!, /as far as allowed/);
  });

  test('a cancelled or failed part stops the search', async () => {
    let n = 0;
    const r = await splitSearch(
      { StudyDate: '20240101-20240120' },
      async () => {
        n++;
        return n === 1 ? { outcome: 'completed', uids: ['a'], looksCapped: { count: 1, reason: 'r' } } : { outcome: 'cancelled', uids: ['b'] };
      },
      { split: true, today: TODAY },
    );
    assert.equal(r.outcome, 'cancelled');
    assert.equal(r.queries, 2);
    assert.deepEqual(r.uids, ['a', 'b']);
  });
});
