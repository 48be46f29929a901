// When an arrival becomes a prefetch: after every association that brought the study ended and
// the quiet time passed, and (lookWhileArriving) a moment after its first instance; never for
// our own retrieves, duplicates or a study already looked at with no series since.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PREFETCH } from '../../../../../shared/config.js';
import type { PrefetchRun } from '../../../../../shared/prefetch.js';
import type { StudyRecord } from '../../../../../shared/records.js';
import { ArrivalTrigger, FIRST_LOOK_MS, type Timers } from '../../../../../electron/services/prefetch/arrival-trigger.js';
import type { PrefetchRequest } from '../../../../../electron/services/prefetch/prefetcher.js';
import type { StoredEvent } from '../../../../../electron/services/local-scp/handlers.js';

/** Timers run by hand: `advance(ms)` fires what is due. */
function manualTimers(): Timers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout: (fn, ms) => {
      const id = next++;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => {
      due.delete(h as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        // (one fired before may have cleared it)
        if (t.at <= now && due.has(id)) {
          due.delete(id);
          t.fn();
        }
      }
    },
    pending: () => due.size,
  };
}

function setup(
  o: {
    retrieving?: Set<string>;
    lastRun?: Partial<PrefetchRun>;
    seriesCount?: number;
    patientId?: string;
    lookWhileArriving?: boolean;
    quietSeconds?: number;
    /** The series the cache holds now, read at each look (overrides seriesCount); the runs remember it as the prefetcher does. */
    series?: { count: number };
  } = {},
) {
  const timers = manualTimers();
  const runs: PrefetchRequest[] = [];
  const seriesAtRun: number[] = [];
  const seriesNow = () => o.series?.count ?? o.seriesCount ?? 1;
  const study = (uid: string): StudyRecord => ({
    StudyInstanceUID: uid,
    PatientID: o.patientId ?? 'P1',
    IssuerOfPatientID: '',
    ModalitiesInStudy: ['CT'],
    SOPClassesInStudy: [],
    NumberOfStudyRelatedSeries: 1,
    NumberOfStudyRelatedInstances: 3,
    size: 1,
    lastAccessedAt: 0,
    lastReceivedAt: 0,
  });
  const trigger = new ArrivalTrigger({
    prefetcher: {
      run: async (r) => {
        runs.push(r);
        seriesAtRun.push(seriesNow());
        return {} as PrefetchRun;
      },
      hasNodes: () => true,
    },
    cache: { study, flushIndex: () => undefined, series: () => Array.from({ length: seriesNow() }, () => ({ Modality: 'CT' })) },
    lastRunFor: () => {
      if (o.lastRun) return { state: 'completed', ...o.lastRun } as PrefetchRun;
      const last = o.series ? seriesAtRun.at(-1) : undefined;
      if (last === undefined) return undefined;
      return { state: 'completed', current: { modalities: ['CT'], bodyParts: [], source: 'cache', seriesCount: last } } as unknown as PrefetchRun;
    },
    aeTitle: () => 'PRIORS',
    retrieving: (uid) => o.retrieving?.has(uid) ?? false,
    settings: () => ({ ...DEFAULT_PREFETCH, quietSeconds: o.quietSeconds ?? 5, lookWhileArriving: o.lookWhileArriving ?? false }),
    timers,
  });
  return { trigger, timers, runs };
}

const assoc = (id: string, calling = 'CT1') => ({ id, callingAeTitle: calling, calledAeTitle: 'PRIORS', peerAddress: '10.0.0.9', peerPort: 1 });
function stored(study: string, association: string, extra: Partial<StoredEvent> = {}): StoredEvent {
  return {
    association: assoc(association),
    sopInstanceUid: `${study}.${Math.random()}`,
    studyInstanceUid: study,
    seriesInstanceUid: `${study}.1`,
    duplicate: false,
    ...extra,
  };
}

test('a study settles 5 s after its last association ended; a new association in between holds it', async () => {
  const { trigger, timers, runs } = setup();
  trigger.onStored(stored('1.1', 'a1'));
  trigger.onStored(stored('1.1', 'a2'));
  trigger.onAssociationEnded(assoc('a1'));
  timers.advance(10_000);
  assert.equal(runs.length, 0, 'a2 is still open');
  trigger.onAssociationEnded(assoc('a2'));
  timers.advance(4_000);
  trigger.onStored(stored('1.1', 'a3')); // the next series comes within the quiet time
  timers.advance(2_000);
  assert.equal(runs.length, 0);
  trigger.onAssociationEnded(assoc('a3'));
  timers.advance(5_000);
  await trigger.idle();
  assert.deepEqual(
    runs.map((r) => [r.trigger, r.PatientID, r.triggerDetail, r.current]),
    [['arrival', 'P1', 'CT from CT1', { StudyInstanceUID: '1.1' }]],
  );
});

