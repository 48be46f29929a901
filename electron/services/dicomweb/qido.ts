/**
 * QIDO-RS search (PS3.18 §10.6) of a DICOMweb node with the query model of our C-FIND: the same
 * identifier (keys with values match, empty keys are return keys: `includefield`), the same
 * wildcard, range and UID list matching (PS3.4 C.2.2.2, which QIDO-RS takes over, §8.3.4), the
 * same rows (the requested keys only, each present), paged with `limit` and `offset`, and the
 * same capped-answer detection: a Warning 299 of the node, or a count that looks like a cap.
 */
import type { DataSet, Tag } from '../../../shared/dicom/dataset.js';
import { keywordOf } from '../../../shared/dicom/dictionary.js';
import { matchRowOf, type JsonDataSet } from '../../../shared/dicom/json-model.js';
import { QUERY_RETRIEVE_LEVEL_TAG, type QueryLevel } from '../../../shared/dicom/query.js';
import { Status } from '../../../shared/dicom/status.js';
import { ROUND_CAPS } from '../../dimse/scu/index.js';
import type { MatchRow } from '../query/query-keys.js';
import type { SearchResult } from '../query/query.js';
import { badAnswerError, DicomwebError } from './errors.js';
import { queryString, type DicomwebClient, type HttpAnswer } from './http.js';
import {
  ISSUER_OF_PATIENT_ID,
  NUMBER_OF_PATIENT_RELATED_STUDIES,
  PATIENT_ID,
  SERIES_INSTANCE_UID,
  SPECIFIC_CHARACTER_SET,
  STUDY_INSTANCE_UID,
} from '../../../shared/dicom/tags.js';

/** Matches asked for per page when no smaller limit is wanted. */
export const QIDO_PAGE = 1000;
/** Most pages of one search (a bound on the loop, far above any answer). */
const MAX_PAGES = 10_000;

/** Options of {@link qidoSearch}. */
export interface QidoOptions {
  limit?: number;
  signal?: AbortSignal;
  onRow?: (row: MatchRow) => void;
  /** Matches per page (default {@link QIDO_PAGE}). */
  pageSize?: number;
}

/** A single UID of a key (no wildcard, no list), to put in the resource path. */
function singleUid(ds: DataSet, t: Tag): string | undefined {
  const v = ds.get(t)?.value;
  return Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' && /^[0-9.]+$/.test(v[0].trim()) ? v[0].trim() : undefined;
}

/**
 * The resource of a level (§10.6.1): the study and series above it in the path when the
 * identifier names exactly one, else the flat resource with the UIDs as matching keys.
 */
export function qidoResource(level: QueryLevel, ds: DataSet): { path: string; inPath: Set<Tag> } {
  const study = singleUid(ds, STUDY_INSTANCE_UID);
  const series = singleUid(ds, SERIES_INSTANCE_UID);
  const enc = encodeURIComponent;
  if (level === 'SERIES' && study) return { path: `/studies/${enc(study)}/series`, inPath: new Set([STUDY_INSTANCE_UID]) };
  if (level === 'IMAGE' && study && series)
    return { path: `/studies/${enc(study)}/series/${enc(series)}/instances`, inPath: new Set([STUDY_INSTANCE_UID, SERIES_INSTANCE_UID]) };
  if (level === 'IMAGE' && study) return { path: `/studies/${enc(study)}/instances`, inPath: new Set([STUDY_INSTANCE_UID]) };
  return { path: level === 'SERIES' ? '/series' : level === 'IMAGE' ? '/instances' : '/studies', inPath: new Set() };
}

/**
 * The query parameters of an identifier (§8.3.4): `{keyword}={value}` for each matching key
 * (a UID list joined by commas, other multiple values by backslashes), `includefield` for each
 * return key.
 */
export function qidoParams(ds: DataSet, skip: ReadonlySet<Tag> = new Set()): URLSearchParams {
  const q = new URLSearchParams();
  for (const [t, el] of [...ds.entries()].sort((a, b) => a[0] - b[0])) {
    if (t === QUERY_RETRIEVE_LEVEL_TAG || t === SPECIFIC_CHARACTER_SET || skip.has(t) || (t & 0xffff) === 0) continue;
    const name = keywordOf(t) ?? t.toString(16).toUpperCase().padStart(8, '0');
    const values = Array.isArray(el.value) && el.vr !== 'SQ' ? (el.value as unknown[]).map(String) : [];
    if (values.length === 0 || values.every((v) => v === '')) q.append('includefield', name);
    else q.append(name, values.join(el.vr === 'UI' ? ',' : '\\'));
  }
  return q;
}

/** Why an answer of `count` matches looks capped by the node, if it does. */
export function qidoCappedReason(count: number, warning: string | undefined): string | undefined {
  if (warning && /\b299\b/.test(warning))
    return `the node warned that it returned only part of the matches ("${warning
      .replace(/^299\s+\S+\s+/, '')
      .replace(/"/g, '')
      .slice(0, 120)}"): narrow the query`;
  if (ROUND_CAPS.has(count)) return `exactly ${count} matches: the node probably stops at ${count}; narrow the query`;
  // Orthanc's DICOMweb answers one match more than its LimitFindResults when it cuts an answer
  if (ROUND_CAPS.has(count - 1))
    return `${count} matches, one more than ${count - 1}: the node probably stops there (as Orthanc does with LimitFindResults ${count - 1}); narrow the query`;
  return undefined;
}

