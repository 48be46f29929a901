/**
 * The rows of the Search results table: a STUDY-level match read into typed columns, and
 * their sorting. Pure code: no DOM, no Node.
 */
import { formatDicomDate, formatPersonName, splitValues } from '../../lib/format.js';
import type { MatchRow } from '../../../../shared/api/contract.js';
import type { PrefetchedMark } from '../../../../shared/prefetch.js';
import { identifiersOf, parsePatientIds, sameIdentifier, type PatientIdentifier } from '../../../../shared/search.js';

/** How much of a study the local cache holds. */
export type CacheState = 'full' | 'partial' | 'none' | 'unknown';

/** One study in the results table. */
export interface StudyRow {
  StudyInstanceUID: string;
  PatientName: string;
  PatientID: string;
  PatientBirthDate: string;
  /** Issuer of Patient ID (0010,0021): as the node gave it, or the node's issuer setting. */
  IssuerOfPatientID: string;
  PatientSex: string;
  /** Other Patient IDs Sequence (0010,1002). */
  OtherPatientIDs: PatientIdentifier[];
  /** Every identifier the nodes gave for this study (its Patient ID with issuer, and its other IDs). */
  identifiers: PatientIdentifier[];
  /** A search of several nodes: the nodes that hold it, in the order they answered. */
  heldBy?: string[];
  StudyDate: string;
  StudyTime: string;
  ModalitiesInStudy: string[];
  StudyDescription: string;
  AccessionNumber: string;
  NumberOfStudyRelatedSeries?: number;
  NumberOfStudyRelatedInstances?: number;
  cache: CacheState;
  /** Why the badge says what it says, when the node gave no instance count (tooltip). */
  cacheNote?: string;
  /** The cache holds it because a prefetch rule chose it (the "Prefetched" badge). */
  prefetched?: PrefetchedMark;
  /** The match as it came, for the keys the table does not show. */
  raw: MatchRow;
}

/** The sortable columns, in the order the table shows them. */
export type SortColumn =
  | 'PatientName'
  | 'PatientID'
  | 'PatientBirthDate'
  | 'StudyDate'
  | 'ModalitiesInStudy'
  | 'StudyDescription'
  | 'AccessionNumber'
  | 'NumberOfStudyRelatedInstances'
  | 'cache'
  | 'IssuerOfPatientID'
  | 'heldBy';

/** A sort order. */
export interface SortOrder {
  column: SortColumn;
  direction: 'asc' | 'desc';
}

/** Newest studies first: what a search for priors wants. */
export const DEFAULT_SORT: SortOrder = { column: 'StudyDate', direction: 'desc' };

