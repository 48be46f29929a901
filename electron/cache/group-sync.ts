/**
 * Deferred durability: files renamed into the store are flushed to disk in groups, off the
 * path of the C-STORE response, at most `delayMs` after they arrive, and on close.
 *
 * Why: an fdatasync per instance before answering costs 1–2 ms on a fast SSD, more than
 * receiving a 512×512 CT image, and serialises the sender on the disk. The index already
 * commits without a sync (SQLite WAL, synchronous=NORMAL). A process crash (kill -9) loses
 * nothing either way: written bytes are in the kernel's page cache. A power cut can lose the
 * instances of the last `delayMs`; the recovery walk at the next open then finds each file that
 * did not reach the disk (missing, or cut short) and drops or quarantines it, so the index never
 * lists a file that is not whole, and a retrieve fetches it again. Sites that want every
 * instance on disk before it is acknowledged set durability 'instance'.
 */
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Files synced at once (the thread pool has 4 threads by default). */
const PARALLEL = 4;

/** Syncs files (then their directories, so the renames are durable) in groups. */
export class GroupSync {
  private files = new Set<string>();
  private dirs = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly delayMs = 100,
    private readonly log?: (level: 'info' | 'warn', message: string) => void,
  ) {}

  /** Files waiting for their sync. */
  get pending(): number {
    return this.files.size;
  }

  /** Queues a file (absolute path) for the next group. */
  add(path: string): void {
    this.files.add(path);
    this.dirs.add(dirname(path));
    this.schedule();
  }

  /** Syncs everything queued so far (and waits for a group under way). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
    if (this.files.size === 0) return;
    const files = [...this.files];
    const dirs = [...this.dirs];
    this.files.clear();
    this.dirs.clear();
    this.running = (async () => {
      await inParallel(files, (f) => this.sync(f));
      await inParallel(dirs, (d) => this.sync(d));
    })().finally(() => {
      this.running = undefined;
      if (this.files.size > 0) this.schedule();
    });
    await this.running;
  }

  private schedule(): void {
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  /** fdatasync of one file or directory; a file deleted or replaced meanwhile is skipped. */
  private async sync(path: string): Promise<void> {
    let fh;
    try {
      fh = await open(path, 'r');
      await fh.datasync();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOENT: deleted or replaced since; EISDIR/EPERM/EINVAL: a platform that cannot sync a directory
      if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') {
        this.log?.('warn', `Could not flush ${path} to disk (${code ?? String(e)}); it stays in the cache and is checked at the next start after a power failure`);
      }
    } finally {
      await fh?.close().catch(() => undefined);
    }
  }
}

async function inParallel<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < items.length) await fn(items[next++]!); };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}