test('our own retrieves, duplicates, and studies a transfer job is fetching start nothing', async () => {
  const { trigger, timers, runs } = setup({ retrieving: new Set(['2.2']) });
  trigger.onStored(stored('2.1', 'a1', { moveOriginatorAeTitle: 'PRIORS' }));
  trigger.onStored(stored('2.2', 'a1'));
  trigger.onStored(stored('2.3', 'a1', { duplicate: true }));
  trigger.onAssociationEnded(assoc('a1'));
  timers.advance(60_000);
  await trigger.idle();
  assert.deepEqual(runs, []);
  assert.equal(timers.pending(), 0);
});

test('a C-MOVE by another node naming us as destination is an arrival', async () => {
  const { trigger, timers, runs } = setup();
  trigger.onStored(stored('3.1', 'a1', { moveOriginatorAeTitle: 'OTHERWS' }));
  trigger.onAssociationEnded(assoc('a1'));
  timers.advance(5_000);
  await trigger.idle();
  assert.equal(runs.length, 1);
});

test('a study already looked at is looked at again only when it gained a series', async () => {
  const same = setup({ lastRun: { current: { modalities: ['CT'], bodyParts: [], source: 'cache', seriesCount: 1 } } });
  same.trigger.onStored(stored('4.1', 'a1'));
  same.trigger.onAssociationEnded(assoc('a1'));
  same.timers.advance(5_000);
  await same.trigger.idle();
  assert.equal(same.runs.length, 0);
  const grown = setup({ seriesCount: 2, lastRun: { current: { modalities: ['CT'], bodyParts: [], source: 'cache', seriesCount: 1 } } });
  grown.trigger.onStored(stored('4.1', 'a1'));
  grown.trigger.onAssociationEnded(assoc('a1'));
  grown.timers.advance(5_000);
  await grown.trigger.idle();
  assert.equal(grown.runs.length, 1);
});

test('imports settle at once; a study without Patient ID starts nothing', async () => {
  const { trigger, timers, runs } = setup();
  trigger.onImported(['5.1', '5.2']);
  timers.advance(5_000);
  await trigger.idle();
  assert.deepEqual(
    runs.map((r) => r.triggerDetail),
    ['CT from an import', 'CT from an import'],
  );
  const anonymous = setup({ patientId: '' });
  anonymous.trigger.onImported(['5.3']);
  anonymous.timers.advance(5_000);
  await anonymous.trigger.idle();
  assert.deepEqual(anonymous.runs, []);
});

test('looking while a study arrives: a moment after its first instance, its sender still sending; again once settled only if series came', async () => {
  const series = { count: 1 };
  const { trigger, timers, runs } = setup({ lookWhileArriving: true, series });
  trigger.onStored(stored('5.1', 'a1'));
  timers.advance(FIRST_LOOK_MS - 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(runs.length, 0, 'not before the moment');
  timers.advance(1);
  trigger.onStored(stored('5.1', 'a1'));
  await new Promise((r) => setImmediate(r));
  assert.equal(runs.length, 1, 'looked while a1 is still open');
  // the rest of the first series, then a second series, on the same association
  trigger.onStored(stored('5.1', 'a1'));
  series.count = 2;
  trigger.onStored(stored('5.1', 'a1', { seriesInstanceUid: '5.1.2' }));
  trigger.onAssociationEnded(assoc('a1'));
  timers.advance(5_000);
  await trigger.idle();
  assert.equal(runs.length, 2, 'looked again: a series came since');

  const same = setup({ lookWhileArriving: true, series: { count: 1 } });
  same.trigger.onStored(stored('5.2', 'a1'));
  same.timers.advance(FIRST_LOOK_MS);
  same.trigger.onAssociationEnded(assoc('a1'));
  same.timers.advance(5_000);
  await same.trigger.idle();
  assert.equal(same.runs.length, 1, 'settled with no series since: no second look');
});

test('looking while a study arrives: a study that settles before the moment is looked at once; our retrieves never', async () => {
  // no quiet time: the study settles when its association ends, before the moment of the look while arriving
  const { trigger, timers, runs } = setup({ lookWhileArriving: true, quietSeconds: 0, retrieving: new Set(['6.2']) });
  trigger.onStored(stored('6.1', 'a1'));
  trigger.onStored(stored('6.2', 'a1'));
  trigger.onStored(stored('6.3', 'a1', { moveOriginatorAeTitle: 'PRIORS' }));
  trigger.onAssociationEnded(assoc('a1'));
  timers.advance(60_000);
  await trigger.idle();
  assert.deepEqual(
    runs.map((r) => r.current),
    [{ StudyInstanceUID: '6.1' }],
  );
  assert.equal(timers.pending(), 0);
});
