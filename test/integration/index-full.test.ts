// Issue 17 item 2: no C-STORE is answered Success for an instance a query cannot find. The data
// directory on a small tmpfs, filled so that a store runs out of room at each write of its path —
// the temp file, the rename (no inode for the study's folder), the index row (room for the file,
// none for the row) — under each durability setting: every one is refused with A700 before it is
// acknowledged, leaves nothing behind, and is stored and found at once when room returns.
// (Deferred durability indexes a row after the answer; on a disk this full it indexes first.)
// Needs `mount -t tmpfs` (root, or a container that allows it); skipped with the reason otherwise.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { encodeDataSet, EXPLICIT_LITTLE_ENDIAN } from '../../shared/dicom/codec.js';
import { type DataSet, setString } from '../../shared/dicom/dataset.js';
import { Cache, type Durability } from '../../electron/cache/index.js';
import { CacheStoreHandler } from '../../electron/services/local-scp/handlers.js';
import { tempDir } from '../helpers/tmp.js';

const SC = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const PAGE = 4096;

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

/** A Secondary Capture instance of about `bytes` bytes (pixel-free, padded with a long comment). */
function dataSet(study: string, sop: string, bytes = 20_000): Buffer {
  const ds: DataSet = new Map();
  setString(ds, 0x00080016, 'UI', SC);
  setString(ds, 0x00080018, 'UI', sop);
  setString(ds, 0x00100020, 'LO', 'FULL-1');
  setString(ds, 0x0020000d, 'UI', study);
  setString(ds, 0x0020000e, 'UI', `${study}.1`);
  setString(ds, 0x00204000, 'LT', 'x'.repeat(bytes));
  return Buffer.from(encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN));
}

const association = { id: 'f1', callingAeTitle: 'MODALITY', calledAeTitle: 'PRIORS', peerAddress: '127.0.0.1', peerPort: 1 };

/** One C-STORE through the Storage SCP handler, answered as the SCP answers it (afterResponse run). */
async function store(handler: CacheStoreHandler, study: string, sop: string) {
  const outcome = await handler.store({
    association,
    sopClassUid: SC,
    sopInstanceUid: sop,
    transferSyntaxUid: EXPLICIT_LE,
    dataSet: Readable.from([dataSet(study, sop)]),
  });
  outcome.afterResponse?.();
  return outcome;
}

const freeOf = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

describe('a full disk at each write of the storing path: refused before it is acknowledged, under each durability', { timeout: 120_000 }, () => {
  const root = tempDir('index-full');
  const mounts: string[] = [];
  let skip: string | undefined;
  before(() => {
    skip = mountTmpfs(join(root, 'probe'), 'size=1m');
    if (!skip) mounts.push(join(root, 'probe'));
  });
  after(() => {
    for (const m of mounts.reverse()) unmount(m);
  });
  let n = 0;

  for (const durability of ['deferred', 'instance'] as Durability[]) {
    for (const step of ['temp file', 'rename', 'index row'] as const) {
      test(`${durability}: no room for the ${step}`, async (t) => {
        if (skip) return t.skip(skip);
        const disk = join(root, `d${++n}`);
        const why = mountTmpfs(disk, step === 'rename' ? 'size=8m,nr_inodes=64' : 'size=8m');
        if (why) throw new Error(why);
        mounts.push(disk);
        const cache = await Cache.open(join(disk, 'data'), { durability });
        const handler = new CacheStoreHandler(cache);
        try {
          // a first instance: the index and its WAL exist, and the size of a stored file is known
          const first = `1.2.826.0.1.3680043.10.1.17.${n}.1`;
          assert.equal((await store(handler, first, `${first}.1.1`)).status, 0);
          cache.flushIndex();
          const stored = readdirSync(join(disk, 'data', 'files', first, `${first}.1`));
          const fileBytes = statSync(join(disk, 'data', 'files', first, `${first}.1`, stored[0]!)).size;
          const filePages = Math.ceil(fileBytes / PAGE) * PAGE;
          const ballast = join(disk, 'ballast');
          if (step === 'temp file') writeFileSync(ballast, Buffer.alloc(freeOf(disk) - filePages + PAGE, 1)); // one page short of the file
          if (step === 'index row') writeFileSync(ballast, Buffer.alloc(freeOf(disk) - filePages, 1)); // room for the file, none for the row
          if (step === 'rename') {
            // no inode left for the new study's folder
            mkdirSync(ballast);
            for (let i = 0; i < 200; i++) {
              try {
                writeFileSync(join(ballast, String(i)), '');
              } catch {
                break;
              }
            }
          }
          const study = `1.2.826.0.1.3680043.10.1.17.${n}.2`;
          const refused = await store(handler, study, `${study}.1.1`);
          assert.equal(refused.status, 0xa700, `refused, never acknowledged: ${JSON.stringify(refused)}`);
          assert.match(refused.errorComment ?? '', /full|ENOSPC/i);
          cache.flushIndex();
          assert.equal(cache.study(study), undefined, 'nothing indexed');
          assert.equal(existsSync(join(disk, 'data', 'files', study)), false, 'nothing kept in the store');
          assert.deepEqual(readdirSync(join(disk, 'data', 'tmp')), [], 'no temp file left');
          rmSync(ballast, { recursive: true });
          const again = await store(handler, study, `${study}.1.1`);
          assert.equal(again.status, 0, 'stored once there is room');
          assert.equal(cache.study(study)?.NumberOfStudyRelatedInstances, 1, 'and found at once');
        } finally {
          await cache.close();
        }
      });
    }
  }
});