/** Searches the node at the request's level; throws a DicomwebError when it fails. */
export async function qidoSearch(client: DicomwebClient, level: QueryLevel, identifier: DataSet, options: QidoOptions = {}): Promise<SearchResult> {
  // the keys a C-FIND answer would carry as text (sequences are left out of rows, as rowOf does)
  const requested = [...identifier.entries()]
    .filter(([t, el]) => t !== QUERY_RETRIEVE_LEVEL_TAG && t !== SPECIFIC_CHARACTER_SET && el.vr !== 'SQ')
    .map(([t]) => t);
  if (level === 'PATIENT') return patientSearch(client, identifier, requested, options);
  const { path, inPath } = qidoResource(level, identifier);
  const rows: MatchRow[] = [];
  const limit = options.limit;
  const pageSize = Math.max(1, options.pageSize ?? QIDO_PAGE);
  let warning: string | undefined;
  let firstOfFirstPage: string | undefined;
  let offsetIgnored = false;
  for (let page = 0; page < MAX_PAGES; page++) {
    const want = limit !== undefined ? Math.min(pageSize, limit - rows.length) : pageSize;
    if (want <= 0) break;
    const query = qidoParams(identifier, inPath);
    query.set('limit', String(want));
    if (rows.length > 0) query.set('offset', String(rows.length));
    const answer = await askPage(client, path, query, options.signal);
    const pageWarning = header(answer.headers.warning);
    const body = await client.json('qido', answer);
    if (body !== undefined && !Array.isArray(body)) throw badAnswerError('qido', answer.url, 'JSON that is not an array of matches (PS3.18 F.2)');
    const matches = (body ?? []) as JsonDataSet[];
    // a node that ignores offset answers its first page again: stop there rather than loop
    const first = matches.length ? JSON.stringify(matches[0]) : undefined;
    if (page > 0 && first !== undefined && first === firstOfFirstPage) {
      offsetIgnored = true;
      break;
    }
    if (page === 0) firstOfFirstPage = first;
    for (const m of matches) {
      if (typeof m !== 'object' || m === null) throw badAnswerError('qido', answer.url, 'an array holding something else than data sets');
      const row = matchRowOf(m, requested);
      rows.push(row);
      options.onRow?.(row);
      if (limit !== undefined && rows.length >= limit) break;
    }
    if (pageWarning) warning = pageWarning;
    // a short page ends the answer, unless the node warned that it holds more (§10.6.3.3)
    const more = matches.length >= want || (pageWarning !== undefined && /\b299\b/.test(pageWarning) && matches.length > 0);
    if (!more) break;
  }
  const limitReached = limit !== undefined && rows.length >= limit;
  const result: SearchResult = { source: 'remote', rows, status: Status.Success, limitReached };
  const reason = limitReached
    ? undefined
    : offsetIgnored
      ? `the node answered its first ${rows.length} matches again when asked for the next ones (it ignores "offset"), so only those are shown: narrow the query`
      : qidoCappedReason(rows.length, warning);
  if (reason) result.looksCapped = { count: rows.length, reason };
  return result;
}

/**
 * QIDO-RS has no patient resource: a PATIENT-level search asks for the studies with the
 * patient keys and answers one row per patient (Patient ID and issuer), with Number of
 * Patient Related Studies counted from them.
 */
async function patientSearch(client: DicomwebClient, identifier: DataSet, requested: Tag[], options: QidoOptions): Promise<SearchResult> {
  const studyKeys: DataSet = new Map(identifier);
  studyKeys.delete(NUMBER_OF_PATIENT_RELATED_STUDIES);
  for (const t of [PATIENT_ID, ISSUER_OF_PATIENT_ID]) if (!studyKeys.has(t)) studyKeys.set(t, { vr: 'LO', value: [] });
  const { limit: _limit, onRow: _onRow, ...rest } = options;
  const studies = await qidoSearch(client, 'STUDY', studyKeys, rest);
  const byPatient = new Map<string, { row: MatchRow; studies: number }>();
  for (const s of studies.rows) {
    const key = `${s.PatientID ?? ''}\u0000${s.IssuerOfPatientID ?? ''}`;
    const held = byPatient.get(key);
    if (held) {
      held.studies++;
      continue;
    }
    const row: MatchRow = {};
    for (const t of requested) {
      const name = keywordOf(t) ?? t.toString(16).padStart(8, '0');
      row[name] = s[name] ?? '';
    }
    byPatient.set(key, { row, studies: 1 });
  }
  const rows: MatchRow[] = [];
  for (const { row, studies: n } of byPatient.values()) {
    if (options.limit !== undefined && rows.length >= options.limit) break;
    if (requested.includes(NUMBER_OF_PATIENT_RELATED_STUDIES)) row.NumberOfPatientRelatedStudies = String(n);
    rows.push(row);
    options.onRow?.(row);
  }
  const limitReached = options.limit !== undefined && rows.length >= options.limit;
  return { source: 'remote', rows, status: Status.Success, limitReached, ...(studies.looksCapped ? { looksCapped: studies.looksCapped } : {}) };
}

/**
 * One page. A node that refuses the query with HTTP 400 is asked once more with every reserved
 * character percent-encoded ('^' of names, '\\' of lists: some HTTP servers refuse them raw).
 */
async function askPage(client: DicomwebClient, path: string, query: URLSearchParams, signal: AbortSignal | undefined): Promise<HttpAnswer> {
  const req = { path, query, headers: { accept: 'application/dicom+json' }, ...(signal ? { signal } : {}) };
  try {
    return await client.request('qido', req);
  } catch (e) {
    const refused = e instanceof DicomwebError && e.failure.kind === 'http' && e.failure.status === 400;
    if (!refused || queryString(query) === queryString(query, true)) throw e;
    return client.request('qido', { ...req, strictQuery: true });
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}
