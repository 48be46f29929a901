/**
 * Transfers: the persisted queue (transfers.list), kept current by job events; each job with
 * its progress bar (completed / failed / warning of expected), MB/s, ETA and verdict; cancel
 * and retry.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../../../shared/api.js';
import { type TransferJob, isFinished, isRetryable } from '../../../../shared/transfers.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useApiEvents, useLoad, useTransport } from '../../app/api-context.js';
import { formatBytes, formatDuration } from '../../lib/format.js';

export function TransfersScreen({ active }: { active: boolean }) {
  const transport = useTransport();
  const loaded = useLoad('transfers.list', {});
  const [jobs, setJobs] = useState<ReadonlyMap<string, TransferJob>>(new Map());
  const [error, setError] = useState<ApiError | undefined>();

  const reload = loaded.reload;
  useEffect(() => { if (active) reload(); }, [active, reload]);
  useEffect(() => {
    if (loaded.value) setJobs(new Map(loaded.value.jobs.map((j) => [j.id, j])));
  }, [loaded.value]);

  useApiEvents((event) => {
    if (event.type === 'job.added' || event.type === 'job.progress' || event.type === 'job.finished') {
      setJobs((m) => new Map(m).set(event.job.id, event.job));
    }
  });

  const act = useCallback(async (what: 'transfers.cancel' | 'transfers.retry', id: string) => {
    const r = await transport.call(what, { id });
    if (r.ok) setJobs((m) => new Map(m).set(r.value.job.id, r.value.job));
    setError(r.ok ? undefined : r.error);
  }, [transport]);

  const list = useMemo(() => [...jobs.values()].sort((a, b) => b.createdAt - a.createdAt), [jobs]);
  return (
    <div className="screen">
      <h1 className="screen-title">Transfers</h1>
      <ErrorLine error={loaded.error ?? error} />
      {list.length === 0 && !loaded.loading && <p className="muted">No transfers yet. Press R on a search result to retrieve it.</p>}
      <ul className="job-list">
        {list.map((job) => <JobItem key={job.id} job={job} onCancel={() => void act('transfers.cancel', job.id)} onRetry={() => void act('transfers.retry', job.id)} />)}
      </ul>
    </div>
  );
}

function JobItem({ job, onCancel, onRetry }: { job: TransferJob; onCancel(): void; onRetry(): void }) {
  const p = job.progress;
  const total = job.expected ?? (p.remaining !== undefined ? p.completed + p.failed + p.remaining : undefined);
  const pct = (n: number): string => (total ? `${Math.min(100, (n / total) * 100)}%` : '0%');
  const done = p.completed + p.skipped;
  return (
    <li className={`job job-${job.state}`}>
      <div className="job-head">
        <span className="job-label" title={job.StudyInstanceUID}>{job.label ?? job.StudyInstanceUID}</span>
        <span className="job-meta">{job.node} · {(job.usedMethod ?? job.method).toUpperCase()} · {job.level}</span>
        <span className={`state state-${job.state}`}>{job.state}</span>
      </div>
      <div className="progress" role="progressbar" aria-label="Progress" aria-valuemin={0} aria-valuemax={total ?? 0} aria-valuenow={done}>
        <span className="progress-ok" style={{ width: pct(done) }} />
        <span className="progress-warn" style={{ width: pct(p.warning) }} />
        <span className="progress-fail" style={{ width: pct(p.failed) }} />
      </div>
      <div className="job-foot">
        <span>{done}{total !== undefined ? ` / ${total}` : ''} instances{p.failed ? ` · ${p.failed} failed` : ''}{p.warning ? ` · ${p.warning} warnings` : ''}{p.skipped ? ` · ${p.skipped} already cached` : ''}</span>
        <span>{formatBytes(p.bytes)}{p.mbPerSecond !== undefined ? ` · ${p.mbPerSecond.toFixed(1)} MB/s` : ''}{p.etaSeconds !== undefined && !isFinished(job.state) ? ` · ${formatDuration(p.etaSeconds)} left` : ''}</span>
        <span className="job-actions">
          {!isFinished(job.state) && <button type="button" onClick={onCancel}>Cancel</button>}
          {isRetryable(job.state) && <button type="button" onClick={onRetry}>Retry</button>}
        </span>
      </div>
      {job.verdict && <p className={job.state === 'completed' ? 'verdict' : 'verdict verdict-bad'}>{job.verdict.sentence}</p>}
    </li>
  );
}
