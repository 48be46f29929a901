/**
 * Attribute matching of PS3.4 C.2.2.2 as pure predicates: the local SCP's C-FIND, and the
 * tests that pin down what each matching type means. The cache runs its own SQL; this module
 * is the reference it must agree with.
 */
import type { VR } from './dataset.js';

/** The types of matching of PS3.4 C.2.2.2. */
export type MatchingType = 'single-value' | 'list-of-uid' | 'universal' | 'wild-card' | 'range' | 'sequence' | 'empty-value' | 'multiple-value';

/** Name and section of each matching type, for the conformance statement. */
export const MATCHING_TYPES: Readonly<Record<MatchingType, { readonly name: string; readonly citation: string }>> = {
  'single-value': { name: 'Single Value Matching', citation: 'PS3.4 C.2.2.2.1' },
  'list-of-uid': { name: 'List of UID Matching', citation: 'PS3.4 C.2.2.2.2' },
  universal: { name: 'Universal Matching', citation: 'PS3.4 C.2.2.2.3' },
  'wild-card': { name: 'Wild Card Matching', citation: 'PS3.4 C.2.2.2.4' },
  range: { name: 'Range Matching', citation: 'PS3.4 C.2.2.2.5' },
  sequence: { name: 'Sequence Matching', citation: 'PS3.4 C.2.2.2.6' },
  'empty-value': { name: 'Empty Value Matching', citation: 'PS3.4 C.2.2.2.7' },
  'multiple-value': { name: 'Multiple Value Matching', citation: 'PS3.4 C.2.2.2.8' },
};

/** VRs for which PS3.4 C.2.2.2.4 defines Wild Card Matching. */
export const WILD_CARD_VRS: ReadonlySet<VR> = new Set<VR>(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);

/** VRs with Range Matching (PS3.4 C.2.2.2.5). */
export const RANGE_VRS: ReadonlySet<VR> = new Set<VR>(['DA', 'TM', 'DT']);

/** VRs that {@link matchesKey} cannot compare as text. */
const UNMATCHABLE_VRS: ReadonlySet<VR> = new Set<VR>(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN', 'SQ']);

/** VRs whose value is a single text, backslash included (PS3.5 §6.2). */
const SINGLE_TEXT_VRS: ReadonlySet<VR> = new Set<VR>(['LT', 'ST', 'UT', 'UR']);

const NUMERIC_VRS: ReadonlySet<VR> = new Set<VR>(['IS', 'DS', 'US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV']);

/** The matching types a key of this VR supports (for the query model and the conformance statement). */
export function matchingTypesFor(vr: VR): MatchingType[] {
  if (vr === 'SQ') return ['sequence', 'universal'];
  if (vr === 'UI') return ['single-value', 'list-of-uid', 'universal'];
  if (RANGE_VRS.has(vr)) return ['single-value', 'range', 'universal'];
  if (WILD_CARD_VRS.has(vr)) return ['single-value', 'wild-card', 'universal'];
  return ['single-value', 'universal'];
}

/** Options of {@link matchesKey}. */
export interface MatchOptions {
  /** Match PN values regardless of case, as C.2.2.2.1 permits (default false: literal). */
  caseInsensitivePN?: boolean;
  /** A key value of `""` matches only empty or absent values, C.2.2.2.7 (default true). */
  emptyValueMatching?: boolean;
  /**
   * Multiple Value Matching negotiated (C.2.2.2.8): a multi-valued key matches only when every
   * key value matches a value of the entity. Without it the semantics are undefined (C.2.2.2.8
   * note 4) and Priors matches when any key value matches (default false).
   */
  multipleValueMatching?: boolean;
}

/** A normalized range: bounds as fixed-width strings that sort like the times they stand for. */
export interface DateTimeRange {
  from?: string;
  to?: string;
}

// ---------------------------------------------------------------------------------------------
// DA, TM, DT values as periods [low, high] (PS3.5 §6.2: omitted trailing components of TM and
// DT leave the value imprecise, so a partial value stands for the whole period it names).

interface Period {
  low: string;
  high: string;
}

/** Whether an optional two-digit component lies within bounds (PS3.5 §6.2 DA, TM, DT ranges). */
function between(v: string | undefined, min: number, max: number): boolean {
  return v === undefined || (Number(v) >= min && Number(v) <= max);
}

function timeInBounds(hh: string | undefined, mm: string | undefined, ss: string | undefined): boolean {
  return between(hh, 0, 23) && between(mm, 0, 59) && between(ss, 0, 60);
}

function daPeriod(s: string): Period | undefined {
  const v = /^\d{4}\.\d{2}\.\d{2}$/.test(s) ? s.replaceAll('.', '') : s; // ACR-NEMA form, PS3.5 §6.2 DA note
  if (!/^\d{8}$/.test(v) || !between(v.slice(4, 6), 1, 12) || !between(v.slice(6, 8), 1, 31)) return undefined;
  return { low: v, high: v };
}

function tmPeriod(s: string): Period | undefined {
  const v = /^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/.test(s) ? s.replaceAll(':', '') : s; // ACR-NEMA form
  const m = /^(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,6}))?$/.exec(v);
  if (!m || (m[4] !== undefined && m[3] === undefined)) return undefined;
  const [, hh, mm, ss, f] = m;
  if (!timeInBounds(hh, mm, ss)) return undefined;
  return {
    low: `${hh}${mm ?? '00'}${ss ?? '00'}.${(f ?? '').padEnd(6, '0')}`,
    high: `${hh}${mm ?? '59'}${ss ?? '59'}.${(f ?? '').padEnd(6, '9')}`,
  };
}

