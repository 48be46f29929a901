/**
 * The transfer queue's model, shared by the main process and the UI: a job retrieves one study
 * (or some series of one study) from one node by C-MOVE or C-GET (PS3.4 C.4.2, C.4.3), is
 * persisted, reports progress, and ends with a verified verdict (expected instances, from the
 * query, against those that arrived). Pure code: no Node, no DOM.
 */

/** How a job retrieves: C-MOVE to our SCP, C-GET on the same association, or WADO-RS (PS3.18 §10.4) from a DICOMweb node. */
export type TransferMethod = 'move' | 'get' | 'wado';

/** Who queued a job: the user, or prefetch (whose jobs run after the user's). */
export type TransferOrigin = 'user' | 'prefetch';

/** The Query/Retrieve Level (0008,0052) of a job. */
export type TransferLevel = 'STUDY' | 'SERIES';

/**
 * The life of a job: queued → running → completed | incomplete | failed | cancelled.
 * A retry puts an ended job (other than completed) back to queued.
 */
export type TransferState = 'queued' | 'running' | 'completed' | 'incomplete' | 'failed' | 'cancelled';

/** The states in which a job has ended. */
export const FINISHED_STATES: readonly TransferState[] = ['completed', 'incomplete', 'failed', 'cancelled'];

/** Whether a job in this state has ended. */
export function isFinished(state: TransferState): boolean {
  return FINISHED_STATES.includes(state);
}

/** Whether a job in this state may be retried. */
export function isRetryable(state: TransferState): boolean {
  return state === 'failed' || state === 'incomplete' || state === 'cancelled';
}

/** Counts and speed of a job, as shown by its progress bar. */
export interface TransferProgress {
  /** Sub-operations completed (with warning included), as the PACS reported them. */
  completed: number;
  /** Number of Remaining Sub-operations (0000,1020), when the PACS sends it. */
  remaining?: number;
  failed: number;
  warning: number;
  /** Instances that arrived in the cache during this attempt. */
  arrived: number;
  /** Instances already in the cache before the attempt, not fetched again. */
  skipped: number;
  /** Bytes of the instances that arrived. */
  bytes: number;
  /** Megabytes (10^6 bytes) per second since the attempt started. */
  mbPerSecond?: number;
  /** Seconds left, estimated from the instances still to come and the rate so far. */
  etaSeconds?: number;
}

/** The verdict of an ended job: a stable code and one plain sentence. */
export interface TransferVerdict {
  code: string;
  sentence: string;
}

/** What to retrieve: one study, or some of its series. */
export interface TransferRequest {
  /** The node's name in the configuration. */
  node: string;
  /** Default: the node's configured method. */
  method?: TransferMethod;
  level: TransferLevel;
  StudyInstanceUID: string;
  /** Required at SERIES level. */
  SeriesInstanceUIDs?: string[];
  /** Instances the query announced (Number of Study/Series Related Instances); absent when unknown. */
  expected?: number;
  /** A line for people, e.g. "DOE^JOHN — CT CHEST 2024-01-31". */
  label?: string;
  /** Default 'user'. */
  origin?: TransferOrigin;
  /**
   * A series of the study to fetch before the others (the one a viewer shows while the study
   * arrives): its instances come first, from the middle of the stack outwards.
   */
  firstSeries?: string;
}

/** One persisted transfer job. */
export interface TransferJob {
  id: string;
  node: string;
  /** The method asked for. */
  method: TransferMethod;
  /** The method of the last attempt (differs after a GET→MOVE fallback). */
  usedMethod?: TransferMethod;
  level: TransferLevel;
  StudyInstanceUID: string;
  SeriesInstanceUIDs: string[];
  expected?: number;
  label?: string;
  origin: TransferOrigin;
  /** The series fetched first (TransferRequest.firstSeries); kept for the session only, not across a restart. */
  firstSeries?: string;
  state: TransferState;
  progress: TransferProgress;
  /** Set when the job has ended. */
  verdict?: TransferVerdict;
  /** Attempts started (1 for the first run, +1 per retry or restart resume). */
  attempts: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /**
   * Goes up by one with every stored change of the job. Of two copies of a job (a list answer
   * and an event that crossed it), the one with the higher revision is the newer; progress
   * events between two changes carry the revision of the last one.
   */
  revision: number;
}

/**
 * Which of two copies of a job to keep: `incoming` unless `held` has a higher revision (a list
 * answer taken before an event that already arrived, a cancel answer after the job ended).
 */
export function newerJob(held: TransferJob | undefined, incoming: TransferJob): TransferJob {
  return held && held.revision > incoming.revision ? held : incoming;
}

/** Events pushed to the UI about jobs; each carries the whole job as it now is. */
export type TransferEvent = { type: 'job.added'; job: TransferJob } | { type: 'job.progress'; job: TransferJob } | { type: 'job.finished'; job: TransferJob };

/** A progress with nothing done yet. */
export function emptyProgress(): TransferProgress {
  return { completed: 0, failed: 0, warning: 0, arrived: 0, skipped: 0, bytes: 0 };
}

/**
 * Speed and time left: MB/s from the bytes so far; ETA from the instances still to come at
 * the rate instances arrived so far. `total` is the number of instances this attempt fetches
 * (expected minus skipped, or what the PACS reports). Undefined while too little is known.
 */
export function rates(
  p: Pick<TransferProgress, 'bytes' | 'arrived' | 'remaining'>,
  elapsedMs: number,
  total?: number,
): Pick<TransferProgress, 'mbPerSecond' | 'etaSeconds'> {
  if (elapsedMs < 200 || p.arrived === 0) return {};
  const seconds = elapsedMs / 1000;
  const out: Pick<TransferProgress, 'mbPerSecond' | 'etaSeconds'> = { mbPerSecond: Math.round((p.bytes / 1e6 / seconds) * 100) / 100 };
  const left = p.remaining ?? (total !== undefined ? Math.max(0, total - p.arrived) : undefined);
  if (left !== undefined) out.etaSeconds = Math.ceil(left / (p.arrived / seconds));
  return out;
}
