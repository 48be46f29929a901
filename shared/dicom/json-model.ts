/**
 * The DICOM JSON Model (PS3.18 Annex F.2) both ways: an answer of QIDO-RS (an array of such
 * objects) read into match rows keyword → values as C-FIND answers give them, and data sets
 * written as JSON for our own QIDO-RS, WADO-RS metadata and STOW-RS answers. Pure code.
 */
import { type DataSet, type Tag } from './dataset.js';
import { keywordOf } from './dictionary.js';

/** One attribute of the JSON model (F.2.2): its VR and its values, or bulk data by reference or inline. */
export interface JsonAttribute {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}

/** One data set of the JSON model: attribute tags as eight hex digits → attribute. */
export type JsonDataSet = Record<string, JsonAttribute>;

const NUMBER_VRS = new Set(['IS', 'DS', 'US', 'UL', 'SS', 'SL', 'FL', 'FD', 'SV', 'UV']);
const BINARY_VRS = new Set(['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN']);

/** The tag of an attribute key ("0020000D"), or undefined when it is not eight hex digits. */
export function tagOfKey(key: string): Tag | undefined {
  return /^[0-9A-Fa-f]{8}$/.test(key) ? Number.parseInt(key, 16) >>> 0 : undefined;
}

/** The attribute key of a tag: eight upper-case hex digits (F.2.1.1). */
export function keyOfTag(t: Tag): string {
  return t.toString(16).toUpperCase().padStart(8, '0');
}

/**
 * A Person Name value (F.2.2, PS3.5 §6.2): its Alphabetic, Ideographic and Phonetic groups
 * joined by '=', as C-FIND carries it; trailing empty groups dropped.
 */
export function personNameText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v !== 'object' || v === null) return '';
  const o = v as Record<string, unknown>;
  const groups = [o.Alphabetic, o.Ideographic, o.Phonetic].map((g) => (typeof g === 'string' ? g : ''));
  while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
  return groups.join('=');
}

/** The values of an attribute as text, as in a C-FIND answer; undefined for sequences and bulk data. */
export function attributeText(a: JsonAttribute): string[] | undefined {
  if (a.vr === 'SQ' || BINARY_VRS.has(a.vr) || a.BulkDataURI !== undefined || a.InlineBinary !== undefined) return undefined;
  if (!Array.isArray(a.Value)) return [];
  return a.Value.map((v) => (v === null || v === undefined ? '' : a.vr === 'PN' ? personNameText(v) : String(v)));
}

/**
 * A JSON data set as a match row (keyword → values joined with '\'). With `requested`, only those
 * tags, each present (empty when the node left it out), as a C-FIND answer holds every requested
 * key (PS3.4 C.4.1.1.3.2); without, every text attribute.
 */
export function matchRowOf(json: JsonDataSet, requested?: readonly Tag[]): Record<string, string> {
  const row: Record<string, string> = {};
  const wanted = requested ? new Set(requested) : undefined;
  const entries = Object.entries(json)
    .map(([k, a]) => [tagOfKey(k), a] as const)
    .filter((e): e is readonly [Tag, JsonAttribute] => e[0] !== undefined && typeof e[1] === 'object' && e[1] !== null)
    .sort((x, y) => x[0] - y[0]);
  for (const [t, a] of entries) {
    if (wanted && !wanted.has(t)) continue;
    if (t === 0x00080005) continue; // Specific Character Set: JSON is UTF-8 (F.2)
    const text = attributeText(a);
    if (text === undefined) continue;
    row[keywordOf(t) ?? keyOfTag(t).toLowerCase()] = text.join('\\');
  }
  for (const t of requested ?? []) {
    const name = keywordOf(t) ?? keyOfTag(t).toLowerCase();
    if (!(name in row) && t !== 0x00080005) row[name] = '';
  }
  return row;
}

/** Options of {@link jsonOf}. */
export interface JsonOfOptions {
  /** Binary values up to this many bytes go inline (base64); larger ones are left out (default 0: all left out). */
  inlineBinaryMax?: number;
}

/** A data set in the JSON model (F.2): text in UTF-8, numbers as numbers, names as groups. */
export function jsonOf(ds: DataSet, options: JsonOfOptions = {}): JsonDataSet {
  const out: JsonDataSet = {};
  for (const [t, el] of [...ds.entries()].sort((a, b) => a[0] - b[0])) {
    if ((t & 0xffff) === 0 || t === 0x00080005) continue; // group lengths; the character set is UTF-8 here
    const key = keyOfTag(t);
    const v = el.value;
    if (el.vr === 'SQ') {
      out[key] = { vr: 'SQ', ...(Array.isArray(v) && v.length ? { Value: (v as DataSet[]).map((item) => jsonOf(item, options)) } : {}) };
    } else if (v instanceof Uint8Array) {
      if (v.length > 0 && v.length <= (options.inlineBinaryMax ?? 0)) out[key] = { vr: el.vr, InlineBinary: base64(v) };
    } else if (el.vr === 'AT') {
      out[key] = { vr: 'AT', ...(v.length ? { Value: (v as number[]).map((n) => keyOfTag(n)) } : {}) };
    } else if (v.length === 0) {
      out[key] = { vr: el.vr };
    } else if (el.vr === 'PN') {
      out[key] = { vr: 'PN', Value: (v as string[]).map(personNameJson) };
    } else if (NUMBER_VRS.has(el.vr)) {
      out[key] = { vr: el.vr, Value: (v as unknown[]).map(numberJson) };
    } else {
      out[key] = { vr: el.vr, Value: (v as string[]).map((s) => (s === '' ? null : s)) };
    }
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function personNameJson(s: string): Record<string, string> | null {
  if (s === '') return null;
  const [alphabetic, ideographic, phonetic] = s.split('=');
  return {
    ...(alphabetic ? { Alphabetic: alphabetic } : {}),
    ...(ideographic ? { Ideographic: ideographic } : {}),
    ...(phonetic ? { Phonetic: phonetic } : {}),
  };
}

/** IS, DS and binary numbers as JSON numbers (F.2.3); a value that is no number (or too big) stays text. */
function numberJson(v: unknown): number | string | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  const s = String(v).trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}
