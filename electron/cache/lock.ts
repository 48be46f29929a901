/**
 * One process at a time per data directory, and the clean-shutdown marker in one file:
 * <dataDir>/cache.lock holds the owner's pid while a cache is open and is removed by close().
 * Found at open with a dead owner → the last run ended without close(), or closed knowing its
 * index incomplete (owner pid 0, {@link leaveForRecovery}): a full recovery runs.
 * Found with a live owner → CacheError ELOCKED (the app and the CLI cannot both write).
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheError } from './errors.js';

export const LOCK_FILE = 'cache.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Takes the lock. Returns whether the previous owner shut down cleanly. */
export async function acquireLock(dataDir: string): Promise<{ clean: boolean }> {
  const path = join(dataDir, LOCK_FILE);
  const content = JSON.stringify({ pid: process.pid, since: new Date().toISOString() });
  try {
    await writeFile(path, content, { flag: 'wx' });
    return { clean: true };
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
  }
  let pid: number | undefined;
  try {
    pid = Number((JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown }).pid);
  } catch {
    pid = undefined; // unreadable: a crash while writing it
  }
  if (pid !== undefined && Number.isInteger(pid) && pid > 0 && alive(pid)) {
    throw new CacheError('ELOCKED', `The cache in ${dataDir} is open in another process (pid ${pid})${pid === process.pid ? ' — this one' : ''}`);
  }
  await writeFile(path, content);
  return { clean: false };
}

/** Releases the lock (the clean-shutdown marker). */
export async function releaseLock(dataDir: string): Promise<void> {
  await unlink(join(dataDir, LOCK_FILE)).catch(() => undefined);
}

/**
 * Releases the lock but leaves the marker of an unclean shutdown (an owner no process can be):
 * the next open runs a full recovery (a file stored without its row is indexed then).
 */
export async function leaveForRecovery(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: 0, reason: 'a stored file could not be indexed' }));
}
