/**
 * The results table: fixed column widths (table-layout: fixed, one <colgroup>) so nothing
 * moves while matches stream in; sortable headers; one focused row moved with the arrows;
 * Space expands a study to its series, R retrieves, O opens, P prefetches the patient's priors,
 * Shift+Space selects. A study a prefetch rule brought into the cache carries a "Prefetched"
 * badge beside its cache badge (the rule and its reason in the tooltip).
 */
import { Fragment, type KeyboardEvent, useEffect, useRef } from 'react';
import type { ApiError, CacheState, MatchRow } from '../../../../shared/api/contract.js';
import { type ListAction, listAction, moveIndex } from '../../lib/keyboard.js';
import { prefetchedTitle } from '../../lib/prefetch.js';
import { CACHE_LABEL, type SortColumn, type SortOrder, type StudyRow, cacheAriaLabel, cellText } from './study-rows.js';
import { SeriesList } from './SeriesList.js';

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
  { id: 'PatientBirthDate', label: 'Birth date', width: 96 },
  { id: 'StudyDate', label: 'Study date', width: 112 },
  { id: 'ModalitiesInStudy', label: 'Mod.', width: 76 },
  { id: 'StudyDescription', label: 'Description' },
  { id: 'AccessionNumber', label: 'Accession', width: 96 },
  { id: 'NumberOfStudyRelatedInstances', label: 'Ser. / Inst.', width: 96, align: 'end' },
];

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
}

export function ResultsTable({ rows, sort, focused, selected, expanded, onSort, onFocus, onSelect, transfers, onRetrieveSeries, onAction }: ResultsTableProps) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);

  useEffect(() => {
    const tr = bodyRef.current?.querySelector<HTMLTableRowElement>(`tr[data-index="${focused}"]`);
    tr?.scrollIntoView({ block: 'nearest' });
  }, [focused]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const target = e.target as HTMLElement;
    const action = listAction({
      key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, shiftKey: e.shiftKey,
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
    <div className="results" tabIndex={0} onKeyDown={onKeyDown} role="region" aria-label="Search results"
      aria-describedby="results-help">
      <table className="results-table" aria-rowcount={rows.length}>
        <colgroup>
          {COLUMNS.map((c) => <col key={c.id} style={c.width ? { width: `${c.width}px` } : undefined} />)}
        </colgroup>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.id} scope="col" aria-sort={sort.column === c.id ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
                className={c.align === 'end' ? 'num' : undefined}>
                <button type="button" className="th-button" onClick={() => onSort(c.id)}>
                  {c.label}
                  <span className="sort-mark" aria-hidden="true">{sort.column === c.id ? (sort.direction === 'asc' ? '▲' : '▼') : ''}</span>
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
                <tr data-index={i} className={i === focused ? 'focused' : undefined} aria-selected={selected.has(row.StudyInstanceUID)}
                  aria-expanded={exp ? true : false} data-prefetched={row.prefetched ? 'true' : undefined}
                  onClick={(e) => onSelect(i, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'single')} onDoubleClick={() => onAction({ kind: 'expand' }, row)}>
                  {COLUMNS.map((c) => {
                    if (c.id === 'cache') {
                      const job = transfers.get(row.StudyInstanceUID);
                      return (
                        <td key={c.id} className="cache-cell">
                          <span className={`badge badge-${row.cache}`} aria-label={cacheAriaLabel(row.cache)} role="img"
                            title={row.cacheNote ?? cacheAriaLabel(row.cache)}>{CACHE_LABEL[row.cache] || '·'}</span>
                          {row.prefetched && <span className="badge badge-prefetched" data-rule={row.prefetched.rule} title={prefetchedTitle(row.prefetched)}>Prefetched</span>}
                          {job && <span className={`job-mark job-${job}`} data-transfer={job} title={`Transfer ${job}`}>{JOB_MARK[job] ?? job}</span>}
                        </td>
                      );
                    }
                    const text = cellText(row, c.id);
                    return <td key={c.id} className={c.align === 'end' ? 'num' : undefined} title={text}>{text}</td>;
                  })}
                </tr>
                {exp && (
                  <tr className="series-row">
                    <td colSpan={COLUMNS.length}>
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
      ↑↓ move · Shift+↑↓ / Ctrl+click select · Space series · R retrieve · O open · P prefetch priors · Esc cancel · Alt+1…8 screens
    </p>
    </>
  );
}
