/**
 * Retrieving from a PACS by C-MOVE or C-GET, verified: the verdict compares what the PACS
 * claimed (completed sub-operations) with what actually arrived in the cache for this request,
 * and names the cause in one sentence when they differ.
 */
import type { RemoteNode } from '../../../shared/config.js';
import { diagnose, type Diagnosis } from '../../../shared/diagnostics.js';
import { type DataSet, getStrings } from '../../../shared/dicom/dataset.js';
import type { QueryLevel, QueryModel } from '../../../shared/dicom/query.js';
import { Status, describeStatus, statusCategory } from '../../../shared/dicom/status.js';
import { SERIES_INSTANCE_UID, SOP_INSTANCE_UID, STUDY_INSTANCE_UID } from '../../../shared/dicom/tags.js';
import type { StoreHandler } from '../../dimse/handlers.js';
import { get, move, type RetrieveOutcome, type RetrieveProgress, type ScuOptions } from '../../dimse/scu/index.js';
import { dicomNodeOf } from '../nodes/dicom-node.js';
import { AssociationRejectedError } from '../../dimse/ul/errors.js';
import { describeStatus as describeFailureStatus } from '../nodes/diagnose.js';
import type { StoredEvent } from '../local-scp/handlers.js';

/** Counts the instances of one retrieve that arrived in the cache. */
export interface ArrivalTracker {
  /** Called just before the request is sent. */
  begin(): void;
  /** Instances arrived since `begin`. */
  count(): number;
  /** Stops tracking. */
  end(): void;
}

/** The UIDs an identifier asks for, to recognize its instances among all that arrive. */
export interface ArrivalFilter {
  studies?: Set<string>;
  series?: Set<string>;
  instances?: Set<string>;
}

const UID_TAGS = { studies: STUDY_INSTANCE_UID, series: SERIES_INSTANCE_UID, instances: SOP_INSTANCE_UID } as const;

/** The study, series and instance UIDs an identifier names (those with values). */
export function arrivalFilter(identifier: DataSet): ArrivalFilter {
  const filter: ArrivalFilter = {};
  for (const [name, t] of Object.entries(UID_TAGS) as [keyof ArrivalFilter, number][]) {
    const values = getStrings(identifier, t)
      .map((v) => v.replace(/[\0 ]+$/, '').trim())
      .filter((v) => v !== '');
    if (values.length) filter[name] = new Set(values);
  }
  return filter;
}

/** Whether a stored instance is one of those the filter asks for. */
export function isArrival(filter: ArrivalFilter, e: Pick<StoredEvent, 'studyInstanceUid' | 'seriesInstanceUid' | 'sopInstanceUid'>): boolean {
  return (
    (!filter.studies || filter.studies.has(e.studyInstanceUid)) &&
    (!filter.series || filter.series.has(e.seriesInstanceUid)) &&
    (!filter.instances || filter.instances.has(e.sopInstanceUid))
  );
}

/**
 * Tracks arrivals through the store handler's events (this process receives the instances):
 * distinct SOP instances matching the filter; stores sent for another Move Originator are not ours.
 * An event comes once the instance's index row is written, and rows join a group commit after
 * the answer: each count first writes the rows the receiving cache still has queued.
 */
export function eventArrivals(
  listeners: Set<(event: StoredEvent) => void>,
  filter: ArrivalFilter,
  { cache, moveOriginatorAeTitle }: { cache: { flushIndex(): void }; moveOriginatorAeTitle?: string },
): ArrivalTracker {
  const seen = new Set<string>();
  const listener = (e: StoredEvent) => {
    if (moveOriginatorAeTitle && e.moveOriginatorAeTitle && e.moveOriginatorAeTitle.trim() !== moveOriginatorAeTitle) return;
    if (!isArrival(filter, e)) return;
    seen.add(e.sopInstanceUid);
  };
  return {
    begin: () => {
      listeners.add(listener);
    },
    count: () => {
      cache.flushIndex();
      return seen.size;
    },
    end: () => {
      listeners.delete(listener);
    },
  };
}

/**
 * Tracks arrivals by counting, in the cache, the instances of the given studies received since
 * `begin` (another process — `priors serve` — receives them).
 */
export function countingArrivals(
  cache: { countArrivedFor(what: { studyUid: string; since: number }): number },
  studyUids: readonly string[],
  now: () => number = Date.now,
): ArrivalTracker {
  let since = 0;
  return {
    begin: () => {
      since = now();
    },
    count: () => studyUids.reduce((n, studyUid) => n + cache.countArrivedFor({ studyUid, since }), 0),
    end: () => undefined,
  };
}

/** What to retrieve and how. */
export interface RetrieveSpec {
  node: RemoteNode;
  method: 'move' | 'get';
  model: QueryModel;
  level: QueryLevel;
  identifier: DataSet;
  /** C-MOVE destination AE title. */
  destination?: string;
}

