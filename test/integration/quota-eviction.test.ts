// The cache size limit over the network (issue 6 item 4): our SCU stores into our SCP on port 0
// whose cache has a size limit. The least recently accessed study is evicted first (a study read
// for the viewer or a send counts as accessed); pinned studies — open in the viewer, priors of an
// open patient (a patient pin), in a running transfer — are never evicted; when nothing can be
// evicted the C-STORE answers A700 with an Error Comment, the activity log says why in one
// sentence, and cache.stats carries the limit, the bytes used, the free space and the refusal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, type RemoteNode } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { retrieve } from '../../electron/services/retrieve/retrieve.js';
import { instancesFromPaths, sendInstances, type SendReport } from '../../electron/services/send/send.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { TransferQueue } from '../../electron/services/transfers/index.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
const config = defaultConfig();

let work: string;
let cache: Cache;
let server: ServeHandle;
let activity: ActivityLog;
const s: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', GeneratedSeries> = {} as never;

async function send(series: GeneratedSeries, port = server.port, aeTitle = server.aeTitle): Promise<SendReport> {
  const { instances } = await instancesFromPaths(series.files);
  return sendInstances({ aeTitle, host: '127.0.0.1', port }, instances, { callingAeTitle: 'MODALITY', timeouts });
}

const has = (x: GeneratedSeries) => cache.study(x.StudyInstanceUID)?.NumberOfStudyRelatedInstances ?? 0;
const size = (x: GeneratedSeries) => cache.study(x.StudyInstanceUID)!.size;

