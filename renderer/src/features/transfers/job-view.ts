/**
 * What a transfer job row shows, computed without a DOM: the segments of its progress bar
 * (completed / warning / failed / remaining), the counts line, speed and time left, and the
 * verified end (expected instances from the query against those that arrived).
 */
import { type TransferJob, isFinished, newerJob } from '../../../../shared/transfers.js';
import { formatBytes, formatDuration } from '../../lib/format.js';

/** The widths of the progress bar's segments, in percent of the whole. */
export interface BarSegments {
  ok: number;
  warning: number;
  failed: number;
  remaining: number;
}

/** A job row's content. */
export interface JobView {
  /** Instances this job is about, when known (expected, else what the PACS reports). */
  total?: number;
  /** Instances done: completed (warnings included) and already cached. */
  done: number;
  bar: BarSegments;
  counts: string;
  speed: string;
  /** "Expected 12 · arrived 10 · 2 already cached" once the job has ended, else undefined. */
  verified?: string;
}

const pct = (n: number, total: number): number => (total > 0 ? Math.max(0, Math.min(100, (n / total) * 100)) : 0);

/** The view of one job. */
export function jobView(job: TransferJob): JobView {
  const p = job.progress;
  const reported = p.remaining !== undefined ? p.completed + p.failed + p.remaining + p.skipped : undefined;
  const total = job.expected ?? reported;
  const done = p.completed + p.skipped;
  const okCount = Math.max(0, done - p.warning);
  const whole = Math.max(total ?? 0, done + p.failed);
  const bar: BarSegments = { ok: pct(okCount, whole), warning: pct(p.warning, whole), failed: pct(p.failed, whole), remaining: 0 };
  bar.remaining = Math.max(0, 100 - bar.ok - bar.warning - bar.failed);
  const parts = [`${done}${total !== undefined ? ` / ${total}` : ''} instances`];
  if (p.remaining !== undefined && !isFinished(job.state)) parts.push(`${p.remaining} remaining`);
  if (p.failed) parts.push(`${p.failed} failed`);
  if (p.warning) parts.push(`${p.warning} with warnings`);
  if (p.skipped) parts.push(`${p.skipped} already cached`);
  const speed = [formatBytes(p.bytes)];
  if (p.mbPerSecond !== undefined && !isFinished(job.state)) speed.push(`${p.mbPerSecond.toFixed(1)} MB/s`);
  if (p.etaSeconds !== undefined && !isFinished(job.state)) speed.push(`${formatDuration(p.etaSeconds)} left`);
  const view: JobView = { done, bar, counts: parts.join(' · '), speed: speed.join(' · ') };
  if (total !== undefined) view.total = total;
  if (isFinished(job.state)) {
    const arrived = `arrived ${p.arrived}${p.skipped ? ` · ${p.skipped} already cached` : ''}`;
    view.verified = job.expected !== undefined ? `Expected ${job.expected} · ${arrived}` : `Expected: unknown (the query did not say) · ${arrived}`;
  }
  return view;
}

/** Newest first; a stable order (by creation), so rows never jump while they update. */
export function sortJobs(jobs: Iterable<TransferJob>): TransferJob[] {
  return [...jobs].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** The jobs left after "Clear finished": those still queued or running, and those not yet seen to end. */
export function withoutCleared(jobs: readonly TransferJob[], cleared: ReadonlySet<string>): TransferJob[] {
  return jobs.filter((j) => !(cleared.has(j.id) && isFinished(j.state)));
}

/** The ids "Clear finished" hides. */
export function finishedIds(jobs: readonly TransferJob[]): string[] {
  return jobs.filter((j) => isFinished(j.state)).map((j) => j.id);
}

/** The jobs held, with one copy (an event, a cancel or retry answer) taken in if it is not older. */
export function withJob(held: ReadonlyMap<string, TransferJob>, incoming: TransferJob): ReadonlyMap<string, TransferJob> {
  const kept = newerJob(held.get(incoming.id), incoming);
  return kept === held.get(incoming.id) ? held : new Map(held).set(incoming.id, kept);
}

/**
 * The jobs held, after a `transfers.list` answer: the list says which jobs exist, but a job
 * changed by an event that crossed the answer keeps its newer copy, and a job queued after
 * the list was read (not finished, not in it) stays.
 */
export function withList(held: ReadonlyMap<string, TransferJob>, listed: readonly TransferJob[]): ReadonlyMap<string, TransferJob> {
  const next = new Map<string, TransferJob>();
  for (const job of listed) next.set(job.id, newerJob(held.get(job.id), job));
  for (const [id, job] of held) if (!next.has(id) && !isFinished(job.state)) next.set(id, job);
  return next;
}
