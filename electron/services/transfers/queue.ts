/**
 * The transfer queue (docs/architecture.md, rule 7): persisted jobs run first in, first out,
 * on at most `maxAssociations` associations at a time per node (default 4); a job whose node has
 * associations free, and nothing else waiting for them, retrieves a study's series side by
 * side on them (run-job.ts), and a node that refuses a second association is used one at a
 * time for the rest of the session. Each job goes by C-MOVE or C-GET with the
 * GET→MOVE fallback, skipping what the cache holds, with throttled progress events, cancel
 * (C-CANCEL), retry, and a verified end. Jobs queued or running when the process stopped run
 * again after {@link TransferQueue.start}, like Orthanc's serialized jobs.
 */
import { type Config, DEFAULT_NODE_MAX_ASSOCIATIONS, findNode, hasDimse } from '../../../shared/config.js';
import { diagnose } from '../../../shared/diagnostics.js';
import { isValidUid } from '../../../shared/dicom/uids.js';
import {
  emptyProgress,
  isRetryable,
  rates,
  type TransferEvent,
  type TransferJob,
  type TransferMethod,
  type TransferProgress,
  type TransferRequest,
} from '../../../shared/transfers.js';
import type { Cache } from '../../cache/index.js';
import { JobStore } from '../../cache/jobs.js';
import type { ScuOptions } from '../../dimse/scu/index.js';
import { scuOptionsFrom } from '../nodes/reach.js';
import { CacheStoreHandler, type StoredEvent } from '../local-scp/handlers.js';
import { InputError } from '../nodes/nodes.js';
import type { retrieve } from '../retrieve/retrieve.js';
import type { ExtraAssociations } from './run-job.js';
import { runWithFallback } from './wado-attempt.js';
import { Throttle } from './throttle.js';

/** Our AE as the queue needs it: title and port (Move Destination) and our SCP's stored-instance listeners. */
export interface LocalAeHandle {
  aeTitle: string;
  port: number;
  /** The address a PACS reaches us at, for sentences (default: the route toward the node). */
  host?: string;
  readonly storedListeners: Set<(event: StoredEvent) => void>;
}

/** What a {@link TransferQueue} is made of. */
export interface TransferQueueOptions {
  cache: Cache;
  /** The configuration, read at each job start (nodes may change while the queue runs). */
  config: Config | (() => Config);
  /** services/retrieve/retrieve.ts's `retrieve`. */
  retrieve: typeof retrieve;
  local: LocalAeHandle;
  /** Default: a {@link JobStore} on the cache's data directory, closed with the queue. */
  jobs?: JobStore;
  /** SCU options besides the signal (calling AE title defaults to `local.aeTitle`). */
  scu?: Partial<Omit<ScuOptions, 'signal'>>;
  /** Least time between two progress events of a job (default 250 ms: ≤ 4/s). */
  progressIntervalMs?: number;
  /** Passed to retrieve(): how long to wait for stragglers. */
  settleMs?: number;
  now?: () => number;
  /** Told of each instance a C-GET of a job stored (the audit trail, as our SCP tells it of C-MOVE deliveries). */
  onStoredByGet?: (event: StoredEvent) => void;
}

interface Running {
  controller: AbortController;
  node: string;
  done: Promise<void>;
  /** Associations to its node it holds: its own, and those it took to retrieve series side by side. */
  holds: number;
}

