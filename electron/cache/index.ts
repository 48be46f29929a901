/**
 * The local cache of Priors: a better-sqlite3 index (<dataDir>/index.sqlite) over Part-10 files
 * (<dataDir>/files/...). One {@link Cache} per data directory and process, made by
 * `Cache.open(dataDir, options)` in the composition root and passed to whoever needs it.
 *
 * Data directory layout:
 *   index.sqlite (+ -wal, -shm)   the index (schema: migrations/), rebuilt from files/ when lost or damaged
 *   history.sqlite (+ -wal, -shm) transfer jobs, audit log, prefetch state: what the files cannot rebuild (history.ts)
 *   files/<study>/<series>/<sop>.dcm   the instances, Part-10, bytes as received
 *   tmp/<random>.part             instances being received
 *   quarantine/                   files recovery could not index
 *   *.damaged-<time>              a damaged index or history, set aside (integrity.ts)
 *   cache.lock                    the owner's pid; its absence at open means a clean shutdown
 *   cache.lock.sqlite             the OS lock held while the cache is open (lock.ts)
 *
 * Damage: the index is checked at every open (quick_check, bounded in time); a damaged one is set
 * aside and rebuilt from the files by the full recovery, and the history is kept. Damage met while
 * running (a read or a write answering SQLITE_CORRUPT) does the same at once: a new index is built
 * beside the damaged one and takes its place; meanwhile stores are refused before they are
 * acknowledged (see {@link Cache.storeRefusal}) and reads go on over the damaged index.
 *
 * Room: a size limit (maxBytes) and a free space kept on the disk (minFreeBytes); when a store
 * would break either, the least recently used unpinned studies are evicted, else the store is
 * refused (EQUOTA / EFREESPACE → A700). Pins (`pin()`) protect what is open or being transferred.
 * Details in eviction.ts.
 *
 * Policies: patients are keyed by (Patient ID, Issuer of Patient ID); attributes are those of
 * the last instance received; a study arriving under another patient identity moves to it
 * (StoreResult.patientChanged); a duplicate SOP Instance UID replaces the stored copy
 * (StoreResult.duplicate). Details in repository.ts and file-store.ts.
 *
 * Two connections: the writer (every insert, update, delete, in short transactions) and a
 * query-only reader on which C-FIND iterates lazily (WAL: readers see committed snapshots and
 * never block the writer).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { QueryLevel, QueryModel } from '../../shared/dicom/query.js';
import type { CacheStats, DoctorReport, ImportResult, InstanceRecord, PatientRecord, SeriesRecord, StudyRecord } from '../../shared/records.js';
import type { Db } from './db.js';
import { CacheError, isOutOfSpace } from './errors.js';
import { Evictor, type PinHandle, type PinKind, type PinReason, Pins, diskSpace } from './eviction.js';
import { FILES_DIR, FileStore, TMP_DIR, type Durability, type TempWriter, type TempWriterOptions } from './file-store.js';
import { notIndexedYet } from './index-queue.js';
import { runDoctor } from './doctor.js';
import { prepareHistory } from './history.js';
import { type ImportOptions, importPaths } from './import.js';
import { buildBeside, closeConnections, connect, INDEX_FILE, type IndexConnections, openRecovered, swapIn } from './index-file.js';
import { checkDatabaseFile, isDamage } from './integrity.js';
import type { InstanceSourceRow, Listing, Page } from './listing.js';
import { acquireLock, type HeldLock } from './lock.js';
import { type FindKey, type FindOptions, find } from './query.js';
import { recover, type RecoveryReport } from './recovery.js';
import type { Repository } from './repository.js';

export { CacheError, isOutOfSpace } from './errors.js';
export type { FindKey, FindOptions } from './query.js';
export type { InstanceSourceRow, Page } from './listing.js';
export type { TempWriter, TempWriterOptions, CommitOptions, Durability, PlacedInstance } from './file-store.js';
export type { RecoveryReport } from './recovery.js';
export type { PinHandle, PinKind, PinReason } from './eviction.js';
export type { ImportOptions } from './import.js';
export { buildFileMetaInformation, readInstanceHeader, readInstanceHeaderSync, type InstanceHeader } from './header.js';
export { INDEX_FILE } from './index-file.js';

/** Least interval between two writes of the access time of one study by reads (instancesFor). */
const ACCESS_WRITE_INTERVAL_MS = 60_000;

