/**
 * The persisted transfer queue (table transfer_job, migration 002): insert, update, list, get,
 * and the jobs to resume when the application starts again. SQL stays here (docs/architecture.md, rule 7);
 * electron/services/transfers/ runs the jobs.
 *
 * It works on its own connection to <dataDir>/history.sqlite ({@link JobStore.open}, history.ts:
 * jobs outlive an index rebuilt from the files), opened after `Cache.open` has prepared it.
 */
import { randomUUID } from 'node:crypto';
import {
  emptyProgress,
  type TransferJob,
  type TransferProgress,
  type TransferRequest,
  type TransferState,
  type TransferVerdict,
  type TransferMethod,
} from '../../shared/transfers.js';
import type { Db } from './db.js';
import { CacheError } from './errors.js';
import { hasTable, openHistoryDatabase } from './history.js';

/** What may change on a job after it was inserted. */
export interface JobPatch {
  state?: TransferState;
  usedMethod?: TransferMethod;
  progress?: TransferProgress;
  /** null clears it (retry). */
  verdict?: TransferVerdict | null;
  attempts?: number;
  startedAt?: number | null;
  finishedAt?: number | null;
}

type Row = Record<string, unknown>;

const COLUMNS: Readonly<Record<keyof JobPatch, string>> = {
  state: 'state',
  usedMethod: 'used_method',
  progress: 'progress',
  verdict: 'verdict',
  attempts: 'attempts',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

/** Jobs in the index. */
export class JobStore {
  private readonly ownsDb: boolean;

  /** Over an open connection whose schema is migrated (tests pass one; `open` makes its own). */
  constructor(
    private readonly db: Db,
    options: { ownsDb?: boolean } = {},
  ) {
    this.ownsDb = options.ownsDb ?? false;
    if (!hasTable(db, 'transfer_job', ['revision', 'origin'])) {
      throw new CacheError('ESCHEMA', 'The history lacks the transfer_job table or its origin column: open the Cache first (it prepares the history)');
    }
  }

  /** Opens a connection of its own to the history of `dataDir` (prepared by Cache.open). */
  static open(dataDir: string, options: { busyTimeoutMs?: number } = {}): JobStore {
    const db = openHistoryDatabase(dataDir, options);
    try {
      return new JobStore(db, { ownsDb: true });
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Queues a new job and returns it. */
  insert(request: TransferRequest & { method: TransferMethod }, now: number = Date.now()): TransferJob {
    const job: TransferJob = {
      id: randomUUID(),
      node: request.node,
      method: request.method,
      level: request.level,
      StudyInstanceUID: request.StudyInstanceUID,
      SeriesInstanceUIDs: [...(request.SeriesInstanceUIDs ?? [])],
      ...(request.expected !== undefined ? { expected: request.expected } : {}),
      ...(request.label !== undefined ? { label: request.label } : {}),
      origin: request.origin ?? 'user',
      state: 'queued',
      progress: emptyProgress(),
      attempts: 0,
      createdAt: now,
      revision: 0,
    };
    this.db
      .prepare(
        `INSERT INTO transfer_job (id, node, method, level, StudyInstanceUID, series_uids, expected, label, origin, state, progress, attempts, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        job.id,
        job.node,
        job.method,
        job.level,
        job.StudyInstanceUID,
        JSON.stringify(job.SeriesInstanceUIDs),
        job.expected ?? null,
        job.label ?? null,
        job.origin,
        job.state,
        JSON.stringify(job.progress),
        job.attempts,
        job.createdAt,
      );
    return job;
  }

  /** Changes some fields of a job; returns it as it now is, or undefined when there is no such job. */
  update(id: string, patch: JobPatch): TransferJob | undefined {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, column] of Object.entries(COLUMNS) as [keyof JobPatch, string][]) {
      if (!(key in patch)) continue;
      const v = patch[key];
      sets.push(`${column} = ?`);
      values.push(v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : v);
    }
    // every update is a new revision, even one that changes nothing (readers order copies by it)
    this.db.prepare(`UPDATE transfer_job SET ${[...sets, 'revision = revision + 1'].join(', ')} WHERE id = ?`).run(...values, id);
    return this.get(id);
  }

  /** One job, or undefined. */
  get(id: string): TransferJob | undefined {
    const row = this.db.prepare('SELECT * FROM transfer_job WHERE id = ?').get(id) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  /** Jobs in the order they were queued; only those in `states` when given. */
  list(filter: { states?: readonly TransferState[]; limit?: number } = {}): TransferJob[] {
    const where = filter.states?.length ? `WHERE state IN (${filter.states.map(() => '?').join(', ')})` : '';
    const rows = this.db.prepare(`SELECT * FROM transfer_job ${where} ORDER BY seq LIMIT ?`).all(...(filter.states ?? []), filter.limit ?? -1) as Row[];
    return rows.map(toJob);
  }

  /** The queued jobs in the order they start: the user's first, then prefetch's, each first in, first out. */
  queuedInRunOrder(): TransferJob[] {
    const rows = this.db.prepare("SELECT * FROM transfer_job WHERE state = 'queued' ORDER BY origin = 'prefetch', seq").all() as Row[];
    return rows.map(toJob);
  }

  /**
   * The jobs to run again at start-up, in queue order: those queued, and those left running
   * when the process stopped, which are put back to queued here.
   */
  resumable(): TransferJob[] {
    this.db.prepare("UPDATE transfer_job SET state = 'queued', revision = revision + 1 WHERE state = 'running'").run();
    return this.list({ states: ['queued'] });
  }

  /** Deletes ended jobs (all of them, or those finished before `before`); returns how many. */
  clearFinished(before?: number): number {
    return this.db
      .prepare(
        `DELETE FROM transfer_job WHERE state IN ('completed', 'incomplete', 'failed', 'cancelled')
      AND (? IS NULL OR finished_at < ?)`,
      )
      .run(before ?? null, before ?? null).changes;
  }

  /** Closes the connection when this store opened it. */
  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}

function toJob(r: Row): TransferJob {
  return {
    id: String(r.id),
    node: String(r.node),
    method: r.method as TransferMethod,
    ...(r.used_method !== null ? { usedMethod: r.used_method as TransferMethod } : {}),
    level: r.level as TransferJob['level'],
    StudyInstanceUID: String(r.StudyInstanceUID),
    SeriesInstanceUIDs: JSON.parse(String(r.series_uids)) as string[],
    ...(r.expected !== null ? { expected: Number(r.expected) } : {}),
    ...(r.label !== null ? { label: String(r.label) } : {}),
    origin: r.origin === 'prefetch' ? 'prefetch' : 'user',
    state: r.state as TransferState,
    progress: { ...emptyProgress(), ...(JSON.parse(String(r.progress)) as Partial<TransferProgress>) },
    ...(r.verdict !== null ? { verdict: JSON.parse(String(r.verdict)) as TransferVerdict } : {}),
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
    revision: Number(r.revision ?? 0),
    ...(r.started_at !== null ? { startedAt: Number(r.started_at) } : {}),
    ...(r.finished_at !== null ? { finishedAt: Number(r.finished_at) } : {}),
  };
}
