/**
 * Our QIDO-RS (PS3.18 §10.6) over the local cache: the resources of the Study Root model
 * (/studies, /series, /instances, and the same under a study or a series) searched with the
 * matching of our C-FIND SCP: the query parameters become the identifier of a C-FIND
 * (services/local-scp/handlers.ts findKeysOf and responseIdentifier over cache/query.ts), so a
 * QIDO-RS search and a C-FIND with the same keys answer the same rows. `limit` and `offset` page
 * the answer, `includefield` adds return keys (`all`: every attribute the cache keeps at that
 * level), `fuzzymatching` is accepted and ignored (§8.3.4.5 leaves it to the origin server).
 * Matches are application/dicom+json (PS3.18 F.2).
 */
import type { DataSet, Tag } from '../../../shared/dicom/dataset.js';
import { keywordOf, parseTagOrKeyword, vrOf } from '../../../shared/dicom/dictionary.js';
import { jsonOf } from '../../../shared/dicom/json-model.js';
import { QUERY_RETRIEVE_LEVEL_TAG, queryKeys, type QueryLevel } from '../../../shared/dicom/query.js';
import type { Cache } from '../../cache/index.js';
import { ENTITIES_OF_LEVEL, INDEXED_ATTRIBUTES } from '../../cache/query-keys.js';
import { findKeysOf, responseIdentifier } from '../local-scp/handlers.js';
import { isUid } from './wado.js';

/** An answer of the DICOMweb server: status, headers and a body (bytes, or a stream of bytes). */
export interface WebAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | AsyncIterable<Uint8Array>;
}

/** A plain-text refusal. */
export function webRefusal(status: number, message: string): WebAnswer {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, body: Buffer.from(message) };
}

const STUDY_INSTANCE_UID: Tag = 0x0020000d;
const SERIES_INSTANCE_UID: Tag = 0x0020000e;
const RETRIEVE_AE_TITLE: Tag = 0x00080054;
const RETRIEVE_URL: Tag = 0x00081190;
/** Largest `limit` honoured; a larger one is answered in full up to this with Warning 299 (§10.6.3.3). */
export const QIDO_MAX_LIMIT = 100_000;

// PS3.18 §10.6.1: the search resources of the Study Root model
const QIDO_PATH = /^\/(?:studies(?:\/([^/]+)(?:\/series(?:\/([^/]+)\/instances)?|\/instances))?|series|instances)\/?$/;

/** The level and the UIDs in the path of a QIDO-RS resource, or undefined when the path is not one. */
export function qidoTarget(path: string): { level: QueryLevel; study?: string; series?: string } | undefined {
  const m = QIDO_PATH.exec(path);
  if (!m) return undefined;
  const [study, series] = [m[1], m[2]].map((s) => (s === undefined ? undefined : decodeURIComponent(s)));
  const last = path.replace(/\/$/, '').split('/').pop();
  const level: QueryLevel = last === 'studies' ? 'STUDY' : last === 'series' ? 'SERIES' : 'IMAGE';
  return { level, ...(study !== undefined ? { study } : {}), ...(series !== undefined ? { series } : {}) };
}

/** The return keys of a level when the request names none (PS3.18 Table 10.6.3-3, -4, -5: those the cache keeps). */
export const QIDO_DEFAULT_KEYS: Record<'STUDY' | 'SERIES' | 'IMAGE', readonly string[]> = {
  STUDY: [
    'StudyDate',
    'StudyTime',
    'AccessionNumber',
    'ModalitiesInStudy',
    'ReferringPhysicianName',
    'PatientName',
    'PatientID',
    'IssuerOfPatientID',
    'PatientBirthDate',
    'PatientSex',
    'StudyInstanceUID',
    'StudyID',
    'StudyDescription',
    'NumberOfStudyRelatedSeries',
    'NumberOfStudyRelatedInstances',
  ],
  SERIES: ['Modality', 'SeriesDescription', 'SeriesNumber', 'SeriesInstanceUID', 'NumberOfSeriesRelatedInstances'],
  IMAGE: ['SOPClassUID', 'SOPInstanceUID', 'InstanceNumber', 'Rows', 'Columns', 'BitsAllocated', 'NumberOfFrames'],
};