/** Where this workstation is, for the sentences. */
export interface LocalEndpoint {
  aeTitle: string;
  host: string;
  port: number;
}

/** What a retrieve needs besides the spec. */
export interface RetrieveEnv {
  scu: ScuOptions;
  /** Absent when the instances go elsewhere (another destination): the claim cannot be verified. */
  arrivals?: ArrivalTracker;
  /** The C-STORE receiver of a C-GET. */
  store?: StoreHandler;
  local: LocalEndpoint;
  onProgress?: (p: RetrieveProgress) => void;
  /** How long to wait for stragglers when fewer arrived than claimed (default 2000 ms). */
  settleMs?: number;
  /**
   * The same retrieve as several requests side by side (a study's series, one association
   * each, at most `concurrency` at a time): the outcomes summed and verified once.
   */
  parts?: { level: QueryLevel; identifiers: DataSet[]; concurrency: number };
}

/** The verified result of a retrieve (by C-MOVE, C-GET, or WADO-RS: services/dicomweb/wado-retrieve.ts). */
export interface RetrieveReport {
  verdict: 'complete' | 'incomplete' | 'failed' | 'cancelled';
  method: 'move' | 'get' | 'wado';
  destination?: string;
  /** Final status of the C-MOVE/C-GET and its name. */
  status: number;
  statusName: string;
  errorComment?: string;
  /** What the PACS reported. */
  claimed: { completed: number; failed: number; warning: number };
  /** What arrived here (undefined when not verifiable). */
  arrived?: number;
  failedSopInstanceUids: string[];
  /** The cause, when the verdict is not 'complete'. */
  diagnosis?: Diagnosis;
}

/** Runs the retrieve and judges it. Association failures throw. */
export async function retrieve(spec: RetrieveSpec, env: RetrieveEnv): Promise<RetrieveReport> {
  const { node } = spec;
  const dicomNode = dicomNodeOf(node);
  const destination = spec.method === 'move' ? (spec.destination ?? env.local.aeTitle) : undefined;
  env.arrivals?.begin();
  let outcome: RetrieveOutcome;
  try {
    const one = (level: QueryLevel, identifier: DataSet, onProgress?: (p: RetrieveProgress) => void): Promise<RetrieveOutcome> => {
      if (spec.method === 'move') {
        return move(dicomNode, { model: spec.model, level, identifier, destination: destination! }, { ...env.scu, ...(onProgress ? { onProgress } : {}) });
      }
      if (!env.store) throw new Error('C-GET needs a store handler');
      return get(dicomNode, { model: spec.model, level, identifier }, { ...env.scu, store: env.store, ...(onProgress ? { onProgress } : {}) });
    };
    outcome =
      env.parts && env.parts.identifiers.length > 1 ? await sideBySide(env.parts, one, env.onProgress) : await one(spec.level, spec.identifier, env.onProgress);
    let arrived = env.arrivals?.count();
    const claimed = outcome.completed + outcome.warning;
    if (arrived !== undefined && arrived < claimed) {
      // The last instances are usually a moment behind the final response (the receiving
      // process indexes them after answering, in a group commit): look again soon, then less often.
      const started = Date.now();
      const deadline = started + (env.settleMs ?? 2000);
      while (arrived < claimed && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, Date.now() - started < 100 ? 5 : 100));
        arrived = env.arrivals!.count();
      }
    }
    return judge(spec, outcome, arrived, env.local, destination);
  } finally {
    env.arrivals?.end();
  }
}

/**
 * Runs the parts on at most `concurrency` associations at once, each started when one is free;
 * an association the node refuses while another of ours works sends its part back to the others
 * (the node takes fewer at a time). The outcome: counts and failed UIDs summed, the worst status.
 */