// The UTC offset suffix (&ZZXX) is ignored: Priors does not negotiate Timezone Query Adjustment.
const DT_PATTERN = '(\\d{4})(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(?:\\.(\\d{1,6}))?(?:[+-]\\d{4})?';
const DT_VALUE = new RegExp(`^${DT_PATTERN}$`);
const DT_RANGE = new RegExp(`^(?:${DT_PATTERN})?-(?:${DT_PATTERN})?$`);

function dtPeriod(s: string): Period | undefined {
  const m = DT_VALUE.exec(s);
  return m ? dtFromMatch(m, 1) : undefined;
}

function dtFromMatch(m: RegExpExecArray, i: number): Period | undefined {
  const [yyyy, mo, dd, hh, mi, ss, f] = m.slice(i, i + 7);
  if (f !== undefined && ss === undefined) return undefined;
  if (!between(mo, 1, 12) || !between(dd, 1, 31) || !timeInBounds(hh, mi, ss)) return undefined;
  return {
    low: `${yyyy}${mo ?? '01'}${dd ?? '01'}${hh ?? '00'}${mi ?? '00'}${ss ?? '00'}.${(f ?? '').padEnd(6, '0')}`,
    high: `${yyyy}${mo ?? '12'}${dd ?? '31'}${hh ?? '23'}${mi ?? '59'}${ss ?? '59'}.${(f ?? '').padEnd(6, '9')}`,
  };
}

function period(s: string, vr: VR): Period | undefined {
  if (vr === 'DA') return daPeriod(s);
  if (vr === 'TM') return tmPeriod(s);
  if (vr === 'DT') return dtPeriod(s);
  return undefined;
}

/**
 * Parses a DA, TM or DT key value into normalized bounds (PS3.4 C.2.2.2.5): `<a>-<b>`,
 * `-<b>` (everything up to and including b) or `<a>-` (a and everything after). A value without
 * "-" gives both bounds of the period it names. Bounds are fixed-width strings that sort like
 * the instants they stand for (DA `YYYYMMDD`, TM `HHMMSS.FFFFFF`, DT `YYYYMMDDHHMMSS.FFFFFF`);
 * a partial lower bound starts its period, a partial upper bound ends it. Undefined when the
 * value is not a valid date, time, date-time or range of them.
 */
