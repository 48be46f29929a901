/**
 * Room for incoming instances: the cache's size limit (`maxBytes`) and the free space kept on
 * the data directory's file system (`minFreeBytes`).
 *
 * When a store would take the cache over its limit, or leave less than `minFreeBytes` free,
 * the least recently accessed studies are evicted first (study.last_accessed_at: set on store,
 * on retrieve, on send and when the viewer reads the instances; see Cache.touch), whole studies
 * only, and only when evicting them makes enough room (nothing is deleted for a store that
 * would be refused anyway). Never evicted: the study being received, and pinned studies —
 * open in the viewer, in a running transfer, or of a patient who is open (a patient pin covers
 * all of their studies, so the priors stay). When nothing can be evicted the store is refused
 * with CacheError EQUOTA or EFREESPACE, which the Storage SCP answers with A700 Out of
 * Resources (PS3.4 B.2.3), and the refusal is kept for cache.stats.
 *
 * Everything here is synchronous (statfs, one transaction per study, unlinks): between the
 * check and the rename of the new file no other store can run, so two stores never count the
 * same free bytes.
 */
import { statfsSync } from 'node:fs';
import type { CacheRefusal } from '../../shared/records.js';
import { formatBytes } from '../../shared/format.js';
import type { Db } from './db.js';
import { CacheError } from './errors.js';
import type { Repository } from './repository.js';

/** What may be pinned: one study (StudyInstanceUID), or every study of a patient (PatientID). */
export type PinKind = 'study' | 'patient';
/** Why: open in the viewer, in a running transfer, prior of an open patient (or another word). */
export type PinReason = 'viewer' | 'transfer' | 'prior' | (string & {});

/** A pin; release it when the study is closed or the transfer ends. Releasing twice is harmless. */
export interface PinHandle {
  readonly kind: PinKind;
  readonly key: string;
  readonly reason: PinReason;
  release(): void;
}

/** The pins held now. Several holders may pin the same key; it stays pinned until all release. */
export class Pins {
  private readonly held = new Map<string, Set<PinHandle>>();

  /** Pins a study by StudyInstanceUID, or a patient by PatientID (every issuer: pinning more is the safe side). */
  pin(kind: PinKind, key: string, reason: PinReason): PinHandle {
    if (kind !== 'study' && kind !== 'patient') throw new CacheError('EINVALID', `Cannot pin a ${String(kind)}: only a study or a patient`);
    const id = `${kind}:${key.trim()}`;
    let released = false;
    const handle: PinHandle = {
      kind,
      key: key.trim(),
      reason,
      release: () => {
        if (released) return;
        released = true;
        const set = this.held.get(id);
        set?.delete(handle);
        if (set?.size === 0) this.held.delete(id);
      },
    };
    const set = this.held.get(id) ?? new Set<PinHandle>();
    set.add(handle);
    this.held.set(id, set);
    return handle;
  }

  /** The reason a study may not be evicted, or undefined. */
  reasonFor(studyInstanceUid: string, patientId: string): PinReason | undefined {
    const first = (id: string) => this.held.get(id)?.values().next().value?.reason;
    return first(`study:${studyInstanceUid}`) ?? first(`patient:${patientId}`);
  }

  /** Every pin held, for logs and tests. */
  list(): { kind: PinKind; key: string; reason: PinReason }[] {
    return [...this.held.values()].flatMap((set) => [...set].map(({ kind, key, reason }) => ({ kind, key, reason })));
  }
}

/** The limits. */
export interface SpaceLimits {
  maxBytes?: number;
  minFreeBytes?: number;
}

