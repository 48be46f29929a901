/**
 * The prefetch retrieves queued or running: the transfer queue (transfers.list) kept current
 * by job events, narrowed to the jobs prefetch queued (origin 'prefetch').
 */
import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import type { TransferJob } from '../../../../shared/transfers.js';
import { useApiEvents, useLoad } from '../../app/api-context.js';
import { withJob, withList } from '../transfers/job-view.js';
import { pendingPrefetchJobs } from './run-view.js';

export function usePrefetchJobs(active: boolean): { jobs: TransferJob[]; error?: ApiError } {
  const loaded = useLoad('transfers.list', {});
  const [held, setHeld] = useState<ReadonlyMap<string, TransferJob>>(new Map());
  const reload = loaded.reload;
  useEffect(() => {
    if (active) reload();
  }, [active, reload]);
  useEffect(() => {
    if (loaded.value) setHeld((h) => withList(h, loaded.value!.jobs));
  }, [loaded.value]);
  useApiEvents((e) => {
    if (e.type === 'job.added' || e.type === 'job.progress' || e.type === 'job.finished') setHeld((h) => withJob(h, e.job));
  });
  const jobs = useMemo(() => pendingPrefetchJobs(held.values()), [held]);
  return { jobs, ...(loaded.error ? { error: loaded.error } : {}) };
}
