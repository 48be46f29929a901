// The transfer queue against two servers of ours on port 0, as `priors serve` runs them: a
// source (the pydicom corpus and a synthetic series of many tiny instances) and this
// workstation's SCP as the C-MOVE destination. Jobs by C-GET and C-MOVE reach a verified end;
// per-node concurrency, throttled progress, cancel, retry (fetching only what is missing),
// instances already cached, and a queue closed while running resumes on the same data dir.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultConfig, type Config, type RemoteNode } from '../../shared/config.js';
import type { TransferEvent, TransferJob } from '../../shared/transfers.js';
import { Cache } from '../../electron/cache/index.js';
import { retrieve } from '../../electron/services/retrieve/retrieve.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { TransferQueue } from '../../electron/services/transfers/index.js';
import { generateCtSeries } from '../helpers/data.js';
import { PYDICOM_DATA } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
/** The corpus study of 50 CT instances (one series) and one of 11 MR instances in 3 series. */
const CT50 = '1.2.826.0.1.3680043.8.498.64108189007039777171766333999874882472';
const MR11 = '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.1';
// (two of its instances are in transfer syntaxes a C-GET does not offer by default: moved, not got)
const SC12 = '1.2.826.0.1.3680043.8.498.12406831542731051035295345080039845114';
const BIG_COUNT = 1500;

let srcCache: Cache;
let dstCache: Cache;
let source: ServeHandle;
let dest: ServeHandle;
let big: { StudyInstanceUID: string; SeriesInstanceUID: string };
const config: Config = defaultConfig();
let node: RemoteNode;

function queue(over: Partial<ConstructorParameters<typeof TransferQueue>[0]> = {}): TransferQueue {
  return new TransferQueue({
    cache: dstCache,
    config: () => config,
    retrieve,
    settleMs: 500,
    local: { aeTitle: 'PRIORS', port: dest.port, host: '127.0.0.1', storedListeners: dest.storedListeners },
    scu: { timeouts },
    ...over,
  });
}

function record(q: TransferQueue): TransferEvent[] {
  const events: TransferEvent[] = [];
  q.on((e) => events.push(e));
  return events;
}

/** Resolves with the job's job.finished event. */
function finished(q: TransferQueue, id: string): Promise<TransferJob> {
  return new Promise((resolve) => {
    const off = q.on((e) => {
      if (e.type === 'job.finished' && e.job.id === id) {
        off();
        resolve(e.job);
      }
    });
  });
}

function expected(study: string): number {
  return srcCache.study(study)!.NumberOfStudyRelatedInstances;
}

before(async () => {
  srcCache = await Cache.open(tempDir('transfers-src'));
  const imported = await srcCache.importPaths([join(PYDICOM_DATA, 'test_files')]);
  assert.ok(imported.imported > 50);
  const series = await generateCtSeries({ mode: 'tiny', count: BIG_COUNT, patientName: 'BIG^TINY', patientId: 'BIG1' });
  await srcCache.importPaths([series.dir]);
  big = { StudyInstanceUID: series.StudyInstanceUID, SeriesInstanceUID: series.SeriesInstanceUID };
  dstCache = await Cache.open(tempDir('transfers-dst'));
  config.local = { ...config.local, aeTitle: 'PRIORS', port: 0, bindAddress: '127.0.0.1' };
  config.timeouts = timeouts;
  dest = await startServer({ config, cache: dstCache, queryRetrieve: false });
  const srcConfig = defaultConfig();
  srcConfig.local = { ...srcConfig.local, aeTitle: 'SOURCE', port: 0, bindAddress: '127.0.0.1' };
  srcConfig.timeouts = timeouts;
  source = await startServer({
    config: srcConfig,
    cache: srcCache,
    nodes: () => [{ name: 'priors', aeTitle: 'PRIORS', host: '127.0.0.1', port: dest.port, model: 'study', method: 'move', maxAssociations: 4 }],
  });
  node = { name: 'source', aeTitle: 'SOURCE', host: '127.0.0.1', port: source.port, model: 'study', method: 'get', maxAssociations: 2 };
  config.nodes = [node];
});

after(async () => {
  await source?.close();
  await dest?.close();
  await srcCache?.close();
  await dstCache?.close();
});