/** The parsed search: level, C-FIND identifier, paging. */
interface QidoSearch {
  level: QueryLevel;
  identifier: DataSet;
  limit: number;
  offset: number;
  /** No limit was asked, or one above {@link QIDO_MAX_LIMIT}: matches beyond the maximum are cut with a warning. */
  capped: boolean;
}

class QidoInputError extends Error {}

function setKey(ds: DataSet, t: Tag, values: string[]): void {
  ds.set(t, { vr: vrOf(t), value: values });
}

function parseCount(name: string, text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new QidoInputError(`The "${name}" parameter must be a whole number, got "${text.slice(0, 40)}".`);
  return Number(text);
}

/** Keys of the level and the levels above it that a wide search returns by default (the relational search of §10.6.1.2). */
function defaultKeys(level: QueryLevel, withStudy: boolean): string[] {
  const own = QIDO_DEFAULT_KEYS[level as 'STUDY' | 'SERIES' | 'IMAGE'];
  if (level === 'STUDY') return [...own];
  const above = level === 'IMAGE' ? [...QIDO_DEFAULT_KEYS.SERIES] : [];
  return [...(withStudy ? QIDO_DEFAULT_KEYS.STUDY : ['StudyInstanceUID']), ...above, ...own];
}

/** The query of a request as a C-FIND identifier (PS3.18 §8.3.4); throws QidoInputError with the sentence. */
function parseSearch(target: NonNullable<ReturnType<typeof qidoTarget>>, params: URLSearchParams): QidoSearch {
  const ds: DataSet = new Map();
  let limit = QIDO_MAX_LIMIT;
  let offset = 0;
  let capped = true;
  const include: string[] = [];
  for (const [name, raw] of params) {
    if (name === 'token' || name === 'fuzzymatching') continue;
    if (name === 'limit') {
      const n = parseCount(name, raw);
      capped = n > QIDO_MAX_LIMIT;
      limit = Math.min(n, QIDO_MAX_LIMIT);
      continue;
    }
    if (name === 'offset') {
      offset = parseCount(name, raw);
      continue;
    }
    if (name === 'includefield') {
      include.push(
        ...raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      );
      continue;
    }
    if (name.includes('.'))
      throw new QidoInputError(`Matching within a sequence ("${name.slice(0, 60)}") is not offered by this server: match on top-level attributes.`);
    let t: Tag;
    try {
      t = parseTagOrKeyword(name);
    } catch {
      throw new QidoInputError(`"${name.slice(0, 60)}" is neither a query parameter of QIDO-RS nor a DICOM keyword or tag (PS3.18 §8.3.4).`);
    }
    // §8.3.4.1: a UID list is comma separated; other multiple values are separated by backslashes
    const values = vrOf(t) === 'UI' ? raw.split(',').map((v) => v.trim()) : [raw];
    setKey(
      ds,
      t,
      values.filter((v, i) => v !== '' || i === 0),
    );
  }
  const { level } = target;
  for (const [uid, t, what] of [
    [target.study, STUDY_INSTANCE_UID, 'Study'],
    [target.series, SERIES_INSTANCE_UID, 'Series'],
  ] as const) {
    if (uid === undefined) continue;
    if (!isUid(uid))
      throw new QidoInputError(
        `The ${what} Instance UID "${String(uid).slice(0, 80)}" of the path is not a valid UID (PS3.5 9.1: digits and dots, at most 64 characters).`,
      );
    setKey(ds, t, [uid]);
  }
  const wide = target.study === undefined;
  for (const keyword of defaultKeys(level, wide)) {
    const t = parseTagOrKeyword(keyword);
    if (!ds.has(t)) setKey(ds, t, []);
  }
  for (const field of include) {
    if (field === 'all') {
      const entities = ENTITIES_OF_LEVEL[level];
      for (const a of INDEXED_ATTRIBUTES) {
        const t = parseTagOrKeyword(a.keyword);
        if (entities.includes(a.entity) && !ds.has(t)) setKey(ds, t, []);
      }
      continue;
    }
    let t: Tag;
    try {
      t = parseTagOrKeyword(field);
    } catch {
      throw new QidoInputError(`includefield "${field.slice(0, 60)}" is neither "all" nor a DICOM keyword or tag.`);
    }
    if (!ds.has(t)) setKey(ds, t, []);
  }
  return { level, identifier: ds, limit, offset, capped };
}

