/**
 * The index rows of placed instances on their way into the index (file-store.ts places the files):
 *
 * - Group commit (durability 'deferred'): the rows of answered instances are queued and written
 *   in one transaction {@link INDEX_GROUP_DELAY_MS} after the first, at {@link INDEX_GROUP_ROWS},
 *   or sooner by any use of the cache, before a sender's release is answered and on close.
 * - Nearly full disk ({@link LOW_SPACE_BYTES}): rows are not deferred (the store indexes first,
 *   so a row the disk has no room for refuses the store instead of following an acknowledgement).
 * - Retry: a row of an acknowledged instance that cannot be written (SQLITE_FULL, damage, a lock)
 *   is kept and written again first by every flush and every {@link INDEX_RETRY_MS}: the instance
 *   is indexed as soon as the index can take it, without a restart; meanwhile the cache refuses
 *   new stores (Cache.storeRefusal).
 * - Hold: while Cache.rebuildIndex builds a new index, queued rows wait and rows written at once
 *   are remembered, to be replayed into the new index when it takes over.
 */
import type { StoreResult } from '../../shared/records.js';
import { CacheError, isOutOfSpace } from './errors.js';
import { isDamage } from './integrity.js';
import type { IndexOutcome, Repository } from './repository.js';

/** A row waiting for its group commit (or for its retry). */
export interface QueuedRow {
  write(): IndexOutcome;
  finish(outcome: IndexOutcome): StoreResult;
  size: number;
  filePath: string;
  then?: (result: StoreResult) => void;
}

/** Rows written in one group commit at most: about 4 ms of writes, a pause a sender does not notice. */
export const INDEX_GROUP_ROWS = 64;
/**
 * Delay of a group commit after the first row queued. Rows are late by this much at most for
 * another process reading the index (this one flushes before it reads), and an instance answered
 * and not yet indexed is a file without a row after a crash, which the recovery indexes.
 */
export const INDEX_GROUP_DELAY_MS = 20;
/** How often rows that could not be written are tried again while nothing else writes the index. */
export const INDEX_RETRY_MS = 1000;
/**
 * Free space under which index rows are neither grouped nor deferred: each instance is indexed
 * before its sender is answered, so that a row the disk has no room for refuses the store (A700)
 * instead of leaving an acknowledged instance out of the index (the margin holds the files in
 * flight while the index still has room to grow).
 */
export const LOW_SPACE_BYTES = 256 * 1024 * 1024;
/** How often the free space is looked at for {@link LOW_SPACE_BYTES}. */
const SPACE_CHECK_MS = 50;

/** Options of an {@link IndexQueue}. */
export interface IndexQueueOptions {
  log?: (level: 'info' | 'warn', message: string) => void;
  /** A row of an acknowledged instance could not be written (once per row; it is kept and retried). */
  onFailed?: (filePath: string, error: CacheError) => void;
  /** Free bytes on the data directory's disk (statfs), for {@link LOW_SPACE_BYTES}. */
  freeBytes?: () => number | undefined;
}

/** The rows on their way into the index (see the module comment). */
export class IndexQueue {
  /** Bytes of files placed and not yet indexed (the quota counts them with those indexed). */
  unindexed = 0;
  private queuedRows: QueuedRow[] = [];
  /** Rows of acknowledged instances that could not be written: first in every flush. */
  private failedRows: QueuedRow[] = [];
  /** Why a row of {@link failedRows} could not be written the last time it was tried. */
  private failedBecause: CacheError | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private indexTimer: NodeJS.Timeout | undefined;
  /** While the index is rebuilt ({@link hold}): the rows written meanwhile, to replay into the new index. */
  private held: (() => IndexOutcome)[] | undefined;
  private spaceCheckedAt = -Infinity;
  private lowSpace = false;

  constructor(
    private index: Repository,
    private readonly options: IndexQueueOptions = {},
  ) {}

  /** The index rows are written to. */
  get repository(): Repository {
    return this.index;
  }

  /** Writes to another index from now on. */
  reconnect(repository: Repository): void {
    this.index = repository;
  }

  get queued(): number {
    return this.queuedRows.length;
  }

  get failedCount(): number {
    return this.failedRows.length;
  }

  /** Writes one row at once (the store waits for it): remembered for the replay while held. Throws what the write throws. */
  writeNow(write: () => IndexOutcome, size: number): IndexOutcome {
    const outcome = write();
    this.unindexed -= size;
    this.held?.push(write);
    return outcome;
  }

  /** A row of an acknowledged instance whose write failed: kept, tried again, reported. */
  failed(row: QueuedRow, error: CacheError): void {
    this.failedRows.push(row);
    this.failedBecause = error;
    this.scheduleRetry();
    this.options.onFailed?.(row.filePath, error);
  }

  /** Queues the row of an answered instance for the next group commit (see {@link flush}). */
  queue(row: QueuedRow): void {
    this.queuedRows.push(row);
    if (this.queuedRows.length >= INDEX_GROUP_ROWS || this.lowOnSpace()) {
      this.flush();
    } else if (!this.indexTimer) {
      this.indexTimer = setTimeout(() => this.flush(), INDEX_GROUP_DELAY_MS);
      this.indexTimer.unref();
    }
  }

