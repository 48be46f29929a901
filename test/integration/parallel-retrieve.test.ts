// A study retrieved over several associations at once: the transfer queue gives a job the node's
// free associations, the study splits into one C-MOVE per series side by side, every instance
// arrives and is verified exactly once; a PACS that takes one association per caller still
// gets the whole study, on one association.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type Config } from '../../shared/config.js';
import type { TransferJob } from '../../shared/transfers.js';
import { Cache } from '../../electron/cache/index.js';
import { retrieve } from '../../electron/services/retrieve/retrieve.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import type { StoredEvent } from '../../electron/services/local-scp/handlers.js';
import { TransferQueue } from '../../electron/services/transfers/index.js';
import { studySeries } from '../../electron/services/transfers/plan.js';
import { generateCtSeries } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
const SERIES = 4;
const PER_SERIES = 30;

let srcCache: Cache;
let study = '';
const servers: ServeHandle[] = [];
const caches: Cache[] = [];

before(async () => {
  srcCache = await Cache.open(tempDir('parallel-src'));
  caches.push(srcCache);
  for (let k = 0; k < SERIES; k++) {
    const s = await generateCtSeries({
      count: PER_SERIES,
      rows: 64,
      cols: 64,
      patientId: 'PAR-1',
      seriesNumber: k + 1,
      seed: 300 + k,
      ...(study ? { studyInstanceUid: study } : {}),
    });
    study ||= s.StudyInstanceUID;
    await srcCache.importPaths([s.dir]);
  }
  assert.equal(srcCache.study(study)!.NumberOfStudyRelatedInstances, SERIES * PER_SERIES);
});

after(async () => {
  for (const s of servers) await s.close();
  for (const c of caches) await c.close();
});

/** A destination workstation and the source archive, the archive allowing `perCaller` associations from it. */
async function setUp(perCaller?: number): Promise<{ queue: TransferQueue; dest: ServeHandle; dstCache: Cache }> {
  const dstCache = await Cache.open(tempDir('parallel-dst'));
  caches.push(dstCache);
  const config: Config = { ...defaultConfig(), timeouts, local: { ...defaultConfig().local, aeTitle: 'PRIORS', port: 0, bindAddress: '127.0.0.1' } };
  const dest = await startServer({ config, cache: dstCache, queryRetrieve: false, audit: false });
  servers.push(dest);
  const priorsNode = {
    name: 'priors',
    aeTitle: 'PRIORS',
    host: '127.0.0.1',
    port: dest.port,
    model: 'study' as const,
    method: 'move' as const,
    maxAssociations: 4,
    ...(perCaller ? { maxIncomingAssociations: perCaller } : {}),
  };
  const srcConfig: Config = {
    ...defaultConfig(),
    timeouts,
    nodes: [priorsNode],
    local: { ...defaultConfig().local, aeTitle: 'SOURCE', port: 0, bindAddress: '127.0.0.1' },
  };
  const source = await startServer({ config: srcConfig, cache: srcCache, audit: false });
  servers.push(source);
  config.nodes = [{ name: 'source', aeTitle: 'SOURCE', host: '127.0.0.1', port: source.port, model: 'study', method: 'move', maxAssociations: 4 }];
  const queue = new TransferQueue({
    cache: dstCache,
    config: () => config,
    retrieve,
    settleMs: 500,
    local: { aeTitle: 'PRIORS', port: dest.port, host: '127.0.0.1', storedListeners: dest.storedListeners },
    scu: { timeouts },
  });
  queue.start();
  return { queue, dest, dstCache };
}

