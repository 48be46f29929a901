// A retrieve asked to fetch one series first (TransferRequest.firstSeries, what the viewer asks
// for when it opens a study that is still arriving): every instance of that series arrives
// before any instance of the others, over the node's associations side by side (the series cut
// into IMAGE-level parts from the middle of the stack) or over one; the job still verifies
// every instance exactly once. The series asked for is the smallest, which a study's default
// order (largest first) would fetch last.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type Config } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { retrieve } from '../../electron/services/retrieve/retrieve.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import type { StoredEvent } from '../../electron/services/local-scp/handlers.js';
import { TransferQueue } from '../../electron/services/transfers/index.js';
import { generateCtSeries } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
const SIZES = [30, 24, 18, 12];
const TOTAL = SIZES.reduce((a, b) => a + b, 0);

let srcCache: Cache;
let study = '';
const seriesUids: string[] = [];
const servers: ServeHandle[] = [];
const caches: Cache[] = [];

before(async () => {
  srcCache = await Cache.open(tempDir('first-series-src'));
  caches.push(srcCache);
  for (const [k, count] of SIZES.entries()) {
    const s = await generateCtSeries({
      count,
      rows: 64,
      cols: 64,
      patientId: 'FIRST-1',
      seriesNumber: k + 1,
      seed: 700 + k,
      ...(study ? { studyInstanceUid: study } : {}),
    });
    study ||= s.StudyInstanceUID;
    seriesUids.push(s.SeriesInstanceUID);
    await srcCache.importPaths([s.dir]);
  }
  assert.equal(srcCache.study(study)!.NumberOfStudyRelatedInstances, TOTAL);
});

after(async () => {
  for (const s of servers) await s.close();
  for (const c of caches) await c.close();
});

/** Retrieves the study from an archive (our own SCP) with `firstSeries`; the series of each arrival, in order. */
async function retrieveFirst(firstSeries: string, maxAssociations: number) {
  const dstCache = await Cache.open(tempDir('first-series-dst'));
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
  };
  const srcConfig: Config = {
    ...defaultConfig(),
    timeouts,
    nodes: [priorsNode],
    local: { ...defaultConfig().local, aeTitle: 'SOURCE', port: 0, bindAddress: '127.0.0.1' },
  };
  const source = await startServer({ config: srcConfig, cache: srcCache, audit: false });
  servers.push(source);
  config.nodes = [{ name: 'source', aeTitle: 'SOURCE', host: '127.0.0.1', port: source.port, model: 'study', method: 'move', maxAssociations }];
  const queue = new TransferQueue({
    cache: dstCache,
    config: () => config,
    retrieve,
    settleMs: 500,
    local: { aeTitle: 'PRIORS', port: dest.port, host: '127.0.0.1', storedListeners: dest.storedListeners },
    scu: { timeouts },
  });
  queue.start();
  const arrivals: { series: string; association: string; sop: string }[] = [];
  const listen = (e: StoredEvent) => arrivals.push({ series: e.seriesInstanceUid, association: e.association.id, sop: e.sopInstanceUid });
  dest.storedListeners.add(listen);
  const added = queue.add({ node: 'source', level: 'STUDY', StudyInstanceUID: study, expected: TOTAL, firstSeries });
  assert.equal(added.firstSeries, firstSeries, 'the job says which series it fetches first');
  await queue.idle();
  dest.storedListeners.delete(listen);
  const done = queue.get(added.id)!;
  await queue.close();
  return { done, arrivals, dstCache };
}

function assertFirst(arrivals: { series: string; sop: string }[], first: string): void {
  const n = SIZES[seriesUids.indexOf(first)]!;
  const head = arrivals.slice(0, n);
  const strays = head.filter((a) => a.series !== first).length;
  assert.equal(strays, 0, `${strays} instances of other series arrived among the first ${n}`);
  assert.equal(new Set(head.map((a) => a.sop)).size, n, 'the first arrivals are the whole series asked for first');
}

describe('a retrieve fetches the series asked for first', () => {
  test('over four associations: the smallest series, asked first, arrives whole before any other, in parts side by side', async () => {
    const first = seriesUids[3]!;
    const { done, arrivals, dstCache } = await retrieveFirst(first, 4);
    assert.equal(done.state, 'completed', done.verdict?.sentence);
    assert.equal(done.progress.arrived, TOTAL);
    assert.equal(arrivals.length, TOTAL, 'no instance sent twice');
    assert.equal(new Set(arrivals.map((a) => a.sop)).size, TOTAL);
    assertFirst(arrivals, first);
    const parts = new Set(arrivals.filter((a) => a.series === first).map((a) => a.association)).size;
    assert.ok(parts >= 2, `the series came over ${parts} sub-association(s), not side by side`);
    assert.equal(dstCache.study(study)!.NumberOfStudyRelatedInstances, TOTAL);
  });

  test('over one association: the series asked for comes first, then the others', async () => {
    const first = seriesUids[2]!;
    const { done, arrivals } = await retrieveFirst(first, 1);
    assert.equal(done.state, 'completed', done.verdict?.sentence);
    assert.equal(arrivals.length, TOTAL);
    assertFirst(arrivals, first);
    assert.equal(new Set(arrivals.filter((a) => a.series === first).map((a) => a.association)).size, 1, 'one C-MOVE for the series');
  });

  test("a firstSeries that is not a UID, or not among a SERIES retrieve's series, is refused with the sentence", async () => {
    const dstCache = await Cache.open(tempDir('first-series-bad'));
    caches.push(dstCache);
    const config: Config = {
      ...defaultConfig(),
      nodes: [{ name: 'source', aeTitle: 'SOURCE', host: '127.0.0.1', port: 1, model: 'study', method: 'move', maxAssociations: 4 }],
    };
    const queue = new TransferQueue({ cache: dstCache, config, retrieve, local: { aeTitle: 'PRIORS', port: 1, storedListeners: new Set() } });
    assert.throws(() => queue.add({ node: 'source', level: 'STUDY', StudyInstanceUID: study, firstSeries: 'not a uid' }), /firstSeries is not a UID/);
    assert.throws(
      () => queue.add({ node: 'source', level: 'SERIES', StudyInstanceUID: study, SeriesInstanceUIDs: [seriesUids[0]!], firstSeries: seriesUids[1]! }),
      /firstSeries must be one of the SeriesInstanceUIDs/,
    );
    await queue.close();
  });
});
