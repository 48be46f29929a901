/**
 * The files of the cache, under <dataDir>/files/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm,
 * and the one write path every instance takes, from the network or from an import:
 *
 *   createTempWriter() → the caller streams the Part-10 bytes into `writer.stream`
 *   (<dataDir>/tmp/<random>.part, with backpressure) → commit(): fsync, read the header,
 *   check quota, rename to the final path, index in one transaction.  discard() removes the
 *   temp file instead.
 *
 * A crash at any point leaves either a .part file (removed at the next open), a file without
 * a row (re-indexed from its header at the next open after an unclean shutdown) or nothing.
 *
 * Group commit (durability 'deferred'): a C-STORE SCP answers once the file is in place, then
 * queues the instance's row (PlacedInstance.indexSoon); the rows queued are written in one
 * transaction (flushIndex) 20 ms after the first, at 64 rows, before the cache of this process
 * reads or changes its index, before a sender's release is answered, before an eviction and on
 * close. One commit for many rows instead of one each (and the pages of their series, study and
 * patient rows written once) costs less per instance (test/integration/index-group-commit.test.ts
 * for the rules, bench/ab.ts for the gain). When the disk is nearly full the row is written before
 * the answer instead, and a row that cannot be written after the answer is kept and written as
 * soon as the index takes it (index-queue.ts).
 *
 * Duplicates: an instance whose SOP Instance UID is already cached replaces the stored copy;
 * the rename is atomic, so readers see the old file or the new one, never a mixture. The row is
 * updated (counts unchanged) and the result says `duplicate: true`. When the stored copy has the
 * same bytes (the same instance from the same sender, e.g. a study retrieved again), it stays
 * and the new file is dropped: comparing costs less than the rename, which on ext4 writes the
 * new file's data out first when it replaces a file (auto_da_alloc: about 0.6 ms for a CT image).
 */
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { open, rmdir, stat, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { createHash, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { isValidUid, validateUid } from '../../shared/dicom/uids.js';
import type { InstanceIndexFields, StoreResult } from '../../shared/records.js';
import { CacheError, fsError } from './errors.js';
import { findTruncation } from './completeness.js';
import { buildFileMetaInformation, type FileMetaInput } from './file-meta.js';
import { type InstanceHeader, parseInstanceHeader, readInstanceHeader } from './header.js';
import type { RoomRequest } from './eviction.js';
import { GroupSync } from './group-sync.js';
import { IndexQueue, indexError } from './index-queue.js';
import { InstanceWriter, type BorrowedSink } from './instance-writer.js';
import type { IndexOutcome, Repository } from './repository.js';

export { INDEX_GROUP_DELAY_MS, INDEX_GROUP_ROWS, INDEX_RETRY_MS, LOW_SPACE_BYTES } from './index-queue.js';

/** The directories of a data directory. */
export const FILES_DIR = 'files';
export const TMP_DIR = 'tmp';
export const QUARANTINE_DIR = 'quarantine';

/**
 * One path component from a UID: the UID itself when valid (PS3.5 §9.1: digits and periods,
 * no empty component, so never "." or ".."), else "h-" and a hash of it: no traversal, no
 * characters a file system refuses.
 */
export function uidPathComponent(uid: string): string {
  return isValidUid(uid) ? uid : `h-${createHash('sha256').update(uid, 'utf8').digest('hex').slice(0, 40)}`;
}

/** The file of an instance relative to the data directory, with forward slashes. */
export function instanceFilePath(fields: Pick<InstanceIndexFields, 'study' | 'series' | 'instance'>): string {
  return [
    FILES_DIR,
    uidPathComponent(fields.study.StudyInstanceUID),
    uidPathComponent(fields.series.SeriesInstanceUID),
    `${uidPathComponent(fields.instance.SOPInstanceUID)}.dcm`,
  ].join('/');
}

/** Options of {@link FileStore.commit} and {@link TempWriter.commit}. */
export interface CommitOptions {
  /** The header of the bytes written, when the caller has it already; else it is read from the temp file. */
  header?: InstanceHeader;
  /** The SOP Instance UID announced (Affected SOP Instance UID, 0000,1000): a data set holding another is refused (EMISMATCH). */
  expectedSopInstanceUid?: string;
  /** Calling AE title of the sender (or the Move Originator). */
  sourceAeTitle?: string;
  /** Arrival time (default now). */
  receivedAt?: number;
}

/** Options of {@link FileStore.createTempWriter}. */
export interface TempWriterOptions {
  /** Write this file meta information first: the caller then streams only the data set. */
  meta?: FileMetaInput;
}

/** Where an incoming instance is written before it is committed. */
export interface TempWriter {
  /** The temp file (<dataDir>/tmp/<random>.part). */
  readonly path: string;
  /**
   * Stream the bytes here (pipeline(source, writer.stream) keeps backpressure); once it has
   * finished, the bytes are on disk (fdatasync). Errors keep their code (ENOSPC…). Chunks are
   * kept, not copied, until written (the first ones for the header): do not modify one after
   * writing it.
   */
  readonly stream: Writable;
  /**
   * Instead of `stream`: the pieces of a data set received from the network, borrowed until the
   * end of each received chunk (instance-writer.ts); `stream` finishes or fails as when written.
   */
  readonly sink: BorrowedSink;
  /**
   * The header of what was written, parsed from the bytes kept in memory (the file is read only
   * when the header is longer). Ends the stream if needed. The parse starts by itself as soon as
   * the last byte is written, while the file is synced; a sync that fails fails `stream` and
   * commit(), not this.
   */
  header(): Promise<InstanceHeader>;
  /** Ends the stream if needed, then stores and indexes the instance. On failure the temp file is removed. */
  commit(options?: CommitOptions): Promise<StoreResult>;
  /**
   * Like {@link commit}, up to the file in its final place: the index is written by the
   * returned {@link PlacedInstance}, which the caller must call (a C-STORE SCP answers the sender
   * in between when `mayIndexLater`).
   */
  place(options?: CommitOptions): Promise<PlacedInstance>;
  /** Abandons the instance: closes the stream and removes the temp file. Safe to call twice or after commit. */
  discard(): Promise<void>;
}

/**
 * A temp file as its writer leaves it: its size and first bytes known, whether it is synced
 * already (durability 'instance'), and its still open descriptor, which the store closes (or
 * hands to the group sync).
 */
interface WrittenFile {
  synced: boolean;
  size: number;
  head: Uint8Array;
  fd?: number | undefined;
}

/** An instance whose file is in its final place (quota checked, renamed) and is not yet indexed. */
export interface PlacedInstance {
  /**
   * True with durability 'deferred': the sender may be answered before {@link index} runs (the
   * file is already where a recovery walk finds it, as it is before its group sync). With
   * 'instance' the index must be written first.
   */
  readonly mayIndexLater: boolean;
  /**
   * Indexes the instance (once). A failure throws as {@link TempWriter.commit} does. Without
   * `late` the file is removed first (the sender is told the store failed). With `late` (the
   * sender was told it succeeded) the file stays where it is, the failure is reported by the
   * store's `onIndexFailed`, and the row is kept and written as soon as the index takes it
   * (or, if Priors stops first, by the full recovery of the next start).
   */
  index(late?: boolean): StoreResult;
  /**
   * With `mayIndexLater`, after the answer: queues the row for the store's next group commit
   * instead ({@link FileStore.flushIndex}), written {@link INDEX_GROUP_DELAY_MS} after the first
   * row queued, when {@link INDEX_GROUP_ROWS} are queued, or sooner by any use of the cache
   * (Cache flushes before it reads or changes the index), before a sender's release is answered
   * and on close. `then` runs once the row is committed; a failure is reported by
   * `onIndexFailed`, as with index(true). Either this or {@link index}, once.
   */
  indexSoon(then?: (result: StoreResult) => void): void;
}

/**
 * When a stored instance reaches the disk: 'instance' syncs each file before it is indexed and
 * acknowledged; 'deferred' (the default) syncs files in groups within about 0.1 s (see group-sync.ts).
 */
export type Durability = 'instance' | 'deferred';

/** Options of a {@link FileStore}. */
export interface FileStoreOptions {
  /**
   * Called just before a new file is renamed into the store: evicts to make room or throws
   * (EQUOTA, EFREESPACE; see eviction.ts). Synchronous, so nothing else is stored meanwhile.
   */
  makeRoom?: (request: RoomRequest) => void;
  now?: () => number;
  durability?: Durability;
  log?: (level: 'info' | 'warn', message: string) => void;
  /**
   * A file placed could not be indexed: `acknowledged` (the sender was told Success: its row is
   * kept and written again by {@link FileStore.retryIndex}, see {@link PlacedInstance.index}), or
   * not (the store failed and its file was removed). Called once per instance.
   */
  onIndexFailed?: (filePath: string, error: CacheError, acknowledged: boolean) => void;
  /**
   * Free bytes on the data directory's disk (statfs). Below {@link LOW_SPACE_BYTES} each row is
   * committed at once instead of joining a group: the files arriving meanwhile must not take
   * the room the index needs for the rows of instances already acknowledged.
   */
  freeBytes?: () => number | undefined;
}

/**
 * Delay of a group sync (durability 'deferred'): short enough that a long transfer is synced as
 * it goes (little is left for close), long enough to gather many files in one group.
 */
const GROUP_SYNC_DELAY_MS = 100;

/** The file side of the cache, writing through a {@link Repository}. */
export class FileStore {
  /** Files stored but not yet synced (durability 'deferred'). */
  private readonly groupSync: GroupSync | undefined;
  /** The rows of placed instances on their way into the index: group commits, retries, the hold of a rebuild. */
  private readonly rows: IndexQueue;

  constructor(
    readonly dataDir: string,
    repository: Repository,
    private sizeOf: (sopInstanceUid: string) => number | undefined,
    private readonly options: FileStoreOptions = {},
  ) {
    if (options.durability !== 'instance') this.groupSync = new GroupSync(GROUP_SYNC_DELAY_MS, options.log);
    this.rows = new IndexQueue(repository, {
      ...(options.log ? { log: options.log } : {}),
      ...(options.freeBytes ? { freeBytes: options.freeBytes } : {}),
      onFailed: (filePath, error) => this.options.onIndexFailed?.(filePath, error, true),
    });
  }

  /** Writes through another index from now on (the index was rebuilt from the files). */
  reconnect(repository: Repository, sizeOf: (sopInstanceUid: string) => number | undefined): void {
    this.rows.reconnect(repository);
    this.sizeOf = sizeOf;
  }

  /**
   * While a new index is built beside the current one (Cache.rebuildIndex): queued rows wait, and
   * rows written at once (durability 'instance', imports) are remembered, until {@link release}.
   */
  hold(): void {
    this.rows.hold();
  }

  /** Ends {@link hold}: writes through `repository` from now on, replays the rows written meanwhile, then the waiting ones. */
  release(repository: Repository, sizeOf: (sopInstanceUid: string) => number | undefined): void {
    this.sizeOf = sizeOf;
    this.rows.release(repository);
  }

  /** Stored files not yet synced to disk (always 0 with durability 'instance'). */
  get unsynced(): number {
    return this.groupSync?.pending ?? 0;
  }

  /** Writes the queued index rows, then syncs every stored file still waiting for it (durability 'deferred'); call before closing. */
  async flush(): Promise<void> {
    this.flushIndex();
    await this.groupSync?.flush();
  }

  /** Absolute path of a path relative to the data directory. */
  absolute(relative: string): string {
    return join(this.dataDir, ...relative.split('/'));
  }

  /** A new temp writer; its file is created at once (O_EXCL). */
  createTempWriter(options: TempWriterOptions = {}): TempWriter {
    const path = join(this.dataDir, TMP_DIR, `${randomUUID()}.part`);
    const meta = options.meta ? buildFileMetaInformation(options.meta) : undefined;
    let stream: InstanceWriter;
    try {
      stream = new InstanceWriter(path, this.groupSync === undefined);
    } catch (e) {
      throw fsError(e, 'Cannot create a file for the received instance');
    }
    let error: unknown;
    stream.on('error', (e) => {
      error ??= e;
    }); // kept for commit(); pipeline() sees it too
    if (meta) stream.write(meta);
    let state: 'open' | 'committing' | 'done' = 'open';
    const closed = async () => {
      if (!stream.closed) {
        if (!stream.writableEnded && !stream.destroyed) stream.end();
        await once(stream, 'close').catch(() => undefined);
      }
      const failure = error ?? stream.errored; // errored is set before the 'error' event is emitted
      if (failure) throw fsError(failure, 'Cannot write the received instance');
    };
    // Once every byte is in the file ('written', the sync under way) the header is parsed from the
    // head in memory, meanwhile. A stream that closes first (failed, discarded) gives its failure.
    const written = new Promise<boolean>((resolve) => {
      stream.once('written', () => resolve(true));
      stream.once('close', () => resolve(false));
    });
    let parsed: Promise<InstanceHeader> | undefined;
    const header = (): Promise<InstanceHeader> => {
      if (!stream.writableEnded && !stream.destroyed) stream.end();
      parsed ??= written.then(async (complete) => {
        if (!complete) await closed();
        return headerInMemory(stream, path) ?? (await closed(), await readInstanceHeader(path));
      });
      return parsed;
    };
    stream.once('written', () => void header().catch(() => undefined));
    const place = async (commitOptions: CommitOptions = {}): Promise<PlacedInstance> => {
      if (state !== 'open') throw new CacheError('ECLOSED', 'This instance was already committed or discarded');
      state = 'committing';
      try {
        await closed();
        const written = { synced: this.groupSync === undefined, size: stream.written, head: stream.head(0), fd: stream.takeDescriptor() };
        return await this.place(path, { header: await header(), ...commitOptions }, written);
      } catch (e) {
        closeQuietly(stream.takeDescriptor());
        await removeQuietly(path).catch(() => undefined);
        throw e;
      } finally {
        state = 'done';
      }
    };
    return {
      path,
      stream,
      sink: stream.sink,
      header,
      commit: async (commitOptions = {}) => (await place(commitOptions)).index(),
      place,
      discard: async () => {
        if (state === 'committing') return;
        state = 'done';
        if (!stream.closed) {
          stream.destroy();
          await once(stream, 'close').catch(() => undefined);
        }
        closeQuietly(stream.takeDescriptor());
        await removeQuietly(path);
      },
    };
  }

  /**
   * Stores a complete Part-10 file that sits in tmp/: fsync, header, quota, rename, index.
   * The temp file is gone afterwards when this succeeds; on failure the caller removes it.
   * `written` comes from a temp writer: the file's size is known and its first bytes in memory;
   * `synced` says whether it was synced already (durability 'instance'); `fd`, the file's still
   * open descriptor, is this call's to close: the group sync syncs and closes it, or it is closed
   * on failure.
   */
  async commit(tempPath: string, options: CommitOptions = {}, written?: WrittenFile): Promise<StoreResult> {
    return (await this.place(tempPath, options, written)).index();
  }

  /** {@link commit} up to the rename: the index is written by the {@link PlacedInstance} returned. */
  async place(tempPath: string, options: CommitOptions = {}, written?: WrittenFile): Promise<PlacedInstance> {
    try {
      return await this.placeFile(tempPath, options, written);
    } catch (e) {
      closeQuietly(written?.fd); // not handed over: nothing throws after the rename
      throw e;
    }
  }

  /** validate → make room → move into place → index (now, or with the next group of rows). */
  private async placeFile(tempPath: string, options: CommitOptions, written: WrittenFile | undefined): Promise<PlacedInstance> {
    const { header, size } = await this.validate(tempPath, options, written);
    // From here to the index, synchronous: room made (evictions) counts for this store alone.
    this.makeRoomFor(header.fields, size, options);
    const filePath = instanceFilePath(header.fields);
    this.moveIntoPlace(tempPath, this.absolute(filePath), size, written);
    return this.indexing(header, filePath, size, options);
  }

  /**
   * The received file as it may be stored: flushed when durability asks it, its header read, whole
   * (not truncated), with its hierarchy's UIDs present and valid, and the SOP Instance UID announced.
   */
  private async validate(tempPath: string, options: CommitOptions, written: WrittenFile | undefined): Promise<{ header: InstanceHeader; size: number }> {
    if (!written && !this.groupSync) {
      try {
        const fh = await open(tempPath, 'r+');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      } catch (e) {
        throw fsError(e, 'Cannot flush the received instance to disk');
      }
    }
    const header = options.header ?? (await readInstanceHeader(tempPath));
    const { fields } = header;
    if (header.isDicomdir) throw new CacheError('EINVALID', 'A DICOMDIR is not an instance');
    const size =
      written?.size ??
      (
        await stat(tempPath).catch((e) => {
          throw fsError(e, 'Cannot stat the received instance');
        })
      ).size;
    const truncation = findTruncation(tempPath, header, size, written?.head);
    if (truncation) throw new CacheError('EINVALID', `The data set is incomplete: ${truncation}`);
    for (const [what, v] of [
      ['Study Instance UID', fields.study.StudyInstanceUID],
      ['Series Instance UID', fields.series.SeriesInstanceUID],
      ['SOP Instance UID', fields.instance.SOPInstanceUID],
      ['SOP Class UID', fields.instance.SOPClassUID],
    ] as const) {
      if (!v) throw new CacheError('EINVALID', `The data set has no ${what}: it cannot be stored`);
    }
    // PS3.5 §9.1: the UIDs name the file's path; one that is not a UID (traversal, NUL, leading zeros,
    // over 64 characters) is refused here, before anything is renamed or indexed.
    for (const [what, v] of [
      ['Study Instance UID', fields.study.StudyInstanceUID],
      ['Series Instance UID', fields.series.SeriesInstanceUID],
      ['SOP Instance UID', fields.instance.SOPInstanceUID],
    ] as const) {
      const why = validateUid(v);
      if (why) throw new CacheError('EUID', `The data set's ${what} ${JSON.stringify(v.slice(0, 80))} is not a valid UID: ${why}`);
    }
    const expected = options.expectedSopInstanceUid?.replace(/[\0 ]+$/, '');
    if (expected && expected !== fields.instance.SOPInstanceUID) {
      throw new CacheError('EMISMATCH', `The data set's SOP Instance UID ${fields.instance.SOPInstanceUID} differs from the announced ${expected}`);
    }
    return { header, size };
  }

  /** Evicts what the quota and the free space kept ask for this instance (throws EQUOTA/EFREESPACE when nothing can go). */
  private makeRoomFor(fields: InstanceHeader['fields'], size: number, options: CommitOptions): void {
    this.options.makeRoom?.({
      size,
      replacedBytes: () => this.sizeOf(fields.instance.SOPInstanceUID) ?? 0,
      studyInstanceUid: fields.study.StudyInstanceUID,
      ...(options.sourceAeTitle ? { sourceAeTitle: options.sourceAeTitle } : {}),
    });
  }

  /** Renames the temp file to its place (or drops it when the stored copy is the same bytes); its sync joins the group's. */
  private moveIntoPlace(tempPath: string, target: string, size: number, written: WrittenFile | undefined): void {
    if (sameBytes(target, tempPath, size)) {
      // the stored copy is this file already: keep it (its sync, if pending, is the group's)
      closeQuietly(written?.fd);
      try {
        unlinkSync(tempPath);
      } catch {
        /* a .part left over is removed at the next open */
      }
    } else {
      this.renameIntoPlace(tempPath, target);
      if (this.groupSync && !written?.synced) this.groupSync.add(target, written?.fd);
      else closeQuietly(written?.fd);
    }
    this.rows.unindexed += size;
  }

  /** The placed instance: its row written now ({@link PlacedInstance.index}) or queued for the next group ({@link PlacedInstance.indexSoon}). */
  private indexing(header: InstanceHeader, filePath: string, size: number, options: CommitOptions): PlacedInstance {
    const { fields } = header;
    const target = this.absolute(filePath);
    const receivedAt = options.receivedAt ?? (this.options.now ?? Date.now)();
    const write = (): IndexOutcome =>
      this.rows.repository.index({
        ...fields,
        transferSyntaxUid: header.transferSyntaxUid,
        filePath,
        fileSize: size,
        dataSetOffset: header.dataSetOffset,
        receivedAt,
        ...(options.sourceAeTitle ? { sourceAeTitle: options.sourceAeTitle } : {}),
      });
    const finish = (outcome: IndexOutcome): StoreResult => {
      if (outcome.previousFilePath && outcome.previousFilePath !== filePath) {
        this.removeFiles([outcome.previousFilePath]).catch((e: unknown) =>
          this.options.log?.('warn', `Could not remove the replaced copy ${outcome.previousFilePath}: ${(e as Error).message}`),
        );
      }
      return {
        sopInstanceUid: fields.instance.SOPInstanceUID,
        studyInstanceUid: fields.study.StudyInstanceUID,
        duplicate: outcome.duplicate,
        filePath,
        fileSize: size,
        ...(outcome.patientChanged ? { patientChanged: outcome.patientChanged } : {}),
      };
    };
    let claimed = false;
    const claim = () => {
      if (claimed) throw new CacheError('ECLOSED', 'This instance was already indexed');
      claimed = true;
    };
    const index = (late = false): StoreResult => {
      claim();
      this.flushIndex(); // rows queued before (stores answered during an import) go first: an older row must not overwrite this one
      let outcome;
      try {
        outcome = this.rows.writeNow(write, size);
      } catch (e) {
        const error = indexError(e);
        if (late) {
          this.rows.failed({ write, finish, size, filePath }, error); // kept, and written again as soon as the index takes it
          throw error;
        }
        this.rows.unindexed -= size; // the file goes (below) or replaced a stored copy that has its row
        // The transaction was rolled back: a row of this instance means the file replaced its stored copy, which stays.
        if (!this.isIndexed(fields.instance.SOPInstanceUID)) {
          try {
            unlinkSync(target);
          } catch {
            /* gone already */
          }
          this.removeEmptyDirsSync(dirname(target));
        }
        this.options.onIndexFailed?.(filePath, error, false);
        throw error;
      }
      return finish(outcome);
    };
    const indexSoon = (then?: (result: StoreResult) => void): void => {
      claim();
      this.rows.queue({ write, finish, size, filePath, ...(then ? { then } : {}) });
    };
    // Nearly full disk: the row is written before the answer, so one it has no room for refuses the store.
    return { mayIndexLater: this.groupSync !== undefined && !this.rows.lowOnSpace(), index, indexSoon };
  }

  /** Rows queued by {@link PlacedInstance.indexSoon} and not yet written. */
  get queuedIndexRows(): number {
    return this.rows.queued;
  }

  /** Rows of acknowledged instances that could not be written yet (each is tried again, see {@link retryIndex}). */
  get failedIndexRows(): number {
    return this.rows.failedCount;
  }

  /**
   * Writes the rows that could not be written before (and the queued ones); answers why some
   * still cannot be, or undefined when every acknowledged instance is indexed.
   */
  retryIndex(): CacheError | undefined {
    return this.rows.retry();
  }

  /** Stops trying the rows that could not be written (closing: the next open's recovery indexes their files). */
  abandonFailedRows(): number {
    return this.rows.abandonFailed();
  }

  /** Writes the queued rows now, in one transaction (see IndexQueue.flush). Never throws. */
  flushIndex(): void {
    this.rows.flush();
  }

  /** Bytes of files placed and not yet indexed (counted by the quota with those indexed). */
  get unindexedBytes(): number {
    return this.rows.unindexed;
  }

  /** Whether the index has a row for this SOP Instance UID (true when it cannot tell: a file it may refer to is kept). */
  private isIndexed(sopInstanceUid: string): boolean {
    try {
      return this.sizeOf(sopInstanceUid) !== undefined;
    } catch {
      return true;
    }
  }

  /**
   * Moves a complete temp file to its place in the store (atomic; replaces a stored copy),
   * making its directories on the way. Metadata operations of a few microseconds: done
   * synchronously, not through the thread pool.
   */
  private renameIntoPlace(tempPath: string, target: string): void {
    try {
      try {
        renameSync(tempPath, target);
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOENT') throw e;
        mkdirSync(dirname(target), { recursive: true });
        renameSync(tempPath, target);
      }
    } catch (e) {
      this.removeEmptyDirsSync(dirname(target)); // a directory made before ENOSPC
      throw fsError(e, 'Cannot move the received instance into the cache');
    }
  }

  /** Like {@link removeFiles}, synchronously (evictions, between the room check and the rename). */
  removeFilesSync(relativePaths: readonly string[]): void {
    const dirs = new Set<string>();
    for (const rel of relativePaths) {
      const abs = this.absolute(rel);
      try {
        unlinkSync(abs);
      } catch {
        /* gone already, or kept: the recovery walk sees it */
      }
      dirs.add(dirname(abs));
    }
    for (const d of dirs) this.removeEmptyDirsSync(d);
  }

  /** Removes `dir` and its parents up to files/ while they are empty. */
  private removeEmptyDirsSync(dir: string): void {
    const filesRoot = join(this.dataDir, FILES_DIR);
    for (let d = dir; d.startsWith(filesRoot) && d !== filesRoot; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        break;
      }
    }
  }

  /** Deletes files (relative paths) and the series and study directories they leave empty. */
  async removeFiles(relativePaths: readonly string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const rel of relativePaths) {
      const abs = this.absolute(rel);
      await removeQuietly(abs);
      dirs.add(dirname(abs));
    }
    const filesRoot = join(this.dataDir, FILES_DIR);
    for (const d of dirs) {
      for (let dir = d; dir.startsWith(filesRoot) && dir !== filesRoot; dir = dirname(dir)) {
        try {
          await rmdir(dir);
        } catch {
          break;
        } // not empty (or gone): stop climbing
      }
    }
  }
}

