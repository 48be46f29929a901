/**
 * Query keys as people write them (`PatientName=DOE^*`, `0020,000D=1.2.3`, `StudyDate`) turned
 * into request identifiers (PS3.4 C.4.1.1.3.1), with the level deduced or checked and the
 * default return keys added.
 */
import { type DataSet, type Tag, type VR, SINGLE_VALUE_TEXT_VRS, STRING_VRS, getStrings } from '../../../shared/dicom/dataset.js';
import { keywordOf, parseTagOrKeyword, vrOf } from '../../../shared/dicom/dictionary.js';
import { formatPatientIds } from '../../../shared/search.js';
import {
  QUERY_MODELS,
  QUERY_RETRIEVE_LEVEL_TAG,
  type QueryLevel,
  type QueryModel,
  type QueryService,
  queryKeys,
  uniqueKey,
  validateIdentifier,
} from '../../../shared/dicom/query.js';
import { SPECIFIC_CHARACTER_SET } from '../../../shared/dicom/tags.js';

/** Thrown for a key that cannot be read; the message is one sentence. */
export class QueryKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryKeyError';
  }
}

/** One key: its tag, VR and values ([] = universal matching / return key). */
export interface ParsedKey {
  tag: Tag;
  vr: VR;
  values: string[];
}

/** Reads `Keyword=Value`, `gggg,eeee=Value` or a bare key (a return key). */
export function parseKey(text: string): ParsedKey {
  const eq = text.indexOf('=');
  const name = (eq >= 0 ? text.slice(0, eq) : text).trim();
  const value = eq >= 0 ? text.slice(eq + 1) : '';
  let tag: Tag;
  try {
    tag = parseTagOrKeyword(name);
  } catch {
    throw new QueryKeyError(`"${name}" is not a DICOM keyword or tag: write keys as Keyword=Value (e.g. PatientID=123) or gggg,eeee=Value`);
  }
  const vr = vrOf(tag);
  if (vr === 'SQ') throw new QueryKeyError(`${keywordOf(tag) ?? name} is a sequence: sequence matching is not supported on the command line`);
  if (!STRING_VRS.has(vr)) throw new QueryKeyError(`${keywordOf(tag) ?? name} has VR ${vr}, which cannot be used as a query key here`);
  const values = value === '' ? [] : SINGLE_VALUE_TEXT_VRS.has(vr) ? [value] : value.split('\\');
  return { tag, vr, values };
}

/** Builds an identifier from parsed keys; Specific Character Set 'ISO_IR 192' when any value is not ASCII. */
export function identifierFromKeys(keys: readonly ParsedKey[]): DataSet {
  const ds: DataSet = new Map();
  for (const k of keys) {
    if (k.tag === QUERY_RETRIEVE_LEVEL_TAG) throw new QueryKeyError('Give the level with -L, not as a key');
    if (ds.has(k.tag)) throw new QueryKeyError(`${keywordOf(k.tag) ?? k.tag.toString(16)} is given twice`);
    ds.set(k.tag, { vr: k.vr, value: k.values });
  }
  markCharacterSet(ds);
  return ds;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Sets Specific Character Set to ISO_IR 192 (UTF-8) when a text value is not plain ASCII. */
export function markCharacterSet(ds: DataSet): void {
  if (ds.has(SPECIFIC_CHARACTER_SET)) return;
  for (const el of ds.values()) {
    if (Array.isArray(el.value) && (el.value as unknown[]).some((v) => typeof v === 'string' && !isAscii(v))) {
      ds.set(SPECIFIC_CHARACTER_SET, { vr: 'CS', value: ['ISO_IR 192'] });
      return;
    }
  }
}

/** Optional keys worth showing by default, when the level has them. */
const USEFUL_OPTIONAL = new Set([
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientSex',
  'StudyDescription',
  'ModalitiesInStudy',
  'NumberOfStudyRelatedSeries',
  'NumberOfStudyRelatedInstances',
  'SeriesDescription',
  'NumberOfSeriesRelatedInstances',
  'NumberOfPatientRelatedStudies',
  'SOPClassUID',
]);

/** Adds the level's Unique, Required and a few useful Optional keys as return keys, unless present. */
export function addDefaultReturnKeys(ds: DataSet, model: QueryModel, level: QueryLevel): DataSet {
  for (const k of queryKeys(model, level)) {
    if (ds.has(k.tag)) continue;
    if (k.type === 'U' || k.type === 'R' || USEFUL_OPTIONAL.has(k.keyword)) ds.set(k.tag, { vr: k.vr, value: [] });
  }
  return ds;
}

/**
 * The level a retrieval is meant at, from its keys: the lowest level whose unique key holds a
 * value (SOPInstanceUID → IMAGE, SeriesInstanceUID → SERIES, StudyInstanceUID → STUDY, PatientID → PATIENT).
 */
export function deduceLevel(ds: DataSet, model: QueryModel): QueryLevel | undefined {
  const levels = [...QUERY_MODELS[model].levels].reverse();
  for (const level of levels) {
    const key = uniqueKey(model, level);
    if (key && getStrings(ds, key.tag).some((v) => v.trim() !== '')) return level;
  }
  return undefined;
}

/** Checks an identifier for a service and model (PS3.4 C.4.x.2.1); throws QueryKeyError with the reason. */
export function checkIdentifier(ds: DataSet, model: QueryModel, level: QueryLevel, service: QueryService, relational = false): void {
  const probe: DataSet = new Map(ds);
  probe.set(QUERY_RETRIEVE_LEVEL_TAG, { vr: 'CS', value: [level] });
  const check = validateIdentifier(probe, model, service, { relational });
  if (check.error) throw new QueryKeyError(check.error);
}

/** A match as plain data: keyword (or tag) → values joined with backslash. */
export type MatchRow = Record<string, string>;

/** Other Patient IDs Sequence (0010,1002). */
export const OTHER_PATIENT_IDS_SEQUENCE: Tag = 0x00101002;

/**
 * Converts a response identifier to a row, leaving out Query/Retrieve Level and Specific
 * Character Set. Sequences are left out, except the Other Patient IDs Sequence, whose items
 * become `ID^^^Issuer` values (shared/search.ts) when it has any.
 */
export function rowOf(ds: DataSet): MatchRow {
  const row: MatchRow = {};
  for (const [t, el] of [...ds.entries()].sort((a, b) => a[0] - b[0])) {
    if (t === QUERY_RETRIEVE_LEVEL_TAG || t === SPECIFIC_CHARACTER_SET) continue;
    if (t === OTHER_PATIENT_IDS_SEQUENCE && el.vr === 'SQ' && Array.isArray(el.value)) {
      const ids = (el.value as DataSet[]).flatMap((item) => {
        const PatientID = getStrings(item, 0x00100020)[0]?.trim() ?? '';
        const issuer = getStrings(item, 0x00100021)[0]?.trim();
        return PatientID ? [{ PatientID, ...(issuer ? { IssuerOfPatientID: issuer } : {}) }] : [];
      });
      if (ids.length) row.OtherPatientIDsSequence = formatPatientIds(ids);
      continue;
    }
    if (!Array.isArray(el.value) || el.vr === 'SQ') continue;
    const name = keywordOf(t) ?? t.toString(16).padStart(8, '0');
    row[name] = (el.value as unknown[]).map(String).join('\\');
  }
  return row;
}
