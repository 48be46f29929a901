/**
 * One attempt of one job: what is missing from the cache (plan.ts), each C-MOVE/C-GET through
 * retrieve/retrieve.ts (verified per step), the GET→MOVE fallback, progress with bytes, and the verdict
 * of the whole job (verdict.ts). A whole study goes as one retrieve per series when the queue
 * gives the job more associations to the node: the steps run side by side, the next one sent as
 * soon as an association is free, their progress summed; an association the node refuses sends
 * its step back to the others.
 */
import { DEFAULT_NODE_MAX_ASSOCIATIONS, type RemoteNode } from '../../../shared/config.js';
import type { TransferJob, TransferMethod, TransferProgress, TransferState, TransferVerdict } from '../../../shared/transfers.js';
import type { Cache } from '../../cache/index.js';
import type { RetrieveProgress, ScuOptions } from '../../dimse/scu/index.js';
import { diagnoseError, localAddressToward } from '../nodes/diagnose.js';
import { nodeHost } from '../nodes/dicom-node.js';
import type { CacheStoreHandler, StoredEvent } from '../local-scp/handlers.js';
import { arrivalFilter, eventArrivals, isArrival, type RetrieveReport, type retrieve } from '../retrieve/retrieve.js';
import { firstSeriesSteps, missingSteps, remoteInstances, seriesInstances, studySeries, wholeJob, type RetrieveStep } from './plan.js';
import { AssociationRejectedError } from '../../dimse/ul/errors.js';
import { judgeJob, refusesGet } from './verdict.js';

/** The Q/R information model of every job: Study Root (a job names its study, not always its patient). */
export const TRANSFER_MODEL = 'study';

/** What an attempt needs from the queue. */
export interface AttemptContext {
  cache: Cache;
  node: RemoteNode;
  retrieve: typeof retrieve;
  scu: ScuOptions;
  /** Our AE: the Move Destination, and the listeners of our SCP's stored instances. */
  local: { aeTitle: string; port: number; host?: string; storedListeners: Set<(e: StoredEvent) => void> };
  /** The C-STORE receiver of C-GET and the listeners it tells. */
  getStore: CacheStoreHandler;
  getListeners: Set<(e: StoredEvent) => void>;
  /** The method to use (the node's, the job's, or move when the node refused C-GET before). */
  method: TransferMethod;
  onProgress: (p: Partial<TransferProgress>, usedMethod: TransferMethod) => void;
  /** Told when C-GET was refused and C-MOVE is used instead. */
  onFallback: () => void;
  settleMs?: number;
  /**
   * More associations to the node for this job, from the queue's share of the node's
   * `maxAssociations`: a study then splits into series retrieved side by side. Absent: one.
   */
  associations?: ExtraAssociations;
}

/** Associations a job may open beside its own, taken from and given back to the queue. */
export interface ExtraAssociations {
  /** One more association, when the node has one free; false otherwise. */
  take(): boolean;
  give(): void;
  /** The node refused an association beyond the first: its jobs use one from now on. */
  refused(): void;
}

/** How an attempt ended. */
export interface AttemptResult {
  state: TransferState;
  verdict: TransferVerdict;
  usedMethod: TransferMethod;
  progress: Partial<TransferProgress>;
}

/** The SOP Instance UIDs of the job already in the cache. */
function cachedUids(cache: Cache, job: TransferJob): Set<string> {
  const rows = job.level === 'SERIES' ? cache.instancesFor('SERIES', job.SeriesInstanceUIDs) : cache.instancesFor('STUDY', [job.StudyInstanceUID]);
  return new Set(rows.map((r) => r.sopInstanceUid));
}

