// The index rows of instances answered with deferred durability join a group commit
// (electron/cache/file-store.ts, flushIndex): one transaction for the rows of many instances,
// written INDEX_GROUP_DELAY_MS after the first, before this process reads or changes the cache,
// and before a sender's A-RELEASE-RQ is answered. Another process (a `priors move` command
// reading the index of the `priors serve` it moves into) sees them once committed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultConfig } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { INDEX_GROUP_DELAY_MS } from '../../electron/cache/file-store.js';
import { parseInstanceHeader } from '../../electron/cache/header.js';
import { openCacheReader, type CacheView } from '../../electron/services/config/local-cache.js';
import { CacheStoreHandler } from '../../electron/services/local-scp/handlers.js';
import { instancesFromPaths, sendInstances } from '../../electron/services/send/send.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
const association = { id: 'a1', callingAeTitle: 'MODALITY', calledAeTitle: 'PRIORS', peerAddress: '127.0.0.1', peerPort: 1 };

let dir: string;
let cache: Cache;
let reader: CacheView;
let handler: CacheStoreHandler;
let series: GeneratedSeries;
let network: GeneratedSeries;
const stored: string[] = [];

/** One C-STORE of a generated file through the Storage SCP handler, answered (afterResponse run as the SCP does). */
async function storeFile(file: string): Promise<string> {
  const bytes = readFileSync(file);
  const header = parseInstanceHeader(bytes, bytes.length, file)!;
  const { SOPInstanceUID, SOPClassUID } = header.fields.instance;
  const outcome = await handler.store({
    association,
    sopClassUid: SOPClassUID,
    sopInstanceUid: SOPInstanceUID,
    transferSyntaxUid: header.transferSyntaxUid,
    dataSet: Readable.from([bytes.subarray(header.dataSetOffset)]),
  });
  assert.equal(outcome.status, 0, JSON.stringify(outcome));
  assert.ok(outcome.afterResponse, 'deferred durability: the row is written after the answer');
  outcome.afterResponse();
  return SOPInstanceUID;
}

/** Rows of these instances another connection sees (committed). */
const committed = (uids: readonly string[]) => reader.countArrivedFor(uids);

