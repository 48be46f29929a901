// Issue 17 item 3: the cache lock must not outlive its holder. After a kill -9 the holder may be a
// zombie its parent has not reaped yet (kill(pid, 0) still answers), a container restart may
// give the new process the dead holder's pid, and a pid may be reused by an unrelated process:
// none of them keeps a cache locked. A live holder still does, and is named. Real processes:
// the holder is a child Node process that opens the cache; the zombie is made by a shell that
// starts it and then becomes `sleep` (which never reaps).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cache, CacheError } from '../../electron/cache/index.js';
import { LOCK_FILE } from '../../electron/cache/lock.js';
import { REPO_ROOT } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const CACHE_MODULE = join(REPO_ROOT, 'electron', 'cache', 'index.ts');
/** A Node process that opens the cache of argv[1], says "ready <pid>" and waits to be killed (at most 60 s). */
const HOLDER = `import { Cache } from ${JSON.stringify(CACHE_MODULE)}; await Cache.open(process.argv[1]); console.log('ready', process.pid); setTimeout(() => {}, 60000);`;

const started = new Set<number>();
after(() => {
  for (const pid of started)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
});

/** Spawns `argv`, resolves with the process and the first line matching `ready <pid>` on its stdout (within 30 s). */
async function startHolder(command: string, args: string[]): Promise<{ child: ChildProcess; holderPid: number }> {
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child.pid!);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /ready (\d+)/.exec(out);
    if (m) return { child, holderPid: Number(m[1]) };
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the holder did not open the cache: ${out} ${err}`);
    await sleep(50);
  }
}

function state(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function threads(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

describe('the cache lock dies with its holder', { timeout: 90_000 }, () => {
  test('a holder killed with kill -9 and not reaped yet (a zombie) holds nothing: the cache opens, with a full recovery', async (t) => {
    const dir = tempDir('lock-zombie');
    // sh starts the holder in the background, then becomes sleep: the killed holder stays a zombie
    const { child, holderPid } = await startHolder('sh', [
      '-c',
      `"$0" --import tsx --input-type=module -e "$1" "$2" & exec sleep 60`,
      process.execPath,
      HOLDER,
      dir,
    ]);
    started.add(holderPid);
    await assert.rejects(
      Cache.open(dir),
      (e: unknown) => e instanceof CacheError && e.code === 'ELOCKED' && e.message.includes(`pid ${holderPid}`),
      'a live holder locks the cache and is named',
    );
    process.kill(holderPid, 'SIGKILL');
    // a zombie once its last thread has exited (the leader shows Z before the others are done)
    const zombie = () => state(holderPid) === 'Z' && threads(holderPid) === 1;
    for (let i = 0; i < 100 && !zombie(); i++) await sleep(20);
    if (!zombie()) return t.skip(`the holder did not stay a zombie here (state ${state(holderPid) ?? 'gone'})`);
    const cache = await Cache.open(dir);
    try {
      assert.equal(cache.recovery?.full, true, 'the holder did not close: a full recovery');
      assert.equal(cache.recovery?.reason, 'unclean shutdown');
    } finally {
      await cache.close();
      child.kill('SIGKILL');
    }
  });

  test("a lock naming this very process (a restart that got the dead holder's pid) is stale", async () => {
    for (const lock of [{ pid: process.pid }, { pid: process.pid, lock: 'os' }]) {
      const dir = tempDir('lock-own-pid');
      await (await Cache.open(dir)).close();
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify(lock)); // what a kill -9 of the previous run left
      const cache = await Cache.open(dir);
      assert.equal(cache.recovery?.reason, 'unclean shutdown', JSON.stringify(lock));
      await cache.close();
    }
  });

  test("a pid reused by an unrelated live process does not lock the cache; an older Priors' lock is still honoured while its pid lives", async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    started.add(other.pid!);
    try {
      const dir = tempDir('lock-reused');
      await (await Cache.open(dir)).close();
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, lock: 'os', since: '2026-01-01T00:00:00Z' }));
      const cache = await Cache.open(dir);
      assert.equal(cache.recovery?.reason, 'unclean shutdown');
      await cache.close();
      // a lock file without the OS lock (written by a Priors before this one): its live pid is respected
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid }));
      await assert.rejects(Cache.open(dir), (e: unknown) => e instanceof CacheError && e.code === 'ELOCKED');
    } finally {
      other.kill('SIGKILL');
    }
  });

  test('a second open in the same process is refused, and the lock is free again once closed', async () => {
    const dir = tempDir('lock-same');
    const cache = await Cache.open(dir);
    await assert.rejects(Cache.open(dir), (e: unknown) => e instanceof CacheError && e.code === 'ELOCKED' && /this one/.test(e.message));
    await cache.close();
    const again = await Cache.open(dir);
    assert.equal(again.recovery?.full, false, 'a clean close');
    await again.close();
  });
});