/** The file system of a directory: free and total bytes (statfs), or undefined when unknown. */
export function diskSpace(dir: string): { free: number; total: number } | undefined {
  try {
    const s = statfsSync(dir);
    return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

/** What the evictor works with. */
export interface EvictorDeps {
  db: Db;
  repository: Repository;
  /** Deletes stored files (relative paths) and the directories they leave empty, synchronously. */
  removeFiles(relativePaths: readonly string[]): void;
  /** Writes the index rows still queued for their group commit (before studies are chosen and deleted). */
  settle?: () => void;
  limits: SpaceLimits;
  pins: Pins;
  /** Bytes of every indexed file. */
  usedBytes(): number;
  /** Free bytes on the data directory's file system (undefined: unknown, no check). */
  freeBytes(): number | undefined;
  now(): number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/** One store that needs room. */
export interface RoomRequest {
  /** Bytes of the new file (already written to tmp/, on the same file system). */
  size: number;
  /**
   * Bytes of the stored copy it replaces (a duplicate), freed by the store: an index lookup,
   * asked only when a limit is set.
   */
  replacedBytes: () => number;
  /** The study being received: never evicted for itself. */
  studyInstanceUid: string;
  /** Who sent it, for the sentence. */
  sourceAeTitle?: string;
}

/** Most refusal lines logged per reason and minute; the others are counted (cache.stats). */
const LOG_EVERY_MS = 60_000;

/** Evicts least recently used studies to make room, or refuses. */
export class Evictor {
  private refusal: CacheRefusal | undefined;
  private loggedAt = new Map<string, number>();
  private readonly evicted = { studies: 0, bytes: 0 } as { studies: number; bytes: number; lastAt?: number };
  private candidates;

  constructor(private readonly deps: EvictorDeps) {
    this.candidates = Evictor.candidatesOf(deps.db);
  }

  private static candidatesOf(db: Db) {
    return db.prepare(`SELECT s.StudyInstanceUID AS uid, s.size AS size, p.PatientID AS patientId
      FROM study s JOIN patient p ON p.id = s.patient_pk ORDER BY s.last_accessed_at, s.id`);
  }

  /** Works on another index from now on (the index was rebuilt from the files). */
  reconnect(db: Db, repository: Repository): void {
    this.deps.db = db;
    this.deps.repository = repository;
    this.candidates = Evictor.candidatesOf(db);
  }

  /** The last refusal and the evictions so far (for cache.stats). */
  get lastRefusal(): CacheRefusal | undefined {
    return this.refusal && { ...this.refusal };
  }

  get evictions(): { studies: number; bytes: number; lastAt?: number } {
    return { ...this.evicted };
  }

  /** Changes the limits (settings saved while running); the next store obeys them. */
  setLimits(limits: SpaceLimits): void {
    this.deps.limits = { ...limits };
  }

  /**
   * Makes room for one store, evicting studies when needed.
   * @throws CacheError EQUOTA or EFREESPACE (the A700 cases) when not enough can be evicted.
   */
  makeRoom(request: RoomRequest): void {
    const { maxBytes, minFreeBytes } = this.deps.limits;
    if (maxBytes === undefined && !minFreeBytes) return;
    const replaced = request.replacedBytes();
    const used = maxBytes !== undefined ? this.deps.usedBytes() : 0;
    const overQuota = maxBytes !== undefined ? used - replaced + request.size - maxBytes : 0;
    // The new file is in tmp/ already: statfs counts it; the replaced copy is freed by the store.
    const free = minFreeBytes ? this.deps.freeBytes() : undefined;
    const underFree = free !== undefined && minFreeBytes ? minFreeBytes - (free + replaced) : 0;
    const need = Math.max(overQuota, underFree);
    if (need <= 0) return;
    const reason = overQuota >= underFree ? 'quota' : 'min-free';
    this.deps.settle?.(); // a study being evicted must not get rows back from instances queued before

    const chosen: { uid: string; size: number }[] = [];
    let freed = 0;
    let pinned = 0;
    for (const row of this.candidates.iterate() as IterableIterator<{ uid: string; size: number; patientId: string }>) {
      if (row.uid === request.studyInstanceUid) continue;
      if (this.deps.pins.reasonFor(row.uid, row.patientId) !== undefined) {
        pinned++;
        continue;
      }
      if (freed >= need) break;
      chosen.push({ uid: row.uid, size: row.size });
      freed += row.size;
    }
    if (freed < need) {
      const sentence =
        reason === 'quota'
          ? `Priors refused an instance${from(request)}: the cache is at its size limit (${formatBytes(used)} of ${formatBytes(maxBytes!)} used, ${formatBytes(request.size)} more arriving) and no study can be evicted${whyNot(pinned)}; raise the cache size limit in the settings or delete studies in Local cache.`
          : `Priors refused an instance${from(request)}: the disk of the data directory has ${formatBytes(free!)} free, less than the ${formatBytes(minFreeBytes!)} kept free, and no study can be evicted${whyNot(pinned)}; free space on that disk, lower the minimum free space in the settings, or delete studies in Local cache.`;
      this.noteRefusal(reason, sentence);
      throw new CacheError(reason === 'quota' ? 'EQUOTA' : 'EFREESPACE', sentence);
    }
    for (const study of chosen) {
      const files = this.deps.repository.deleteStudy(study.uid);
      if (files) this.deps.removeFiles(files);
    }
    this.evicted.studies += chosen.length;
    this.evicted.bytes += freed;
    this.evicted.lastAt = this.deps.now();
    const limit = reason === 'quota' ? `the cache size limit of ${formatBytes(maxBytes!)}` : `the ${formatBytes(minFreeBytes!)} kept free on the disk`;
    this.deps.log?.(
      'info',
      `Evicted ${chosen.length === 1 ? '1 study' : `${chosen.length} studies`} (${formatBytes(freed)}), least recently used first, to keep ${limit}: ${chosen.map((s) => s.uid).join(', ')}`,
    );
  }

  /** Records a refusal for lack of room (and logs its sentence, at most once a minute per reason). */
  noteRefusal(reason: CacheRefusal['reason'], sentence: string): void {
    const at = this.deps.now();
    this.refusal = { at, reason, sentence, count: this.refusal?.reason === reason ? this.refusal.count + 1 : 1 };
    const last = this.loggedAt.get(reason);
    if (last === undefined || at - last >= LOG_EVERY_MS) {
      this.loggedAt.set(reason, at);
      const more = this.refusal.count > 1 ? ` (${this.refusal.count} instances refused so far)` : '';
      this.deps.log?.('warn', sentence + more);
    }
  }

  /** Records a store refused because the disk itself is full (ENOSPC, EDQUOT, SQLITE_FULL). */
  noteDiskFull(code: string, sourceAeTitle?: string): void {
    const space = this.deps.freeBytes();
    this.noteRefusal(
      'disk-full',
      `Priors refused an instance${from({ sourceAeTitle })}: the disk of the data directory is full (${code}${space !== undefined ? `, ${formatBytes(space)} free` : ''}); free space on that disk or delete studies in Local cache, then send again.`,
    );
  }
}

function from(r: { sourceAeTitle?: string | undefined }): string {
  return r.sourceAeTitle ? ` from ${r.sourceAeTitle}` : '';
}

function whyNot(pinned: number): string {
  return pinned > 0
    ? ` (${pinned === 1 ? '1 study is' : `${pinned} studies are`} in use: open in the viewer, in a running transfer or a prior of an open patient)`
    : '';
}
