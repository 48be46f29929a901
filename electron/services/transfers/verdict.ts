/**
 * How a job ends: the GET→MOVE fallback decision, and the verified verdict of the whole job
 * (its retrieve steps judged by retrieve/retrieve.ts, then expected instances, from the query, against
 * those in the cache), each with one plain sentence.
 */
import type { Diagnosis } from '../../../shared/diagnostics.js';
import { statusCategory } from '../../../shared/dicom/status.js';
import { AssociationAbortedError } from '../../dimse/ul/association.js';
import { NoContextError } from '../../dimse/ul/errors.js';
import type { TransferMethod, TransferState, TransferVerdict } from '../../../shared/transfers.js';
import type { RetrieveReport } from '../retrieve/retrieve.js';

/**
 * Whether a C-GET attempt shows the PACS will not serve C-GET to us, so that C-MOVE should be
 * tried: it accepted no C-GET presentation context (the error of requireContext), or it
 * answered with a failure and sent nothing at all (typically: it accepted none of the storage
 * contexts offered with the SCP role, PS3.4 C.4.3.1.3, or its configuration forbids C-GET to
 * our AE title), or it aborted the association before sending anything (what Orthanc does
 * when its entry for our AE title has "AllowGet": false). A transport failure or a rejected
 * association is not a refusal of C-GET: C-MOVE would meet the same.
 */
export function refusesGet(attempt: { error?: unknown; report?: RetrieveReport; arrived?: number }): boolean {
  if (attempt.error !== undefined) {
    if (attempt.error instanceof AssociationAbortedError) return (attempt.arrived ?? 0) === 0;
    return attempt.error instanceof NoContextError;
  }
  const r = attempt.report;
  if (!r || r.method !== 'get' || r.verdict !== 'failed') return false;
  const nothing = r.claimed.completed + r.claimed.warning === 0 && (r.arrived ?? 0) === 0;
  return nothing && (statusCategory(r.status) === 'failure' || r.claimed.failed > 0);
}

/** What the verdict is judged from. */
export interface JobOutcome {
  nodeAeTitle: string;
  method: TransferMethod;
  /** C-GET was refused and C-MOVE used instead. */
  fellBack: boolean;
  reports: RetrieveReport[];
  /** A thrown failure, diagnosed. */
  error?: Diagnosis;
  cancelled: boolean;
  expected?: number;
  /** The job's instances in the cache before the attempt (not fetched again). */
  skipped: number;
  /** New instances of the job that arrived during the attempt. */
  arrived: number;
  /** The job's instances in the cache after the attempt. */
  cachedAfter: number;
  /** Our cache refused instances for lack of room during the attempt: why, in one sentence. */
  refusedHere?: string;
  /** This attempt came after another method failed (the fallback to WADO-RS): which, and its sentence. */
  after?: { method: TransferMethod; sentence: string };
}

/** How each method is named in sentences. */
export const METHOD_NAMES: Record<TransferMethod, string> = { move: 'C-MOVE', get: 'C-GET', wado: 'WADO-RS' };

function plural(n: number, word = 'instance'): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The final state and sentence of a job. */
export function judgeJob(o: JobOutcome): { state: TransferState; verdict: TransferVerdict } {
  const some = o.arrived > 0 || o.skipped > 0;
  if (o.cancelled) {
    return { state: 'cancelled', verdict: { code: 'cancelled', sentence: `The retrieve was cancelled; ${plural(o.arrived)} arrived before it stopped.` } };
  }
  if (o.error) return { state: o.arrived > 0 ? 'incomplete' : 'failed', verdict: { code: o.error.code, sentence: o.error.sentence } };
  const short = o.expected !== undefined && o.cachedAfter < o.expected;
  if (o.refusedHere && (short || o.reports.some((r) => r.verdict !== 'complete'))) {
    // the PACS sent, we refused: the fix is on this side, not the PACS's
    const missing = o.expected !== undefined ? `${o.expected - o.cachedAfter} of ${plural(o.expected)}` : 'Some instances';
    return { state: some ? 'incomplete' : 'failed', verdict: { code: 'cache-full', sentence: `${missing} could not be stored here: ${o.refusedHere}` } };
  }
  const bad = o.reports.find((r) => r.verdict === 'failed' || r.verdict === 'incomplete' || r.verdict === 'cancelled');
  if (bad) {
    const state: TransferState = o.arrived > 0 ? 'incomplete' : 'failed';
    const d = bad.diagnosis ?? { code: bad.verdict, sentence: `The retrieve from ${o.nodeAeTitle} ended ${bad.verdict} (status ${bad.statusName}).` };
    return { state, verdict: { code: d.code, sentence: d.sentence } };
  }
  const claimed = o.reports.reduce((n, r) => n + r.claimed.completed + r.claimed.warning, 0);
  const how = METHOD_NAMES[o.method];
  const fallback = o.fellBack
    ? ` (${o.nodeAeTitle} refused C-GET, so C-MOVE was used)`
    : o.after
      ? ` after ${METHOD_NAMES[o.after.method]} failed (${o.after.sentence.replace(/\.$/, '')})`
      : '';
  if (o.expected !== undefined && o.cachedAfter < o.expected) {
    if (claimed === 0 && o.arrived === 0 && o.reports.length > 0) {
      return {
        state: o.skipped > 0 ? 'incomplete' : 'failed',
        verdict: {
          code: 'nothing-sent',
          sentence: `${o.nodeAeTitle} found nothing to send although the query listed ${plural(o.expected)}: the study may have been moved or deleted on the PACS; search again.`,
        },
      };
    }
    return {
      state: some ? 'incomplete' : 'failed',
      verdict: {
        code: 'expected-missing',
        sentence: `The query listed ${plural(o.expected)} but only ${o.cachedAfter} are in the cache after the ${how}${fallback}: ${o.nodeAeTitle} sent fewer than it listed; retry, or look in its log for the missing ones.`,
      },
    };
  }
  const skipped = o.skipped > 0 ? `; ${plural(o.skipped)} were already in the cache` : '';
  const sentence =
    o.reports.length === 0
      ? `All ${plural(o.skipped)} were already in the cache; nothing was fetched.`
      : `Retrieved ${plural(o.arrived)} from ${o.nodeAeTitle} by ${how}${fallback}${skipped}${o.expected !== undefined ? `; all ${o.expected} expected are in the cache` : ''}.`;
  return { state: 'completed', verdict: { code: 'complete', sentence } };
}