async function sideBySide(
  parts: NonNullable<RetrieveEnv['parts']>,
  one: (level: QueryLevel, identifier: DataSet, onProgress?: (p: RetrieveProgress) => void) => Promise<RetrieveOutcome>,
  onProgress?: (p: RetrieveProgress) => void,
): Promise<RetrieveOutcome> {
  const todo = [...parts.identifiers.keys()];
  const now = new Map<number, RetrieveProgress>();
  const ended: RetrieveOutcome[] = [];
  let failure: unknown;
  let active = 0;
  const limit = Math.max(1, parts.concurrency);
  const tell = () => {
    if (!onProgress) return;
    const sum: RetrieveProgress = { completed: 0, failed: 0, warning: 0 };
    for (const p of [...ended, ...now.values()]) {
      sum.completed += p.completed;
      sum.failed += p.failed;
      sum.warning += p.warning;
    }
    onProgress(sum);
  };
  const worker = async (): Promise<void> => {
    active += 1;
    try {
      while (failure === undefined) {
        const k = todo.shift();
        if (k === undefined) return;
        try {
          ended.push(
            await one(parts.level, parts.identifiers[k]!, (p) => {
              now.set(k, p);
              tell();
            }),
          );
        } catch (err) {
          if (err instanceof AssociationRejectedError && active > 1) {
            todo.unshift(k);
            return;
          }
          failure ??= err;
        } finally {
          now.delete(k);
        }
        tell();
      }
    } finally {
      active -= 1;
    }
  };
  // counted before starting: each worker takes its first part as it starts
  const starting = Math.min(limit, todo.length);
  const workers: Promise<void>[] = [];
  while (workers.length < starting) workers.push(worker());
  // a part sent back by a refused association is taken by a worker still running (one was)
  await Promise.all(workers);
  if (failure !== undefined) throw failure;
  const rank = (status: number) =>
    statusCategory(status) === 'failure' ? 3 : statusCategory(status) === 'cancel' ? 2 : statusCategory(status) === 'warning' ? 1 : 0;
  const worst = ended.reduce((a, b) => (rank(b.status) > rank(a.status) ? b : a));
  return {
    status: worst.status,
    ...ended.reduce(
      (sum, o) => ({
        completed: sum.completed + o.completed,
        failed: sum.failed + o.failed,
        warning: sum.warning + o.warning,
      }),
      { completed: 0, failed: 0, warning: 0 },
    ),
    failedSopInstanceUids: ended.flatMap((o) => o.failedSopInstanceUids),
    cancelled: ended.some((o) => o.cancelled),
    ...(ended.find((o) => o.errorComment)?.errorComment ? { errorComment: ended.find((o) => o.errorComment)!.errorComment! } : {}),
  };
}

/** The verdict and its cause, from the final response and the arrivals. */
export function judge(
  spec: Pick<RetrieveSpec, 'node' | 'method'>,
  outcome: RetrieveOutcome,
  arrived: number | undefined,
  local: LocalEndpoint,
  destination?: string,
): RetrieveReport {
  const service = spec.method;
  const { node } = spec;
  const report: RetrieveReport = {
    verdict: 'complete',
    method: spec.method,
    status: outcome.status,
    statusName: describeStatus(service, outcome.status).name,
    claimed: { completed: outcome.completed, failed: outcome.failed, warning: outcome.warning },
    failedSopInstanceUids: outcome.failedSopInstanceUids,
    ...(destination ? { destination } : {}),
    ...(arrived !== undefined ? { arrived } : {}),
    ...(outcome.errorComment ? { errorComment: outcome.errorComment } : {}),
  };
  const peer = { calledAeTitle: node.aeTitle, host: node.host, port: node.port };
  const localRef = { localAeTitle: local.aeTitle, localHost: local.host, localPort: local.port };
  const category = statusCategory(outcome.status);
  const claimed = outcome.completed + outcome.warning;
  if (outcome.cancelled || category === 'cancel') {
    report.verdict = 'cancelled';
    report.diagnosis = diagnose({ kind: 'cancelled', service });
    return report;
  }
  if (outcome.failed > 0 || outcome.status === Status.OutOfResourcesUnableToPerformSubOperations) {
    report.verdict = (arrived ?? claimed) > 0 ? 'incomplete' : 'failed';
    report.diagnosis = diagnose({
      kind: 'sub-operations',
      service,
      failed: Math.max(outcome.failed, outcome.failedSopInstanceUids.length),
      completed: outcome.completed,
      warning: outcome.warning,
      failedSopInstanceUids: outcome.failedSopInstanceUids,
      ...peer,
      ...localRef,
      ...(outcome.errorComment ? { errorComment: outcome.errorComment } : {}),
      ...(destination ? { destination } : {}),
    });
    return report;
  }
  const noSubOperations = outcome.completed + outcome.failed + outcome.warning === 0;
  if (service === 'move' && category === 'failure' && (outcome.status & 0xf000) === 0xc000 && noSubOperations && !outcome.errorComment && destination) {
    report.verdict = 'failed';
    report.diagnosis = diagnose({ kind: 'move-refused', status: outcome.status, destination, ...peer, ...localRef });
    return report;
  }
  if (category === 'failure') {
    report.verdict = (arrived ?? 0) > 0 ? 'incomplete' : 'failed';
    report.diagnosis = diagnose(
      describeFailureStatus(service, outcome.status, outcome.errorComment, {
        node,
        local: { aeTitle: local.aeTitle, host: local.host, port: local.port },
        ...(destination ? { destination } : {}),
      }),
    );
    return report;
  }
  if (arrived !== undefined && arrived < claimed) {
    report.verdict = arrived === 0 ? 'failed' : 'incomplete';
    report.diagnosis = diagnose(
      service === 'get'
        ? {
            kind: 'sub-operations',
            service,
            failed: claimed - arrived,
            completed: arrived,
            warning: 0,
            failedSopInstanceUids: [],
            ...peer,
            ...localRef,
          }
        : {
            kind: 'move-incomplete',
            claimed,
            arrived,
            destination: destination ?? local.aeTitle,
            localHost: local.host,
            localPort: local.port,
            ...peer,
          },
    );
  }
  return report;
}
