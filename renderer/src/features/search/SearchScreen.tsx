/**
 * The Search screen: the form, the streaming results table, the capped-answer banner, series
 * on demand, retrieve into the transfer queue, and "Prefetch priors" for the focused study's
 * patient (P).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SearchSource } from '../../../../shared/api/contract.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useLoad, useTransport } from '../../app/api-context.js';
import { PrefetchStatus } from '../../app/PrefetchStatus.js';
import { cappedBannerText } from './capped.js';
import { stillCappedText } from './split-search.js';
import type { ListAction } from '../../lib/keyboard.js';
import { LOCAL_CACHE_NODE, type SearchForm, buildStudyQueries, emptyForm } from './search-form.js';
import { DEFAULT_SORT, type SortColumn, type StudyRow, nextSort, sortRows } from './study-rows.js';
import { type Expansion, ResultsTable } from './ResultsTable.js';
import { SearchFormPanel } from './SearchFormPanel.js';
import { useRetrieve } from './use-retrieve.js';
import { useSearchPrefetch } from './use-search-prefetch.js';
import { useSearch } from './use-search.js';

/** The event O dispatches on window for a cached study; the viewer listens to it. */
export const OPEN_STUDY_EVENT = 'priors:open-study';

const sourceOf = (node: string): SearchSource => (node === LOCAL_CACHE_NODE ? { kind: 'local' } : { kind: 'node', node });

