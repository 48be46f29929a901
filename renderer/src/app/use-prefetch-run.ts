/**
 * "Prefetch priors" started from a screen (Search, Viewer, Prefetch): calls prefetch.run and
 * follows that run through its `prefetch.run` events, so the screen shows its sentence as its
 * retrieves go. An event can overtake the call's answer, so events seen while the call is out
 * are kept and the newer copy wins.
 */
import { useCallback, useRef, useState } from 'react';
import type { ApiError, RequestOf } from '../../../shared/api/contract.js';
import type { PrefetchRun } from '../../../shared/prefetch.js';
import { newerRun } from '../lib/prefetch.js';
import { useApiEvents, useTransport } from './api-context.js';

/** The run started last, and how its call went. */
export interface PrefetchAction {
  run?: PrefetchRun;
  error?: ApiError;
  /** The call is out (the nodes are being asked). */
  busy: boolean;
  start(request: RequestOf<'prefetch.run'>): Promise<PrefetchRun | undefined>;
  /** Forgets the last run (another study was opened). */
  clear(): void;
}

export function usePrefetchRun(): PrefetchAction {
  const transport = useTransport();
  const [state, setState] = useState<{ run?: PrefetchRun; error?: ApiError; busy: boolean }>({ busy: false });
  const followed = useRef<string | undefined>(undefined);
  // runs announced while the call was out: one of them is ours, maybe newer than the answer
  const early = useRef<Map<string, PrefetchRun> | undefined>(undefined);
  const generation = useRef(0);

  useApiEvents((e) => {
    if (e.type !== 'prefetch.run') return;
    if (early.current) early.current.set(e.run.id, newerRun(early.current.get(e.run.id), e.run));
    if (e.run.id === followed.current) setState((s) => ({ ...s, run: newerRun(s.run, e.run) }));
  });

  const start = useCallback(
    async (request: RequestOf<'prefetch.run'>) => {
      const mine = ++generation.current;
      followed.current = undefined;
      early.current = new Map();
      setState({ busy: true });
      const r = await transport.call('prefetch.run', request);
      const seen = early.current;
      early.current = undefined;
      if (mine !== generation.current) return undefined;
      if (!r.ok) {
        setState({ busy: false, error: r.error });
        return undefined;
      }
      const run = newerRun(seen?.get(r.value.run.id), r.value.run);
      followed.current = run.id;
      setState({ busy: false, run });
      return run;
    },
    [transport],
  );

  const clear = useCallback(() => {
    generation.current++;
    followed.current = undefined;
    early.current = undefined;
    setState({ busy: false });
  }, []);

  return { ...state, start, clear };
}
