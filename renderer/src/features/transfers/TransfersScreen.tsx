/**
 * Transfers: the persisted queue (transfers.list), kept current by job events; each job with
 * its progress bar (completed / warning / failed / remaining), MB/s, ETA and, once ended, the
 * verified end (expected against arrived) and the verdict's one sentence; cancel (C-CANCEL),
 * retry, Open (in the viewer) once something arrived, and "Clear finished" (hides ended jobs in this window; they stay in the queue's history).
 * Jobs prefetch queued carry a "prefetch" tag: they run after the user's own.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import { type TransferJob, isFinished, isRetryable } from '../../../../shared/transfers.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useApiEvents, useLoad, useTransport } from '../../app/api-context.js';
import { rowKeyDown } from '../../app/row-keys.js';
import { OPEN_STUDY_EVENT, openStudyDetail } from '../local/cache-view.js';
import { finishedIds, jobView, sortJobs, withJob, withList, withoutCleared } from './job-view.js';

const CLEARED_KEY = 'priors.transfers.cleared';

function loadCleared(): Set<string> {
  try {
    const raw = globalThis.localStorage?.getItem(CLEARED_KEY);
    return new Set(raw ? (JSON.parse(raw) as string[]).slice(-5000) : []);
  } catch {
    return new Set();
  }
}

export function TransfersScreen({ active }: { active: boolean }) {
  const transport = useTransport();
  const loaded = useLoad('transfers.list', {});
  const [jobs, setJobs] = useState<ReadonlyMap<string, TransferJob>>(new Map());
  const [error, setError] = useState<ApiError | undefined>();
  const [cleared, setCleared] = useState<ReadonlySet<string>>(loadCleared);

  const reload = loaded.reload;
  useEffect(() => {
    if (active) reload();
  }, [active, reload]);
  useEffect(() => {
    const listed = loaded.value?.jobs;
    if (listed) setJobs((held) => withList(held, listed));
  }, [loaded.value]);

  useApiEvents((event) => {
    if (event.type === 'job.added' || event.type === 'job.progress' || event.type === 'job.finished') {
      setJobs((held) => withJob(held, event.job));
    }
  });

  const act = useCallback(
    async (what: 'transfers.cancel' | 'transfers.retry', id: string) => {
      const r = await transport.call(what, { id });
      if (r.ok) {
        const job = r.value.job;
        setJobs((held) => withJob(held, job));
      }
      setError(r.ok ? undefined : r.error);
    },
    [transport],
  );

  const all = useMemo(() => sortJobs(jobs.values()), [jobs]);
  const list = useMemo(() => withoutCleared(all, cleared), [all, cleared]);
  const clearFinished = (): void => {
    const next = new Set([...cleared, ...finishedIds(list)]);
    setCleared(next);
    try {
      globalThis.localStorage?.setItem(CLEARED_KEY, JSON.stringify([...next]));
    } catch {
      /* private mode */
    }
  };
  const running = list.filter((j) => !isFinished(j.state)).length;

  return (
    <div className="screen">
      <div className="screen-head">
        <h1 className="screen-title">Transfers</h1>
        <p className="muted" role="status">
          {list.length ? `${running} active · ${list.length - running} ended` : ''}
        </p>
        <button type="button" onClick={clearFinished} disabled={list.length === running}>
          Clear finished
        </button>
      </div>
      <ErrorLine error={loaded.error ?? error} />
      {list.length === 0 && !loaded.loading && <p className="muted">No transfers. Press R on a search result to retrieve it.</p>}
      <ul className="job-list" aria-label="Transfer jobs" onKeyDown={rowKeyDown}>
        {list.map((job) => (
          <JobItem key={job.id} job={job} onCancel={() => void act('transfers.cancel', job.id)} onRetry={() => void act('transfers.retry', job.id)} />
        ))}
      </ul>
    </div>
  );
}

function JobItem({ job, onCancel, onRetry }: { job: TransferJob; onCancel(): void; onRetry(): void }) {
  const v = jobView(job);
  const name = job.label ?? job.StudyInstanceUID;
  return (
    <li className={`job job-${job.state}`} data-state={job.state} data-job-id={job.id} data-origin={job.origin} tabIndex={-1} data-row="">
      <div className="job-head">
        {job.origin === 'prefetch' && (
          <span className="tag tag-prefetch" title="Queued by prefetch: runs after your own retrieves">
            prefetch
          </span>
        )}
        <span className="job-label" title={job.StudyInstanceUID}>
          {name}
        </span>
        <span className="job-meta">
          {job.node} · {(job.usedMethod ?? job.method) === 'get' ? 'C-GET' : 'C-MOVE'} · {job.level}
          {job.attempts > 1 ? ` · attempt ${job.attempts}` : ''}
        </span>
        <span className={`state state-${job.state}`}>{job.state}</span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={`Progress of ${name}`}
        aria-valuemin={0}
        aria-valuemax={v.total ?? 0}
        aria-valuenow={v.done}
        aria-valuetext={v.counts}
      >
        <span className="progress-ok" style={{ width: `${v.bar.ok}%` }} />
        <span className="progress-warn" style={{ width: `${v.bar.warning}%` }} />
        <span className="progress-fail" style={{ width: `${v.bar.failed}%` }} />
      </div>
      <div className="job-foot">
        <span className="job-counts">{v.counts}</span>
        <span className="job-speed">{v.speed}</span>
        <span className="job-actions">
          {!isFinished(job.state) && (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          )}
          {isRetryable(job.state) && (
            <button type="button" onClick={onRetry}>
              Retry
            </button>
          )}
          {(job.state === 'completed' || job.state === 'incomplete' || job.progress.arrived > 0) && isFinished(job.state) && (
            <button type="button" onClick={() => window.dispatchEvent(new CustomEvent(OPEN_STUDY_EVENT, { detail: openStudyDetail(job.StudyInstanceUID) }))}>
              Open
            </button>
          )}
        </span>
      </div>
      {v.verified && <p className="job-verified">{v.verified}</p>}
      {job.verdict && (
        <p className={job.state === 'completed' ? 'verdict' : 'verdict verdict-bad'} data-code={job.verdict.code}>
          {job.verdict.sentence}
        </p>
      )}
    </li>
  );
}