/** Options of {@link Cache.open}. */
export interface CacheOptions {
  /** Most bytes the files may take; beyond it the least recently used studies are evicted, else stores fail with CacheError EQUOTA. */
  maxBytes?: number;
  /** Bytes kept free on the data directory's file system; below it studies are evicted, else stores fail with EFREESPACE. */
  minFreeBytes?: number;
  /** Free bytes of the data directory's file system (tests; default statfs). */
  freeBytes?: () => number | undefined;
  /** 'auto' (default): full check only after an unclean shutdown or a lost index; 'full' or 'quick' force one. */
  recovery?: 'auto' | 'full' | 'quick';
  /** ms a statement waits for another process's lock (default 5000). */
  busyTimeoutMs?: number;
  /** Clock (tests). */
  now?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
  /** When stored files reach the disk (default 'deferred': in groups, within about 0.1 s; see group-sync.ts). */
  durability?: Durability;
  /** Longest integrity check of the index (and of the history) at open, in ms (default 10 000; see integrity.ts). */
  integrityTimeoutMs?: number;
  /** Index files up to this size are checked before the cache opens, larger ones in the background after (default 8 MiB; tests). */
  checkBeforeOpenBytes?: number;
}

/** The cache: index, files, queries, import. */
export class Cache {
  /** The files and their write path. */
  readonly files: FileStore;
  /** What recovery did when the cache opened (and, after a rebuild while open, what that did). */
  recovery: RecoveryReport | undefined;
  private closed = false;
  private ix: IndexConnections;
  /** The index met damage while open: set when found, cleared when the rebuild is done. */
  private damage: { problem: string } | undefined;
  private rebuilding: Promise<RecoveryReport> | undefined;
  private readonly pins = new Pins();
  private readonly evictor: Evictor;
  /** When each study was last recorded as accessed by {@link accessed} (throttles its writes). */
  private readonly accessWritten = new Map<string, number>();

  private constructor(
    readonly dataDir: string,
    connections: IndexConnections,
    private readonly lock: HeldLock,
    private options: CacheOptions,
  ) {
    this.ix = connections;
    const freeBytes = options.freeBytes ?? (() => diskSpace(dataDir)?.free);
    const files = new FileStore(dataDir, connections.repository, (uid) => this.ix.sizeOf.get(uid) as number | undefined, {
      makeRoom: (request) => {
        if (this.rebuilding) throw rebuildingError(this.indexPath); // nothing is evicted from an index about to be replaced
        this.evictor.makeRoom(request);
      },
      freeBytes,
      ...(options.now ? { now: options.now } : {}),
      ...(options.durability ? { durability: options.durability } : {}),
      ...(options.log ? { log: options.log } : {}),
      onIndexFailed: (filePath, error, acknowledged) => {
        if (isDamage(error)) this.noteDamage(error);
        if (acknowledged) options.log?.('warn', notIndexedYet(filePath, error, dataDir));
      },
    });
    this.files = files;
    this.evictor = new Evictor({
      db: connections.db,
      repository: connections.repository,
      removeFiles: (paths) => files.removeFilesSync(paths),
      pins: this.pins,
      limits: {
        ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
        ...(options.minFreeBytes ? { minFreeBytes: options.minFreeBytes } : {}),
      },
      usedBytes: () => (this.ix.totalBytes.get() as number) + files.unindexedBytes,
      freeBytes,
      settle: () => files.flushIndex(),
      now: options.now ?? Date.now,
      ...(options.log ? { log: options.log } : {}),
    });
  }

  /** The write side of the index (also used directly by tests and bulk tools). */
  get repository(): Repository {
    return this.ix.repository;
  }

  /** Listings on the writer connection (consistent with the writes just made). */
  get listing(): Listing {
    return this.ix.listing;
  }

  /** The writer connection (tests reach it to simulate an index that cannot grow). */
  private get db(): Db {
    return this.ix.db;
  }

  /** The path of the index file. */
  get indexPath(): string {
    return join(this.dataDir, INDEX_FILE);
  }