export function parseRange(value: string, vr: VR): DateTimeRange | undefined {
  const v = value.trim();
  if (!RANGE_VRS.has(vr) || v === '' || v === '-') return undefined;
  if (vr === 'DT') {
    const single = dtPeriod(v);
    const m = DT_RANGE.exec(v);
    const a = m && m[1] !== undefined ? dtFromMatch(m, 1) : undefined;
    const b = m && m[8] !== undefined ? dtFromMatch(m, 8) : undefined;
    const isRange = m !== null && (m[1] === undefined || a !== undefined) && (m[8] === undefined || b !== undefined);
    // "20200101-0500" reads both as a date-time with a UTC offset and as a range ending in the
    // year 0500; an inverted range is no range, so the single value wins.
    if (isRange && !(single && a && b && a.low > b.high)) return { from: a?.low, to: b?.high };
    return single ? { from: single.low, to: single.high } : undefined;
  }
  const dash = v.indexOf('-');
  if (dash < 0) {
    const p = period(v, vr);
    return p ? { from: p.low, to: p.high } : undefined;
  }
  if (v.indexOf('-', dash + 1) >= 0) return undefined;
  const [a, b] = [v.slice(0, dash).trim(), v.slice(dash + 1).trim()];
  const pa = a === '' ? undefined : period(a, vr);
  const pb = b === '' ? undefined : period(b, vr);
  if ((a !== '' && !pa) || (b !== '' && !pb)) return undefined;
  return { from: pa?.low, to: pb?.high };
}

function inRange(r: DateTimeRange, p: Period): boolean {
  if (r.from !== undefined && r.to !== undefined && r.from > r.to) return false; // C.2.2.2.5: <a> shall be ≤ <b>
  return (r.from === undefined || p.high >= r.from) && (r.to === undefined || p.low <= r.to);
}

/**
 * Combined date-time Range Matching of a DA/TM key pair such as Study Date and Study Time
 * (PS3.4 C.2.2.2.5, when Date-time Matching was negotiated, C.5.1.1.2): "20060705-20060707"
 * with "1000-1800" means from 10:00 on 5 July to 18:00 on 7 July. When either key is
 * universal, the other is matched alone.
 */
export function matchesDateTimeRange(dateQuery: string, timeQuery: string, candidateDate: string | undefined, candidateTime: string | undefined): boolean {
  const dq = dateQuery.trim();
  const tq = timeQuery.trim();
  if (dq === '') return matchesKey('TM', tq, candidateTime);
  if (tq === '') return matchesKey('DA', dq, candidateDate);
  const d = parseRange(dq, 'DA');
  const t = parseRange(tq, 'TM');
  const day = candidateDate === undefined ? undefined : daPeriod(candidateDate.trim());
  if (!d || !t || !day) return false;
  const time = tmPeriod((candidateTime ?? '').trim()) ?? { low: '000000.000000', high: '235959.999999' };
  const range: DateTimeRange = {
    from: d.from === undefined ? undefined : d.from + (t.from ?? '000000.000000'),
    to: d.to === undefined ? undefined : d.to + (t.to ?? '235959.999999'),
  };
  return inRange(range, { low: day.low + time.low, high: day.high + time.high });
}

// ---------------------------------------------------------------------------------------------
// Wild cards, person names, single values.

/**
 * The regular expression of a Wild Card Matching pattern (PS3.4 C.2.2.2.4): "*" matches any
 * sequence of characters, including none, and "?" any single character; all else is literal.
 */
export function wildcardToRegExp(pattern: string, options: { caseInsensitive?: boolean } = {}): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else source += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, options.caseInsensitive ? 'iu' : 'u');
}

/** PN without the trailing empty components and groups PS3.5 §6.2.1 allows to be left out. */
function normalizePN(v: string): string {
  return v
    .split('=')
    .map((g) => g.replace(/\^+$/, ''))
    .join('=')
    .replace(/=+$/, '');
}

/** The forms of a candidate PN to compare a key with: the whole value, and each component group. */
function pnForms(v: string, key: string): string[] {
  const whole = normalizePN(v);
  return key.includes('=') ? [whole] : [whole, ...whole.split('=')];
}

function clean(vr: VR, s: string): string {
  // Leading and trailing spaces are not significant, except leading ones of LT, ST, UT (PS3.5 §6.2);
  // UI values are padded with NUL.
  if (vr === 'LT' || vr === 'ST' || vr === 'UT') return s.replace(/ +$/, '');
  return vr === 'UI' ? s.replace(/[\0 ]+$/, '').trim() : s.trim();
}

function values(vr: VR, v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  const list = typeof v === 'string' ? (SINGLE_TEXT_VRS.has(vr) ? [v] : v.split('\\')) : [...v];
  return list.map((s) => clean(vr, s));
}

