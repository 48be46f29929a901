/**
 * Runs a search as a queue of STUDY-level queries (one per modality, more when a capped answer
 * is split by date), streaming matches from `search.match` events into rows. Rows are merged
 * by StudyInstanceUID and flushed to React once per animation frame, so a fast PACS does not
 * cause a render per match.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, ApiEvent, SearchDone, SearchSource } from '../../../../shared/api.js';
import { useApiEvents, useTransport } from '../../app/api-context.js';
import { MAX_SPLIT_QUERIES, splitStudyQuery } from '../../lib/capped.js';
import type { StudyQuery } from '../../lib/search-form.js';
import { type CacheState, type StudyRow, studyRowOf } from '../../lib/study-rows.js';

/** Where a search stands. */
export interface SearchState {
  status: 'idle' | 'running' | 'completed' | 'cancelled' | 'failed';
  rows: StudyRow[];
  error?: ApiError;
  /** The last answer that looked capped and could not (or was not asked to) be split. */
  capped?: { count: number; reason: string };
  /** Queries sent so far, and planned. */
  sent: number;
  planned: number;
  source?: SearchSource;
}

const CACHE_STATES: readonly CacheState[] = ['full', 'partial', 'none'];

/** The cache badge of a match: local matches are cached; a remote match may say (field `cache`). */
function cacheStateOf(event: ApiEvent, source: SearchSource): CacheState {
  if (source.kind === 'local') return 'full';
  const c = (event as { cache?: unknown }).cache;
  return CACHE_STATES.includes(c as CacheState) ? (c as CacheState) : 'unknown';
}

let searchCounter = 0;
const newSearchId = (): string => `ui-${Date.now().toString(36)}-${++searchCounter}`;

/** The search hook of the Search screen. */
export function useSearch() {
  const transport = useTransport();
  const [state, setState] = useState<SearchState>({ status: 'idle', rows: [], sent: 0, planned: 0 });
  const run = useRef<{
    id: number; source: SearchSource; current?: string; cancelled: boolean; seen: Set<string>;
    buffer: StudyRow[]; waiting: Map<string, (done: SearchDone) => void>; frame?: number;
  } | undefined>(undefined);
  const runCounter = useRef(0);

  const flush = useCallback(() => {
    const r = run.current;
    if (!r) return;
    r.frame = undefined;
    if (r.buffer.length === 0) return;
    const added = r.buffer;
    r.buffer = [];
    setState((s) => ({ ...s, rows: [...s.rows, ...added] }));
  }, []);

  useApiEvents((event) => {
    const r = run.current;
    if (!r || !('searchId' in event)) return;
    if (event.type === 'search.match' && r.waiting.has(event.searchId)) {
      const uid = event.row.StudyInstanceUID;
      if (uid) {
        if (r.seen.has(uid)) return;
        r.seen.add(uid);
      }
      r.buffer.push(studyRowOf(event.row, cacheStateOf(event, r.source)));
      r.frame ??= requestAnimationFrame(flush);
    } else if (event.type === 'search.done') {
      r.waiting.get(event.searchId)?.(event);
    }
  });

  // The push channel gave up: the matches and the end of a running search cannot arrive.
  useEffect(() => transport.onChannelState((channel) => {
    const r = run.current;
    if (channel !== 'closed' || !r) return;
    for (const [searchId, resolve] of [...r.waiting]) {
      resolve({
        type: 'search.done', searchId, outcome: 'failed', matches: 0, limitReached: false,
        error: { code: 'unavailable', message: 'The connection to Priors was lost during the search: search again once it is back.' },
      });
    }
  }), [transport]);

  /** Starts a search, replacing any running one. `split`: split capped answers by date. */
  const start = useCallback(async (source: SearchSource, queries: StudyQuery[], options: { split?: boolean; limit?: number } = {}) => {
    const previous = run.current;
    if (previous?.current && !previous.cancelled) {
      previous.cancelled = true;
      void transport.call('search.cancel', { searchId: previous.current });
    }
    const id = ++runCounter.current;
    const r = { id, source, cancelled: false, seen: new Set<string>(), buffer: [] as StudyRow[], waiting: new Map<string, (d: SearchDone) => void>() } as NonNullable<typeof run.current>;
    run.current = r;
    const queue = [...queries];
    let sent = 0;
    let capped: SearchState['capped'];
    setState({ status: 'running', rows: [], sent: 0, planned: queue.length, source });
    const today = new Date();
    while (queue.length > 0 && !r.cancelled) {
      const query = queue.shift()!;
      const searchId = newSearchId();
      const done = new Promise<SearchDone>((resolve) => r.waiting.set(searchId, resolve));
      r.current = searchId;
      sent++;
      setState((s) => ({ ...s, sent, planned: sent + queue.length }));
      const started = await transport.call('search.start', {
        source, level: query.level, keys: query.keys, searchId, ...(options.limit !== undefined ? { limit: options.limit } : {}),
      });
      if (!started.ok) {
        r.waiting.delete(searchId);
        if (run.current === r) setState((s) => ({ ...s, status: 'failed', error: started.error }));
        return;
      }
      const end = await done;
      r.waiting.delete(searchId);
      if (run.current !== r) return;
      flush();
      if (end.outcome === 'failed') {
        setState((s) => ({ ...s, status: 'failed', ...(end.error ? { error: end.error } : {}) }));
        return;
      }
      if (end.outcome === 'cancelled') {
        r.cancelled = true;
        break;
      }
      if (end.looksCapped) {
        const halves = options.split && sent + queue.length + 2 <= MAX_SPLIT_QUERIES ? splitStudyQuery(query.keys, today) : undefined;
        if (halves) queue.unshift({ level: 'STUDY', keys: halves[0] }, { level: 'STUDY', keys: halves[1] });
        else capped = end.looksCapped;
      }
    }
    if (run.current !== r) return;
    r.current = undefined;
    flush();
    setState((s) => ({
      ...s, status: r.cancelled ? 'cancelled' : 'completed', planned: sent, ...(capped ? { capped } : {}),
    }));
  }, [transport, flush]);

  /** Cancels the running search (C-CANCEL on the node); matches so far stay. */
  const cancel = useCallback(() => {
    const r = run.current;
    if (!r || r.cancelled || !r.current) return;
    r.cancelled = true;
    void transport.call('search.cancel', { searchId: r.current });
  }, [transport]);

  return { state, start, cancel };
}
