/**
 * The local cache of Priors: a better-sqlite3 index (<dataDir>/index.sqlite) over Part-10 files
 * (<dataDir>/files/...). One {@link Cache} per data directory and process, made by
 * `Cache.open(dataDir, options)` in the composition root and passed to whoever needs it.
 *
 * Data directory layout:
 *   index.sqlite (+ -wal, -shm)   the index (schema: migrations/)
 *   files/<study>/<series>/<sop>.dcm   the instances, Part-10, bytes as received
 *   tmp/<random>.part             instances being received
 *   quarantine/                   files recovery could not index
 *   cache.lock                    the owner's pid; its absence at open means a clean shutdown
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
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { QueryLevel, QueryModel } from '../../shared/dicom/query.js';
import type { CacheStats, ImportResult, InstanceRecord, PatientRecord, SeriesRecord, StudyRecord } from '../../shared/records.js';
import { type Db, migrate, openDatabase } from './db.js';
import { CacheError, isOutOfSpace } from './errors.js';
import { Evictor, type PinHandle, type PinKind, type PinReason, Pins, diskSpace } from './eviction.js';
import { FILES_DIR, FileStore, TMP_DIR, type Durability, type TempWriter, type TempWriterOptions } from './file-store.js';
import { type ImportOptions, importPaths } from './import.js';
import { type InstanceSourceRow, Listing, type Page } from './listing.js';
import { acquireLock, leaveForRecovery, releaseLock } from './lock.js';
import { type FindKey, type FindOptions, find, registerQueryFunctions } from './query.js';
import { recover, type RecoveryReport } from './recovery.js';
import { Repository } from './repository.js';

export { CacheError, isOutOfSpace } from './errors.js';
export type { FindKey, FindOptions } from './query.js';
export type { InstanceSourceRow, Page } from './listing.js';
export type { TempWriter, TempWriterOptions, CommitOptions, Durability, PlacedInstance } from './file-store.js';
export type { RecoveryReport } from './recovery.js';
export type { PinHandle, PinKind, PinReason } from './eviction.js';
export type { ImportOptions } from './import.js';
export { buildFileMetaInformation, readInstanceHeader, readInstanceHeaderSync, type InstanceHeader } from './header.js';

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
}

/** The cache: index, files, queries, import. */
export class Cache {
  /** The write side of the index (also used directly by tests and bulk tools). */
  readonly repository: Repository;
  /** Listings on the writer connection (consistent with the writes just made). */
  readonly listing: Listing;
  /** The files and their write path. */
  readonly files: FileStore;
  /** What recovery did when the cache opened. */
  recovery: RecoveryReport | undefined;
  private closed = false;
  /** A stored file could not be indexed: the next open must run a full recovery. */
  private indexIncomplete = false;
  private readonly pins = new Pins();
  private readonly evictor: Evictor;
  /** When each study was last recorded as accessed by {@link accessed} (throttles its writes). */
  private readonly accessWritten = new Map<string, number>();

