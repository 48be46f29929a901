/**
 * The Search screen: the form, the streaming results table, the capped-answer banner, series
 * on demand, retrieve into the transfer queue, and "Prefetch priors" for the focused study's
 * patient (P). A search of several nodes shows which nodes hold each study ("Held by"), each
 * node's failure or cap in its own sentence, and the patients found (PatientPanel).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SingleSource } from '../../../../shared/api/contract.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useLoad, useTransport } from '../../app/api-context.js';
import { PrefetchStatus } from '../../app/PrefetchStatus.js';
import { cappedBannerText } from './capped.js';
import { stillCappedText } from './split-search.js';
import type { ListAction } from '../../lib/keyboard.js';
import { ALL_ARCHIVES, LOCAL_CACHE_NODE, type SearchForm, SEVERAL_NODES, buildStudyQueries, emptyForm, isSeveral, sourceOf } from './search-form.js';
import { noMatchText } from './no-match.js';
import { NodeOutcomes } from './NodeOutcomes.js';
import { groupPatients, pairKey, type PatientFlag } from './patient-groups.js';
import { PatientPanel } from './PatientPanel.js';
import { DEFAULT_SORT, type SortColumn, type StudyRow, nextSort, sortRows } from './study-rows.js';
import { type Expansion, ResultsTable } from './ResultsTable.js';
import { SearchFormPanel } from './SearchFormPanel.js';
import { mainSeries } from '../../lib/main-series.js';
import { type RetrieveFrom, useRetrieve } from './use-retrieve.js';
import { useSearchPrefetch } from './use-search-prefetch.js';
import { useSearch } from './use-search.js';

/** The event O dispatches on window for a cached study; the viewer listens to it. */
export const OPEN_STUDY_EVENT = 'priors:open-study';