/** The queue. Make one per data directory in the composition root; `start()` it, `close()` it. */
export class TransferQueue {
  private readonly jobs: JobStore;
  private readonly ownsJobs: boolean;
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Set<(e: TransferEvent) => void>();
  private readonly getListeners = new Set<(e: StoredEvent) => void>();
  private readonly getStore: CacheStoreHandler;
  /** Nodes that refused C-GET in this session: their next jobs go straight to C-MOVE. */
  private readonly getRefused = new Set<string>();
  /** The series each job fetches first (TransferRequest.firstSeries), for this session. */
  private readonly firstSeries = new Map<string, string>();
  /** Nodes that refused a second association in this session: each job of theirs uses one. */
  private readonly oneAtATime = new Set<string>();
  private readonly throttle: Throttle<TransferJob>;
  private readonly now: () => number;
  private started = false;
  private closing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: TransferQueueOptions) {
    this.ownsJobs = !options.jobs;
    this.jobs = options.jobs ?? JobStore.open(options.cache.dataDir);
    this.now = options.now ?? Date.now;
    this.getStore = new CacheStoreHandler(options.cache, (e) => {
      for (const l of this.getListeners) l(e);
      options.onStoredByGet?.(e);
    });
    this.throttle = new Throttle(
      options.progressIntervalMs ?? 250,
      (id, job) => {
        if (!this.running.has(id)) return;
        const saved = this.jobs.update(id, { progress: job.progress, ...(job.usedMethod ? { usedMethod: job.usedMethod } : {}) });
        if (saved) this.emit({ type: 'job.progress', job: saved });
      },
      this.now,
    );
  }

  /** Subscribes to job events; returns the unsubscribe function. */
  on(listener: (e: TransferEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resumes the persisted queue (jobs left running are queued again) and starts running. Returns them. */
  start(): TransferJob[] {
    this.started = true;
    const resumed = this.jobs.resumable();
    this.pump();
    return resumed;
  }

  /** Queues a retrieve. @throws InputError naming what is wrong with the request. */
  add(request: TransferRequest): TransferJob {
    if (this.closing) throw new InputError('The transfer queue is closed');
    const node = findNode(this.config(), request.node);
    if (!node) throw new InputError(diagnose({ kind: 'unknown-node', name: request.node }).sentence);
    if (request.level !== 'STUDY' && request.level !== 'SERIES') throw new InputError(`level must be STUDY or SERIES, got ${JSON.stringify(request.level)}`);
    if (!isValidUid(request.StudyInstanceUID)) throw new InputError(`StudyInstanceUID is not a UID: ${JSON.stringify(request.StudyInstanceUID)}`);
    const series = request.SeriesInstanceUIDs ?? [];
    if (request.level === 'SERIES' && series.length === 0) throw new InputError('A SERIES-level retrieve needs at least one SeriesInstanceUID');
    for (const s of series) if (!isValidUid(s)) throw new InputError(`SeriesInstanceUID is not a UID: ${JSON.stringify(s)}`);
    if (request.expected !== undefined && !(Number.isInteger(request.expected) && request.expected >= 0)) {
      throw new InputError(`expected must be a whole number of instances, got ${JSON.stringify(request.expected)}`);
    }
    if (request.firstSeries !== undefined && !isValidUid(request.firstSeries))
      throw new InputError(`firstSeries is not a UID: ${JSON.stringify(request.firstSeries)}`);
    if (request.firstSeries !== undefined && request.level === 'SERIES' && !series.includes(request.firstSeries)) {
      throw new InputError('firstSeries must be one of the SeriesInstanceUIDs the retrieve asks for');
    }
    const method = request.method ?? node.method;
    if (method !== 'move' && method !== 'get' && method !== 'wado') throw new InputError(`method must be move, get or wado, got ${JSON.stringify(method)}`);
    if (method === 'wado' && !node.dicomweb) throw new InputError(`Node ${node.name} has no DICOMweb URL: it cannot be retrieved from by WADO-RS`);
    if (method !== 'wado' && !hasDimse(node))
      throw new InputError(
        `Node ${node.name} is a DICOMweb node without a DIMSE address: it is retrieved from by WADO-RS, not by ${method === 'get' ? 'C-GET' : 'C-MOVE'}`,
      );
    const inserted = this.jobs.insert(
      {
        ...request,
        node: node.name,
        method,
        SeriesInstanceUIDs: request.level === 'SERIES' ? series : [],
        origin: request.origin === 'prefetch' ? 'prefetch' : 'user',
      },
      this.now(),
    );
    if (request.firstSeries) this.firstSeries.set(inserted.id, request.firstSeries);
    const job = this.withFirst(inserted);
    this.emit({ type: 'job.added', job });
    this.pump();
    return job;
  }

  /** All jobs in queue order (or those in the given states). */
  list(states?: TransferJob['state'][]): TransferJob[] {
    return this.jobs.list(states ? { states } : {}).map((j) => this.withFirst(j));
  }

  /** One job. */
  get(id: string): TransferJob | undefined {
    const job = this.jobs.get(id);
    return job && this.withFirst(job);
  }

  /** The job with the series it fetches first, which the store does not keep. */
  private withFirst(job: TransferJob): TransferJob {
    const first = this.firstSeries.get(job.id);
    return first ? { ...job, firstSeries: first } : job;
  }

  /**
   * Cancels a job: a queued one at once, a running one by aborting its retrieve (C-CANCEL,
   * PS3.7 §9.3.3.3 / §9.3.4.3); its job.finished event follows. Returns the job, or undefined.
   */
  cancel(id: string): TransferJob | undefined {
    const running = this.running.get(id);
    if (running) {
      running.controller.abort(new Error('cancelled by the user'));
      return this.jobs.get(id);
    }
    const job = this.jobs.get(id);
    if (!job || job.state !== 'queued') return job;
    const done = this.jobs.update(id, {
      state: 'cancelled',
      finishedAt: this.now(),
      verdict: { code: 'cancelled', sentence: 'The retrieve was cancelled before it started.' },
    })!;
    this.emit({ type: 'job.finished', job: done });
    return done;
  }

  /** Queues an ended job (failed, incomplete, cancelled) again. Returns it, or undefined when it cannot be retried. */
  retry(id: string): TransferJob | undefined {
    const job = this.jobs.get(id);
    if (!job || !isRetryable(job.state) || this.closing) return undefined;
    const queued = this.jobs.update(id, { state: 'queued', verdict: null, progress: emptyProgress(), startedAt: null, finishedAt: null })!;
    this.emit({ type: 'job.progress', job: queued });
    this.pump();
    return queued;
  }

  /** Deletes ended jobs (all, or those finished before `before`, ms since the epoch); returns how many. */
  clearFinished(before?: number): number {
    return this.jobs.clearFinished(before);
  }

  /** Resolves when no job is running or queued (tests, orderly shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops: running retrieves are aborted and their jobs put back to queued, so the next
   * `start()` (on the same data directory) runs them again.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const r of this.running.values()) r.controller.abort(new Error('the transfer queue is closing'));
    await Promise.all([...this.running.values()].map((r) => r.done));
    this.throttle.clear();
    if (this.ownsJobs) this.jobs.close();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private config(): Config {
    const c = this.options.config;
    return typeof c === 'function' ? c() : c;
  }

  private emit(event: TransferEvent): void {
    const e = { ...event, job: this.withFirst(event.job) } as TransferEvent;
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a listener's failure is not the queue's */
      }
    }
  }

  private isIdle(): boolean {
    return this.running.size === 0 && this.jobs.list({ states: ['queued'], limit: 1 }).length === 0;
  }

  /**
   * Starts every queued job whose node has a free association: the user's jobs first, then
   * prefetch's, each in queue order. Prefetch leaves one of a node's associations to the user
   * (when the node allows more than one), so a click never waits behind a prefetch.
   */
  private pump(): void {
    if (!this.started || this.closing) return;
    const config = this.config();
    const busy = this.busyByNode();
    for (const job of this.jobs.queuedInRunOrder()) {
      const node = findNode(config, job.node);
      const max = Math.max(1, node?.maxAssociations ?? DEFAULT_NODE_MAX_ASSOCIATIONS);
      const limit = job.origin === 'prefetch' && max > 1 ? max - 1 : max;
      const key = node?.name ?? job.node;
      if ((busy.get(key) ?? 0) >= limit) continue;
      busy.set(key, (busy.get(key) ?? 0) + 1);
      this.launch(job, key);
    }
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Associations held per node by the running jobs. */
  private busyByNode(): Map<string, number> {
    const busy = new Map<string, number>();
    for (const r of this.running.values()) busy.set(r.node, (busy.get(r.node) ?? 0) + r.holds);
    return busy;
  }

  /**
   * More associations for a running job (its series side by side): only while the node has one
   * free under its limit (prefetch leaving one to the user), no other job of the node waits to
   * start, and the node has not refused a second association before.
   */
  private extraAssociations(job: TransferJob, entry: Running): ExtraAssociations {
    return {
      take: () => {
        if (this.closing || this.oneAtATime.has(entry.node)) return false;
        const node = findNode(this.config(), job.node);
        const max = Math.max(1, node?.maxAssociations ?? DEFAULT_NODE_MAX_ASSOCIATIONS);
        const limit = job.origin === 'prefetch' && max > 1 ? max - 1 : max;
        if ((this.busyByNode().get(entry.node) ?? 0) >= limit) return false;
        if (this.jobs.queuedInRunOrder().some((q) => (findNode(this.config(), q.node)?.name ?? q.node) === entry.node)) return false;
        entry.holds += 1;
        return true;
      },
      give: () => {
        entry.holds = Math.max(1, entry.holds - 1);
        this.pump();
      },
      refused: () => {
        this.oneAtATime.add(entry.node);
      },
    };
  }

  private launch(queued: TransferJob, nodeKey: string): void {
    const controller = new AbortController();
    const startedAt = this.now();
    const job = this.withFirst(
      this.jobs.update(queued.id, {
        state: 'running',
        attempts: queued.attempts + 1,
        startedAt,
        finishedAt: null,
        verdict: null,
        progress: emptyProgress(),
      })!,
    );
    const entry: Running = { controller, node: nodeKey, done: Promise.resolve(), holds: 1 };
    this.running.set(job.id, entry);
    this.emit({ type: 'job.progress', job });
    entry.done = this.execute(job, controller.signal, startedAt, entry)
      .catch((err: unknown) => {
        // runAttempt turns failures into verdicts; this is a failure of the queue's own bookkeeping
        if (this.closing) return;
        const failed = this.jobs.update(job.id, {
          state: 'failed',
          finishedAt: this.now(),
          verdict: diagnose({ kind: 'unexpected', message: String((err as Error)?.message ?? err) }),
        });
        if (failed) this.emit({ type: 'job.finished', job: failed });
      })
      .finally(() => {
        this.running.delete(job.id);
        this.pump();
      });
  }

  private async execute(job: TransferJob, signal: AbortSignal, startedAt: number, entry: Running): Promise<void> {
    const node = findNode(this.config(), job.node);
    let result;
    if (!node) {
      result = { state: 'failed' as const, verdict: diagnose({ kind: 'unknown-node', name: job.node }), usedMethod: job.method, progress: {} };
    } else {
      const method: TransferMethod = job.method === 'get' && this.getRefused.has(node.name) ? 'move' : job.method;
      const total = job.expected;
      let current: TransferJob = job;
      const { scu = {} } = this.options;
      const base = scuOptionsFrom(this.config());
      const pin = this.options.cache.pin('study', job.StudyInstanceUID, 'transfer'); // never evicted while it arrives
      result = await runWithFallback(
        {
          cache: this.options.cache,
          node,
          retrieve: this.options.retrieve,
          // the configuration as it is at the job's start (timers, PDU size), unless the queue was given its own (timer by timer)
          scu: { ...base, ...scu, timeouts: { ...base.timeouts, ...scu.timeouts }, callingAeTitle: scu.callingAeTitle ?? this.options.local.aeTitle },
          local: this.options.local,
          getStore: this.getStore,
          getListeners: this.getListeners,
          method,
          onProgress: (p, usedMethod) => {
            const progress: TransferProgress = { ...current.progress, ...p };
            const left = total !== undefined ? Math.max(0, total - progress.skipped) : undefined;
            // with a known total, ETA counts the whole job (Remaining Sub-operations is only the current step's)
            const forEta = left !== undefined ? { bytes: progress.bytes, arrived: progress.arrived } : progress;
            current = { ...current, usedMethod, progress: { ...progress, ...rates(forEta, this.now() - startedAt, left) } };
            this.throttle.push(job.id, current);
          },
          onFallback: () => {
            this.getRefused.add(node.name);
          },
          associations: this.extraAssociations(job, entry),
          ...(this.options.settleMs !== undefined ? { settleMs: this.options.settleMs } : {}),
        },
        job,
        signal,
      ).finally(() => pin.release());
    }
    this.throttle.cancel(job.id);
    if (this.closing) {
      this.jobs.update(job.id, { state: 'queued', progress: emptyProgress() });
      return;
    }
    const latest = this.jobs.get(job.id) ?? job;
    const progress: TransferProgress = { ...latest.progress, ...result.progress };
    const final = this.jobs.update(job.id, {
      state: result.state,
      verdict: { code: result.verdict.code, sentence: result.verdict.sentence },
      usedMethod: result.usedMethod,
      progress: { ...progress, ...rates(progress, this.now() - startedAt), etaSeconds: 0 },
      finishedAt: this.now(),
    });
    if (final) this.emit({ type: 'job.finished', job: final });
  }
}
