// Recovery at open: leftovers of a crash are cleaned, files without rows re-indexed, rows
// without files removed, unreadable files quarantined; a clean shutdown skips the full check.
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cache, CacheError } from '../../../../electron/cache/index.js';
import { LOCK_FILE } from '../../../../electron/cache/lock.js';

const TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const MR_SMALL = join(TEST_FILES, 'MR_small.dcm');
const CT_SMALL = join(TEST_FILES, 'CT_small.dcm');
const RTPLAN = join(TEST_FILES, 'rtplan.dcm');
const RTDOSE = join(TEST_FILES, 'rtdose.dcm');

/** The pid of a process that has exited: what a crashed owner leaves in the lock. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'priors-cache-recovery-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('recovery', () => {
  test('after a clean shutdown only tmp/*.part is looked at', async () => {
    let cache = await Cache.open(dir);
    assert.equal(cache.recovery?.full, false, 'a new, empty cache needs no full check');
    const r = await cache.importPaths([MR_SMALL]);
    assert.equal(r.imported, 1);
    const path = cache.instancesFor(
      'STUDY',
      cache.studies().map((s) => s.StudyInstanceUID),
    )[0]!.path;
    await cache.close();
    writeFileSync(join(dir, 'tmp', 'left.part'), 'partial');
    unlinkSync(path); // not noticed: the shutdown was clean
    cache = await Cache.open(dir);
    try {
      assert.deepEqual(cache.recovery, { full: false, reason: 'clean shutdown', removedPartials: 1, removedRows: 0, reindexed: 0, quarantined: [] });
      assert.equal(cache.stats().instances, 1);
    } finally {
      await cache.close();
    }
    cache = await Cache.open(dir, { recovery: 'full' });
    try {
      assert.equal(cache.recovery?.reason, 'requested');
      assert.equal(cache.recovery?.removedRows, 1, 'a requested full check finds the missing file');
      assert.equal(cache.stats().instances, 0);
    } finally {
      await cache.close();
    }
  });

  test('after a crash: .part removed, file without row indexed, row without file removed, junk quarantined', async () => {
    let cache = await Cache.open(dir);
    const r = await cache.importPaths([MR_SMALL, CT_SMALL, RTPLAN]);
    assert.equal(r.imported, 3);
    const sources = cache.instancesFor(
      'STUDY',
      cache.studies().map((s) => s.StudyInstanceUID),
    );
    await cache.close();

    // What a crash leaves: a temp file, a file renamed in but never indexed, a row whose file
    // never reached the disk, an unreadable file, and the lock of a process that is gone.
    writeFileSync(join(dir, 'tmp', 'a.part'), Buffer.alloc(100));
    writeFileSync(join(dir, 'tmp', 'b.part'), Buffer.alloc(10));
    mkdirSync(join(dir, 'files', 'orphan', 'series'), { recursive: true });
    copyFileSync(RTDOSE, join(dir, 'files', 'orphan', 'series', 'dose.dcm'));
    const lost = sources[1]!;
    unlinkSync(lost.path);
    mkdirSync(join(dir, 'files', 'junk'), { recursive: true });
    writeFileSync(join(dir, 'files', 'junk', 'x.dcm'), 'not dicom at all');
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid() }));

    cache = await Cache.open(dir);
    try {
      const report = cache.recovery!;
      assert.equal(report.full, true);
      assert.equal(report.reason, 'unclean shutdown');
      assert.equal(report.removedPartials, 2);
      assert.equal(report.removedRows, 1);
      assert.equal(report.reindexed, 1);
      assert.equal(report.quarantined.length, 1);
      assert.ok(existsSync(join(dir, report.quarantined[0]!)));
      assert.equal(existsSync(join(dir, 'files', 'junk', 'x.dcm')), false);
      assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
      assert.equal(cache.countArrivedFor([lost.sopInstanceUid]), 0);
      const stats = cache.stats();
      assert.equal(stats.instances, 3, 'two of the three imported, plus the orphan');
      const orphan = cache.instancesFor(
        'IMAGE',
        [...cache.find('IMAGE', 'study', [{ keyword: 'SOPClassUID', value: ['1.2.840.10008.5.1.4.1.1.481.2'] }])].map((row) => String(row.SOPInstanceUID)),
      );
      assert.equal(orphan.length, 1, 'the RT Dose file is indexed where it lies');
      assert.equal(orphan[0]!.path, join(dir, 'files', 'orphan', 'series', 'dose.dcm'));
      const sum = cache.patients().reduce((n, p) => n + p.NumberOfPatientRelatedInstances, 0);
      assert.equal(sum, 3, 'aggregates rebuilt');
    } finally {
      await cache.close();
    }
    const again = await Cache.open(dir);
    assert.equal(again.recovery?.full, false, 'the next open after a clean close is quick');
    await again.close();
  });

  test('a lost index is rebuilt from the files', async () => {
    let cache = await Cache.open(dir);
    await cache.importPaths([MR_SMALL, CT_SMALL]);
    const before = cache.stats();
    await cache.close();
    for (const f of readdirSync(dir)) if (f.startsWith('index.sqlite')) unlinkSync(join(dir, f));
    cache = await Cache.open(dir);
    try {
      assert.equal(cache.recovery?.reason, 'index rebuilt from files');
      assert.equal(cache.recovery?.reindexed, 2);
      const { freeBytes: _f, diskBytes: _d, ...after } = cache.stats();
      const { freeBytes: _f0, diskBytes: _d0, ...expected } = before;
      assert.deepEqual(after, expected);
    } finally {
      await cache.close();
    }
  });

  test('a second open of a cache in use is refused (ELOCKED)', async () => {
    const cache = await Cache.open(dir);
    try {
      await assert.rejects(Cache.open(dir), (e: unknown) => e instanceof CacheError && e.code === 'ELOCKED');
    } finally {
      await cache.close();
    }
    await assert.rejects(
      Promise.resolve().then(() => cache.stats()),
      (e: unknown) => e instanceof CacheError && e.code === 'ECLOSED',
    );
  });
});
