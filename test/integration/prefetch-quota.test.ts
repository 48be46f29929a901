// Prefetch within the cache's limits, our SCU and SCP on both sides: an archive (a second Priors
// SCP) holds a patient's three priors; ours has room for two more studies once it evicts the one
// study nothing protects. The first two priors arrive (the unprotected study is evicted for the
// second), the third is refused A700, and prefetch stops with a sentence: the study open in the
// viewer, the current study and the priors already in are never evicted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultConfig, type Config } from '../../shared/config.js';
import type { PrefetchRun } from '../../shared/prefetch.js';
import { Cache } from '../../electron/cache/index.js';
import { composeAppCore, type ComposedCore } from '../../electron/app/compose.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { instancesFromPaths, sendInstances } from '../../electron/services/send/send.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { dicomDay } from '../helpers/e2e-pacs.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };

describe('prefetch when the cache is full', { timeout: 180_000 }, () => {
  const work = tempDir('prefetch-quota');
  const s: Record<string, GeneratedSeries> = {};
  let archiveCache: Cache;
  let archive: ServeHandle;
  let cache: Cache;
  let server: ServeHandle;
  let composed: ComposedCore;

  const send = async (x: GeneratedSeries, port: number, aeTitle: string) => {
    const { instances } = await instancesFromPaths(x.files);
    const r = await sendInstances({ aeTitle, host: '127.0.0.1', port }, instances, { callingAeTitle: 'MODALITY', timeouts });
    assert.equal(r.sent, x.files.length, JSON.stringify(r.results.filter((v) => v.status !== 0)));
  };
  const held = (x: GeneratedSeries) => cache.study(x.StudyInstanceUID)?.NumberOfStudyRelatedInstances ?? 0;

  before(async () => {
    const spec = { count: 10, rows: 64, cols: 64, patientId: 'PQ-1', patientName: 'QUOTA^PREFETCH' };
    s.current = await generateCtSeries({ ...spec, studyDate: dicomDay(0), accession: 'PQ-C' });
    s.p1 = await generateCtSeries({ ...spec, studyDate: dicomDay(-100), accession: 'PQ-1' });
    s.p2 = await generateCtSeries({ ...spec, studyDate: dicomDay(-200), accession: 'PQ-2' });
    s.p3 = await generateCtSeries({ ...spec, studyDate: dicomDay(-300), accession: 'PQ-3' });
    s.open = await generateCtSeries({ count: 10, rows: 64, cols: 64, patientId: 'PQ-V', patientName: 'VIEWED^PATIENT', accession: 'PQ-V' });
    s.idle = await generateCtSeries({ count: 10, rows: 64, cols: 64, patientId: 'PQ-U', patientName: 'IDLE^PATIENT', accession: 'PQ-U' });

    const config: Config = { ...defaultConfig(), timeouts, prefetch: { enabled: true, quietSeconds: 0, lookWhileArriving: false } };
    config.local = { ...config.local, aeTitle: 'PRIORS', port: 0, bindAddress: '127.0.0.1' };
    const activity = new ActivityLog();
    cache = await Cache.open(join(work, 'ours'), { log: activity.logger });
    server = await startServer({ config, cache, log: activity.logger });

    archiveCache = await Cache.open(join(work, 'archive'));
    const archiveConfig: Config = {
      ...defaultConfig(),
      timeouts,
      nodes: [{ name: 'priors', aeTitle: 'PRIORS', host: '127.0.0.1', port: server.port, model: 'study', method: 'move', maxAssociations: 2 }],
    };
    archive = await startServer({ config: archiveConfig, cache: archiveCache, port: 0, bindAddress: '127.0.0.1', aeTitle: 'ARCHIVE', audit: false });
    for (const x of [s.p1!, s.p2!, s.p3!]) await send(x, archive.port, 'ARCHIVE');

    config.nodes = [{ name: 'archive', aeTitle: 'ARCHIVE', host: '127.0.0.1', port: archive.port, model: 'study', method: 'move', maxAssociations: 2 }];
    composed = composeAppCore({ dataDir: cache.dataDir, config, cache, activity, server, worklist: false });
    await composed.store.save(config);

    // the study open in the viewer and another nobody looks at, then the limit: room for two studies once the idle one goes
    await send(s.open!, server.port, 'PRIORS');
    await send(s.idle!, server.port, 'PRIORS');
    const hold = await composed.core['viewer.hold']({ StudyInstanceUID: s.open!.StudyInstanceUID });
    assert.ok(hold.ok);
    const one = cache.study(s.open!.StudyInstanceUID)!.size;
    cache.setLimits({ maxBytes: cache.stats().bytes + Math.round(2.5 * one) });
  });

  after(async () => {
    await composed?.close();
    await server?.close();
    await cache?.close();
    await archive?.close();
    await archiveCache?.close();
  });

  test('two priors arrive, the third is refused, prefetch stops with a sentence, nothing protected is evicted', async (t) => {
    const ended = new Promise<PrefetchRun>((resolve) => {
      const off = composed.core.subscribe((e) => {
        if (e.type === 'prefetch.run' && e.run.PatientID === 'PQ-1' && e.run.state !== 'running') {
          off();
          resolve(e.run);
        }
      });
    });
    await send(s.current!, server.port, 'PRIORS');
    const run = await ended;
    assert.equal(run.state, 'stopped', run.sentence);
    t.diagnostic(run.sentence);
    assert.match(run.sentence, /^Prefetch stopped: the cache cannot make room \(.*(limit|quota).*\)/i);
    const byUid = new Map(run.candidates.map((c) => [c.StudyInstanceUID, c]));
    assert.deepEqual(
      [s.p1!, s.p2!, s.p3!].map((x) => byUid.get(x.StudyInstanceUID)?.decision),
      ['fetch', 'fetch', 'fetch'],
    );
    assert.deepEqual([held(s.p1!), held(s.p2!)], [10, 10], 'the two newest priors arrived');
    assert.ok(held(s.p3!) < 10, 'the third did not fit');
    assert.match(
      byUid.get(s.p3!.StudyInstanceUID)!.reason,
      /the retrieve ended (failed|incomplete): \d+ of 10 instances could not be stored here: /,
      "the job says the refusal was ours, not the PACS's",
    );
    assert.equal(held(s.open!), 10, 'the study open in the viewer is kept');
    assert.equal(held(s.current!), 10, 'the current study is kept');
    assert.equal(held(s.idle!), 0, 'the study nothing protects made room');
    const jobs = composed.transfers.list().filter((j) => j.origin === 'prefetch');
    assert.equal(jobs.filter((j) => j.state === 'queued' || j.state === 'running').length, 0, 'no prefetch job is left to run');
    const stats = cache.stats();
    assert.ok(stats.bytes <= stats.maxBytes!, `${stats.bytes} bytes within the limit of ${stats.maxBytes}`);
    const audit = composed.core['audit.query']({ what: 'prefetch' });
    const events = await audit;
    assert.ok(events.ok && events.value.events.some((e) => e.outcome === 8 && /cannot make room/.test(e.outcomeText ?? '')), JSON.stringify(events));
  });
});