  /**
   * Opens (creating if needed) the cache in `dataDir`: takes the lock, migrates the schema and
   * runs recovery (see recovery.ts).
   * @throws CacheError ELOCKED when another live process has it open, ESCHEMA when the index is newer than this code.
   */
  static async open(dataDir: string, options: CacheOptions = {}): Promise<Cache> {
    for (const d of ['', FILES_DIR, TMP_DIR]) await mkdir(join(dataDir, d), { recursive: true });
    const lock = await acquireLock(dataDir);
    try {
      const history = await prepareHistory(dataDir, {
        ...(options.integrityTimeoutMs !== undefined ? { integrityTimeoutMs: options.integrityTimeoutMs } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
      const { opened, report } = await openRecovered(dataDir, options, lock.clean);
      const cache = new Cache(dataDir, opened.connections, lock, options);
      cache.recovery = {
        ...report,
        ...(opened.damaged ? { damaged: opened.damaged } : {}),
        ...(history.setAside ? { history: { setAside: history.setAside.file, problem: history.setAside.problem, ...history.setAside.copy } } : {}),
      };
      if (opened.checkLater) cache.checkInBackground();
      if (opened.damaged) {
        options.log?.(
          'warn',
          `The cache index ${cache.indexPath} was damaged (${opened.damaged.problem}): it was set aside as ${opened.damaged.setAside} ` +
            `and a new index was built from the files (${report.reindexed} instances indexed${report.quarantined.length ? `, ${report.quarantined.length} files that could not be indexed moved to quarantine/` : ''}); ` +
            'the transfer jobs, the audit log and the prefetch rules are kept in history.sqlite.',
        );
      }
      return cache;
    } catch (e) {
      await lock.release(lock.clean ? 'clean' : 'recover');
      throw e;
    }
  }

  /**
   * Why an instance arriving now must be refused before it is acknowledged, or undefined: the
   * index is being rebuilt or was found damaged (EREBUILDING), or rows of instances acknowledged
   * earlier still cannot be written (they are tried again first: the disk full, SQLITE_FULL as
   * ENOSPC). The Storage SCP answers A700 with the reason.
   */
  storeRefusal(): CacheError | undefined {
    if (this.closed) return new CacheError('ECLOSED', 'The cache is closed');
    if (this.rebuilding || this.damage) return rebuildingError(this.indexPath);
    // only when rows failed before: a flush per arriving instance would end every group commit
    const failed = this.files.failedIndexRows > 0 ? this.files.retryIndex() : undefined;
    if (failed) {
      return new CacheError(isOutOfSpace(failed) ? failed.code : 'EINDEX', `Earlier instances are not indexed yet: ${failed.message}`, { cause: failed });
    }
    return undefined;
  }

  /**
   * Builds a new index from the files (the full recovery walk) beside the current one, then
   * swaps: the current file is set aside as `index.sqlite.damaged-<time>` and the new one takes
   * its place, between two reads. What a damaged index found while running gets, and
   * `priors doctor --repair`. Meanwhile reads go on over the current index, stores are refused
   * before they are acknowledged, and rows written are replayed into the new index. The history
   * is not touched.
   */
  rebuildIndex(reason = 'requested'): Promise<RecoveryReport> {
    this.ensureOpen();
    this.rebuilding ??= this.rebuild(reason).finally(() => {
      this.rebuilding = undefined;
    });
    return this.rebuilding;
  }

  private async rebuild(reason: string): Promise<RecoveryReport> {
    this.files.hold();
    let report: RecoveryReport;
    try {
      const built = await buildBeside(this.dataDir, this.options, reason);
      // the swap, synchronous: no read or store runs in between
      const problem = this.damage?.problem;
      closeConnections(this.ix);
      const aside = swapIn(this.dataDir, built.path);
      this.ix = connect(this.indexPath, this.dataDir, this.options).connections;
      this.evictor.reconnect(this.ix.db, this.ix.repository);
      this.damage = undefined;
      report = { ...built.report, ...(aside ? { damaged: { setAside: aside, problem: problem ?? reason } } : {}) };
      this.options.log?.(
        'warn',
        `The cache index ${this.indexPath} was rebuilt from the files (${reason}${problem ? `: ${problem}` : ''}) and the old file set aside as ${aside ?? '(none)'}: ` +
          `${report.reindexed} instances indexed${report.quarantined.length ? `, ${report.quarantined.length} files that could not be indexed moved to quarantine/` : ''}; Priors accepts instances again.`,
      );
    } finally {
      // rows written meanwhile are replayed into the index now in use, then the queued and failed ones
      this.files.release(this.ix.repository, (uid) => this.ix.sizeOf.get(uid) as number | undefined);
    }
    this.recovery = report;
    return report;
  }

  /**
   * `priors doctor`: holds the index against the files and checks both databases (doctor.ts);
   * with `repair`, rebuilds a damaged index from the files, or else brings index and files back
   * into agreement (the full recovery), and writes the rows of acknowledged instances still
   * waiting. The history (jobs, audit log, prefetch) is never touched.
   */
  doctor(options: { repair?: boolean } = {}): Promise<DoctorReport> {
    this.check();
    return runDoctor(
      {
        dataDir: this.dataDir,
        indexPath: this.indexPath,
        setAsideAtOpen: this.recovery?.damaged,
        db: () => this.ix.db,
        failedIndexRows: () => this.files.failedIndexRows,
        retryIndex: () => this.files.retryIndex(),
        rebuild: () => this.rebuildIndex('doctor --repair'),
        reconcile: () => {
          this.check();
          return recover(
            { dataDir: this.dataDir, db: this.ix.db, repository: this.ix.repository, ...(this.options.log ? { log: this.options.log } : {}) },
            true,
            'doctor --repair',
          );
        },
      },
      options.repair === true,
    );
  }

  /** The check of an index too large to check before opening: damage found starts the rebuild, as damage met does. */
  private checkInBackground(): void {
    const timeoutMs = this.options.integrityTimeoutMs ?? 10_000;
    void checkDatabaseFile(this.indexPath, { timeoutMs, inThreadBytes: 0, readOnly: true, background: true }).then(
      (verdict) => {
        if (this.closed) return;
        if (!verdict.ok) this.noteDamage(Object.assign(new Error(verdict.problem), { code: 'SQLITE_CORRUPT' }));
        else if (verdict.checked === 'cut-short')
          this.options.log?.('info', `The integrity check of ${this.indexPath} was cut short after ${verdict.ms} ms; run "priors doctor" for a full one.`);
      },
      (e: unknown) => this.options.log?.('info', `The integrity check of ${this.indexPath} could not run: ${(e as Error).message}`),
    );
  }

  /** Damage met while open: told once, and the rebuild starts (after the current call returns). */
  private noteDamage(e: unknown): void {
    if (this.damage || this.rebuilding || this.closed) return;
    this.damage = { problem: (e as Error).message };
    this.options.log?.(
      'warn',
      `The cache index ${this.indexPath} is damaged (${this.damage.problem}): Priors refuses incoming instances (A700) ` +
        'while it sets the file aside and rebuilds the index from the files; the jobs, the audit log and the prefetch rules are kept.',
    );
    setImmediate(() => {
      if (this.closed) return;
      this.rebuildIndex('index damaged').catch((err: unknown) =>
        this.options.log?.('warn', `The cache index could not be rebuilt: ${(err as Error).message}; restart Priors (the next start rebuilds it).`),
      );
    });
  }

  /** Runs a read of the index; damage it meets starts the rebuild. */
  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isDamage(e)) this.noteDamage(e);
      throw e;
    }
  }

