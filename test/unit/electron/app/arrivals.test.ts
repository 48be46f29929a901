import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArrivalEvents } from '../../../../electron/app/arrivals.js';
import type { StoredEvent } from '../../../../electron/services/local-scp/handlers.js';

/** Timers run by hand: `tick()` fires the oldest one set. */
function manualTimers() {
  const due: (() => void)[] = [];
  return {
    timers: {
      set: (f: () => void) => {
        due.push(f);
        return due.length as unknown as ReturnType<typeof setTimeout>;
      },
      clear: () => {
        due.length = 0;
      },
    },
    tick: () => due.shift()?.(),
    pending: () => due.length,
  };
}

let n = 0;
const stored = (study: string, series: string, duplicate = false): StoredEvent => ({
  association: {} as StoredEvent['association'],
  sopInstanceUid: `${study}.${++n}`,
  studyInstanceUid: study,
  seriesInstanceUid: series,
  duplicate,
});

test('one event at once per study, one per interval while more come, none after a quiet interval; duplicates are not news', () => {
  const events: string[] = [];
  const t = manualTimers();
  const a = new ArrivalEvents((e) => events.push(`${e.StudyInstanceUID}/${e.SeriesInstanceUID}`), 500, t.timers);
  a.onStored(stored('1.2', 's1'));
  a.onStored(stored('1.2', 's1'));
  a.onStored(stored('1.3', 'x'));
  a.onStored(stored('1.2', 's2'));
  assert.deepEqual(events, ['1.2/s1', '1.3/x']);
  t.tick(); // 1.2's interval ends: what came during it
  assert.deepEqual(events, ['1.2/s1', '1.3/x', '1.2/s2']);
  t.tick(); // 1.3's interval: nothing came
  t.tick(); // 1.2's next interval: nothing came, the study is quiet
  assert.equal(t.pending(), 0);
  a.onStored(stored('1.2', 's3', true));
  assert.equal(events.length, 3, 'a duplicate is not an arrival');
  a.onStored(stored('1.2', 's3'));
  assert.equal(events.at(-1), '1.2/s3', 'a quiet study is told at once again');
  a.close();
  assert.equal(t.pending(), 0);
});
