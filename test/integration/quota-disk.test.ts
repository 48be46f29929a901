// A full disk (issue 6 item 4): the data directory on a small tmpfs. Sending more than fits gives
// A700 for the instances that do not fit — not a crash, not a corrupt index; what was stored
// stays whole; after space is freed a resend completes the series. The free space kept
// (minFreeBytes, read with statfs) evicts the least recently used study first. ENOSPC at each
// step of a store — writing, fdatasync, the rename (no inode left for the study's folder) and
// the SQLite transaction (SQLITE_FULL) — removes the temp file, answers A700 and keeps going.
//
// The tmpfs part needs `mount -t tmpfs` (root, or a container that allows it); without it those
// tests are skipped with the reason. The fault-injection part always runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs, { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { defaultConfig } from '../../shared/config.js';
import { EXPLICIT_LITTLE_ENDIAN, encodeDataSet } from '../../shared/dicom/codec.js';
import { type DataSet, setString } from '../../shared/dicom/dataset.js';
import { Cache, CacheError } from '../../electron/cache/index.js';
import { echo } from '../../electron/dimse/scu/index.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { CacheStoreHandler } from '../../electron/services/local-scp/handlers.js';
import { instancesFromPaths, sendInstances } from '../../electron/services/send/send.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { dataSetBytes, walkFiles } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
const config = defaultConfig();
const MB = 1024 * 1024;
const SC = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** Mounts a tmpfs at `dir`; the reason it cannot, or undefined. */
function mountTmpfs(dir: string, options: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return `mount -t tmpfs is not permitted here (${
      String((e as { stderr?: Buffer }).stderr ?? e)
        .trim()
        .split('\n')[0]
    })`;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    /* not mounted */
  }
}

/** The index and the store agree and every indexed file is whole (the bytes sent, when `sources` knows them). */
function checkStore(dataDir: string, sources: Map<string, string> = new Map()): { SOPInstanceUID: string; file_path: string }[] {
  const db = new Database(join(dataDir, 'index.sqlite'), { readonly: true, fileMustExist: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'PRAGMA integrity_check');
    const rows = db.prepare('SELECT SOPInstanceUID, file_path, file_size FROM instance').all() as {
      SOPInstanceUID: string;
      file_path: string;
      file_size: number;
    }[];
    for (const r of rows) {
      const path = join(dataDir, ...r.file_path.split('/'));
      assert.equal(statSync(path).size, r.file_size, `the file of ${r.SOPInstanceUID} has its indexed size`);
      const source = sources.get(r.SOPInstanceUID);
      if (source) assert.ok(dataSetBytes(path).equals(dataSetBytes(source)), `${r.SOPInstanceUID} holds the bytes sent`);
    }
    const indexed = new Set(rows.map((r) => r.file_path));
    const orphans = walkFiles(join(dataDir, 'files'))
      .map((f) => relative(dataDir, f).split('\\').join('/'))
      .filter((f) => !indexed.has(f));
    assert.deepEqual(orphans, [], 'no file under files/ without a row');
    assert.deepEqual(readdirSync(join(dataDir, 'tmp')), [], 'no temp file left');
    return rows;
  } finally {
    db.close();
  }
}

const sourcesOf = (...series: GeneratedSeries[]) => new Map(series.flatMap((x) => x.SOPInstanceUIDs.map((u, i) => [u, x.files[i]!] as const)));

async function send(server: ServeHandle, series: GeneratedSeries) {
  const { instances } = await instancesFromPaths(series.files);
  return sendInstances({ aeTitle: server.aeTitle, host: '127.0.0.1', port: server.port }, instances, { callingAeTitle: 'MODALITY', timeouts });
}

