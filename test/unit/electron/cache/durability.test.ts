// Durability of stored files: 'deferred' (default) syncs them in groups after the commit,
// 'instance' before it; both store the same bytes, and closing the cache flushes every group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cache } from '../../../../electron/cache/index.js';
import { GroupSync } from '../../../../electron/cache/group-sync.js';
import { validateConfig } from '../../../../shared/config.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';

async function storeFile(cache: Cache, path: string): Promise<string> {
  const writer = cache.createTempWriter();
  writer.stream.end(readFileSync(path));
  const result = await writer.commit();
  return join(cache.dataDir, ...result.filePath.split('/'));
}

for (const durability of ['deferred', 'instance'] as const) {
  test(`durability '${durability}': the stored file holds the bytes sent, and nothing is left unsynced after close`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'priors-durability-'));
    try {
      const cache = await Cache.open(dir, { durability });
      const stored = await storeFile(cache, CT_SMALL);
      assert.deepEqual(readFileSync(stored), readFileSync(CT_SMALL));
      if (durability === 'deferred') assert.equal(cache.files.unsynced, 1, 'the file waits for its group sync');
      else assert.equal(cache.files.unsynced, 0, 'the file was synced before the commit returned');
      await cache.close();
      assert.equal(cache.files.unsynced, 0);
      const reopened = await Cache.open(dir);
      assert.equal(reopened.recovery?.reason, 'clean shutdown');
      assert.equal(reopened.stats().instances, 1);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('GroupSync syncs queued files within its delay and skips files deleted meanwhile without a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'priors-groupsync-'));
  const warnings: string[] = [];
  const sync = new GroupSync(20, (_level, message) => warnings.push(message));
  try {
    for (const name of ['a', 'b', 'c']) {
      writeFileSync(join(dir, name), name);
      sync.add(join(dir, name));
    }
    unlinkSync(join(dir, 'b'));
    assert.equal(sync.pending, 3);
    const deadline = Date.now() + 5000;
    while (sync.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sync.pending, 0, 'the timer flushed the group');
    await sync.flush();
    assert.deepEqual(warnings, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('GroupSync says which file it could not flush and why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'priors-groupsync-'));
  const warnings: string[] = [];
  const sync = new GroupSync(1000, (_level, message) => warnings.push(message));
  try {
    writeFileSync(join(dir, 'plain-file'), 'x');
    const impossible = join(dir, 'plain-file', 'child'); // a path under a file: ENOTDIR
    sync.add(impossible);
    await sync.flush();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /plain-file\/child to disk \(ENOTDIR\)/);
    assert.equal(sync.pending, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('durability is validated in the configuration', () => {
  const ok = validateConfig({ durability: 'instance' });
  assert.ok(ok.ok && ok.value.durability === 'instance');
  const bad = validateConfig({ durability: 'sometimes' });
  assert.ok(!bad.ok);
  assert.match(bad.error, /durability.*"instance", "deferred".*"sometimes"/);
});