/** The most sub-associations that delivered instances at the same time. */
function overlap(events: { id: string; at: number }[]): number {
  const spans = new Map<string, [number, number]>();
  for (const e of events) {
    const s = spans.get(e.id);
    spans.set(e.id, s ? [Math.min(s[0], e.at), Math.max(s[1], e.at)] : [e.at, e.at]);
  }
  const edges = [...spans.values()]
    .flatMap(
      ([a, b]) =>
        [
          [a, 1],
          [b, -1],
        ] as const,
    )
    .sort((x, y) => x[0] - y[0] || y[1] - x[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) {
    now += d;
    most = Math.max(most, now);
  }
  return most;
}

async function runJob(queue: TransferQueue, dest: ServeHandle): Promise<{ done: TransferJob; deliveries: { id: string; at: number; sop: string }[] }> {
  const deliveries: { id: string; at: number; sop: string }[] = [];
  const listen = (e: StoredEvent) => deliveries.push({ id: e.association.id, at: performance.now(), sop: e.sopInstanceUid });
  dest.storedListeners.add(listen);
  const job = queue.add({ node: 'source', level: 'STUDY', StudyInstanceUID: study, expected: SERIES * PER_SERIES });
  await queue.idle();
  dest.storedListeners.delete(listen);
  const done = queue.get(job.id)!;
  await queue.close();
  return { done, deliveries };
}

describe('parallel retrieve', () => {
  test('a 4-series study comes over several associations at once, every instance once, the job verified', async () => {
    const { queue, dest, dstCache } = await setUp();
    const { done, deliveries } = await runJob(queue, dest);
    assert.equal(done.state, 'completed', done.verdict?.sentence);
    assert.equal(done.progress.arrived, SERIES * PER_SERIES);
    assert.equal(done.progress.completed, SERIES * PER_SERIES);
    assert.equal(new Set(deliveries.map((d) => d.sop)).size, SERIES * PER_SERIES);
    assert.equal(deliveries.length, SERIES * PER_SERIES, 'no instance sent twice');
    assert.equal(dstCache.study(study)!.NumberOfStudyRelatedInstances, SERIES * PER_SERIES);
    const sub = new Set(deliveries.map((d) => d.id)).size;
    assert.equal(sub, SERIES, 'one C-MOVE (and sub-association) per series');
    assert.ok(overlap(deliveries) >= 2, `at most ${overlap(deliveries)} sub-associations delivered at once`);
  });

  test('an archive that takes one association per caller: the study still arrives whole, on one', async () => {
    const { queue, dest, dstCache } = await setUp(1);
    const { done, deliveries } = await runJob(queue, dest);
    assert.equal(done.state, 'completed', done.verdict?.sentence);
    assert.equal(done.progress.arrived, SERIES * PER_SERIES);
    assert.equal(deliveries.length, SERIES * PER_SERIES);
    assert.equal(dstCache.study(study)!.NumberOfStudyRelatedInstances, SERIES * PER_SERIES);
    assert.equal(overlap(deliveries), 1, 'one series at a time');
  });

  test("a study as parts (priors move): every part's association opens at once, up to the node's maximum", async () => {
    const { queue, dest } = await setUp();
    await queue.close();
    const node = { name: 'source', aeTitle: 'SOURCE', host: '127.0.0.1', port: 0, model: 'study' as const, method: 'move' as const, maxAssociations: 4 };
    const source = servers.find((s) => s.aeTitle === 'SOURCE' && s !== dest)!;
    node.port = source.port;
    const parts = await studySeries(node, study, { callingAeTitle: 'PRIORS', timeouts });
    assert.equal(parts?.length, SERIES);
    const lines: string[] = [];
    const identifier = new Map(parts![0]!.identifier);
    const report = await retrieve(
      { node, method: 'move', model: 'study', level: 'STUDY', identifier, destination: 'PRIORS' },
      {
        scu: { callingAeTitle: 'PRIORS', timeouts, log: (_level, message) => lines.push(message) },
        local: { aeTitle: 'PRIORS', host: '127.0.0.1', port: dest.port },
        parts: { level: 'SERIES', identifiers: parts!.map((p) => p.identifier), concurrency: 4 },
      },
    );
    assert.equal(report.claimed.completed, SERIES * PER_SERIES, JSON.stringify(report));
    const firstClose = lines.findIndex((l) => / closed after /.test(l));
    const connectsBefore = lines.slice(0, firstClose < 0 ? lines.length : firstClose).filter((l) => / connecting to SOURCE@/.test(l)).length;
    assert.equal(connectsBefore, SERIES, `associations opened before the first one closed: ${connectsBefore}\n${lines.join('\n')}`);
  });
});