describe('a data directory on a small tmpfs', { timeout: 170_000 }, () => {
  const root = tempDir('quota-disk');
  const mounts: string[] = [];
  let skip: string | undefined;
  const mount = (name: string, options: string): string => {
    const dir = join(root, name);
    const why = mountTmpfs(dir, options);
    if (why) throw new Error(why);
    mounts.push(dir);
    return dir;
  };
  before(() => {
    skip = mountTmpfs(join(root, 'probe'), 'size=1m');
    if (!skip) mounts.push(join(root, 'probe'));
  });
  after(() => {
    for (const m of mounts.reverse()) unmount(m);
  });

  test('more than fits: A700 for the instances that do not fit, the index intact, a resend after freeing space completes the series', async (t) => {
    if (skip) return t.skip(skip);
    const disk = mount('full', 'size=16m');
    const series = await generateCtSeries({
      count: 300,
      rows: 128,
      cols: 128,
      patientId: 'CRASH-0',
      patientName: 'CRASH^TRIAL0',
      accession: 'CRASH0',
      seed: 700,
    });
    const ballast = join(disk, 'ballast');
    writeFileSync(ballast, Buffer.alloc(8 * MB, 1));
    const activity = new ActivityLog();
    const cache = await Cache.open(join(disk, 'data'), { log: activity.logger });
    const server = await startServer({ config, cache, port: 0, bindAddress: '127.0.0.1', aeTitle: 'PRIORS_FULL', log: activity.logger });
    try {
      const r = await send(server, series);
      const failed = r.results.filter((x) => x.status !== 0);
      t.diagnostic(`16 MB tmpfs with 8 MB of ballast: ${r.sent} of 300 stored, ${failed.length} refused`);
      assert.ok(r.sent > 50 && failed.length > 50, `some fit, some do not (${r.sent} stored)`);
      for (const x of failed) {
        assert.equal(x.status, 0xa700, `A700, got 0x${x.status.toString(16)} ${x.errorComment ?? ''} ${x.reason ?? ''}`);
        assert.match(x.errorComment ?? '', /^Disk full on the receiving workstation \(ENOSPC\)$/);
      }
      await echo({ aeTitle: 'PRIORS_FULL', host: '127.0.0.1', port: server.port }, { callingAeTitle: 'MODALITY', timeouts });
      assert.equal(checkStore(cache.dataDir, sourcesOf(series)).length, r.sent, 'every instance acknowledged is indexed and whole');
      const stats = cache.stats();
      assert.equal(stats.lastRefusal?.reason, 'disk-full');
      assert.match(
        stats.lastRefusal!.sentence,
        /^Priors refused an instance from MODALITY: the disk of the data directory is full \(ENOSPC, .* free\); free space on that disk or delete studies in Local cache, then send again\.$/,
      );
      assert.equal(activity.query().filter((l) => l.message.startsWith('Priors refused')).length, 1, 'said once in the activity log');

      rmSync(ballast);
      const again = await send(server, series);
      assert.equal(again.sent, 300, JSON.stringify(again.results.find((x) => x.status !== 0)));
      assert.equal(checkStore(cache.dataDir, sourcesOf(series)).length, 300, 'the series is complete and whole');
    } finally {
      await server.close();
      await cache.close();
    }
  });

  test('minFreeBytes (statfs): the least recently used study is evicted to keep it; pinned studies are not, and the store is refused', async (t) => {
    if (skip) return t.skip(skip);
    const disk = mount('minfree', 'size=24m');
    const g = [];
    for (let i = 0; i < 4; i++)
      g.push(await generateCtSeries({ count: 30, rows: 256, cols: 256, patientId: `FREE-${i}`, accession: `FREE${i}`, seed: 800 + i }));
    const activity = new ActivityLog();
    const cache = await Cache.open(join(disk, 'data'), { log: activity.logger });
    const server = await startServer({ config, cache, port: 0, bindAddress: '127.0.0.1', aeTitle: 'PRIORS_FREE', log: activity.logger });
    const has = (x: GeneratedSeries) => cache.study(x.StudyInstanceUID)?.NumberOfStudyRelatedInstances ?? 0;
    try {
      for (const x of g.slice(0, 2)) assert.equal((await send(server, x)).sent, 30);
      // keep free what is free now less half a study: the third study needs one evicted
      const study = cache.study(g[0]!.StudyInstanceUID)!.size;
      const minFreeBytes = cache.stats().freeBytes! - Math.round(0.5 * study);
      cache.setLimits({ minFreeBytes });
      assert.equal((await send(server, g[2]!)).sent, 30);
      assert.equal(has(g[0]!), 0, 'the first study, least recently used, was evicted to keep the free space');
      assert.deepEqual([has(g[1]!), has(g[2]!)], [30, 30]);
      assert.ok(cache.stats().freeBytes! >= minFreeBytes, `free: ${cache.stats().freeBytes} ≥ ${minFreeBytes}`);
      assert.equal(cache.stats().minFreeBytes, minFreeBytes);
      assert.equal(cache.stats().evicted?.studies, 1);
      const pins = [cache.pin('study', g[1]!.StudyInstanceUID, 'viewer'), cache.pin('study', g[2]!.StudyInstanceUID, 'transfer')];
      const r = await send(server, g[3]!);
      const refused = r.results.filter((x) => x.status !== 0);
      assert.ok(refused.length > 0, 'refused once the free space kept is reached');
      for (const x of refused) {
        assert.equal(x.status, 0xa700);
        assert.equal(x.errorComment, 'Disk below the free space kept; no study can be evicted');
      }
      assert.deepEqual([has(g[1]!), has(g[2]!)], [30, 30], 'pinned studies kept');
      assert.equal(cache.stats().lastRefusal?.reason, 'min-free');
      assert.match(
        cache.stats().lastRefusal!.sentence,
        /has .* free, less than the .* kept free, and no study can be evicted \(2 studies are in use.*\); free space on that disk, lower the minimum free space in the settings, or delete studies in Local cache\.$/,
      );
      for (const p of pins) p.release();
      checkStore(cache.dataDir, sourcesOf(...g));
    } finally {
      await server.close();
      await cache.close();
    }
  });

  test('ENOSPC at the rename (no inode left for the study folder): the temp file is removed, nothing indexed; then it stores', async (t) => {
    if (skip) return t.skip(skip);
    const disk = mount('inodes', 'size=4m,nr_inodes=48');
    const cache = await Cache.open(join(disk, 'data'));
    try {
      await storeOne(cache, '1.2.826.0.1.3680043.10.1.5.1', '1.2.826.0.1.3680043.10.1.5.1.1');
      const writer = cache.createTempWriter({ meta: { sopClassUid: SC, sopInstanceUid: '1.2.826.0.1.3680043.10.1.5.2.1.1', transferSyntaxUid: EXPLICIT_LE } });
      await new Promise<void>((resolve, reject) =>
        writer.stream.end(dataSet('1.2.826.0.1.3680043.10.1.5.2', '1.2.826.0.1.3680043.10.1.5.2.1.1'), (e?: Error | null) => (e ? reject(e) : resolve())),
      );
      const filler = join(disk, 'filler');
      mkdirSync(filler);
      let n = 0;
      for (; n < 1000; n++) {
        try {
          writeFileSync(join(filler, String(n)), '');
        } catch {
          break;
        }
      }
      assert.ok(n < 1000, 'the inodes ran out');
      await assert.rejects(writer.commit(), (e: unknown) => e instanceof CacheError && e.code === 'ENOSPC');
      assert.deepEqual(readdirSync(join(disk, 'data', 'tmp')), [], 'temp file removed');
      assert.equal(cache.study('1.2.826.0.1.3680043.10.1.5.2'), undefined, 'nothing indexed');
      rmSync(filler, { recursive: true });
      await storeOne(cache, '1.2.826.0.1.3680043.10.1.5.2', '1.2.826.0.1.3680043.10.1.5.2.1.1');
      assert.equal(checkStore(cache.dataDir).length, 2);
    } finally {
      await cache.close();
    }
  });
});