  /**
   * Refuses a closed cache; writes the index rows still queued for their group commit (see
   * file-store.ts), so that whatever this process reads or changes next includes every instance
   * it has answered for.
   */
  private check(): void {
    this.ensureOpen();
    this.files.flushIndex();
  }

  private ensureOpen(): void {
    if (this.closed) throw new CacheError('ECLOSED', 'The cache is closed');
  }

  /** Writes now the index rows of the instances answered and still queued for their group commit. */
  flushIndex(): void {
    if (!this.closed) this.files.flushIndex();
  }

  /** A writer for one incoming instance (see file-store.ts for the write path). */
  createTempWriter(options: TempWriterOptions = {}): TempWriter {
    this.ensureOpen(); // no flush: each arriving instance would end the group
    return this.files.createTempWriter(options);
  }

  /** C-FIND over the index, lazily, on the reader connection (see query.ts). */
  find(level: QueryLevel, model: QueryModel, keys: readonly FindKey[], options: FindOptions = {}): IterableIterator<Record<string, unknown>> {
    this.check();
    const rows = this.read(() => find(this.ix.reader, level, model, keys, options));
    const damaged = (e: unknown) =>
      this.read(() => {
        throw e;
      });
    // no closure per row: C-FIND answers are read row by row
    return {
      next() {
        try {
          return rows.next();
        } catch (e) {
          return damaged(e);
        }
      },
      return: (value?: unknown) => rows.return?.(value) ?? { done: true, value: undefined },
      [Symbol.iterator]() {
        return this;
      },
    };
  }

