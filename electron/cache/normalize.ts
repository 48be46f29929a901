/**
 * The derived columns of the index: normalized dates and times for Range Matching, and the
 * forms of a Person Name for Single Value and Wild Card Matching (PS3.4 C.2.2.2). Computed in
 * one place so that rows written and keys queried are normalized alike, and in agreement with
 * shared/dicom/matching.ts, the reference the SQL must agree with.
 */
import { parseRange } from '../../shared/dicom/matching.js';

/** A DA value as YYYYMMDD (also from the ACR-NEMA form YYYY.MM.DD), or null when not a valid date. */
export function normalizeDate(value: string | undefined): string | null {
  if (!value || value.includes('-')) return null;
  const r = parseRange(value, 'DA');
  return r?.from ?? null;
}

/** The period a TM value names, as HHMMSS.FFFFFF bounds (PS3.5 §6.2: "10" is 10:00:00–10:59:59.999999). */
export function normalizeTime(value: string | undefined): { low: string | null; high: string | null } {
  if (!value || value.includes('-')) return { low: null, high: null };
  const r = parseRange(value, 'TM');
  return { low: r?.from ?? null, high: r?.to ?? null };
}

/** A PN value without the trailing empty components and groups PS3.5 §6.2.1 allows to be left out. */
export function normalizePersonName(value: string): string {
  return value
    .split('=')
    .map((g) => g.replace(/\^+$/, ''))
    .join('=')
    .replace(/=+$/, '');
}

/** Upper-casing for case-insensitive PN matching (the same folding on rows and keys). */
export function foldCase(s: string): string {
  return s.toUpperCase();
}

/** One form a Person Name can be matched by. */
export interface PersonNameForm {
  /** 1 for the whole (normalized) value, 0 for a component group alone. */
  whole: 0 | 1;
  form: string;
}

/**
 * The forms a Person Name attribute matches by: for each of its values, the whole normalized
 * value and each non-empty component group (alphabetic, ideographic, phonetic), without
 * repeats. A key without "=" may match any of them; a key with "=" only a whole value.
 */
export function personNameForms(value: string | undefined): PersonNameForm[] {
  if (!value) return [];
  const out: PersonNameForm[] = [];
  const seen = new Set<string>();
  for (const v of value.split('\\')) {
    const whole = normalizePersonName(v.trim());
    if (whole === '') continue;
    const key = `1|${whole}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ whole: 1, form: whole });
    }
    for (const group of whole.split('=')) {
      if (group === '' || seen.has(`0|${group}`) || group === whole) continue;
      seen.add(`0|${group}`);
      out.push({ whole: 0, form: group });
    }
  }
  return out;
}

/** A value as stored: multiple values joined with a backslash; absent or empty → null. */
export function joinValues(values: readonly string[] | undefined): string | null {
  if (!values || values.length === 0) return null;
  const s = values.join('\\');
  return s.replace(/\\+$/, '') === '' ? null : s;
}

/** A stored optional value (undefined and '' become null). */
export function orNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