/** A small instance (Secondary Capture, Explicit VR LE). */
function dataSet(study: string, sop: string): Buffer {
  const ds: DataSet = new Map();
  setString(ds, 0x00080016, 'UI', SC);
  setString(ds, 0x00080018, 'UI', sop);
  setString(ds, 0x00100020, 'LO', 'ENOSPC');
  setString(ds, 0x0020000d, 'UI', study);
  setString(ds, 0x0020000e, 'UI', `${study}.1`);
  return Buffer.from(encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN));
}

async function storeOne(cache: Cache, study: string, sop: string) {
  const writer = cache.createTempWriter({ meta: { sopClassUid: SC, sopInstanceUid: sop, transferSyntaxUid: EXPLICIT_LE } });
  await new Promise<void>((resolve, reject) => writer.stream.end(dataSet(study, sop), (e?: Error | null) => (e ? reject(e) : resolve())));
  return writer.commit({ expectedSopInstanceUid: sop });
}

/** One C-STORE through the Storage SCP handler, without a network. */
function storeRequest(study: string, sop: string) {
  return {
    association: { id: 'a1', callingAeTitle: 'MODALITY', calledAeTitle: 'PRIORS', peerAddress: '127.0.0.1', peerPort: 1 },
    sopClassUid: SC,
    sopInstanceUid: sop,
    transferSyntaxUid: EXPLICIT_LE,
    dataSet: Readable.from([dataSet(study, sop)]),
  };
}

