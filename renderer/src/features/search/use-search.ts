/**
 * Runs a search as a queue of STUDY-level queries (one per modality, more when a capped answer
 * is split by date), streaming matches from `search.match` events into rows. Rows are merged
 * by StudyInstanceUID (match-buffer.ts) and flushed to React once per animation frame, so a
 * fast PACS does not cause a render per match.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, SearchDone, SearchSource } from '../../../../shared/api/contract.js';
import { useApiEvents, useTransport } from '../../app/api-context.js';
import { MAX_SPLIT_QUERIES } from './capped.js';
import { type CappedPart, type PartAnswer, splitSearch } from './split-search.js';
import type { StudyQuery } from './search-form.js';
import type { CacheState, StudyRow } from './study-rows.js';
import { MatchBuffer, rowOfMatch } from './match-buffer.js';
import type { NodeSearchOutcome } from '../../../../shared/search.js';
import { withNodeOutcomes } from './node-outcomes.js';

/** Where a search stands. */
export interface SearchState {
  status: 'idle' | 'running' | 'completed' | 'cancelled' | 'failed';
  rows: StudyRow[];
  error?: ApiError;
  /** The last answer that looked capped and could not (or was not asked to) be split. */
  capped?: { count: number; reason: string };
  /** Every part that stayed capped (after a split: single days, or the budget reached). */
  stillCapped?: CappedPart[];
  /** Queries sent so far, and planned. */
  sent: number;
  planned: number;
  source?: SearchSource;
  /** A search of several nodes: how each node's part ended (of several queries, the worst). */
  nodes?: NodeSearchOutcome[];
}

let searchCounter = 0;
const newSearchId = (): string => `ui-${Date.now().toString(36)}-${++searchCounter}`;

/** The search hook of the Search screen. */
export function useSearch() {
  const transport = useTransport();
  const [state, setState] = useState<SearchState>({ status: 'idle', rows: [], sent: 0, planned: 0 });
  const run = useRef<
    | {
        id: number;
        source: SearchSource;
        current?: string;
        cancelled: boolean;
        matches: MatchBuffer;
        waiting: Map<string, (done: SearchDone) => void>;
        frame?: number;
        /** StudyInstanceUIDs of each running part's matches, by searchId (for the split merge). */
        uids: Map<string, string[]>;
      }
    | undefined
  >(undefined);
  const runCounter = useRef(0);

  const flush = useCallback(() => {
    const r = run.current;
    if (!r) return;
    r.frame = undefined;
    if (!r.matches.pending) return;
    const apply = r.matches.take();
    setState((s) => ({ ...s, rows: apply(s.rows) }));
  }, []);

  useApiEvents((event) => {
    const r = run.current;
    if (!r || !('searchId' in event)) return;
    if (event.type === 'search.match' && r.waiting.has(event.searchId)) {
      const uid = event.row.StudyInstanceUID;
      if (uid) r.uids.get(event.searchId)?.push(uid);
      r.matches.add(rowOfMatch(event, r.source));
      r.frame ??= requestAnimationFrame(flush);
    } else if (event.type === 'search.done') {
      r.waiting.get(event.searchId)?.(event);
    }
  });

  // The push channel gave up: the matches and the end of a running search cannot arrive.
  useEffect(
    () =>
      transport.onChannelState((channel) => {
        const r = run.current;
        if (channel !== 'closed' || !r) return;
        for (const [searchId, resolve] of [...r.waiting]) {
          resolve({
            type: 'search.done',
            searchId,
            outcome: 'failed',
            matches: 0,
            limitReached: false,
            error: { code: 'unavailable', message: 'The connection to Priors was lost during the search: search again once it is back.' },
          });
        }
      }),
    [transport],
  );

  /** Starts a search, replacing any running one. `split`: split capped answers by date. */
  const start = useCallback(
    async (source: SearchSource, queries: StudyQuery[], options: { split?: boolean; limit?: number } = {}) => {
      const previous = run.current;
      if (previous?.current && !previous.cancelled) {
        previous.cancelled = true;
        void transport.call('search.cancel', { searchId: previous.current });
      }
      const id = ++runCounter.current;
      const r = {
        id,
        source,
        cancelled: false,
        matches: new MatchBuffer(),
        waiting: new Map<string, (d: SearchDone) => void>(),
        uids: new Map<string, string[]>(),
      } as NonNullable<typeof run.current>;
      run.current = r;
      let sent = 0;
      let planned = queries.length;
      const stillCapped: CappedPart[] = [];
      let failure: ApiError | undefined;
      setState({ status: 'running', rows: [], sent: 0, planned, source });
      const today = new Date();
      // One STUDY-level C-FIND per part; `uids` of its matches feed the merge of a split search.
      const runPart = async (keys: Record<string, string>): Promise<PartAnswer> => {
        if (r.cancelled) return { outcome: 'cancelled', uids: [] };
        const searchId = newSearchId();
        const uids: string[] = [];
        const done = new Promise<SearchDone>((resolve) => r.waiting.set(searchId, resolve));
        r.uids.set(searchId, uids);
        r.current = searchId;
        sent++;
        planned = Math.max(planned, sent);
        setState((s) => ({ ...s, sent, planned }));
        const started = await transport.call('search.start', {
          source,
          level: 'STUDY',
          keys,
          searchId,
          ...(options.limit !== undefined ? { limit: options.limit } : {}),
        });
        if (!started.ok) {
          r.waiting.delete(searchId);
          failure = started.error;
          return { outcome: 'failed', uids };
        }
        const end = await done;
        r.waiting.delete(searchId);
        r.uids.delete(searchId);
        if (run.current === r) flush();
        if (end.outcome === 'failed') failure = end.error;
        if (end.nodes && run.current === r) setState((s) => ({ ...s, nodes: withNodeOutcomes(s.nodes, end.nodes!) }));
        return { outcome: end.outcome, uids, looksCapped: end.looksCapped };
      };
      for (const query of queries) {
        const part = await splitSearch(query.keys, runPart, { split: options.split ?? false, today, maxQueries: MAX_SPLIT_QUERIES });
        if (run.current !== r) return;
        stillCapped.push(...part.stillCapped);
        if (part.outcome === 'failed') {
          setState((s) => ({ ...s, status: 'failed', ...(failure ? { error: failure } : {}) }));
          r.current = undefined;
          return;
        }
        if (part.outcome === 'cancelled') {
          r.cancelled = true;
          break;
        }
      }
      if (run.current !== r) return;
      r.current = undefined;
      flush();
      const first = stillCapped[0];
      setState((s) => ({
        ...s,
        status: r.cancelled ? 'cancelled' : 'completed',
        planned: sent,
        ...(first ? { capped: { count: first.count, reason: first.reason }, stillCapped } : {}),
      }));
    },
    [transport, flush],
  );

  /** Cancels the running search (C-CANCEL on the node); matches so far stay. */
  const cancel = useCallback(() => {
    const r = run.current;
    if (!r || r.cancelled || !r.current) return;
    r.cancelled = true;
    void transport.call('search.cancel', { searchId: r.current });
  }, [transport]);

  /** Sets the cache badge of one study (after a transfer ended). */
  const setCache = useCallback((uid: string, update: (row: StudyRow) => CacheState) => {
    setState((s) => ({
      ...s,
      rows: s.rows.map((row) => {
        if (row.StudyInstanceUID !== uid) return row;
        const cache = update(row);
        if (cache === row.cache) return row;
        const { cacheNote: _note, ...rest } = row;
        return { ...rest, cache };
      }),
    }));
  }, []);

  return { state, start, cancel, setCache };
}
