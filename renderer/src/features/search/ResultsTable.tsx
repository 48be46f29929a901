/**
 * The results table: fixed column widths (table-layout: fixed, one <colgroup>) so nothing
 * moves while matches stream in; sortable headers; one focused row moved with the arrows;
 * Space expands a study to its series, R retrieves, O or a double-click opens (retrieving first
 * when the study is not fully cached; Retrieve and Open buttons on the focused row do the same,
 * and a right-click gives the row's actions in a menu),
 * P prefetches the patient's priors,
 * Shift+Space selects. A study a prefetch rule brought into the cache carries a "Prefetched"
 * badge beside its cache badge (the rule and its reason in the tooltip).
 */
import { Fragment, type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, CacheState, MatchRow } from '../../../../shared/api/contract.js';
import { type ListAction, listAction, moveIndex } from '../../lib/keyboard.js';
import { prefetchedTitle } from '../../lib/prefetch.js';
import { CACHE_LABEL, type SortColumn, type SortOrder, type StudyRow, cacheAriaLabel, cellText } from './study-rows.js';
import { SeriesList } from './SeriesList.js';
import { RowMenu, type RowMenuAt } from './RowMenu.js';
import { formatIdentifier } from '../../../../shared/search.js';

/** The series of an expanded study. */
export interface Expansion {
  loading: boolean;
  rows?: MatchRow[];
  /** Per-series cache state by SeriesInstanceUID (node answers only). */
  cache?: Record<string, CacheState>;
  error?: ApiError;
}

interface Column {
  id: SortColumn;
  label: string;
  /** Width in px; undefined = takes the rest. */
  width?: number;
  align?: 'end';
}

/** The short mark of a study's transfer in the cache cell (full state in its title and data-transfer). */
const JOB_MARK: Record<string, string> = { queued: '⧗', running: '↓', completed: '✓', incomplete: '!', failed: '✕', cancelled: '–' };

const COLUMNS: readonly Column[] = [
  // room for two badges: "In cache" and "Prefetched"
  { id: 'cache', label: 'Cache', width: 176 },
  { id: 'PatientName', label: 'Patient name', width: 140 },
  { id: 'PatientID', label: 'Patient ID', width: 110 },
  { id: 'IssuerOfPatientID', label: 'Issuer', width: 90 },
  { id: 'PatientBirthDate', label: 'Birth date', width: 96 },
  { id: 'StudyDate', label: 'Study date', width: 112 },
  { id: 'ModalitiesInStudy', label: 'Mod.', width: 76 },
  { id: 'StudyDescription', label: 'Description' },
  { id: 'AccessionNumber', label: 'Accession', width: 96 },
  { id: 'NumberOfStudyRelatedInstances', label: 'Ser. / Inst.', width: 96, align: 'end' },
];
/** A search of several nodes: which nodes hold each study (a click picks the one to retrieve from). */
const HELD_BY: Column = { id: 'heldBy', label: 'Held by', width: 170 };
/** Narrower columns beside "Held by" (the patient's columns read short in a list of one patient). */
const SEVERAL_WIDTHS: Partial<Record<SortColumn, number>> = { cache: 110, PatientName: 120, PatientID: 100, IssuerOfPatientID: 80, AccessionNumber: 90 };
/**
 * The columns of a search of several nodes: "Held by" beside the cache badge, the birth date left
 * to the Patients panel (which flags a conflict), so that Description keeps its room.
 */
const SEVERAL_COLUMNS: readonly Column[] = [
  ...COLUMNS.filter((c) => c.id === 'cache'),
  HELD_BY,
  ...COLUMNS.filter((c) => c.id !== 'cache' && c.id !== 'PatientBirthDate'),
].map((c) => (SEVERAL_WIDTHS[c.id] ? { ...c, width: SEVERAL_WIDTHS[c.id] } : c));