/** Where "Search in" opens: the place of the last search, kept between sessions. */
const LAST_NODE_KEY = 'priors.search.node';
function rememberedNode(): string | undefined {
  try {
    return globalThis.localStorage?.getItem(LAST_NODE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
function rememberNode(node: string): void {
  try {
    globalThis.localStorage?.setItem(LAST_NODE_KEY, node);
  } catch {
    /* storage off: the first node is the default */
  }
}

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
  // of a search of several nodes: the node picked in "Held by" for each study, by StudyInstanceUID
  const [chosen, setChosen] = useState<ReadonlyMap<string, string>>(new Map());
  const several = isSeveral(state.source);
  const nodeFor: RetrieveFrom = useCallback(
    (row) => {
      const source = state.source;
      if (!source || source.kind === 'local') return undefined;
      if (source.kind === 'node') return { node: source.node };
      const picked = chosen.get(row.StudyInstanceUID);
      if (picked) return { node: picked, why: 'your choice' };
      const first = row.heldBy?.[0];
      return first ? { node: first, why: 'the first to answer' } : undefined;
    },
    [state.source, chosen],
  );
  const { transfers, retrieve } = useRetrieve(nodeFor, setCache, setNotice);
  const { action: prefetch, patient: prefetchPatient, prefetchFor } = useSearchPrefetch(state.source, setNotice);
  // the patient view: confirmations and "not the same" hold for the session
  const [confirmed, setConfirmed] = useState<ReadonlySet<string>>(new Set());
  const [apart, setApart] = useState<ReadonlySet<string>>(new Set());
  const [onlyPatient, setOnlyPatient] = useState<string | undefined>();

  // Once the list arrives: the node of the last search when it still exists, else the first configured node.
  useEffect(() => {
    if (nodeList.length === 0) return;
    const last = rememberedNode();
    const node = last !== undefined && (last === LOCAL_CACHE_NODE || last === ALL_ARCHIVES || nodeList.some((n) => n.name === last)) ? last : nodeList[0]!.name;
    setForm((f) => (f.node === LOCAL_CACHE_NODE && !f.patientName ? { ...f, node } : f));
  }, [nodeList]);
  // the form of the last search started, for the sentence of a search that found nothing
  const [searched, setSearched] = useState<SearchForm | undefined>();
  // Coming back to the screen: the node list may have changed on Nodes & settings.
  const reloadNodes = nodes.reload;
  useEffect(() => {
    if (!active) return;
    reloadNodes();
    firstField.current?.focus();
  }, [active, reloadNodes]);

  const patients = useMemo(() => groupPatients(state.rows, confirmed, apart), [state.rows, confirmed, apart]);
  const shown = useMemo(() => {
    const group = onlyPatient === undefined ? undefined : patients.groups.find((g) => g.key === onlyPatient);
    return group ? state.rows.filter((r) => group.studies.includes(r.StudyInstanceUID)) : state.rows;
  }, [state.rows, patients, onlyPatient]);
  const rows = useMemo(() => sortRows(shown, sort), [shown, sort]);
  const confirm = useCallback((f: PatientFlag) => setConfirmed((c) => new Set(c).add(pairKey(f.groups[0], f.groups[1]))), []);
  const keepApart = useCallback((f: PatientFlag) => setApart((c) => new Set(c).add(f.key)), []);
  const running = state.status === 'running';
  const focused = focusedUid === undefined ? -1 : rows.findIndex((r) => r.StudyInstanceUID === focusedUid);
  const setFocused = useCallback(
    (i: number) => {
      setFocusedUid(rows[i]?.StudyInstanceUID);
      setAnchorUid(rows[i]?.StudyInstanceUID);
    },
    [rows],
  );
  // Click: one row; Ctrl+click: toggle; Shift+click or Shift+arrows: the range from the anchor.
  const select = useCallback(
    (i: number, mode: 'single' | 'toggle' | 'range') => {
      const uid = rows[i]?.StudyInstanceUID;
      if (uid === undefined) return;
      setFocusedUid(uid);
      if (mode === 'single') {
        setAnchorUid(uid);
        setSelected(new Set([uid]));
      } else if (mode === 'toggle') {
        setAnchorUid(uid);
        setSelected((s) => {
          const n = new Set(s);
          if (n.has(uid)) n.delete(uid);
          else n.add(uid);
          return n;
        });
      } else {
        const a = rows.findIndex((r) => r.StudyInstanceUID === (anchorUid ?? focusedUid));
        const [lo, hi] = a < 0 ? [i, i] : [Math.min(a, i), Math.max(a, i)];
        setSelected(new Set(rows.slice(lo, hi + 1).map((r) => r.StudyInstanceUID)));
      }
    },
    [rows, anchorUid, focusedUid],
  );

  const search = useCallback(
    (split = false, f: SearchForm = form) => {
      const built = buildStudyQueries(f, new Date());
      if (!built.ok) {
        setFormError({ field: built.field, error: built.error });
        return;
      }
      setFormError(undefined);
      setNotice(undefined);
      setSearched(f);
      if (f.node !== SEVERAL_NODES) rememberNode(f.node);
      setFocusedUid(undefined);
      setSelected(new Set());
      setExpanded(new Map());
      setSplitUsed(split);
      setChosen(new Map());
      setOnlyPatient(undefined);
      void start(sourceOf(f), built.queries, { split });
    },
    [form, start],
  );
  // the row menu's "Send to": a cached study to a node, the outcome in the notice
  const sendTargets = useMemo(() => nodeList.map((n) => n.name), [nodeList]);
  const send = useCallback(
    async (row: StudyRow, node: string) => {
      const what = row.StudyDescription || 'the study';
      setNotice(`Sending ${what} to ${node}…`);
      const r = await transport.call('cache.send', { node, level: 'STUDY', uids: [row.StudyInstanceUID] });
      if (!r.ok) {
        setNotice(r.error.message);
        return;
      }
      const { sent, failed, error } = r.value;
      setNotice(
        `Sent ${sent} instance${sent === 1 ? '' : 's'} of ${what} to ${node}${failed ? `; ${failed} failed${error ? `: ${error.message}` : ''}` : ''}.`,
      );
    },
    [transport],
  );
  // A date preset re-runs the search shown with its dates; a form edited since waits for Enter.
  const changeForm = useCallback(
    (f: SearchForm) => {
      setForm(f);
      const rerun = searched !== undefined && f.datePreset !== form.datePreset && f.datePreset !== 'custom' && sameButDates(searched, form) && !running;
      if (rerun) search(false, f);
    },
    [searched, form, running, search],
  );

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

  const expand = useCallback(
    async (row: StudyRow) => {
      const uid = row.StudyInstanceUID;
      const from = nodeFor(row);
      const source: SingleSource | undefined = state.source?.kind === 'local' ? { kind: 'local' } : from ? { kind: 'node', node: from.node } : undefined;
      if (!uid || !source) return;
      if (expanded.has(uid)) {
        setExpanded((m) => {
          const n = new Map(m);
          n.delete(uid);
          return n;
        });
        return;
      }
      setExpanded((m) => new Map(m).set(uid, { loading: true }));
      const r = await transport.call('search.series', { source, StudyInstanceUID: uid });
      setExpanded((m) =>
        new Map(m).set(
          uid,
          r.ok ? { loading: false, rows: r.value.rows, ...(r.value.cache ? { cache: r.value.cache } : {}) } : { loading: false, error: r.error },
        ),
      );
    },
    [expanded, state.source, transport, nodeFor],
  );

  /** The series the viewer opens a study on (its main stack), from the series rows shown or asked of the node; undefined when unknown. */
  const openingSeries = useCallback(
    async (row: StudyRow, node: string): Promise<string | undefined> => {
      const shown = expanded.get(row.StudyInstanceUID)?.rows;
      const r = shown ? undefined : await transport.call('search.series', { source: { kind: 'node', node }, StudyInstanceUID: row.StudyInstanceUID });
      const rows = shown ?? (r?.ok ? r.value.rows : []);
      return mainSeries(
        rows
          .filter((s) => s.SeriesInstanceUID)
          .map((s) => ({
            SeriesInstanceUID: s.SeriesInstanceUID!,
            Modality: s.Modality,
            NumberOfSeriesRelatedInstances: Number(s.NumberOfSeriesRelatedInstances) || 0,
          })),
      )?.SeriesInstanceUID;
    },
    [expanded, transport],
  );

  const onAction = useCallback(
    (action: ListAction, row: StudyRow | undefined) => {
      switch (action.kind) {
        case 'prefetch':
          prefetchFor(row);
          return;
        case 'cancel':
          if (running) cancel();
          return;
        case 'expand':
          if (row) void expand(row);
          return;
        case 'select-toggle':
          if (!row) return;
          setSelected((s) => {
            const n = new Set(s);
            if (n.has(row.StudyInstanceUID)) n.delete(row.StudyInstanceUID);
            else n.add(row.StudyInstanceUID);
            return n;
          });
          return;
        case 'retrieve': {
          const targets = selected.size > 0 ? rows.filter((r) => selected.has(r.StudyInstanceUID)) : row ? [row] : [];
          if (targets.length) void retrieve(targets);
          return;
        }
        case 'open': {
          if (!row) return;
          const open = (arriving: boolean, series?: string): void => {
            window.dispatchEvent(
              new CustomEvent(OPEN_STUDY_EVENT, {
                detail: { StudyInstanceUID: row.StudyInstanceUID, ...(arriving ? { arriving } : {}), ...(series ? { SeriesInstanceUID: series } : {}) },
              }),
            );
          };
          // not (fully) in the cache: retrieve it and open it at once, its images showing as they
          // arrive, the series the viewer opens on fetched first
          const from = row.cache !== 'full' ? nodeFor(row) : undefined;
          if (from) {
            void (async () => {
              const first = await openingSeries(row, from.node);
              if ((await retrieve([row], undefined, first)) > 0) open(true, first);
            })();
          } else open(false);
          return;
        }
        default:
          return;
      }
    },
    [running, cancel, expand, selected, rows, retrieve, prefetchFor, nodeFor, openingSeries],
  );

  const nodeName = state.source?.kind === 'node' ? state.source.node : several ? 'A node' : 'The local cache';
  return (
    <div className="screen search-screen">
      <h1 className="screen-title">Search</h1>
      <SearchFormPanel
        form={form}
        nodes={nodeList}
        running={running}
        invalidField={formError?.field}
        dateError={formError?.field === 'customRange' ? formError.error : undefined}
        onChange={changeForm}
        onSubmit={() => search(false)}
        onCancel={cancel}
        firstFieldRef={firstField}
      />
      <ErrorLine error={(formError?.field === 'customRange' ? undefined : formError?.error) ?? nodes.error} />
      <div className="search-line">
        <div className="search-status" role="status" aria-live="polite">
          <span>{statusText(state.status, rows.length, state.sent, state.planned)}</span>
          {notice && <span className="notice">{notice}</span>}
        </div>
        <button
          type="button"
          className="search-prefetch"
          disabled={focused < 0 || prefetch.busy}
          onClick={() => prefetchFor(rows[focused])}
          title="Look for the relevant earlier studies of the focused study's patient and retrieve them (P)"
        >
          Prefetch priors <kbd>P</kbd>
        </button>
      </div>
      <PrefetchStatus action={prefetch} patient={prefetchPatient} />
      <ErrorLine error={state.error} />
      {state.status === 'completed' && state.rows.length === 0 && searched && state.source && (
        <p className="search-empty" role="note">
          {noMatchText(searched, state.source)}
        </p>
      )}
      {state.capped && state.status !== 'running' && (
        <div className="banner banner-warning" role="alert">
          <span>{(splitUsed && stillCappedText(state.stillCapped ?? [], nodeName)) || cappedBannerText(state.capped, nodeName, splitUsed)}</span>
          {!splitUsed && (
            <button type="button" onClick={() => search(true)}>
              Split by date
            </button>
          )}
        </div>
      )}
      {several && <NodeOutcomes outcomes={state.nodes ?? []} />}
      <PatientPanel groups={patients.groups} flags={patients.flags} only={onlyPatient} onOnly={setOnlyPatient} onConfirm={confirm} onApart={keepApart} />
      <ResultsTable
        several={several}
        chosen={chosen}
        onChoose={(row, node) => setChosen((m) => new Map(m).set(row.StudyInstanceUID, node))}
        rows={rows}
        sort={sort}
        focused={focused}
        selected={selected}
        expanded={expanded}
        onSort={(c: SortColumn) => setSort((s) => nextSort(s, c))}
        onFocus={setFocused}
        onAction={onAction}
        onSelect={select}
        transfers={transfers}
        onRetrieveSeries={(row, uids) => void retrieve([row], uids)}
        sendTargets={sendTargets}
        onSend={(row, node) => void send(row, node)}
      />
    </div>
  );
}

/** Whether two forms ask the same but for the study dates. */
function sameButDates(a: SearchForm, b: SearchForm): boolean {
  const rest = (f: SearchForm) => JSON.stringify({ ...f, datePreset: '', customRange: {} });
  return rest(a) === rest(b);
}

function statusText(status: string, count: number, sent: number, planned: number): string {
  const studies = count === 1 ? '1 study' : `${count} studies`;
  const parts = planned > 1 ? ` (query ${sent} of ${planned})` : '';
  switch (status) {
    case 'running':
      return `Searching… ${studies}${parts}`;
    case 'completed':
      return `${studies} found.`;
    case 'cancelled':
      return `Cancelled: ${studies} so far.`;
    case 'failed':
      return `The search failed after ${studies}.`;
    default:
      return 'Enter criteria and press Enter.';
  }
}
