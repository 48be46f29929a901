/**
 * The in-memory data set model used for command sets, query identifiers and the header
 * fields the cache indexes. Stored instances are never round-tripped through it: their
 * bytes stay as received (see electron/dimse and electron/cache).
 *
 * PS3.5 §7: a data set is an ordered set of data elements, each a tag, a VR and a value.
 */

/** A DICOM tag as one unsigned 32-bit number: (group << 16 | element) >>> 0. */
export type Tag = number;

/** Value Representations of PS3.5 §6.2 Table 6.2-1. */
export type VR =
  | 'AE'
  | 'AS'
  | 'AT'
  | 'CS'
  | 'DA'
  | 'DS'
  | 'DT'
  | 'FL'
  | 'FD'
  | 'IS'
  | 'LO'
  | 'LT'
  | 'OB'
  | 'OD'
  | 'OF'
  | 'OL'
  | 'OV'
  | 'OW'
  | 'PN'
  | 'SH'
  | 'SL'
  | 'SQ'
  | 'SS'
  | 'ST'
  | 'SV'
  | 'TM'
  | 'UC'
  | 'UI'
  | 'UL'
  | 'UN'
  | 'UR'
  | 'US'
  | 'UT'
  | 'UV';

/**
 * The value of one element:
 * - string VRs: the values split on backslash (except LT, ST, UT, UR, which hold one value),
 *   decoded through the data set's Specific Character Set, trailing padding removed.
 *   An element present with zero length (a universal match key in a query) is `[]`.
 * - US, UL, SS, SL, FL, FD, AT (AT as tag numbers): numbers.
 * - SV, UV: bigints.
 * - OB, OW, OD, OF, OL, OV, UN and pixel data: the raw bytes, in the data set's byte order.
 * - SQ: the items, each a data set.
 */
export type ElementValue = string[] | number[] | bigint[] | Uint8Array | DataSet[];

/** One data element: its VR and value (the tag is the map key). */
export interface DataElement {
  vr: VR;
  value: ElementValue;
}

/** A data set: elements keyed by tag. Encoders write them in ascending tag order. */
export type DataSet = Map<Tag, DataElement>;

/** Builds a tag from its group and element numbers. */
export function tag(group: number, element: number): Tag {
  return ((group << 16) | element) >>> 0;
}

/** The group number of a tag. */
export function groupOf(t: Tag): number {
  return t >>> 16;
}

/** The element number of a tag. */
export function elementOf(t: Tag): number {
  return t & 0xffff;
}

/** Formats a tag the way the standard prints it: `(0010,0010)`. */
export function formatTag(t: Tag): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  return `(${hex(groupOf(t))},${hex(elementOf(t))})`;
}

/** VRs whose value is text. */
export const STRING_VRS: ReadonlySet<VR> = new Set<VR>(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

/** String VRs that hold exactly one value, backslash included (PS3.5 §6.2). */
export const SINGLE_VALUE_TEXT_VRS: ReadonlySet<VR> = new Set<VR>(['LT', 'ST', 'UT', 'UR']);

/** The first string value of an element, or undefined when absent or empty. */
export function getString(ds: DataSet, t: Tag): string | undefined {
  const el = ds.get(t);
  if (!el || !Array.isArray(el.value) || el.value.length === 0) return undefined;
  const v = el.value[0];
  return typeof v === 'string' ? v : String(v);
}

/** All string values of an element ([] when absent). */
export function getStrings(ds: DataSet, t: Tag): string[] {
  const el = ds.get(t);
  if (!el || !Array.isArray(el.value)) return [];
  return (el.value as unknown[]).map((v) => (typeof v === 'string' ? v : String(v)));
}

/** The first numeric value of an element, or undefined. */
export function getNumber(ds: DataSet, t: Tag): number | undefined {
  const el = ds.get(t);
  if (!el || !Array.isArray(el.value) || el.value.length === 0) return undefined;
  const v = el.value[0];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The items of a sequence ([] when absent). */
export function getItems(ds: DataSet, t: Tag): DataSet[] {
  const el = ds.get(t);
  return el && el.vr === 'SQ' ? (el.value as DataSet[]) : [];
}

/** Sets a string element (one value, or several joined by the encoder with backslash). */
export function setString(ds: DataSet, t: Tag, vr: VR, value: string | string[] | undefined): DataSet {
  ds.set(t, { vr, value: value === undefined ? [] : Array.isArray(value) ? value : [value] });
  return ds;
}

/** Sets a numeric element (US, UL, SS, SL, FL, FD, AT). */
export function setNumber(ds: DataSet, t: Tag, vr: VR, value: number | number[]): DataSet {
  ds.set(t, { vr, value: Array.isArray(value) ? value : [value] });
  return ds;
}

/** A deep copy of a data set (values that are arrays or bytes are copied too). */
export function cloneDataSet(ds: DataSet): DataSet {
  const out: DataSet = new Map();
  for (const [t, el] of ds) {
    let value: ElementValue;
    if (el.value instanceof Uint8Array) value = el.value.slice();
    else if (el.vr === 'SQ') value = (el.value as DataSet[]).map(cloneDataSet);
    else value = [...(el.value as unknown[])] as ElementValue;
    out.set(t, { vr: el.vr, value });
  }
  return out;
}

/** The tags of a data set in ascending order (the order of PS3.5 §7.1). */
export function sortedTags(ds: DataSet): Tag[] {
  return [...ds.keys()].sort((a, b) => a - b);
}
