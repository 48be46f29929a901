/**
 * One process at a time per data directory, and the clean-shutdown marker.
 *
 * The lock is an operating-system lock that dies with its holder: an exclusive SQLite
 * transaction held open on <dataDir>/cache.lock.sqlite for as long as the cache is open (a POSIX
 * record lock, LockFileEx on Windows, both released by the kernel when the process ends, however
 * it ends). So neither a holder killed with kill -9 and not yet reaped (a zombie, which
 * `kill(pid, 0)` still reports alive), nor a pid reused by another process, nor a restart that
 * happens to get the dead holder's pid (a container's pid 1) keeps a cache locked.
 *
 * <dataDir>/cache.lock holds the owner's pid (for the sentence that names it) and is the
 * clean-shutdown marker: removed by close(); found at open → the last run ended without close(),
 * or closed knowing its index incomplete (owner pid 0, {@link leaveForRecovery}): a full
 * recovery runs. A cache.lock written by an older Priors, which took no OS lock, is honoured
 * while its pid is alive and not a zombie.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { CacheError } from './errors.js';

export const LOCK_FILE = 'cache.lock';
/** The file the OS lock is held on (never removed: a process waiting on it must lock the same file). */
export const OS_LOCK_FILE = 'cache.lock.sqlite';

const requireModule = createRequire(import.meta.url);

/** The lock of an open cache: release it (once) when the cache closes. */
export interface HeldLock {
  /** Whether the previous owner shut down cleanly. */
  clean: boolean;
  /** Ends the OS lock; `marker` decides what cache.lock says for the next open. */
  release(marker: 'clean' | 'recover'): Promise<void>;
}

/** Whether a pid is a live process: false for a zombie (Linux /proc), which holds nothing any more. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EPERM') return false;
  }
  try {
    // "pid (comm) S ...": the state follows the last ')'
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (macOS, Windows): kill(0) is all there is
  }
}

/** The pid cache.lock names, and whether it was written by a Priors that holds the OS lock. */
async function readMarker(path: string): Promise<{ exists: boolean; pid?: number; osLock?: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { exists: false };
    throw e;
  }
  try {
    const o = JSON.parse(text) as { pid?: unknown; lock?: unknown };
    const pid = Number(o.pid);
    return { exists: true, ...(Number.isInteger(pid) && pid > 0 ? { pid } : {}), osLock: o.lock === 'os' };
  } catch {
    return { exists: true }; // unreadable: a crash while writing it
  }
}

/**
 * Takes the lock: the OS lock first (a live owner holds it: CacheError ELOCKED naming its pid),
 * then cache.lock, whose presence says whether the previous owner shut down cleanly.
 */
export async function acquireLock(dataDir: string): Promise<HeldLock> {
  const sqlite = requireModule('better-sqlite3') as typeof Database;
  const markerPath = join(dataDir, LOCK_FILE);
  const held = new sqlite(join(dataDir, OS_LOCK_FILE), { timeout: 0 });
  try {
    held.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    held.close();
    if ((e as { code?: string }).code !== 'SQLITE_BUSY' && (e as { code?: string }).code !== 'SQLITE_LOCKED') throw e;
    const { pid } = await readMarker(markerPath).catch(() => ({ pid: undefined }));
    const who = pid ? `another process (pid ${pid}${pid === process.pid ? ' — this one' : ''})` : 'another process';
    throw new CacheError('ELOCKED', `The cache in ${dataDir} is open in ${who}`);
  }
  try {
    const previous = await readMarker(markerPath);
    // an older Priors holds no OS lock: its cache.lock is the lock while its pid lives
    if (previous.exists && !previous.osLock && previous.pid !== undefined && previous.pid !== process.pid && alive(previous.pid)) {
      throw new CacheError('ELOCKED', `The cache in ${dataDir} is open in another process (pid ${previous.pid})`);
    }
    await writeFile(markerPath, JSON.stringify({ pid: process.pid, lock: 'os', since: new Date().toISOString() }));
    let released = false;
    return {
      clean: !previous.exists,
      release: async (marker) => {
        if (released) return;
        released = true;
        if (marker === 'clean') await unlink(markerPath).catch(() => undefined);
        else await leaveForRecovery(dataDir);
        try {
          held.exec('ROLLBACK');
        } catch {
          /* closing ends it anyway */
        }
        held.close();
      },
    };
  } catch (e) {
    held.close();
    throw e;
  }
}

/**
 * Leaves the marker of an unclean shutdown (an owner no process can be): the next open runs a
 * full recovery (a file stored without its row is indexed then).
 */
export async function leaveForRecovery(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: 0, lock: 'os', reason: 'a stored file could not be indexed' }));
}
