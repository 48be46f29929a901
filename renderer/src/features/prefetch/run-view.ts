/**
 * What the Prefetch screen shows of runs, without a DOM: the runs held (a list answer and the
 * `prefetch.run` events merged by revision), the patient filter, the words for triggers,
 * states and decisions, the current study and each candidate in one line, the nodes' answers,
 * the prefetch jobs still pending, and a worklist poll's answer.
 */
import type { WorklistPoll } from '../../../../shared/api/contract.js';
import type { CandidateDecision, PrefetchCandidate, PrefetchCurrent, PrefetchRun, PrefetchRunState, PrefetchTrigger } from '../../../../shared/prefetch.js';
import { isFinished, type TransferJob } from '../../../../shared/transfers.js';
import { formatDicomDate, formatPersonName } from '../../lib/format.js';
import { newerRun } from '../../lib/prefetch.js';

/** Runs by id. */
export type RunMap = ReadonlyMap<string, PrefetchRun>;

/** The runs held, with some copies taken in (each kept only if not older than the one held). */
export function withRuns(held: RunMap, incoming: readonly PrefetchRun[]): RunMap {
  let next: Map<string, PrefetchRun> | undefined;
  for (const run of incoming) {
    const kept = newerRun((next ?? held).get(run.id), run);
    if (kept === (next ?? held).get(run.id)) continue;
    next ??= new Map(held);
    next.set(run.id, kept);
  }
  return next ?? held;
}

/** Newest first (by start; a stable order, so rows do not jump while they change). */
export function sortRuns(runs: Iterable<PrefetchRun>): PrefetchRun[] {
  return [...runs].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** Whether a run is of the patient typed: part of the Patient ID or of the name, any case, `^` or `,` alike. */
export function runMatches(run: PrefetchRun, text: string): boolean {
  const words = text
    .toUpperCase()
    .split(/[\s,^]+/)
    .filter((w) => w !== '');
  if (words.length === 0) return true;
  const hay = `${run.PatientID} ${run.IssuerOfPatientID ?? ''} ${(run.PatientName ?? '').replace(/\^/g, ' ')}`.toUpperCase();
  return words.every((w) => hay.includes(w));
}

export const TRIGGER_LABEL: Record<PrefetchTrigger, string> = { arrival: 'arrival', worklist: 'worklist', manual: 'by hand' };

export const STATE_LABEL: Record<PrefetchRunState, string> = {
  planned: 'dry run',
  running: 'running',
  completed: 'completed',
  incomplete: 'incomplete',
  stopped: 'stopped',
  failed: 'failed',
};

export const DECISION_LABEL: Record<CandidateDecision, string> = {
  fetch: 'fetch',
  cached: 'cached',
  'in-transfer': 'in transfer',
  skip: 'skip',
  conflict: 'conflict',
};

/** The trigger with what set it off: "worklist: RIS: CT CHEST at 14:30". */
export function triggerText(run: Pick<PrefetchRun, 'trigger' | 'triggerDetail'>): string {
  return run.triggerDetail ? `${TRIGGER_LABEL[run.trigger]}: ${run.triggerDetail}` : TRIGGER_LABEL[run.trigger];
}

/** "Doe, Jane (E2E-DOE)"; the issuer when there is one. */
export function patientText(run: Pick<PrefetchRun, 'PatientID' | 'IssuerOfPatientID' | 'PatientName'>): string {
  const id = run.IssuerOfPatientID ? `${run.PatientID} / ${run.IssuerOfPatientID}` : run.PatientID;
  const name = formatPersonName(run.PatientName);
  return name ? `${name} (${id})` : id;
}

/** Where the current study was learnt. */
function sourceText(c: PrefetchCurrent): string {
  switch (c.source) {
    case 'cache':
      return 'in the cache';
    case 'worklist':
      return c.node ? `scheduled on ${c.node}` : 'scheduled';
    default:
      return c.node ? `newest on ${c.node}` : 'newest found';
  }
}

/** The current study in one line: "CT · CHEST · 2026-12-06 · CT CHEST TODAY · newest on pacs". */
export function currentText(c: PrefetchCurrent | undefined): string {
  if (!c) return 'No current study: no study of the patient was found.';
  const parts = [
    c.modalities.join('/') || 'modality unknown',
    c.bodyParts.join('/') || 'body part unknown',
    formatDicomDate(c.StudyDate) || 'date unknown',
    c.StudyDescription ?? '',
    sourceText(c),
  ];
  return parts.filter((p) => p !== '').join(' · ');
}

/** Where a candidate was found: "pacs, archive2" (the cache by name). */
export function foundOnText(c: Pick<PrefetchCandidate, 'foundOn' | 'node'>): string {
  const places = c.foundOn.map((n) => (n === 'cache' ? 'local cache' : n));
  return places.join(', ') || (c.node ?? '');
}

/** Candidates newest first; conflicts stay where their date puts them (they are flagged, not hidden). */
export function sortCandidates(candidates: readonly PrefetchCandidate[]): PrefetchCandidate[] {
  return [...candidates].sort((a, b) => (b.StudyDate ?? '').localeCompare(a.StudyDate ?? ''));
}

/** "2 fetch · 1 cached · 3 skip · 1 conflict": the decisions of a run, in a fixed order. */
export function decisionCounts(candidates: readonly PrefetchCandidate[]): string {
  const order: CandidateDecision[] = ['fetch', 'cached', 'in-transfer', 'conflict', 'skip'];
  return (
    order
      .map((d) => [d, candidates.filter((c) => c.decision === d).length] as const)
      .filter(([, n]) => n > 0)
      .map(([d, n]) => `${n} ${DECISION_LABEL[d]}`)
      .join(' · ') || 'no earlier study'
  );
}

/** The nodes' answers: "pacs: 3 studies" for each, and the failures' sentences. */
export function nodeLines(run: Pick<PrefetchRun, 'nodes'>): { node: string; ok: boolean; text: string }[] {
  return run.nodes.map((n) => ({
    node: n.node,
    ok: n.outcome === 'ok',
    text:
      n.outcome === 'ok'
        ? `${n.node}: ${n.studies} stud${n.studies === 1 ? 'y' : 'ies'}`
        : `${n.node}: ${n.sentence ?? (n.outcome === 'capped' ? 'the answer looks capped' : 'did not answer')}`,
  }));
}

/** Whether a run still has retrieves to wait for. */
export function isRunActive(run: Pick<PrefetchRun, 'state'>): boolean {
  return run.state === 'running';
}

/** The prefetch jobs queued or running, oldest first (the order the queue takes them). */
export function pendingPrefetchJobs(jobs: Iterable<TransferJob>): TransferJob[] {
  return [...jobs]
    .filter((j) => j.origin === 'prefetch' && !isFinished(j.state))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A worklist poll's answer in one sentence. */
export function pollText(p: WorklistPoll, hoursAhead?: number): string {
  if (p.error) return p.error;
  const window = hoursAhead ? ` in the next ${hoursAhead} hour${hoursAhead === 1 ? '' : 's'}` : '';
  const head = `${p.procedures} procedure${p.procedures === 1 ? '' : 's'} scheduled${window}`;
  if (p.procedures === 0) return `${head}.`;
  return p.started ? `${head}: prefetch started for ${p.started} not seen before.` : `${head}, all seen before: nothing new to prefetch.`;
}