describe('ENOSPC injected at each step of a store: A700, temp file removed, nothing indexed, the next store works', () => {
  const fsMutable = fs as unknown as Record<string, unknown>;
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device (injected)'), { code: 'ENOSPC', errno: -28 });
  const withFault = async (name: string, fault: unknown, body: () => Promise<void>) => {
    const original = fsMutable[name];
    fsMutable[name] = fault;
    syncBuiltinESMExports();
    try {
      await body();
    } finally {
      fsMutable[name] = original;
      syncBuiltinESMExports();
    }
  };
  let dir: string;
  let cache: Cache;
  before(async () => {
    dir = join(tempDir('quota-enospc'), 'data');
    cache = await Cache.open(dir, { durability: 'instance' });
  });
  after(async () => {
    await cache?.close();
  });

  const cases: [string, string, unknown][] = [
    [
      'writing (writev)',
      'writevSync',
      () => {
        throw enospc();
      },
    ],
    ['fdatasync', 'fdatasync', (_fd: number, cb: (e: Error) => void) => setImmediate(() => cb(enospc()))],
    [
      'the rename',
      'renameSync',
      () => {
        throw enospc();
      },
    ],
  ];
  let k = 0;
  for (const [step, name, fault] of cases) {
    test(`ENOSPC while ${step}`, async () => {
      const study = `1.2.826.0.1.3680043.10.1.4.${++k}`;
      const handler = new CacheStoreHandler(cache);
      await withFault(name, fault, async () => {
        const r = await handler.store(storeRequest(study, `${study}.1.1`));
        assert.deepEqual(r, { status: 0xa700, errorComment: 'Disk full on the receiving workstation (ENOSPC)' });
      });
      assert.equal(cache.study(study), undefined, 'nothing indexed');
      assert.equal(existsSync(join(dir, 'files', study)), false, 'no folder left in the store');
      assert.equal(cache.stats().lastRefusal?.reason, 'disk-full');
      checkStore(dir);
      assert.equal((await handler.store(storeRequest(study, `${study}.1.1`))).status, 0, 'stored once the disk has room');
    });
  }

  test('SQLITE_FULL in the index transaction', async () => {
    const handler = new CacheStoreHandler(cache);
    const db = (cache as unknown as { db: Database.Database }).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    let refused: { study: string; status: number; errorComment?: string } | undefined;
    try {
      for (let i = 1; i <= 200 && !refused; i++) {
        const study = `1.2.826.0.1.3680043.10.1.3.${i}`;
        const r = await handler.store(storeRequest(study, `${study}.1.1`));
        if (r.status !== 0) refused = { study, ...r };
      }
    } finally {
      db.pragma('max_page_count = 4294967294');
    }
    assert.ok(refused, 'the index ran out of pages');
    assert.equal(refused.status, 0xa700);
    assert.equal(refused.errorComment, 'Disk full on the receiving workstation (ENOSPC)');
    assert.equal(cache.study(refused.study), undefined, 'nothing indexed');
    assert.equal(existsSync(join(dir, 'files', refused.study)), false, 'the renamed file and its folders were removed');
    checkStore(dir);
    assert.equal((await handler.store(storeRequest(refused.study, `${refused.study}.1.1`))).status, 0, 'stored once the index can grow');
  });
});

