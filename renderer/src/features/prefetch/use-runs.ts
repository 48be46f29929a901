/**
 * The last prefetch runs: the newest from prefetch.runs, kept current by `prefetch.run` events
 * (a run's copy with the higher revision wins), and, while a patient is typed in the filter,
 * that Patient ID's runs asked for as well (they may be older than the newest listed).
 */
import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import type { PrefetchRun } from '../../../../shared/prefetch.js';
import { useApiEvents, useLoad, useTransport } from '../../app/api-context.js';
import { type RunMap, runMatches, sortRuns, withRuns } from './run-view.js';

/** Runs listed when the screen opens. */
const NEWEST = 200;

export function useRuns(filter: string, active: boolean): { runs: PrefetchRun[]; error?: ApiError; loading: boolean } {
  const transport = useTransport();
  const loaded = useLoad('prefetch.runs', { limit: NEWEST });
  const [held, setHeld] = useState<RunMap>(new Map());

  const reload = loaded.reload;
  useEffect(() => {
    if (active) reload();
  }, [active, reload]);
  useEffect(() => {
    if (loaded.value) setHeld((h) => withRuns(h, loaded.value!.runs));
  }, [loaded.value]);
  useApiEvents((e) => {
    if (e.type === 'prefetch.run') setHeld((h) => withRuns(h, [e.run]));
  });

  // a typed Patient ID: its runs, however old (debounced, so typing does not ask per key)
  const id = filter.trim();
  useEffect(() => {
    if (!id) return;
    let live = true;
    const timer = setTimeout(() => {
      void transport.call('prefetch.runs', { PatientID: id, limit: 100 }).then((r) => {
        if (live && r.ok) setHeld((h) => withRuns(h, r.value.runs));
      });
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, transport]);

  const runs = useMemo(() => sortRuns(held.values()).filter((r) => runMatches(r, filter)), [held, filter]);
  return { runs, ...(loaded.error ? { error: loaded.error } : {}), loading: loaded.loading };
}