describe('cache size limit: least recently used eviction, pins, A700 when nothing can go', { timeout: 180_000 }, () => {
  before(async () => {
    work = tempDir('quota-eviction');
    const spec = (patientId: string, seed: number) => ({ count: 10, rows: 64, cols: 64, patientId, patientName: `QUOTA^${patientId}`, seed });
    s.A = await generateCtSeries({ ...spec('Q-A', 1), accession: 'QA1' });
    s.B = await generateCtSeries({ ...spec('Q-B', 2), accession: 'QB1' });
    s.C = await generateCtSeries({ ...spec('Q-C', 3), accession: 'QC1' });
    s.D = await generateCtSeries({ ...spec('Q-A', 4), accession: 'QA2', studyDate: '20190301' }); // a prior of patient Q-A
    s.E = await generateCtSeries({ ...spec('Q-E', 5), accession: 'QE1' });
    s.F = await generateCtSeries({ ...spec('Q-F', 6), accession: 'QF1' });
    activity = new ActivityLog();
    cache = await Cache.open(join(work, 'data'), { log: activity.logger });
    server = await startServer({ config, cache, port: 0, bindAddress: '127.0.0.1', log: activity.logger, aeTitle: 'PRIORS_Q' });
  });
  after(async () => {
    await server?.close();
    await cache?.close();
  });

  test('over the limit, the least recently accessed study is evicted; a study read since is kept', async () => {
    for (const x of [s.A, s.B, s.C]) assert.equal((await send(x)).sent, 10);
    // A is read (as the viewer or a send reads it): now B is the least recently accessed
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(cache.instancesFor('STUDY', [s.A.StudyInstanceUID]).length, 10);
    const used = cache.stats().bytes;
    cache.setLimits({ maxBytes: used + Math.floor(size(s.A) / 2) });
    const r = await send(s.D);
    assert.equal(r.sent, 10, JSON.stringify(r.results.filter((x) => x.status !== 0)));
    assert.equal(has(s.B), 0, 'B, the least recently accessed, was evicted');
    assert.equal(existsSync(join(work, 'data', 'files', s.B.StudyInstanceUID)), false, "B's files are gone");
    assert.deepEqual([has(s.A), has(s.C), has(s.D)], [10, 10, 10], 'A (read since), C and D are kept');
    const stats = cache.stats();
    assert.ok(stats.bytes <= stats.maxBytes!, `${stats.bytes} bytes used within the limit of ${stats.maxBytes}`);
    assert.equal(stats.evicted?.studies, 1);
    assert.ok(
      activity.query().some((l) => l.message.startsWith('Evicted 1 study') && l.message.includes(s.B.StudyInstanceUID)),
      'the eviction is logged',
    );
  });

  test('pinned studies (open in the viewer, priors of an open patient) are never evicted: A700, one sentence, cache.stats says why', async () => {
    const viewer = cache.pin('study', s.C.StudyInstanceUID, 'viewer');
    const patient = cache.pin('patient', 'Q-A', 'prior'); // A and its prior D
    assert.equal(cache.stats().pinnedStudies, 3);
    const linesBefore = activity.query().length;
    const r = await send(s.E);
    const refused = r.results.filter((x) => x.status !== 0);
    assert.ok(r.sent < 10 && refused.length > 0, `some of E fit the room left, the rest is refused (${r.sent} stored)`);
    for (const x of refused) {
      assert.equal(x.status, 0xa700, 'Refused: Out of Resources (PS3.4 B.2.3)');
      assert.equal(x.errorComment, 'Cache size limit reached and no study can be evicted');
      assert.ok(x.errorComment!.length <= 64, 'Error Comment is LO');
    }
    assert.deepEqual([has(s.A), has(s.C), has(s.D)], [10, 10, 10], 'nothing pinned was evicted');
    const stats = cache.stats();
    assert.equal(stats.lastRefusal?.reason, 'quota');
    assert.equal(stats.lastRefusal?.count, refused.length);
    assert.match(
      stats.lastRefusal!.sentence,
      /the cache is at its size limit \(.* of .* used, .* more arriving\) and no study can be evicted \(3 studies are in use: open in the viewer, in a running transfer or a prior of an open patient\); raise the cache size limit in the settings or delete studies in Local cache\.$/,
    );
    assert.equal(stats.lastRefusal!.sentence.split('; ').length, 2, 'one sentence: what is full and how much; what to do');
    assert.ok(stats.freeBytes! > 0 && stats.diskBytes! >= stats.freeBytes!, 'the disk space is reported');
    const sentences = activity.query({ afterSeq: linesBefore }).filter((l) => l.message.startsWith('Priors refused an instance from MODALITY'));
    assert.equal(sentences.length, 1, 'the activity log says it once, not once per instance');
    assert.equal(sentences[0]!.level, 'warn');

    // the viewer closes C: the next send of E evicts C, never A or its prior D
    viewer.release();
    viewer.release();
    const again = await send(s.E);
    assert.equal(again.sent, 10, JSON.stringify(again.results.filter((x) => x.status !== 0)));
    assert.equal(has(s.E), 10);
    assert.equal(has(s.C), 0, 'C, unpinned, was evicted');
    assert.deepEqual([has(s.A), has(s.D)], [10, 10], "the open patient's studies stay");
    patient.release();
    assert.deepEqual(cache.pinned(), []);
  });

  test('a study in a running transfer is pinned while it arrives', async () => {
    const srcCache = await Cache.open(join(work, 'source'));
    const source = await startServer({ config, cache: srcCache, port: 0, bindAddress: '127.0.0.1', aeTitle: 'SOURCE_Q' });
    try {
      assert.equal((await send(s.F, source.port, 'SOURCE_Q')).sent, 10);
      cache.setLimits({}); // room for F
      const node: RemoteNode = { name: 'source', aeTitle: 'SOURCE_Q', host: '127.0.0.1', port: source.port, model: 'study', method: 'get', maxAssociations: 1 };
      const q = new TransferQueue({
        cache,
        config: () => ({ ...config, nodes: [node] }),
        retrieve,
        settleMs: 200,
        local: { aeTitle: 'PRIORS_Q', port: server.port, host: '127.0.0.1', storedListeners: server.storedListeners },
        scu: { timeouts },
      });
      const seen = new Set<string>();
      const watch = setInterval(() => {
        for (const p of cache.pinned()) seen.add(`${p.kind}:${p.key}:${p.reason}`);
      }, 1);
      try {
        q.start();
        const done = new Promise<string>((resolve) =>
          q.on((e) => {
            if (e.type === 'job.finished') resolve(e.job.state);
          }),
        );
        q.add({ node: 'source', level: 'STUDY', StudyInstanceUID: s.F.StudyInstanceUID });
        assert.equal(await done, 'completed');
      } finally {
        clearInterval(watch);
        await q.close();
      }
      assert.ok(seen.has(`study:${s.F.StudyInstanceUID}:transfer`), `pinned during the transfer; seen: ${[...seen].join(', ')}`);
      assert.deepEqual(cache.pinned(), [], 'released when the job ends');
      assert.equal(has(s.F), 10);
    } finally {
      await source.close();
      await srcCache.close();
    }
  });
});