describe('deferred durability: the sender is answered before the index row is written', () => {
  // issue 17 item 2: an acknowledged instance whose row cannot be written is never left invisible
  // until a restart: the row is kept and written once the index can grow again, and meanwhile the
  // next stores are refused before they are acknowledged.
  test('SQLITE_FULL after the answer: the row is written once the index can grow, without a restart; stores are refused until then', async () => {
    const dir = join(tempDir('late-index'), 'data');
    const logs: string[] = [];
    let cache = await Cache.open(dir, { log: (_level, message) => logs.push(message) });
    let failed: { study: string } | undefined;
    try {
      const handler = new CacheStoreHandler(cache);
      const db = (cache as unknown as { db: Database.Database }).db;
      const other = new Database(join(dir, 'index.sqlite'), { readonly: true, fileMustExist: true });
      const indexed = (study: string) => other.prepare('SELECT count(*) FROM study WHERE StudyInstanceUID = ?').pluck().get(study) as number;
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      try {
        for (let i = 1; i <= 200 && !failed; i++) {
          const study = `1.2.826.0.1.3680043.10.1.5.${i}`;
          const r = await handler.store(storeRequest(study, `${study}.1.1`));
          assert.equal(r.status, 0, 'the answer does not wait for the index');
          assert.ok(r.afterResponse, 'the index row is written after the answer');
          r.afterResponse(); // queues the row for the group commit: it does not throw
          assert.equal(cache.files.queuedIndexRows, 1, 'the row waits for its group commit');
          cache.flushIndex(); // what the timer, the next read or the sender's release does
          if (logs.some((m) => m.includes('could not be indexed'))) failed = { study };
        }
        assert.ok(failed, 'the index ran out of pages');
        assert.ok(existsSync(join(dir, 'files', failed.study)), 'the acknowledged file stays');
        const line = logs.find((m) => m.includes('could not be indexed'))!;
        assert.ok(line.includes(failed.study) && line.includes('disk is full') && line.includes('refuses new instances'), logs.join('\n'));
        // while the row cannot be written, the next store is refused before it is acknowledged
        const next = '1.2.826.0.1.3680043.10.1.5.999';
        const refused = await handler.store(storeRequest(next, `${next}.1.1`));
        assert.deepEqual(refused, { status: 0xa700, errorComment: 'Index full on the receiving workstation (ENOSPC); retry later' });
        assert.equal(existsSync(join(dir, 'files', next)), false, 'nothing of the refused store is kept');
        assert.equal(indexed(failed.study), 0, 'not indexed while the index cannot grow');
      } finally {
        db.pragma('max_page_count = 4294967294');
      }
      // room again: written by the retry timer, seen by another connection, with no read or restart from this process
      const deadline = Date.now() + 5000;
      while (indexed(failed.study) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(indexed(failed.study), 1, 'indexed without a restart once the index can grow');
      other.close();
      assert.equal(cache.study(failed.study)?.NumberOfStudyRelatedInstances, 1);
      const again = await handler.store(storeRequest('1.2.826.0.1.3680043.10.1.5.999', '1.2.826.0.1.3680043.10.1.5.999.1.1'));
      assert.equal(again.status, 0, 'stores are accepted again');
      again.afterResponse?.();
      cache.flushIndex();
      checkStore(dir);
    } finally {
      await cache.close();
    }
    cache = await Cache.open(dir);
    assert.equal(cache.recovery?.full, false, 'nothing was left for a recovery: a clean close');
    await cache.close();
  });
});