export interface ResultsTableProps {
  rows: readonly StudyRow[];
  sort: SortOrder;
  focused: number;
  selected: ReadonlySet<string>;
  expanded: ReadonlyMap<string, Expansion>;
  onSort(column: SortColumn): void;
  onFocus(index: number): void;
  /** A click or Shift+arrow on a row: 'single' replaces the selection, 'toggle' (Ctrl), 'range' (Shift) from the anchor. */
  onSelect(index: number, mode: 'single' | 'toggle' | 'range'): void;
  /** Transfer state by StudyInstanceUID (queued / running / a finished state). */
  transfers: ReadonlyMap<string, string>;
  /** Retrieves some series of a study. */
  onRetrieveSeries(row: StudyRow, SeriesInstanceUIDs: string[]): void;
  /** An action on the focused row (expand, retrieve, open, select-toggle) or the list (cancel). */
  onAction(action: ListAction, row: StudyRow | undefined): void;
  /** A search of several nodes: show "Held by". */
  several?: boolean;
  /** The node chosen to retrieve each study from, by StudyInstanceUID (else the first that answered). */
  chosen?: ReadonlyMap<string, string>;
  onChoose?(row: StudyRow, node: string): void;
  /** The nodes the row menu offers to send a cached study to. */
  sendTargets?: readonly string[];
  onSend?(row: StudyRow, node: string): void;
}