  patients(page: Page = {}): PatientRecord[] {
    this.check();
    return this.read(() => this.listing.patients(page));
  }
  patientsById(patientId: string, issuer?: string): PatientRecord[] {
    this.check();
    return this.read(() => this.listing.patientsById(patientId, issuer));
  }
  studies(filter: Page & { PatientID?: string; IssuerOfPatientID?: string; StudyInstanceUID?: string } = {}): StudyRecord[] {
    this.check();
    return this.read(() => this.listing.studies(filter));
  }
  study(studyInstanceUid: string): StudyRecord | undefined {
    this.check();
    return this.read(() => this.listing.study(studyInstanceUid));
  }
  series(studyInstanceUid: string): SeriesRecord[] {
    this.check();
    return this.read(() => this.listing.series(studyInstanceUid));
  }
  instances(seriesInstanceUid: string): InstanceRecord[] {
    this.check();
    return this.read(() => this.listing.instances(seriesInstanceUid));
  }

  /**
   * The instances to send for a C-MOVE/C-GET or a C-STORE SCU, or to show in the viewer, at
   * `level` (see listing.ts). Reading them counts as an access of their studies (eviction order).
   */
  instancesFor(level: QueryLevel, uids: readonly string[]): InstanceSourceRow[] {
    this.check();
    const rows = this.read(() => this.listing.instancesFor(level, uids));
    this.accessed(rows.map((r) => r.studyInstanceUid));
    return rows;
  }

  /** How many of these instances are cached, or how many of a study arrived since a time (C-MOVE delivery check). */
  countArrivedFor(what: readonly string[] | { studyUid: string; since: number }): number {
    this.check();
    return this.read(() => this.listing.countArrivedFor(what));
  }

  /** Marks studies as used now (for least-recently-used eviction). Returns how many exist. */
  touch(studyInstanceUids: readonly string[]): number {
    this.check();
    const now = (this.options.now ?? Date.now)();
    for (const uid of studyInstanceUids) this.accessWritten.set(uid, now);
    return this.read(() => this.repository.touch(studyInstanceUids, now));
  }

  /** Records an access of studies, writing it at most once a minute per study (reads come in bursts). */
  private accessed(studyInstanceUids: readonly string[]): void {
    const now = (this.options.now ?? Date.now)();
    const due = [...new Set(studyInstanceUids)].filter((uid) => now - (this.accessWritten.get(uid) ?? -Infinity) >= ACCESS_WRITE_INTERVAL_MS);
    if (due.length === 0) return;
    if (this.accessWritten.size > 10_000) this.accessWritten.clear();
    try {
      this.touch(due);
    } catch (e) {
      this.options.log?.('warn', `Could not record the access of ${due.length} studies: ${(e as Error).message}`);
    }
  }

  /**
   * Protects a study (StudyInstanceUID) or every study of a patient (PatientID) from eviction
   * until the handle is released: open in the viewer ('viewer'), in a running transfer
   * ('transfer'), prior of an open patient ('prior').
   */
  pin(kind: PinKind, key: string, reason: PinReason): PinHandle {
    return this.pins.pin(kind, key, reason);
  }

  /** Changes the size limit and the free space kept (e.g. settings saved while running); the next store obeys them. */
  setLimits(limits: { maxBytes?: number; minFreeBytes?: number }): void {
    this.check();
    const { maxBytes: _m, minFreeBytes: _f, ...rest } = this.options;
    const set = {
      ...(limits.maxBytes !== undefined ? { maxBytes: limits.maxBytes } : {}),
      ...(limits.minFreeBytes ? { minFreeBytes: limits.minFreeBytes } : {}),
    };
    this.options = { ...rest, ...set };
    this.evictor.setLimits(set);
  }

  /** The pins held now. */
  pinned(): { kind: PinKind; key: string; reason: PinReason }[] {
    return this.pins.list();
  }

  /**
   * Records a store refused for lack of room (the disk itself full: ENOSPC, EDQUOT) for
   * cache.stats and the log; quota and free-space refusals are recorded where they are decided.
   */
  noteOutOfSpace(e: unknown, sourceAeTitle?: string): void {
    if (!isOutOfSpace(e)) return;
    const code = (e as { code: string }).code;
    if (code === 'EQUOTA' || code === 'EFREESPACE') return;
    this.evictor.noteDiskFull(code, sourceAeTitle);
  }

