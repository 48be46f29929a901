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
import { close, closeSync, fdatasync, open } from 'node:fs';
import { dirname } from 'node:path';

/** Files synced at once (the thread pool has 4 threads by default). */
const PARALLEL = 4;
/** Descriptors held for the next group at most; beyond, a file is closed at once and reopened for its sync. */
const MAX_HELD_DESCRIPTORS = 512;

/** Syncs files (then their directories, so the renames are durable) in groups. */
export class GroupSync {
  /** Files waiting, with their open descriptor when the writer handed it over. */
  private files = new Map<string, number | undefined>();
  private held = 0;
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

  /**
   * Queues a file (absolute path) for the next group. `fd`, the file's open descriptor, becomes
   * the group sync's: it is synced and closed with the group, and the file is not opened again.
   */
  add(path: string, fd?: number): void {
    if (fd !== undefined && this.held >= MAX_HELD_DESCRIPTORS) {
      try {
        closeSync(fd);
      } catch {
        /* reopened for the sync */
      }
      fd = undefined;
    }
    const previous = this.files.get(path);
    if (previous !== undefined) this.release(previous); // replaced by a newer copy: sync that one
    this.files.set(path, fd);
    if (fd !== undefined) this.held++;
    this.dirs.add(dirname(path));
    this.schedule();
  }

  private release(fd: number): void {
    this.held--;
    close(fd, () => undefined);
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
    this.held = 0;
    this.dirs.clear();
    this.running = (async () => {
      await inParallel(files, ([path, fd]) => this.sync(path, fd));
      await inParallel(dirs, (d) => this.sync(d, undefined));
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

  /**
   * fdatasync of one file or directory, through its descriptor when held (then closed), else
   * opened for it; a file deleted or replaced meanwhile is skipped. Callback calls, not
   * FileHandles: three thread-pool trips per file at most, and little work on this thread.
   */
  private sync(path: string, held: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (fd: number | undefined, e: NodeJS.ErrnoException | null) => {
        const code = e?.code;
        // ENOENT: deleted or replaced since; EISDIR/EPERM/EINVAL: a platform that cannot sync a directory
        if (e && code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') {
          this.log?.(
            'warn',
            `Could not flush ${path} to disk (${code ?? String(e)}); it stays in the cache and is checked at the next start after a power failure`,
          );
        }
        if (fd === undefined) resolve();
        else close(fd, () => resolve());
      };
      const syncFd = (fd: number) => fdatasync(fd, (e) => done(fd, e));
      if (held !== undefined) syncFd(held);
      else open(path, 'r', (e, fd) => (e ? done(undefined, e) : syncFd(fd)));
    });
  }
}

function inParallel<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  return Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker)).then(() => undefined);
}