export function ResultsTable({
  rows,
  sort,
  focused,
  selected,
  expanded,
  onSort,
  onFocus,
  onSelect,
  transfers,
  onRetrieveSeries,
  onAction,
  several,
  chosen,
  onChoose,
  sendTargets,
  onSend,
}: ResultsTableProps) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const columns = several ? SEVERAL_COLUMNS : COLUMNS;
  const [menu, setMenu] = useState<RowMenuAt | undefined>();
  const closeMenu = useCallback(() => setMenu(undefined), []);

  useEffect(() => {
    const tr = bodyRef.current?.querySelector<HTMLTableRowElement>(`tr[data-index="${focused}"]`);
    tr?.scrollIntoView({ block: 'nearest' });
  }, [focused]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const target = e.target as HTMLElement;
    const action = listAction({
      key: e.key,
      ctrlKey: e.ctrlKey,
      metaKey: e.metaKey,
      altKey: e.altKey,
      shiftKey: e.shiftKey,
      inTextField: target.tagName === 'INPUT' || target.tagName === 'SELECT',
    });
    if (!action) return;
    // Enter and Space on a header button sort; let them through.
    if (target.tagName === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) return;
    e.preventDefault();
    if (action.kind === 'move' || action.kind === 'first' || action.kind === 'last') {
      const next = moveIndex(focused, action, rows.length);
      if (e.shiftKey) onSelect(next, 'range');
      else onFocus(next);
      return;
    }
    onAction(action, rows[focused]);
  };

  return (
    <>
      <div className="results" tabIndex={0} onKeyDown={onKeyDown} role="region" aria-label="Search results" aria-describedby="results-help">
        <table className="results-table" aria-rowcount={rows.length}>
          <colgroup>
            {columns.map((c) => (
              <col key={c.id} style={c.width ? { width: `${c.width}px` } : undefined} />
            ))}
          </colgroup>
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  key={c.id}
                  scope="col"
                  aria-sort={sort.column === c.id ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
                  className={c.align === 'end' ? 'num' : undefined}
                >
                  <button type="button" className="th-button" onClick={() => onSort(c.id)}>
                    {c.label}
                    <span className="sort-mark" aria-hidden="true">
                      {sort.column === c.id ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody ref={bodyRef}>
            {rows.map((row, i) => {
              const exp = expanded.get(row.StudyInstanceUID);
              return (
                <Fragment key={row.StudyInstanceUID || `row-${i}`}>
                  <tr
                    data-index={i}
                    className={i === focused ? 'focused' : undefined}
                    aria-selected={selected.has(row.StudyInstanceUID)}
                    aria-expanded={exp ? true : false}
                    data-prefetched={row.prefetched ? 'true' : undefined}
                    onClick={(e) => onSelect(i, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'single')}
                    onDoubleClick={() => onAction({ kind: 'open' }, row)}
                    onContextMenu={(e) => {
                      e.preventDefault();
                      onSelect(i, 'single');
                      setMenu({ x: e.clientX, y: e.clientY, row });
                    }}
                  >
                    {columns.map((c) => {
                      if (c.id === 'heldBy') {
                        const from = chosen?.get(row.StudyInstanceUID) ?? row.heldBy?.[0];
                        return (
                          <td key={c.id} className="held-by" data-held-by={(row.heldBy ?? []).join(',')}>
                            {(row.heldBy ?? []).map((n) => (
                              <button
                                key={n}
                                type="button"
                                className="chip chip-toggle"
                                aria-pressed={n === from}
                                title={`Retrieve from ${n}`}
                                onClick={(e) => {
                                  e.stopPropagation();
                                  onChoose?.(row, n);
                                }}
                              >
                                {n}
                              </button>
                            ))}
                          </td>
                        );
                      }
                      if (c.id === 'PatientID' && row.OtherPatientIDs.length > 0) {
                        const others = row.OtherPatientIDs.map(formatIdentifier).join(', ');
                        return (
                          <td key={c.id} title={`${row.PatientID}; other IDs: ${others}`}>
                            {row.PatientID}{' '}
                            <span className="other-ids muted" data-other-ids={others}>
                              +{row.OtherPatientIDs.length}
                            </span>
                          </td>
                        );
                      }
                      if (c.id === 'cache') {
                        const job = transfers.get(row.StudyInstanceUID);
                        return (
                          <td key={c.id} className="cache-cell">
                            <span
                              className={`badge badge-${row.cache}`}
                              aria-label={cacheAriaLabel(row.cache)}
                              role="img"
                              title={row.cacheNote ?? cacheAriaLabel(row.cache)}
                            >
                              {CACHE_LABEL[row.cache] || '·'}
                            </span>
                            {row.prefetched && (
                              <span className="badge badge-prefetched" data-rule={row.prefetched.rule} title={prefetchedTitle(row.prefetched)}>
                                Prefetched
                              </span>
                            )}
                            {job && (
                              <span className={`job-mark job-${job}`} data-transfer={job} title={`Transfer ${job}`}>
                                {JOB_MARK[job] ?? job}
                              </span>
                            )}
                            {i === focused && (
                              <span className="row-actions">
                                {row.cache !== 'full' && (
                                  <button
                                    type="button"
                                    title="Retrieve into the cache (R)"
                                    onClick={(e) => {
                                      e.stopPropagation();
                                      onAction({ kind: 'retrieve' }, row);
                                    }}
                                  >
                                    Retrieve
                                  </button>
                                )}
                                <button
                                  type="button"
                                  title={
                                    row.cache === 'full'
                                      ? 'Open in the viewer (O, double-click)'
                                      : 'Retrieve and open: the images show as they arrive (O, double-click)'
                                  }
                                  onClick={(e) => {
                                    e.stopPropagation();
                                    onAction({ kind: 'open' }, row);
                                  }}
                                >
                                  Open
                                </button>
                              </span>
                            )}
                          </td>
                        );
                      }
                      const text = cellText(row, c.id);
                      return (
                        <td key={c.id} className={c.align === 'end' ? 'num' : undefined} title={text}>
                          {text}
                        </td>
                      );
                    })}
                  </tr>
                  {exp && (
                    <tr className="series-row">
                      <td colSpan={columns.length}>
                        <SeriesList expansion={exp} onRetrieve={(uids) => onRetrieveSeries(row, uids)} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      <p id="results-help" className="help">
        ↑↓ move · Shift+↑↓ / Ctrl+click select · Space series · R retrieve · O or double-click open (retrieving first) · P prefetch priors · Esc cancel ·
        Alt+1…8 screens
      </p>
      {menu && (
        <RowMenu
          {...menu}
          onClose={closeMenu}
          onAction={(action) => {
            setMenu(undefined);
            onAction(action, menu.row);
          }}
          {...(onSend
            ? {
                sendTo: sendTargets ?? [],
                onSend: (node: string) => {
                  setMenu(undefined);
                  onSend(menu.row, node);
                },
              }
            : {})}
        />
      )}
    </>
  );
}