export function SearchScreen({ active }: { active: boolean }) {
  const transport = useTransport();
  const nodes = useLoad('nodes.list', {});
  const nodeList = useMemo(() => nodes.value?.nodes ?? [], [nodes.value]);
  const [form, setForm] = useState<SearchForm>(() => emptyForm());
  const [formError, setFormError] = useState<{ field: keyof SearchForm; error: string } | undefined>();
  const { state, start, cancel, setCache } = useSearch();
  const [sort, setSort] = useState(DEFAULT_SORT);
  // The focused study is kept by UID, so it stays put while streamed rows are sorted in.
  const [focusedUid, setFocusedUid] = useState<string | undefined>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [expanded, setExpanded] = useState<ReadonlyMap<string, Expansion>>(new Map());
  const [notice, setNotice] = useState<string | undefined>();
  const firstField = useRef<HTMLInputElement>(null);
  const [splitUsed, setSplitUsed] = useState(false);
  const [anchorUid, setAnchorUid] = useState<string | undefined>();
  const { transfers, retrieve } = useRetrieve(state.source, setCache, setNotice);
  const { action: prefetch, patient: prefetchPatient, prefetchFor } = useSearchPrefetch(state.source, setNotice);

  // The first configured node is the default once the list arrives.
  useEffect(() => {
    if (nodeList.length > 0) setForm((f) => (f.node === LOCAL_CACHE_NODE && !f.patientName ? { ...f, node: nodeList[0]!.name } : f));
  }, [nodeList]);
  // Coming back to the screen: the node list may have changed on Nodes & settings.
  const reloadNodes = nodes.reload;
  useEffect(() => {
    if (!active) return;
    reloadNodes();
    firstField.current?.focus();
  }, [active, reloadNodes]);

  const rows = useMemo(() => sortRows(state.rows, sort), [state.rows, sort]);
  const running = state.status === 'running';
  const focused = focusedUid === undefined ? -1 : rows.findIndex((r) => r.StudyInstanceUID === focusedUid);
  const setFocused = useCallback((i: number) => {
    setFocusedUid(rows[i]?.StudyInstanceUID);
    setAnchorUid(rows[i]?.StudyInstanceUID);
  }, [rows]);
  // Click: one row; Ctrl+click: toggle; Shift+click or Shift+arrows: the range from the anchor.
  const select = useCallback((i: number, mode: 'single' | 'toggle' | 'range') => {
    const uid = rows[i]?.StudyInstanceUID;
    if (uid === undefined) return;
    setFocusedUid(uid);
    if (mode === 'single') {
      setAnchorUid(uid);
      setSelected(new Set([uid]));
    } else if (mode === 'toggle') {
      setAnchorUid(uid);
      setSelected((s) => { const n = new Set(s); if (n.has(uid)) n.delete(uid); else n.add(uid); return n; });
    } else {
      const a = rows.findIndex((r) => r.StudyInstanceUID === (anchorUid ?? focusedUid));
      const [lo, hi] = a < 0 ? [i, i] : [Math.min(a, i), Math.max(a, i)];
      setSelected(new Set(rows.slice(lo, hi + 1).map((r) => r.StudyInstanceUID)));
    }
  }, [rows, anchorUid, focusedUid]);

  const search = useCallback((split = false) => {
    const built = buildStudyQueries(form, new Date());
    if (!built.ok) {
      setFormError({ field: built.field, error: built.error });
      return;
    }
    setFormError(undefined);
    setNotice(undefined);
    setFocusedUid(undefined);
    setSelected(new Set());
    setExpanded(new Map());
    setSplitUsed(split);
    void start(sourceOf(form.node), built.queries, { split });
  }, [form, start]);

  // Esc cancels a running search from anywhere on the screen.
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && running) {
        e.preventDefault();
        cancel();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, running, cancel]);

  const expand = useCallback(async (row: StudyRow) => {
    const uid = row.StudyInstanceUID;
    if (!uid || !state.source) return;
    if (expanded.has(uid)) {
      setExpanded((m) => { const n = new Map(m); n.delete(uid); return n; });
      return;
    }
    setExpanded((m) => new Map(m).set(uid, { loading: true }));
    const r = await transport.call('search.series', { source: state.source, StudyInstanceUID: uid });
    setExpanded((m) => new Map(m).set(uid, r.ok
      ? { loading: false, rows: r.value.rows, ...(r.value.cache ? { cache: r.value.cache } : {}) }
      : { loading: false, error: r.error }));
  }, [expanded, state.source, transport]);

  const onAction = useCallback((action: ListAction, row: StudyRow | undefined) => {
    switch (action.kind) {
      case 'prefetch': prefetchFor(row); return;
      case 'cancel': if (running) cancel(); return;
      case 'expand': if (row) void expand(row); return;
      case 'select-toggle':
        if (!row) return;
        setSelected((s) => { const n = new Set(s); if (n.has(row.StudyInstanceUID)) n.delete(row.StudyInstanceUID); else n.add(row.StudyInstanceUID); return n; });
        return;
      case 'retrieve': {
        const targets = selected.size > 0 ? rows.filter((r) => selected.has(r.StudyInstanceUID)) : row ? [row] : [];
        if (targets.length) void retrieve(targets);
        return;
      }
      case 'open': {
        if (!row) return;
        if (row.cache !== 'full') {
          setNotice('Retrieve this study first (R): only studies fully in the cache open.');
          return;
        }
        window.dispatchEvent(new CustomEvent(OPEN_STUDY_EVENT, { detail: { StudyInstanceUID: row.StudyInstanceUID } }));
        return;
      }
      default: return;
    }
  }, [running, cancel, expand, selected, rows, retrieve, prefetchFor]);

  const nodeName = state.source?.kind === 'node' ? state.source.node : 'The local cache';
  return (
    <div className="screen search-screen">
      <h1 className="screen-title">Search</h1>
      <SearchFormPanel form={form} nodes={nodeList} running={running} invalidField={formError?.field}
        onChange={setForm} onSubmit={() => search(false)} onCancel={cancel} firstFieldRef={firstField} />
      <ErrorLine error={formError?.error ?? nodes.error} />
      <div className="search-line">
        <div className="search-status" role="status" aria-live="polite">
          <span>{statusText(state.status, rows.length, state.sent, state.planned)}</span>
          {notice && <span className="notice">{notice}</span>}
        </div>
        <button type="button" className="search-prefetch" disabled={focused < 0 || prefetch.busy} onClick={() => prefetchFor(rows[focused])}
          title="Look for the relevant earlier studies of the focused study's patient and retrieve them (P)">Prefetch priors <kbd>P</kbd></button>
      </div>
      <PrefetchStatus action={prefetch} patient={prefetchPatient} />
      <ErrorLine error={state.error} />
      {state.capped && state.status !== 'running' && (
        <div className="banner banner-warning" role="alert">
          <span>{(splitUsed && stillCappedText(state.stillCapped ?? [], nodeName)) || cappedBannerText(state.capped, nodeName, splitUsed)}</span>
          {!splitUsed && <button type="button" onClick={() => search(true)}>Split by date</button>}
        </div>
      )}
      <ResultsTable rows={rows} sort={sort} focused={focused} selected={selected} expanded={expanded}
        onSort={(c: SortColumn) => setSort((s) => nextSort(s, c))} onFocus={setFocused} onAction={onAction}
        onSelect={select} transfers={transfers} onRetrieveSeries={(row, uids) => void retrieve([row], uids)} />
    </div>
  );
}

function statusText(status: string, count: number, sent: number, planned: number): string {
  const studies = count === 1 ? '1 study' : `${count} studies`;
  const parts = planned > 1 ? ` (query ${sent} of ${planned})` : '';
  switch (status) {
    case 'running': return `Searching… ${studies}${parts}`;
    case 'completed': return `${studies} found.`;
    case 'cancelled': return `Cancelled: ${studies} so far.`;
    case 'failed': return `The search failed after ${studies}.`;
    default: return 'Enter criteria and press Enter.';
  }
}