function count(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Reads a STUDY-level match (keyword → backslash-joined values) into a row; `merged`: what a search of several nodes adds. */
export function studyRowOf(match: MatchRow, cache: CacheState = 'unknown', merged?: { heldBy?: string[]; identifiers?: PatientIdentifier[] }): StudyRow {
  const row: StudyRow = {
    StudyInstanceUID: match.StudyInstanceUID ?? '',
    PatientName: match.PatientName ?? '',
    PatientID: match.PatientID ?? '',
    PatientBirthDate: match.PatientBirthDate ?? '',
    IssuerOfPatientID: match.IssuerOfPatientID ?? '',
    PatientSex: match.PatientSex ?? '',
    OtherPatientIDs: parsePatientIds(match.OtherPatientIDsSequence),
    identifiers: merged?.identifiers ?? identifiersOf(match),
    ...(merged?.heldBy ? { heldBy: merged.heldBy } : {}),
    StudyDate: match.StudyDate ?? '',
    StudyTime: match.StudyTime ?? '',
    ModalitiesInStudy: splitValues(match.ModalitiesInStudy),
    StudyDescription: match.StudyDescription ?? '',
    AccessionNumber: match.AccessionNumber ?? '',
    cache,
    raw: match,
  };
  const series = count(match.NumberOfStudyRelatedSeries);
  const instances = count(match.NumberOfStudyRelatedInstances);
  if (series !== undefined) row.NumberOfStudyRelatedSeries = series;
  if (instances !== undefined) row.NumberOfStudyRelatedInstances = instances;
  return row;
}

/**
 * A row that came again (another node, or another query of the same search): the nodes and
 * identifiers of both, the keys the first left empty filled from the second; the cache state and
 * badges of the first stay.
 */
export function mergeStudyRows(held: StudyRow, next: StudyRow): StudyRow {
  const raw: MatchRow = { ...held.raw };
  for (const [k, v] of Object.entries(next.raw)) if ((raw[k] ?? '').trim() === '' && v.trim() !== '') raw[k] = v;
  const identifiers = [...held.identifiers];
  for (const id of next.identifiers) if (!identifiers.some((h) => sameIdentifier(h, id))) identifiers.push(id);
  const heldBy = [...new Set([...(held.heldBy ?? []), ...(next.heldBy ?? [])])];
  const fresh = studyRowOf(raw, held.cache, { identifiers, ...(heldBy.length ? { heldBy } : {}) });
  return {
    ...fresh,
    ...(held.cacheNote ? { cacheNote: held.cacheNote } : {}),
    ...((held.prefetched ?? next.prefetched) ? { prefetched: (held.prefetched ?? next.prefetched)! } : {}),
  };
}

/** The text a cell shows. */
export function cellText(row: StudyRow, column: SortColumn): string {
  switch (column) {
    case 'PatientName':
      return formatPersonName(row.PatientName);
    case 'PatientBirthDate':
      return formatDicomDate(row.PatientBirthDate);
    case 'StudyDate':
      return formatDicomDate(row.StudyDate);
    case 'ModalitiesInStudy':
      return row.ModalitiesInStudy.join(', ');
    case 'NumberOfStudyRelatedInstances': {
      const s = row.NumberOfStudyRelatedSeries;
      const i = row.NumberOfStudyRelatedInstances;
      if (s === undefined && i === undefined) return '';
      return `${s ?? '?'} / ${i ?? '?'}`;
    }
    case 'cache':
      return CACHE_LABEL[row.cache];
    case 'heldBy':
      return (row.heldBy ?? []).join(', ');
    default:
      return row[column];
  }
}

/** The badge's accessible name: "In cache: full" / "In cache: partial" / "In cache: none". */
export function cacheAriaLabel(state: CacheState): string {
  return `In cache: ${state === 'unknown' ? 'none' : state}`;
}

/** The cache state after a transfer job of this study ended (completed STUDY job: full; any arrival: at least partial). */
export function cacheAfterTransfer(current: CacheState, job: { state: string; level: string; progress: { arrived: number; skipped: number } }): CacheState {
  if (job.state === 'completed' && job.level === 'STUDY') return 'full';
  if (current === 'full') return current;
  return job.progress.arrived + job.progress.skipped > 0 || job.state === 'completed' ? 'partial' : current;
}

/** Labels of the cache badge. */
export const CACHE_LABEL: Record<CacheState, string> = { full: 'In cache', partial: 'Partly', none: '', unknown: '' };

const CACHE_RANK: Record<CacheState, number> = { full: 0, partial: 1, none: 2, unknown: 3 };

/** The value a column sorts by; undefined sorts last in both directions. */
function sortKey(row: StudyRow, column: SortColumn): string | number | undefined {
  switch (column) {
    case 'StudyDate':
      return row.StudyDate ? `${row.StudyDate}${row.StudyTime}` : undefined;
    case 'NumberOfStudyRelatedInstances':
      return row.NumberOfStudyRelatedInstances;
    case 'ModalitiesInStudy':
      return row.ModalitiesInStudy.length ? row.ModalitiesInStudy.join('\\') : undefined;
    case 'cache':
      return CACHE_RANK[row.cache];
    case 'heldBy':
      return row.heldBy?.length ? row.heldBy.join(',').toLocaleUpperCase() : undefined;
    default: {
      const v = row[column].trim();
      return v === '' ? undefined : v.toLocaleUpperCase();
    }
  }
}

/** Compares two rows by one column; empty values last whatever the direction. */
export function compareRows(a: StudyRow, b: StudyRow, order: SortOrder): number {
  const ka = sortKey(a, order.column);
  const kb = sortKey(b, order.column);
  if (ka === undefined || kb === undefined) return ka === kb ? 0 : ka === undefined ? 1 : -1;
  const c = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : String(ka).localeCompare(String(kb), undefined, { numeric: true });
  return order.direction === 'asc' ? c : -c;
}

/** A sorted copy (stable: equal rows keep their arrival order). */
export function sortRows(rows: readonly StudyRow[], order: SortOrder): StudyRow[] {
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => compareRows(x.row, y.row, order) || x.i - y.i)
    .map((x) => x.row);
}

/** The order after a click on a column header: same column flips, a new one starts descending for dates and counts. */
export function nextSort(current: SortOrder, column: SortColumn): SortOrder {
  if (current.column === column) return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  const descFirst = column === 'StudyDate' || column === 'NumberOfStudyRelatedInstances';
  return { column, direction: descFirst ? 'desc' : 'asc' };
}
