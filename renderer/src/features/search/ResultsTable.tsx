/**
 * The results table: fixed column widths (table-layout: fixed, one <colgroup>) so nothing
 * moves while matches stream in; sortable headers; one focused row moved with the arrows;
 * Space expands a study to its series, R retrieves, O opens, Shift+Space selects.
 */
import { Fragment, type KeyboardEvent, useEffect, useRef } from 'react';
import type { ApiError, MatchRow } from '../../../../shared/api.js';
import { formatDicomDate } from '../../lib/format.js';
import { type ListAction, listAction, moveIndex } from '../../lib/keyboard.js';
import { CACHE_LABEL, type SortColumn, type SortOrder, type StudyRow, cellText } from '../../lib/study-rows.js';

/** The series of an expanded study. */
export interface Expansion {
  loading: boolean;
  rows?: MatchRow[];
  error?: ApiError;
}

interface Column {
  id: SortColumn;
  label: string;
  /** Width in px; undefined = takes the rest. */
  width?: number;
  align?: 'end';
}

const COLUMNS: readonly Column[] = [
  { id: 'cache', label: 'Cache', width: 76 },
  { id: 'PatientName', label: 'Patient name', width: 176 },
  { id: 'PatientID', label: 'Patient ID', width: 110 },
  { id: 'PatientBirthDate', label: 'Birth date', width: 100 },
  { id: 'StudyDate', label: 'Study date', width: 114 },
  { id: 'ModalitiesInStudy', label: 'Mod.', width: 76 },
  { id: 'StudyDescription', label: 'Description' },
  { id: 'AccessionNumber', label: 'Accession', width: 108 },
  { id: 'NumberOfStudyRelatedInstances', label: 'Ser. / Inst.', width: 104, align: 'end' },
];

export interface ResultsTableProps {
  rows: readonly StudyRow[];
  sort: SortOrder;
  focused: number;
  selected: ReadonlySet<string>;
  expanded: ReadonlyMap<string, Expansion>;
  onSort(column: SortColumn): void;
  onFocus(index: number): void;
  /** An action on the focused row (expand, retrieve, open, select-toggle) or the list (cancel). */
  onAction(action: ListAction, row: StudyRow | undefined): void;
}

export function ResultsTable({ rows, sort, focused, selected, expanded, onSort, onFocus, onAction }: ResultsTableProps) {
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
      onFocus(moveIndex(focused, action, rows.length));
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
                  aria-expanded={exp ? true : false} onClick={() => onFocus(i)} onDoubleClick={() => onAction({ kind: 'expand' }, row)}>
                  {COLUMNS.map((c) => {
                    if (c.id === 'cache') {
                      return <td key={c.id}>{row.cache === 'full' || row.cache === 'partial'
                        ? <span className={`badge badge-${row.cache}`}>{CACHE_LABEL[row.cache]}</span> : null}</td>;
                    }
                    const text = cellText(row, c.id);
                    return <td key={c.id} className={c.align === 'end' ? 'num' : undefined} title={text}>{text}</td>;
                  })}
                </tr>
                {exp && (
                  <tr className="series-row">
                    <td colSpan={COLUMNS.length}>
                      <SeriesList expansion={exp} />
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
      ↑↓ move · Space series · R retrieve · O open · Shift+Space select · Esc cancel · Alt+1…5 screens
    </p>
    </>
  );
}

function SeriesList({ expansion }: { expansion: Expansion }) {
  if (expansion.loading) return <p className="muted">Asking for the series…</p>;
  if (expansion.error) return <p className="error-line" role="alert">{expansion.error.message}</p>;
  const rows = expansion.rows ?? [];
  if (rows.length === 0) return <p className="muted">No series.</p>;
  return (
    <table className="series-table">
      <thead>
        <tr><th scope="col">#</th><th scope="col">Mod.</th><th scope="col">Series description</th><th scope="col">Date</th><th scope="col" className="num">Instances</th></tr>
      </thead>
      <tbody>
        {rows.map((s, i) => (
          <tr key={s.SeriesInstanceUID ?? i}>
            <td>{s.SeriesNumber ?? ''}</td>
            <td>{s.Modality ?? ''}</td>
            <td title={s.SeriesDescription}>{s.SeriesDescription ?? ''}</td>
            <td>{formatDicomDate(s.SeriesDate)}</td>
            <td className="num">{s.NumberOfSeriesRelatedInstances ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