  /**
   * Whether the disk has less than {@link LOW_SPACE_BYTES} free, from a statfs at most every
   * {@link SPACE_CHECK_MS} (a statfs per instance would cost a tenth of a tiny instance's
   * storing; the files of that long are far less than the margin).
   */
  lowOnSpace(): boolean {
    const now = Date.now();
    if (now - this.spaceCheckedAt >= SPACE_CHECK_MS) {
      this.spaceCheckedAt = now;
      const free = this.options.freeBytes?.();
      this.lowSpace = free !== undefined && free < LOW_SPACE_BYTES;
    }
    return this.lowSpace;
  }

  /** Writes the failed and queued rows; why some still cannot be written, or undefined. */
  retry(): CacheError | undefined {
    this.flush();
    return this.failedRows.length ? this.failedBecause : undefined;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.failedRows.length === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
      this.scheduleRetry();
    }, INDEX_RETRY_MS);
    this.retryTimer.unref();
  }

  /** Stops trying the rows that could not be written (closing: the next open's recovery indexes their files). */
  abandonFailed(): number {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const n = this.failedRows.length;
    for (const row of this.failedRows) this.unindexed -= row.size;
    this.failedRows = [];
    return n;
  }

  /** See the module comment: queued rows wait and rows written at once are remembered until {@link release}. */
  hold(): void {
    this.held ??= [];
  }

  /** Ends {@link hold}: writes to `repository` from now on, replays the rows written meanwhile, then the waiting ones. */
  release(repository: Repository): void {
    const replay = this.held ?? [];
    this.held = undefined;
    this.index = repository;
    const failed = replay.map((write) => attempt(write)).filter((o) => o instanceof CacheError);
    if (failed.length) {
      this.options.log?.(
        'warn',
        `${failed.length} rows written while the index was rebuilt could not be written again (${failed[0]!.message}); "priors doctor --repair" indexes their files`,
      );
    }
    this.flush();
  }

  /**
   * Writes the queued rows now, in one transaction (a group commit: one WAL commit for them all
   * instead of one per instance, and the pages of their series, study and patient written once).
   * A row that fails is rolled back alone (a savepoint) and reported by `onFailed`; when the
   * commit of the group fails, each row is written again in its own transaction, so that only the
   * rows that cannot be written are reported. A row that fails is kept and tried again first by
   * the next flush (and every {@link INDEX_RETRY_MS}). Then each row's `then`, in order. Never throws.
   */
  flush(): void {
    clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
    if (this.held) return; // the index is being rebuilt: written into the new one (release)
    if (this.queuedRows.length === 0 && this.failedRows.length === 0) return;
    // the rows that failed before go first: an older row must not overwrite a newer one
    const retried = this.failedRows;
    const rows = [...retried, ...this.queuedRows];
    this.failedRows = [];
    this.queuedRows = [];
    let outcomes: (IndexOutcome | CacheError)[];
    try {
      outcomes = this.index.transaction(() => rows.map((row) => attempt(row.write)));
    } catch {
      outcomes = rows.map((row) => attempt(row.write));
    }
    rows.forEach((row, i) => {
      const outcome = outcomes[i]!;
      if (outcome instanceof CacheError) {
        // kept, and tried again with the next flush or INDEX_RETRY_MS later; reported once
        this.failedRows.push(row);
        this.failedBecause = outcome;
        if (i >= retried.length) this.options.onFailed?.(row.filePath, outcome);
        return;
      }
      this.unindexed -= row.size;
      if (i < retried.length) this.options.log?.('info', `${row.filePath}, acknowledged earlier, is indexed now`);
      const result = row.finish(outcome);
      try {
        row.then?.(result);
      } catch (e) {
        this.options.log?.('warn', `After indexing ${row.filePath}: ${(e as Error).message}`);
      }
    });
    if (this.failedRows.length === 0) this.failedBecause = undefined;
    this.scheduleRetry();
  }
}

/** The outcome of an index write, or its failure as a CacheError. */
export function attempt(write: () => IndexOutcome): IndexOutcome | CacheError {
  try {
    return write();
  } catch (e) {
    return indexError(e);
  }
}

/** An index failure as a CacheError: ENOSPC for SQLITE_FULL, EINDEX for others. */
export function indexError(e: unknown): CacheError {
  if (e instanceof CacheError) return e;
  // SQLite answers SQLITE_FULL when the disk is full (or the database reached max_page_count)
  if ((e as { code?: unknown }).code === 'SQLITE_FULL') {
    return new CacheError('ENOSPC', `Cannot index the received instance: the disk is full (${(e as Error).message})`, { cause: e });
  }
  return new CacheError('EINDEX', `Cannot index the received instance: ${(e as Error).message}`, { cause: e });
}

/** The log's sentence for an acknowledged instance whose row could not be written (yet). */
export function notIndexedYet(filePath: string, error: CacheError, dataDir: string): string {
  const then = isDamage(error)
    ? 'the index is damaged: Priors sets it aside and rebuilds it from the files now, and refuses new instances until it is done'
    : isOutOfSpace(error)
      ? `Priors writes its row as soon as the index has room (it tries again every second) and refuses new instances until then: free space on the disk of ${dataDir}`
      : 'Priors tries again every second and refuses new instances until it can';
  return `${filePath} was stored and acknowledged but could not be indexed (${error.message}); it stays on disk and ${then}.`;
}