/** Bytes of the head a header is first looked for in (a CT or MR header is a few KiB). */
const FIRST_HEAD_BYTES = 16 * 1024;

/** The header from the first bytes a writer kept, joining no more of them than it needs; undefined when they end before it. */
function headerInMemory(stream: InstanceWriter, path: string): InstanceHeader | undefined {
  for (let want = FIRST_HEAD_BYTES; ; want *= 4) {
    const head = stream.head(want);
    const header = parseInstanceHeader(head, stream.size, path);
    if (header || head.length < want) return header;
  }
}

/** Buffers of {@link sameBytes} (synchronous, so one pair serves every call). */
const COMPARE_CHUNK = 256 * 1024;
let compareBuffers: [Buffer, Buffer] | undefined;

/**
 * Whether `stored` exists with exactly the `size` bytes of `candidate`. Both are read back from
 * the page cache; the first difference (often the file meta: another sender, another syntax)
 * ends the comparison. Any error answers false: the caller then replaces the file as usual.
 */
function sameBytes(stored: string, candidate: string, size: number): boolean {
  // nothing stored yet (the common case): answered without an ENOENT thrown, which costs more
  // than the lookup (an Error and its stack). The size holds until the rename: this process is
  // the only writer of files/ (the cache lock), and placeFile runs from here to the rename at once.
  if (statSync(stored, { throwIfNoEntry: false })?.size !== size) return false;
  let a: number | undefined;
  let b: number | undefined;
  try {
    a = openSync(stored, 'r');
    b = openSync(candidate, 'r');
    const [x, y] = (compareBuffers ??= [Buffer.allocUnsafe(COMPARE_CHUNK), Buffer.allocUnsafe(COMPARE_CHUNK)]);
    for (let pos = 0; pos < size;) {
      const want = Math.min(COMPARE_CHUNK, size - pos);
      // regular files: a positioned read returns all that is asked short of the end
      if (readSync(a, x, 0, want, pos) !== want || readSync(b, y, 0, want, pos) !== want) return false;
      if (x.compare(y, 0, want, 0, want) !== 0) return false;
      pos += want;
    }
    return true;
  } catch {
    return false; // removed meanwhile, or unreadable: replaced as usual
  } finally {
    closeQuietly(a);
    closeQuietly(b);
  }
}

/** Closes a descriptor if there is one, ignoring errors (it is being given up). */
function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    /* already unusable */
  }
}

/** Unlinks a file, ignoring its absence. */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw fsError(e, `Cannot remove ${path}`);
  }
}
