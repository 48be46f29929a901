// What the viewer shows is never evicted (issue 6 item 4): viewer.hold pins the study and every
// study of its patient (its priors), a full cache then refuses with A700 rather than evict them;
// renewing keeps the hold, release or a lapsed lease frees them, and the least recently used of
// them is evicted again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Cache } from '../../electron/cache/index.js';
import { ViewerHolds } from '../../electron/app/viewer-holds.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

describe('viewer holds', () => {
  let cache: Cache;
  let now: GeneratedSeries;
  let prior: GeneratedSeries;
  let other: GeneratedSeries;
  let incoming: GeneratedSeries;
  const has = (x: GeneratedSeries) => cache.study(x.StudyInstanceUID)?.NumberOfStudyRelatedInstances ?? 0;

  before(async () => {
    const spec = (patientId: string, seed: number, studyDate: string) => ({
      count: 6,
      rows: 64,
      cols: 64,
      patientId,
      patientName: `HOLD^${patientId}`,
      seed,
      studyDate,
    });
    prior = await generateCtSeries(spec('H-1', 31, '20190101'));
    other = await generateCtSeries(spec('H-2', 32, '20200101'));
    now = await generateCtSeries(spec('H-1', 33, '20250101'));
    incoming = await generateCtSeries(spec('H-3', 34, '20250102'));
    cache = await Cache.open(join(tempDir('viewer-holds'), 'data'));
    // imported oldest first: the prior is the least recently accessed, then the other patient's study
    for (const x of [prior, other, now]) assert.equal((await cache.importPaths(x.files)).imported, 6);
  });
  after(async () => {
    await cache?.close();
  });

  test("a hold pins the study and its patient's priors; a full cache refuses rather than evict them", async () => {
    const holds = new ViewerHolds(cache);
    const { holdId, leaseMs } = holds.hold(now.StudyInstanceUID);
    assert.equal(leaseMs, 120_000);
    assert.equal(cache.stats().pinnedStudies, 2, 'the open study and its prior');
    assert.deepEqual(holds.hold(now.StudyInstanceUID, holdId).holdId, holdId, 'renewed, not doubled');
    assert.equal(holds.size, 1);
    // room for nothing more unless a study goes: only the other patient's study may
    cache.setLimits({ maxBytes: cache.stats().bytes + 1000 });
    assert.equal((await cache.importPaths(incoming.files.slice(0, 1))).imported, 1);
    assert.deepEqual([has(prior), has(now), has(other)], [6, 6, 0], "the other patient's study went; the held patient's stayed");
    cache.setLimits({ maxBytes: cache.stats().bytes + 1000 });
    await assert.rejects(
      cache.importPaths(incoming.files.slice(1, 2)),
      /at its size limit .* no study can be evicted \(2 studies are in use: open in the viewer/,
    );
    assert.deepEqual([has(prior), has(now)], [6, 6]);
    assert.equal(holds.release(holdId), true);
    assert.equal(holds.release(holdId), false, 'releasing twice is harmless');
    assert.equal(cache.stats().pinnedStudies, 0);
    assert.equal((await cache.importPaths(incoming.files.slice(1, 2))).imported, 1, 'released: the prior may go now');
    assert.equal(has(prior), 0, 'the least recently accessed went first');
    holds.close();
  });

  test('a hold that is not renewed lapses at the end of its lease, not before', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const holds = new ViewerHolds(cache, 150);
    holds.hold(now.StudyInstanceUID);
    assert.equal(cache.stats().pinnedStudies, 1);
    t.mock.timers.tick(149);
    assert.equal(holds.size, 1, 'still held within the lease');
    t.mock.timers.tick(1);
    assert.equal(holds.size, 0);
    assert.equal(cache.stats().pinnedStudies, 0);
  });
});