describe('transfer queue against our own servers', () => {
  test('two jobs, by C-GET and by C-MOVE, end verified-complete with events added → progress → finished', async () => {
    const q = queue();
    const events = record(q);
    q.start();
    const a = q.add({ node: 'source', level: 'STUDY', StudyInstanceUID: CT50, expected: expected(CT50), label: 'CT 50' });
    const b = q.add({ node: 'source', method: 'move', level: 'STUDY', StudyInstanceUID: MR11, expected: expected(MR11) });
    assert.equal(a.method, 'get', 'the node method by default');
    await q.idle();
    for (const [job, how, n] of [
      [a, 'C-GET', 50],
      [b, 'C-MOVE', 11],
    ] as const) {
      const done = q.get(job.id)!;
      assert.equal(done.state, 'completed', done.verdict?.sentence);
      assert.equal(done.verdict!.sentence, `Retrieved ${n} instances from SOURCE by ${how}; all ${n} expected are in the cache.`);
      assert.equal(done.progress.arrived, n);
      assert.equal(done.progress.completed, n);
      assert.ok(done.progress.bytes > 0);
      assert.equal(done.attempts, 1);
      const mine = events.filter((e) => e.job.id === job.id).map((e) => e.type);
      assert.equal(mine[0], 'job.added');
      assert.equal(mine.at(-1), 'job.finished');
      assert.ok(mine.includes('job.progress'));
    }
    assert.equal(dstCache.study(CT50)!.NumberOfStudyRelatedInstances, 50);
    assert.equal(dstCache.study(MR11)!.NumberOfStudyRelatedInstances, 11);
    await q.close();
  });

  test('a job whose instances are all cached ends complete without fetching', async () => {
    const q = queue();
    q.start();
    const job = q.add({ node: 'source', level: 'STUDY', StudyInstanceUID: CT50, expected: 50 });
    const done = await finished(q, job.id);
    assert.equal(done.state, 'completed');
    assert.equal(done.verdict!.sentence, 'All 50 instances were already in the cache; nothing was fetched.');
    assert.equal(done.progress.skipped, 50);
    await q.close();
  });

  test('per-node concurrency: never more than maxAssociations jobs of a node run at once, first in first out', async () => {
    const q = queue();
    let runningNow = 0;
    let most = 0;
    const startOrder: string[] = [];
    const seenRunning = new Set<string>();
    q.on((e) => {
      if (e.job.state === 'running' && !seenRunning.has(e.job.id)) {
        seenRunning.add(e.job.id);
        startOrder.push(e.job.id);
        runningNow++;
        most = Math.max(most, runningNow);
      }
      if (e.type === 'job.finished' && seenRunning.has(e.job.id)) runningNow--;
    });
    const series = dstCache.series(MR11).map((s) => s.SeriesInstanceUID);
    await dstCache.deleteStudy(MR11);
    await dstCache.deleteStudy(CT50);
    const ids = [
      q.add({ node: 'source', level: 'STUDY', StudyInstanceUID: CT50, expected: 50 }),
      ...series.map((s) => q.add({ node: 'source', method: 'move', level: 'SERIES', StudyInstanceUID: MR11, SeriesInstanceUIDs: [s] })),
      q.add({ node: 'source', method: 'move', level: 'STUDY', StudyInstanceUID: SC12, expected: expected(SC12) }),
    ].map((j) => j.id);
    q.start();
    await q.idle();
    assert.equal(most, 2, 'two at a time');
    assert.deepEqual(startOrder, ids, 'in queue order');
    for (const id of ids) assert.equal(q.get(id)!.state, 'completed', q.get(id)!.verdict?.sentence);
    await q.close();

    node.maxAssociations = 1;
    await dstCache.deleteStudy(SC12);
    await dstCache.deleteStudy(MR11);
    const one = queue();
    const j1 = one.add({ node: 'source', method: 'move', level: 'STUDY', StudyInstanceUID: SC12 });
    const j2 = one.add({ node: 'source', level: 'STUDY', StudyInstanceUID: MR11 });
    one.start();
    await one.idle();
    const [d1, d2] = [one.get(j1.id)!, one.get(j2.id)!];
    assert.ok(d2.startedAt! >= d1.finishedAt!, 'the second starts after the first ends');
    node.maxAssociations = 2;
    await one.close();
  });

  test('a large job: throttled progress with MB/s and ETA, cancel (C-CANCEL), then retry fetches only what is missing', async () => {
    const q = queue();
    const events = record(q);
    q.start();
    const job = q.add({ node: 'source', level: 'STUDY', StudyInstanceUID: big.StudyInstanceUID, expected: BIG_COUNT });
    const end = finished(q, job.id);
    let cancelledAt = 0;
    const off = q.on((e) => {
      if (e.type === 'job.progress' && e.job.id === job.id && e.job.progress.arrived >= 100 && !cancelledAt) {
        cancelledAt = e.job.progress.arrived;
        q.cancel(job.id);
      }
    });
    const done = await end;
    off();
    assert.ok(cancelledAt > 0, 'progress was seen before the end');
    assert.equal(done.state, 'cancelled', done.verdict?.sentence);
    assert.match(done.verdict!.sentence, /^The retrieve was cancelled; \d+ instances arrived before it stopped\.$/);
    const held = dstCache.study(big.StudyInstanceUID)?.NumberOfStudyRelatedInstances ?? 0;
    assert.ok(held < BIG_COUNT, `cancel stopped the transfer (${held} arrived)`);
    const progress = events.filter((e) => e.type === 'job.progress' && e.job.id === job.id && e.job.state === 'running');
    const withRate = progress.filter((e) => e.job.progress.mbPerSecond !== undefined && e.job.progress.etaSeconds !== undefined);
    assert.ok(withRate.length > 0, 'MB/s and ETA are reported');

    // retry: what is cached is skipped (C-FIND at IMAGE level, C-GET of the missing UIDs only)
    const retried = q.retry(job.id)!;
    assert.equal(retried.state, 'queued');
    const again = await finished(q, job.id);
    assert.equal(again.state, 'completed', again.verdict?.sentence);
    assert.equal(again.attempts, 2);
    assert.equal(again.progress.skipped, held);
    assert.equal(again.progress.arrived, BIG_COUNT - held);
    assert.equal(dstCache.study(big.StudyInstanceUID)!.NumberOfStudyRelatedInstances, BIG_COUNT);
    assert.equal(q.retry(job.id), undefined, 'a completed job is not retried');
    await q.close();
  });

  test('progress events are throttled to at most 4 per second per job', async () => {
    await dstCache.deleteStudy(big.StudyInstanceUID);
    const q = queue();
    const stamps: number[] = [];
    q.on((e) => {
      if (e.type === 'job.progress' && e.job.state === 'running') stamps.push(Date.now());
    });
    q.start();
    const job = q.add({ node: 'source', method: 'move', level: 'STUDY', StudyInstanceUID: big.StudyInstanceUID, expected: BIG_COUNT });
    const done = await finished(q, job.id);
    assert.equal(done.state, 'completed', done.verdict?.sentence);
    // the first event says "running" at once; the throttled ones follow at ≥ 250 ms intervals
    const gaps = stamps.slice(2).map((t, i) => t - stamps[i + 1]!);
    assert.ok(
      gaps.every((g) => g >= 240),
      `gaps ${gaps.join(',')}`,
    );
    await q.close();
  });

  test('a queue closed while a job runs resumes it when reopened on the same data directory', async () => {
    await dstCache.deleteStudy(big.StudyInstanceUID);
    const q = queue();
    q.start();
    const job = q.add({ node: 'source', level: 'STUDY', StudyInstanceUID: big.StudyInstanceUID, expected: BIG_COUNT });
    await new Promise<void>((resolve) => {
      const off = q.on((e) => {
        if (e.job.progress.arrived > 50) {
          off();
          resolve();
        }
      });
    });
    await q.close();
    const reopened = queue();
    const events = record(reopened);
    const resumed = reopened.start();
    assert.deepEqual(
      resumed.map((j) => [j.id, j.state]),
      [[job.id, 'queued']],
    );
    const done = await finished(reopened, job.id);
    assert.equal(done.state, 'completed', done.verdict?.sentence);
    assert.equal(done.attempts, 2);
    assert.ok(events.some((e) => e.type === 'job.progress'));
    assert.equal(dstCache.study(big.StudyInstanceUID)!.NumberOfStudyRelatedInstances, BIG_COUNT);
    await reopened.close();
  });

  test('bad requests are refused with a sentence; a node that does not answer fails the job with one', async () => {
    const q = queue();
    q.start();
    assert.throws(() => q.add({ node: 'nope', level: 'STUDY', StudyInstanceUID: CT50 }), /No node named "nope"/);
    assert.throws(() => q.add({ node: 'source', level: 'STUDY', StudyInstanceUID: 'not a uid' }), /StudyInstanceUID is not a UID/);
    assert.throws(() => q.add({ node: 'source', level: 'SERIES', StudyInstanceUID: CT50 }), /at least one SeriesInstanceUID/);
    config.nodes = [node, { ...node, name: 'down', port: 1 }];
    const job = q.add({ node: 'down', level: 'STUDY', StudyInstanceUID: MR11 });
    const done = await finished(q, job.id);
    config.nodes = [node];
    assert.equal(done.state, 'failed');
    assert.equal(done.verdict!.code, 'connection-refused');
    assert.match(done.verdict!.sentence, /^Nothing accepts connections at 127\.0\.0\.1:1/);
    assert.equal(q.retry('no-such-id'), undefined);
    assert.ok(q.clearFinished() > 0);
    assert.deepEqual(
      q.list().filter((j) => j.state !== 'queued' && j.state !== 'running'),
      [],
    );
    await q.close();
  });
});