describe('index rows of answered instances: one group commit for many', { timeout: 120_000 }, () => {
  before(async () => {
    const spec = { rows: 32, cols: 32, patientId: 'GROUP-1', patientName: 'GROUP^COMMIT' };
    series = await generateCtSeries({ ...spec, count: 8, seed: 41, accession: 'GC1' });
    network = await generateCtSeries({ ...spec, count: 12, seed: 42, accession: 'GC2' });
    dir = join(tempDir('index-group-commit'), 'data');
    cache = await Cache.open(dir);
    handler = new CacheStoreHandler(cache, (e) => stored.push(e.sopInstanceUid));
    reader = openCacheReader(dir);
  });
  after(async () => {
    await reader?.close();
    await cache?.close();
  });

  test('answered rows wait for their group; the next read of this process writes them first; then another connection sees them', async () => {
    const uids: string[] = [];
    for (const f of series.files.slice(0, 5)) uids.push(await storeFile(f));
    assert.equal(cache.files.queuedIndexRows, 5, 'five rows queued');
    assert.equal(committed(uids), 0, 'nothing committed yet');
    assert.deepEqual(stored, [], 'the stored event comes with the committed row');
    assert.equal(cache.study(series.StudyInstanceUID)?.NumberOfStudyRelatedInstances, 5, 'a read of this process sees all five');
    assert.equal(cache.files.queuedIndexRows, 0);
    assert.equal(committed(uids), 5, 'committed for another connection');
    assert.deepEqual(stored, uids, 'one event per row, in the order answered');
  });

  test('the group is committed by itself INDEX_GROUP_DELAY_MS after its first row', async () => {
    const uid = await storeFile(series.files[5]!);
    assert.equal(committed([uid]), 0);
    const deadline = Date.now() + INDEX_GROUP_DELAY_MS + 2000;
    while (committed([uid]) === 0 && Date.now() < deadline) await sleep(5);
    assert.equal(committed([uid]), 1, `committed within ${INDEX_GROUP_DELAY_MS} ms and the timer's delay`);
    assert.equal(cache.files.queuedIndexRows, 0);
  });

  test('closing the cache writes the rows still queued', async () => {
    const uids = [await storeFile(series.files[6]!), await storeFile(series.files[7]!)];
    assert.equal(cache.files.queuedIndexRows, 2);
    await cache.close();
    assert.equal(committed(uids), 2);
    cache = await Cache.open(dir);
    assert.equal(cache.recovery?.full, false, 'a clean close: nothing was left for the recovery');
    assert.equal(cache.study(series.StudyInstanceUID)?.NumberOfStudyRelatedInstances, 8);
  });

  test('one row that cannot be written is reported alone; a group whose commit fails is written row by row', async () => {
    const logs: string[] = [];
    const failDir = join(tempDir('index-group-commit-failures'), 'data');
    const failing = await Cache.open(failDir, { log: (_level, message) => logs.push(message) });
    const saved = handler;
    handler = new CacheStoreHandler(failing);
    const repository = failing.repository as unknown as {
      index(r: { instance: { SOPInstanceUID: string } }): unknown;
      transaction(fn: () => unknown): unknown;
    };
    const { index, transaction } = repository;
    const failReader = openCacheReader(failDir);
    const committed = (uids: readonly string[]) => failReader.countArrivedFor(uids);
    try {
      // one row refused (as SQLite refuses a row it has no room for), inside its group
      const refusedBytes = readFileSync(network.files[1]!);
      const refused = parseInstanceHeader(refusedBytes, refusedBytes.length, network.files[1]!)!.fields.instance.SOPInstanceUID;
      repository.index = function (r) {
        if (r.instance.SOPInstanceUID === refused) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        return index.call(this, r);
      };
      const first = [await storeFile(network.files[0]!), await storeFile(network.files[1]!), await storeFile(network.files[2]!)];
      failing.flushIndex();
      repository.index = index;
      assert.equal(committed(first), 2, 'the two other rows of the group are committed');
      assert.equal(logs.filter((m) => m.includes('could not be indexed')).length, 1, logs.join('\n'));
      assert.ok(
        logs.some((m) => m.includes(refused) && m.includes('disk is full')),
        'the log names the instance not indexed yet',
      );
      // issue 17: the acknowledged row is kept and written by the next flush once the index takes it, without a restart
      failing.flushIndex();
      assert.equal(committed([refused]), 1, 'the refused row is written once the index can take it');
      // the group's own commit fails: each row is written again in its own transaction
      let groups = 0;
      repository.transaction = function (fn) {
        groups++;
        // the rows are written, then the group fails as a commit would: all of it rolled back
        return transaction.call(this, () => {
          fn();
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        });
      };
      const second = [await storeFile(network.files[3]!), await storeFile(network.files[4]!)];
      failing.flushIndex();
      repository.transaction = transaction;
      assert.equal(groups, 1);
      assert.equal(committed(second), 2, 'both rows written, one transaction each');
      assert.equal(logs.filter((m) => m.includes('could not be indexed')).length, 1, 'nothing more reported');
    } finally {
      repository.index = index;
      repository.transaction = transaction;
      handler = saved;
      await failReader.close();
      await failing.close();
    }
  });

  test('a study whose rows are still queued can be evicted to make room: the rows are written before the evictor chooses', async () => {
    const sizes = (files: string[]) => files.reduce((n, f) => n + statSync(f).size, 0);
    const quotaDir = join(tempDir('index-group-commit-quota'), 'data');
    const room = sizes(series.files.slice(0, 3)) + Math.floor(sizes(network.files.slice(0, 1)) / 2);
    const quota = await Cache.open(quotaDir, { maxBytes: room });
    const saved = handler;
    handler = new CacheStoreHandler(quota);
    try {
      for (const f of series.files.slice(0, 3)) await storeFile(f);
      assert.equal(quota.files.queuedIndexRows, 3, 'the first study is acknowledged, its rows queued');
      await storeFile(network.files[0]!); // asserts Success: the first study made room
      assert.equal(quota.study(series.StudyInstanceUID), undefined, 'the first study was evicted');
      assert.equal(quota.study(network.StudyInstanceUID)?.NumberOfStudyRelatedInstances, 1);
      assert.equal(quota.stats().evicted?.studies, 1);
    } finally {
      handler = saved;
      await quota.close();
    }
  });

  test("a sender's rows are committed before its A-RELEASE-RQ is answered", async () => {
    let server: ServeHandle | undefined;
    try {
      server = await startServer({ config: defaultConfig(), cache, port: 0, bindAddress: '127.0.0.1', aeTitle: 'PRIORS_G', audit: false });
      const { instances } = await instancesFromPaths(network.files);
      const report = await sendInstances({ aeTitle: 'PRIORS_G', host: '127.0.0.1', port: server.port }, instances, { callingAeTitle: 'MODALITY', timeouts });
      assert.equal(report.sent, network.files.length);
      // no wait: the release was answered, so every row is committed
      assert.equal(reader.countArrivedFor({ studyUid: network.StudyInstanceUID, since: 0 }), network.files.length);
    } finally {
      await server?.close();
    }
  });
});