  /** Deletes a study and its files. Returns whether it existed. */
  async deleteStudy(studyInstanceUid: string): Promise<boolean> {
    this.check();
    if (this.rebuilding) throw rebuildingError(this.indexPath);
    const files = this.read(() => this.repository.deleteStudy(studyInstanceUid));
    if (files) await this.files.removeFiles(files);
    return files !== undefined;
  }

  /** Deletes a series and its files. Returns whether it existed. */
  async deleteSeries(seriesInstanceUid: string): Promise<boolean> {
    this.check();
    if (this.rebuilding) throw rebuildingError(this.indexPath);
    const files = this.read(() => this.repository.deleteSeries(seriesInstanceUid));
    if (files) await this.files.removeFiles(files);
    return files !== undefined;
  }

  /** Deletes one instance and its file (its series, study and patient go when it was their last). Returns whether it existed. */
  async deleteInstance(sopInstanceUid: string): Promise<boolean> {
    this.check();
    if (this.rebuilding) throw rebuildingError(this.indexPath);
    const file = this.read(() => this.repository.deleteInstance(sopInstanceUid));
    if (file) await this.files.removeFiles([file]);
    return file !== undefined;
  }

  /** Imports files and folders (see import.ts). */
  importPaths(paths: readonly string[], options: ImportOptions = {}): Promise<ImportResult> {
    this.check();
    return importPaths(this.files, paths, options);
  }

  /** Totals, the limits, the disk's free space, the last refusal and the evictions so far. */
  stats(): CacheStats {
    this.check();
    const o = this.options;
    const disk = diskSpace(this.dataDir);
    const free = o.freeBytes ? o.freeBytes() : disk?.free;
    const refusal = this.evictor.lastRefusal;
    const evicted = this.evictor.evictions;
    const pinnedStudies = this.countPinned();
    return {
      ...this.read(() => this.listing.stats()),
      ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
      ...(o.minFreeBytes ? { minFreeBytes: o.minFreeBytes } : {}),
      ...(free !== undefined ? { freeBytes: free } : {}),
      ...(disk ? { diskBytes: disk.total } : {}),
      ...(refusal ? { lastRefusal: refusal } : {}),
      ...(evicted.studies > 0 ? { evicted } : {}),
      pinnedStudies,
    };
  }

  /** How many cached studies the pins protect. */
  private countPinned(): number {
    const pins = this.pins.list();
    const studies = [...new Set(pins.filter((p) => p.kind === 'study').map((p) => p.key))];
    const patients = [...new Set(pins.filter((p) => p.kind === 'patient').map((p) => p.key))];
    const where = [
      ...(studies.length ? [`s.StudyInstanceUID IN (${studies.map(() => '?').join(', ')})`] : []),
      ...(patients.length ? [`p.PatientID IN (${patients.map(() => '?').join(', ')})`] : []),
    ];
    if (where.length === 0) return 0;
    return this.read(
      () =>
        this.ix.db
          .prepare(`SELECT count(*) FROM study s JOIN patient p ON p.id = s.patient_pk WHERE ${where.join(' OR ')}`)
          .pluck()
          .get(...studies, ...patients) as number,
    );
  }

  /** Closes both connections (after `PRAGMA optimize`) and releases the lock: the next open is quick. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.rebuilding?.catch(() => undefined);
    this.closed = true;
    await this.files.flush();
    // acknowledged instances whose rows still cannot be written: their files wait for the next open's full recovery
    const unindexed = this.files.abandonFailedRows();
    if (unindexed > 0) {
      this.options.log?.(
        'warn',
        `${unindexed} acknowledged instance${unindexed === 1 ? ' is' : 's are'} not indexed yet: the next start of Priors indexes ${unindexed === 1 ? 'its file' : 'their files'}.`,
      );
    }
    try {
      this.db.pragma('optimize');
    } catch {
      // optimize is advisory
    }
    closeConnections(this.ix);
    await this.lock.release(unindexed > 0 || this.damage ? 'recover' : 'clean');
  }
}

function rebuildingError(indexPath: string): CacheError {
  return new CacheError('EREBUILDING', `The cache index ${indexPath} is being rebuilt from the files after damage; try again in a moment`);
}