/** Runs one attempt of `job`; never throws (failures become the verdict). */
export async function runAttempt(ctx: AttemptContext, job: TransferJob, signal: AbortSignal): Promise<AttemptResult> {
  const { cache, node } = ctx;
  // a DIMSE attempt: WADO-RS attempts are wado-attempt.ts's
  let method: 'move' | 'get' = ctx.method === 'get' ? 'get' : 'move';
  const attemptStartedAt = Date.now();
  const before = cachedUids(cache, job);
  const skipped = before.size;
  // Every new instance of the job, from either path, with its size.
  const filter = arrivalFilter(wholeJob(job)[0]!.identifier);
  const seen = new Set<string>();
  let bytes = 0;
  let claimedBase = { completed: 0, failed: 0, warning: 0 };
  let last: RetrieveProgress = { completed: 0, failed: 0, warning: 0 };
  const report = () =>
    ctx.onProgress(
      {
        completed: claimedBase.completed + last.completed,
        failed: claimedBase.failed + last.failed,
        warning: claimedBase.warning + last.warning,
        ...(last.remaining !== undefined ? { remaining: last.remaining } : {}),
        arrived: seen.size,
        skipped,
        bytes,
      },
      method,
    );
  const onStored = (e: StoredEvent) => {
    if (!isArrival(filter, e)) return;
    if (before.has(e.sopInstanceUid) || seen.has(e.sopInstanceUid)) return;
    seen.add(e.sopInstanceUid);
    const row = cache.instancesFor('IMAGE', [e.sopInstanceUid])[0];
    if (row) bytes += row.dataSetOffset + row.dataSetLength;
    report();
  };
  ctx.local.storedListeners.add(onStored);
  ctx.getListeners.add(onStored);
  const reports: RetrieveReport[] = [];
  let fellBack = false;
  let error: unknown;
  try {
    report();
    const scu: ScuOptions = { ...ctx.scu, signal };
    let steps: RetrieveStep[] = wholeJob(job);
    if (skipped > 0 && (job.expected === undefined || skipped < job.expected)) {
      const remote = await remoteInstances(node, job, scu).catch(() => undefined);
      if (remote) steps = missingSteps(job.StudyInstanceUID, remote, before);
    } else if (skipped > 0) {
      steps = [];
    }
    if (steps.length === 1 && steps[0]!.level === 'STUDY' && (ctx.associations || job.firstSeries)) {
      // a whole study over several associations: one retrieve per series, side by side
      const series = await studySeries(node, job.StudyInstanceUID, scu).catch(() => undefined);
      if (series && series.length > 1) steps = series;
    }
    // the series a viewer waits for: its steps first, the others once it has arrived
    let leading = 0;
    if (job.firstSeries) {
      const parts = ctx.associations ? Math.max(1, node.maxAssociations ?? DEFAULT_NODE_MAX_ASSOCIATIONS) : 1;
      const whole = steps.some((s) => s.SeriesInstanceUID === job.firstSeries && s.level === 'SERIES');
      const instances = whole && parts > 1 ? await seriesInstances(node, job.StudyInstanceUID, job.firstSeries, scu).catch(() => undefined) : undefined;
      ({ steps, leading } = firstSeriesSteps(job.StudyInstanceUID, steps, job.firstSeries, parts, instances));
    }
    const host = ctx.local.host ?? (await localAddressToward(nodeHost(node)));
    const local = { aeTitle: ctx.local.aeTitle, host, port: ctx.local.port };
    // the progress of the steps running now, summed with the ended ones'
    const current = new Map<number, RetrieveProgress>();
    const sumCurrent = () => {
      const sum: RetrieveProgress = { completed: 0, failed: 0, warning: 0 };
      let remaining: number | undefined;
      for (const p of current.values()) {
        sum.completed += p.completed;
        sum.failed += p.failed;
        sum.warning += p.warning;
        if (p.remaining !== undefined) remaining = (remaining ?? 0) + p.remaining;
      }
      return remaining !== undefined ? { ...sum, remaining } : sum;
    };
    const todo = steps.map((step, index) => ({ step, index }));
    let stop = false;
    // the leading steps not ended yet; a worker whose next step is not one of them waits for them
    let leadingLeft = leading;
    let wake: () => void = () => {};
    let changed = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const notify = (): void => {
      const w = wake;
      changed = new Promise<void>((resolve) => {
        wake = resolve;
      });
      w();
    };
    const runOne = async (item: { step: RetrieveStep; index: number }): Promise<'done' | 'refused'> => {
      const onProgress = (p: RetrieveProgress) => {
        current.set(item.index, p);
        last = sumCurrent();
        report();
      };
      const outcome = await runStepOnce(item, onProgress);
      if (item.index < leading && outcome === 'done') leadingLeft -= 1;
      notify();
      return outcome;
    };
    const runStepOnce = async (item: { step: RetrieveStep; index: number }, onProgress: (p: RetrieveProgress) => void): Promise<'done' | 'refused'> => {
      let attempt = await runStep(ctx, item.step, method, scu, local, onProgress);
      // refused while another association of the job works: the node takes fewer at once
      if (active > 1 && isAssociationRefusal(attempt.error)) {
        current.delete(item.index);
        return 'refused';
      }
      // a node that refuses C-GET: C-MOVE for this step and every one after
      if (
        attempt.report?.method !== 'move' &&
        (method === 'get' || fellBack) &&
        !signal.aborted &&
        (attempt.report?.method === 'get' || attempt.error !== undefined) &&
        refusesGet({ ...attempt, arrived: seen.size })
      ) {
        if (!fellBack) {
          method = 'move';
          fellBack = true;
          ctx.onFallback();
        }
        current.delete(item.index);
        attempt = await runStep(ctx, item.step, 'move', scu, local, onProgress);
      }
      current.delete(item.index);
      if (attempt.error !== undefined) {
        error ??= attempt.error;
        stop = true;
        return 'done';
      }
      const r = attempt.report!;
      reports.push(r);
      claimedBase = {
        completed: claimedBase.completed + r.claimed.completed,
        failed: claimedBase.failed + r.claimed.failed,
        warning: claimedBase.warning + r.claimed.warning,
      };
      last = sumCurrent();
      if (r.verdict === 'cancelled') stop = true;
      return 'done';
    };
    // one worker on the job's own association, and one on each further association the node has
    // free while steps wait; a worker takes the next step as soon as its last one ended
    const workers: Promise<void>[] = [];
    let active = 0;
    const worker = async (extra: boolean): Promise<void> => {
      active += 1;
      try {
        while (!stop && !signal.aborted) {
          if (todo.length > 0 && todo[0]!.index >= leading && leadingLeft > 0) {
            await changed;
            continue;
          }
          const item = todo.shift();
          if (!item) return;
          spawnMore();
          if ((await runOne(item)) === 'refused') {
            todo.unshift(item); // the node takes fewer associations: the step waits for one it has
            ctx.associations?.refused();
            return;
          }
        }
      } finally {
        active -= 1;
        if (extra) ctx.associations?.give();
      }
    };
    function spawnMore(): void {
      while (todo.length > 0 && ctx.associations?.take()) workers.push(worker(true));
    }
    workers.push(worker(false));
    // every worker's end, including those started while others ran
    for (let i = 0; i < workers.length; i++) await workers[i];
  } catch (err) {
    error = err;
  } finally {
    ctx.local.storedListeners.delete(onStored);
    ctx.getListeners.delete(onStored);
  }
  const cachedAfter = cachedUids(cache, job).size;
  const cancelled = signal.aborted || reports.some((r) => r.verdict === 'cancelled');
  const refusal = cache.stats().lastRefusal;
  const { state, verdict } = judgeJob({
    nodeAeTitle: node.aeTitle ?? node.name,
    method,
    fellBack,
    reports,
    cancelled,
    skipped,
    arrived: seen.size,
    cachedAfter,
    ...(job.expected !== undefined ? { expected: job.expected } : {}),
    ...(refusal && refusal.at >= attemptStartedAt ? { refusedHere: refusal.sentence } : {}),
    ...(error !== undefined && !cancelled
      ? {
          error: diagnoseError(error, {
            service: method,
            node,
            callingAeTitle: ctx.scu.callingAeTitle,
            local: { aeTitle: ctx.local.aeTitle, port: ctx.local.port },
          }),
        }
      : {}),
  });
  return {
    state,
    verdict,
    usedMethod: method,
    progress: { ...claimedBase, arrived: seen.size, skipped, bytes, remaining: 0 },
  };
}