  private constructor(
    readonly dataDir: string,
    private readonly db: Db,
    private readonly reader: Db,
    private options: CacheOptions,
  ) {
    this.repository = new Repository(db);
    this.listing = new Listing(db, dataDir);
    const sizeOf = db.prepare('SELECT file_size FROM instance WHERE SOPInstanceUID = ?').pluck();
    const totalBytes = db.prepare('SELECT coalesce(sum(size), 0) FROM patient').pluck();
    const freeBytes = options.freeBytes ?? (() => diskSpace(dataDir)?.free);
    const files = new FileStore(dataDir, this.repository, (uid) => sizeOf.get(uid) as number | undefined,
      {
        makeRoom: (request) => this.evictor.makeRoom(request), freeBytes, ...(options.now ? { now: options.now } : {}),
        ...(options.durability ? { durability: options.durability } : {}), ...(options.log ? { log: options.log } : {}),
        onIndexFailed: (filePath, error) => {
          this.indexIncomplete = true;
          options.log?.('warn', `${filePath} was stored and acknowledged but could not be indexed (${error.message}); ` +
            'it stays on disk and is indexed by the recovery that runs when the cache is next opened: free disk space, then restart Priors');
        },
      });
    this.files = files;
    this.evictor = new Evictor({
      db, repository: this.repository, removeFiles: (paths) => files.removeFilesSync(paths), pins: this.pins,
      limits: { ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}), ...(options.minFreeBytes ? { minFreeBytes: options.minFreeBytes } : {}) },
      usedBytes: () => (totalBytes.get() as number) + files.unindexedBytes,
      freeBytes,
      settle: () => files.flushIndex(),
      now: options.now ?? Date.now,
      ...(options.log ? { log: options.log } : {}),
    });
  }

  /**
   * Opens (creating if needed) the cache in `dataDir`: takes the lock, migrates the schema and
   * runs recovery (see recovery.ts).
   * @throws CacheError ELOCKED when another live process has it open, ESCHEMA when the index is newer than this code.
   */
  static async open(dataDir: string, options: CacheOptions = {}): Promise<Cache> {
    for (const d of ['', FILES_DIR, TMP_DIR]) await mkdir(join(dataDir, d), { recursive: true });
    const { clean } = await acquireLock(dataDir);
    let db: Db | undefined;
    let reader: Db | undefined;
    try {
      const indexPath = join(dataDir, 'index.sqlite');
      const newIndex = !existsSync(indexPath);
      db = openDatabase(indexPath, options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {});
      migrate(db);
      reader = openDatabase(indexPath, { queryOnly: true, ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}) });
      registerQueryFunctions(db);
      registerQueryFunctions(reader);
      const cache = new Cache(dataDir, db, reader, options);
      const filesExist = newIndex && (await readdir(join(dataDir, FILES_DIR))).length > 0;
      const mode = options.recovery ?? 'auto';
      const full = mode === 'full' || (mode === 'auto' && (!clean || filesExist));
      const reason = mode === 'full' ? 'requested' : !clean ? 'unclean shutdown' : filesExist ? 'index rebuilt from files' : 'clean shutdown';
      cache.recovery = await recover({ dataDir, db, repository: cache.repository, ...(options.log ? { log: options.log } : {}) }, full, reason);
      return cache;
    } catch (e) {
      reader?.close();
      db?.close();
      await releaseLock(dataDir);
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
    return find(this.reader, level, model, keys, options);
  }

  patients(page: Page = {}): PatientRecord[] { this.check(); return this.listing.patients(page); }
  patientsById(patientId: string, issuer?: string): PatientRecord[] { this.check(); return this.listing.patientsById(patientId, issuer); }
  studies(filter: Page & { PatientID?: string; IssuerOfPatientID?: string; StudyInstanceUID?: string } = {}): StudyRecord[] { this.check(); return this.listing.studies(filter); }
  study(studyInstanceUid: string): StudyRecord | undefined { this.check(); return this.listing.study(studyInstanceUid); }
  series(studyInstanceUid: string): SeriesRecord[] { this.check(); return this.listing.series(studyInstanceUid); }
  instances(seriesInstanceUid: string): InstanceRecord[] { this.check(); return this.listing.instances(seriesInstanceUid); }

  /**
   * The instances to send for a C-MOVE/C-GET or a C-STORE SCU, or to show in the viewer, at
   * `level` (see listing.ts). Reading them counts as an access of their studies (eviction order).
   */
  instancesFor(level: QueryLevel, uids: readonly string[]): InstanceSourceRow[] {
    this.check();
    const rows = this.listing.instancesFor(level, uids);
    this.accessed(rows.map((r) => r.studyInstanceUid));
    return rows;
  }

  /** How many of these instances are cached, or how many of a study arrived since a time (C-MOVE delivery check). */
  countArrivedFor(what: readonly string[] | { studyUid: string; since: number }): number {
    this.check();
    return this.listing.countArrivedFor(what);
  }

  /** Marks studies as used now (for least-recently-used eviction). Returns how many exist. */
  touch(studyInstanceUids: readonly string[]): number {
    this.check();
    const now = (this.options.now ?? Date.now)();
    for (const uid of studyInstanceUids) this.accessWritten.set(uid, now);
    return this.repository.touch(studyInstanceUids, now);
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
    const set = { ...(limits.maxBytes !== undefined ? { maxBytes: limits.maxBytes } : {}), ...(limits.minFreeBytes ? { minFreeBytes: limits.minFreeBytes } : {}) };
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
    const files = this.repository.deleteStudy(studyInstanceUid);
    if (files) await this.files.removeFiles(files);
    return files !== undefined;
  }

  /** Deletes a series and its files. Returns whether it existed. */
  async deleteSeries(seriesInstanceUid: string): Promise<boolean> {
    this.check();
    const files = this.repository.deleteSeries(seriesInstanceUid);
    if (files) await this.files.removeFiles(files);
    return files !== undefined;
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
      ...this.listing.stats(),
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
    return this.db.prepare(`SELECT count(*) FROM study s JOIN patient p ON p.id = s.patient_pk WHERE ${where.join(' OR ')}`)
      .pluck().get(...studies, ...patients) as number;
  }

  /** Closes both connections (after `PRAGMA optimize`) and releases the lock: the next open is quick. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.files.flush();
    try {
      this.db.pragma('optimize');
    } catch {
      // optimize is advisory
    }
    this.reader.close();
    this.db.close();
    if (this.indexIncomplete) await leaveForRecovery(this.dataDir);
    else await releaseLock(this.dataDir);
  }
}