/** Whether the Accept header takes application/dicom+json (or JSON, or anything). */
function acceptsJson(accept: string | undefined | null): boolean {
  if (accept === undefined || accept === null || accept.trim() === '') return true;
  return accept
    .split(',')
    .some((part) => ['application/dicom+json', 'application/json', '*/*', 'application/*'].includes(part.split(';')[0]!.trim().toLowerCase()));
}

/** What the search answers need from the server. */
export interface QidoContext {
  cache: Pick<Cache, 'find'>;
  /** Retrieve AE Title of the matches (our AE title). */
  aeTitle: string;
  /** PS3.4 C.2.2.2.1: match names regardless of case, as our C-FIND does. */
  caseInsensitivePN: boolean;
  /** The base URL of our DICOMweb service (RetrieveURL of studies and series), e.g. http://127.0.0.1:8080/dicom-web. */
  baseUrl?: string;
}

/** Answers a QIDO-RS search of `path` (relative to the root); never throws for bad input. */
export function answerQido(context: QidoContext, path: string, params: URLSearchParams, accept?: string | null): WebAnswer {
  const target = qidoTarget(path);
  if (!target)
    return webRefusal(
      404,
      `${path.slice(0, 120)} is not a QIDO-RS resource: search /studies, /series, /instances, /studies/{study}/series or /studies/{study}/series/{series}/instances.`,
    );
  if (!acceptsJson(accept)) return webRefusal(406, 'Matches are offered as application/dicom+json only.');
  let search: QidoSearch;
  try {
    search = parseSearch(target, params);
  } catch (e) {
    if (e instanceof QidoInputError) return webRefusal(400, e.message);
    throw e;
  }
  const { level, identifier, limit, offset } = search;
  const out: string[] = [];
  // the SQL limit covers the skipped rows too; an offset past the matches answers none
  const rows = context.cache.find(level, 'study', findKeysOf(identifier), { caseInsensitivePN: context.caseInsensitivePN, limit: offset + limit + 1 });
  let seen = 0;
  let more = false;
  try {
    for (const row of rows) {
      if (seen++ < offset) continue;
      if (out.length >= limit) {
        more = true;
        break;
      }
      const ds = responseIdentifier(identifier, row, level, context.aeTitle);
      ds.delete(QUERY_RETRIEVE_LEVEL_TAG);
      if (!identifier.has(RETRIEVE_AE_TITLE)) ds.delete(RETRIEVE_AE_TITLE);
      const url = retrieveUrl(context.baseUrl, level, row);
      if (url) ds.set(RETRIEVE_URL, { vr: 'UR', value: [url] });
      out.push(JSON.stringify(jsonOf(ds)));
    }
  } finally {
    rows.return?.();
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/dicom+json', 'Cache-Control': 'no-store' };
  // PS3.18 §10.6.3.3: an answer cut short says so in a Warning header
  if (more && search.capped)
    headers.Warning = `299 Priors: "The number of results exceeded the maximum supported by the server (${QIDO_MAX_LIMIT}); additional results can be requested with offset."`;
  const body = Buffer.from(`[${out.join(',')}]`);
  headers['Content-Length'] = String(body.length);
  return { status: 200, headers, body };
}

/** RetrieveURL (0008,1190) of a study or series match (PS3.18 Table 10.6.3-3 and -4). */
function retrieveUrl(base: string | undefined, level: QueryLevel, row: Record<string, unknown>): string | undefined {
  if (base === undefined) return undefined;
  const study = row.StudyInstanceUID;
  if (typeof study !== 'string') return undefined;
  if (level === 'STUDY') return `${base}/studies/${study}`;
  const series = row.SeriesInstanceUID;
  if (level === 'SERIES' && typeof series === 'string') return `${base}/studies/${study}/series/${series}`;
  return undefined;
}

/** The keywords of the query keys of the Study Root model at a level (for the conformance statement). */
export function qidoMatchingKeys(level: 'STUDY' | 'SERIES' | 'IMAGE'): string[] {
  const entities = ENTITIES_OF_LEVEL[level];
  const indexed = new Set(INDEXED_ATTRIBUTES.filter((a) => entities.includes(a.entity)).map((a) => a.keyword));
  return queryKeys('study', level)
    .map((k) => keywordOf(k.tag) ?? k.keyword)
    .filter((k) => indexed.has(k));
}