/** An association the node refused (rejected, or nothing listening): the job goes on with the ones it has. */
function isAssociationRefusal(error: unknown): boolean {
  return error instanceof AssociationRejectedError;
}

async function runStep(
  ctx: AttemptContext,
  step: RetrieveStep,
  method: 'move' | 'get',
  scu: ScuOptions,
  local: { aeTitle: string; host: string; port: number },
  onProgress: (p: RetrieveProgress) => void,
): Promise<{ report?: RetrieveReport; error?: unknown }> {
  const filter = arrivalFilter(step.identifier);
  const arrivals =
    method === 'move'
      ? eventArrivals(ctx.local.storedListeners, filter, { cache: ctx.cache, moveOriginatorAeTitle: ctx.scu.callingAeTitle })
      : eventArrivals(ctx.getListeners, filter, { cache: ctx.cache });
  try {
    const report = await ctx.retrieve(
      {
        node: ctx.node,
        method,
        model: TRANSFER_MODEL,
        level: step.level,
        identifier: step.identifier,
        ...(method === 'move' ? { destination: ctx.local.aeTitle } : {}),
      },
      {
        scu,
        arrivals,
        local,
        onProgress,
        ...(method === 'get' ? { store: ctx.getStore } : {}),
        ...(ctx.settleMs !== undefined ? { settleMs: ctx.settleMs } : {}),
      },
    );
    return { report };
  } catch (error) {
    return { error };
  }
}