function singleValueMatch(vr: VR, key: string, candidate: string, options: MatchOptions): boolean {
  if (vr === 'PN') {
    const fold = (s: string) => (options.caseInsensitivePN ? s.toUpperCase() : s);
    const k = fold(normalizePN(key));
    return pnForms(candidate, key).some((c) => fold(c) === k);
  }
  if (NUMERIC_VRS.has(vr)) {
    // IS and DS: implementation dependent (C.2.2.2.1); Priors compares the numbers they spell.
    const [a, b] = [Number(key), Number(candidate)];
    if (key !== '' && candidate !== '' && Number.isFinite(a) && Number.isFinite(b)) return a === b;
  }
  return key === candidate;
}

function matchOne(vr: VR, key: string, candidates: string[], options: MatchOptions): boolean {
  if (WILD_CARD_VRS.has(vr) && /[*?]/.test(key)) {
    if (/^\*+$/.test(key)) return true; // C.2.2.2.4: "*" is equivalent to Universal Matching
    const re = wildcardToRegExp(key, { caseInsensitive: vr === 'PN' && options.caseInsensitivePN === true });
    const forms = (c: string) => (vr === 'PN' ? pnForms(c, key) : [c]);
    return (candidates.length ? candidates : ['']).some((c) => forms(c).some((f) => re.test(f)));
  }
  if (RANGE_VRS.has(vr)) {
    const r = parseRange(key, vr);
    if (!r) return false;
    return candidates.some((c) => {
      const p = period(c, vr);
      return p !== undefined && inRange(r, p);
    });
  }
  return candidates.some((c) => c !== '' && singleValueMatch(vr, key, c, options));
}

/**
 * Whether an entity's value matches a key of a C-FIND request (PS3.4 C.2.2.2):
 * - Universal Matching (C.2.2.2.3): a zero-length key (or "*" for wild card VRs) matches all.
 * - Empty Value Matching (C.2.2.2.7): a key of `""` matches only empty or absent values.
 * - List of UID Matching (C.2.2.2.2): a UI key of several UIDs matches any one of them.
 * - Wild Card Matching (C.2.2.2.4): "*" and "?" in AE, CS, LO, LT, PN, SH, ST, UC, UR, UT keys;
 *   case sensitive except, with `caseInsensitivePN`, for PN.
 * - Range Matching (C.2.2.2.5): DA, TM and DT keys `<a>-<b>`, `-<b>`, `<a>-`; a single DA, TM
 *   or DT key is the range of the period it names, and an entity value (itself a period when
 *   partial, e.g. TM `10`) matches when its period overlaps the range.
 * - Single Value Matching (C.2.2.2.1): otherwise, exact and case sensitive except for PN.
 * - Multi-valued keys of other VRs: see {@link MatchOptions.multipleValueMatching}.
 * A multi-valued entity attribute matches when one of its values matches (C.2.2.3). Values may
 * be given as arrays (the data set model) or as backslash-separated strings.
 * @throws TypeError for VRs that are not text (SQ, OB, OW, UN...): Sequence Matching
 *   (C.2.2.2.6) is done item key by item key.
 */
export function matchesKey(
  keyVR: VR,
  queryValue: string | readonly string[],
  candidate: string | readonly string[] | undefined,
  options: MatchOptions = {},
): boolean {
  if (UNMATCHABLE_VRS.has(keyVR)) throw new TypeError(`A key of VR ${keyVR} cannot be matched as text (PS3.4 C.2.2.2)`);
  const keys = values(keyVR, queryValue).filter((k) => k !== '');
  if (keys.length === 0) return true; // C.2.2.2.3 Universal Matching
  const candidates = values(keyVR, candidate).filter((c, _i, all) => c !== '' || all.length === 1);
  if (keys.length === 1 && keys[0] === '""' && options.emptyValueMatching !== false) {
    return candidates.every((c) => c === ''); // C.2.2.2.7 Empty Value Matching
  }
  if (keyVR === 'UI') return candidates.some((c) => keys.includes(c)); // C.2.2.2.1 / C.2.2.2.2
  if (keys.length > 1 && options.multipleValueMatching) {
    return keys.every((k) => candidates.some((c) => singleValueMatch(keyVR, k, c, options))); // C.2.2.2.8
  }
  return keys.some((k) => matchOne(keyVR, k, candidates, options));
}
