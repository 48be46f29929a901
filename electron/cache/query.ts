/**
 * C-FIND over the index: the matching of PS3.4 C.2.2.2 translated to SQL, rows returned lazily.
 * shared/dicom/matching.ts is the reference; test/unit/electron/cache/query.test.ts checks that both agree.
 *
 * - Universal Matching (C.2.2.2.3): a key without value (or "*") adds no condition.
 * - Single Value Matching (C.2.2.2.1): `=`; PN case-insensitive on request (upper-cased forms).
 * - List of UID Matching (C.2.2.2.2): `IN (...)`.
 * - Wild Card Matching (C.2.2.2.4): GLOB ("*", "?" as in DICOM; "[" escaped as "[[]"), plus a
 *   range on the literal prefix so that the index is used (`col >= 'ABC' AND col < 'ABC'||U+10FFFF`).
 *   Case-insensitive PN matching GLOBs the upper-cased pattern on upper-cased forms, so it is
 *   indexed too (LIKE would fold ASCII only and needs a NOCASE index).
 * - Range Matching (C.2.2.2.5): on normalized YYYYMMDD dates and HHMMSS.FFFFFF time periods;
 *   with `dateTimeMatching`, a date key and its time key combine into one date-time range.
 * - Empty Value Matching (C.2.2.2.7): `""` matches absent or empty values.
 * - A key of several values (other than UIDs) matches when any of them matches (C.2.2.2.8
 *   note 4: Priors' choice without Multiple Value Matching); Modalities in Study 'CT\MR' thus
 *   matches studies with a CT or an MR series.
 */
import { parseRange, WILD_CARD_VRS, matchesKey } from '../../shared/dicom/matching.js';
import { QUERY_MODELS, type QueryLevel, type QueryModel } from '../../shared/dicom/query.js';
import type { Db } from './db.js';
import { ALIAS, DATE_TIME_PAIRS, ENTITIES_OF_LEVEL, FROM_OF_LEVEL, INDEXED_ATTRIBUTES, indexedAttribute, type IndexedAttribute } from './query-keys.js';
import { foldCase, normalizePersonName } from './normalize.js';

/** One key of an identifier: its keyword and values (`[]` for a universal key). */
export interface FindKey {
  keyword: string;
  value: string[];
}

/** Options of {@link find}. */
export interface FindOptions {
  /** Match PN regardless of case (PS3.4 C.2.2.2.1 permits it; default false). */
  caseInsensitivePN?: boolean;
  /** At most this many rows. */
  limit?: number;
  /** Combine a date key with its time key into one date-time range (C.2.2.2.5; negotiated, C.5.1.1.2). */
  dateTimeMatching?: boolean;
}

/** A query as SQL, for {@link find} and for tests (EXPLAIN QUERY PLAN). */
export interface CompiledQuery {
  sql: string;
  /** Named parameters (@p0, @p1…), so that the SQL text can be assembled in any order. */
  params: Record<string, unknown>;
}

const NEVER = '0';
const FULL_DAY = { low: '000000.000000', high: '235959.999999' };

function cleanValues(attr: IndexedAttribute, raw: readonly string[]): string[] {
  return raw
    .flatMap((v) => v.split('\\'))
    .map((v) => (attr.vr === 'UI' ? v.replace(/[\0 ]+$/, '').trim() : v.trim()))
    .filter((v) => v !== '');
}

function hasWildcard(attr: IndexedAttribute, v: string): boolean {
  return WILD_CARD_VRS.has(attr.vr) && /[*?]/.test(v);
}

class Builder {
  readonly params: Record<string, unknown> = {};
  private n = 0;
  constructor(private readonly options: FindOptions) {}

  p(v: unknown): string {
    const name = `p${this.n++}`;
    this.params[name] = v;
    return `@${name}`;
  }

  list(values: readonly unknown[]): string {
    return values.map((v) => this.p(v)).join(', ');
  }

  /** Wild card (GLOB) with an indexable prefix range, or equality. */
  textMatch(col: string, v: string, wildcard: boolean): string {
    if (!wildcard) return `${col} = ${this.p(v)}`;
    const glob = `${col} GLOB ${this.p(v.replaceAll('[', '[[]'))}`;
    const prefix = v.slice(0, v.search(/[*?]/));
    if (prefix === '') return glob;
    return `(${glob} AND ${col} >= ${this.p(prefix)} AND ${col} < ${this.p(`${prefix}\u{10FFFF}`)})`;
  }

  any(conditions: string[]): string {
    return conditions.length === 1 ? conditions[0]! : `(${conditions.join(' OR ')})`;
  }

  /** The condition of one key, or undefined for universal matching. */
  key(attr: IndexedAttribute, values: string[]): string | undefined {
    const col = `${ALIAS[attr.entity]}.${attr.column}`;
    if (values.length === 0) return undefined; // C.2.2.2.3
    if (values.some((v) => hasWildcard(attr, v) && /^\*+$/.test(v))) return undefined; // "*" is universal (C.2.2.2.4)
    if (values.length === 1 && values[0] === '""') {
      // C.2.2.2.7 Empty Value Matching
      if (attr.kind === 'patient-name') return 'p.PatientName IS NULL';
      return `(${col} IS NULL OR ${col} = '')`;
    }
    switch (attr.kind) {
      case 'uid':
        return values.length === 1 ? `${col} = ${this.p(values[0])}` : `${col} IN (${this.list(values)})`;
      case 'text': {
        const exact = values.filter((v) => !hasWildcard(attr, v));
        const conditions = values.filter((v) => hasWildcard(attr, v)).map((v) => this.textMatch(col, v, true));
        if (exact.length === 1) conditions.push(`${col} = ${this.p(exact[0])}`);
        if (exact.length > 1) conditions.push(`${col} IN (${this.list(exact)})`);
        return this.any(conditions);
      }
      case 'number':
      case 'count':
        return this.any(
          values.map((v) => {
            const n = Number(v);
            if (!Number.isFinite(n)) return attr.kind === 'count' ? NEVER : `${col} = ${this.p(v)}`;
            return attr.kind === 'count' ? `${col} = ${this.p(n)}` : `dicom_number(${col}) = ${this.p(n)}`;
          }),
        );
      case 'date':
      case 'time':
        return this.any(values.map((v) => this.range(attr, col, v)));
      case 'patient-name':
        return this.patientName(values);
      case 'person-name':
        return `pn_match(${this.p(values.join('\\'))}, ${col}, ${this.p(this.options.caseInsensitivePN ? 1 : 0)})`;
      case 'modalities': {
        const conditions = values.map((v) => this.textMatch('Modality', v, hasWildcard(attr, v)));
        return `s.id IN (SELECT study_pk FROM series WHERE ${conditions.join(' OR ')})`;
      }
      case 'uid-set':
        return this.any(values.map((v) => `instr('\\' || ${col} || '\\', ${this.p(`\\${v}\\`)}) > 0`));
    }
  }

  /** Range Matching of one DA or TM key value (C.2.2.2.5): the stored period overlaps the range. */
  range(attr: IndexedAttribute, col: string, v: string): string {
    const r = parseRange(v, attr.vr);
    if (!r || (r.from !== undefined && r.to !== undefined && r.from > r.to)) return NEVER;
    const [low, high] = attr.kind === 'date' ? [`${col}N`, `${col}N`] : [`${col}Low`, `${col}High`];
    const parts: string[] = [];
    if (r.from !== undefined) parts.push(`${high} >= ${this.p(r.from)}`);
    if (r.to !== undefined) parts.push(`${low} <= ${this.p(r.to)}`);
    return parts.length === 0 ? NEVER : `(${parts.join(' AND ')})`;
  }

  /** Patient's Name through patient_name_form: each value, whole or by component group (PS3.5 §6.2.1). */
  patientName(values: string[]): string {
    const ci = this.options.caseInsensitivePN === true;
    const col = ci ? 'form_upper' : 'form';
    const conditions = values.map((k) => {
      const wildcard = /[*?]/.test(k);
      const pattern = wildcard ? k : normalizePersonName(k);
      const c = this.textMatch(col, ci ? foldCase(pattern) : pattern, wildcard);
      return k.includes('=') ? `(whole = 1 AND ${c})` : c;
    });
    return `p.id IN (SELECT patient_pk FROM patient_name_form WHERE ${conditions.join(' OR ')})`;
  }

  /** Combined date-time range of a DA key and a TM key (C.2.2.2.5), or undefined when not applicable. */
  dateTime(date: IndexedAttribute, time: IndexedAttribute, dv: string[], tv: string[]): string | undefined {
    if (dv.length !== 1 || tv.length !== 1 || dv[0] === '""' || tv[0] === '""') return undefined;
    const d = parseRange(dv[0]!, 'DA');
    const t = parseRange(tv[0]!, 'TM');
    if (!d || !t) return NEVER;
    const from = d.from === undefined ? undefined : d.from + (t.from ?? FULL_DAY.low);
    const to = d.to === undefined ? undefined : d.to + (t.to ?? FULL_DAY.high);
    if (from !== undefined && to !== undefined && from > to) return NEVER;
    const a = ALIAS[date.entity];
    const day = `${a}.${date.column}N`;
    const parts = [`${day} IS NOT NULL`];
    // The date bounds alone are implied by the date-time bounds; they let the date index be used.
    if (d.from !== undefined) parts.push(`${day} >= ${this.p(d.from)}`, `${day} || coalesce(${a}.${time.column}High, '${FULL_DAY.high}') >= ${this.p(from)}`);
    if (d.to !== undefined) parts.push(`${day} <= ${this.p(d.to)}`, `${day} || coalesce(${a}.${time.column}Low, '${FULL_DAY.low}') <= ${this.p(to)}`);
    return `(${parts.join(' AND ')})`;
  }
}

/**
 * Builds the SQL of a C-FIND at `level` of `model`. Keys of the level and the levels above are
 * matched; keys the cache does not store, or of lower levels, are ignored.
 * @throws RangeError when the model has no such level.
 */
export function compileFind(level: QueryLevel, model: QueryModel, keys: readonly FindKey[], options: FindOptions = {}): CompiledQuery {
  if (!QUERY_MODELS[model].levels.includes(level)) {
    throw new RangeError(`The ${level} level is not part of the ${QUERY_MODELS[model].name}`);
  }
  const entities = ENTITIES_OF_LEVEL[level];
  const b = new Builder(options);
  const given = new Map<string, { attr: IndexedAttribute; values: string[] }>();
  for (const k of keys) {
    const attr = indexedAttribute(k.keyword);
    if (!attr || !entities.includes(attr.entity)) continue;
    given.set(attr.keyword, { attr, values: cleanValues(attr, k.value) });
  }
  const where: string[] = [];
  if (options.dateTimeMatching) {
    for (const [dk, tk] of DATE_TIME_PAIRS) {
      const d = given.get(dk);
      const t = given.get(tk);
      if (!d || !t || d.values.length === 0) continue;
      const c = b.dateTime(d.attr, t.attr, d.values, t.values);
      if (c === undefined) continue;
      where.push(c);
      given.delete(dk);
      given.delete(tk);
    }
  }
  for (const { attr, values } of given.values()) {
    const c = b.key(attr, values);
    if (c !== undefined) where.push(c);
  }
  const select = INDEXED_ATTRIBUTES.filter((x) => entities.includes(x.entity)).map((x) => `${ALIAS[x.entity]}.${x.column} AS ${x.keyword}`);
  let sql = `SELECT ${select.join(', ')} FROM ${FROM_OF_LEVEL[level]}`;
  if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
  if (options.limit !== undefined) sql += ` LIMIT ${b.p(Math.max(0, Math.floor(options.limit)))}`;
  return { sql, params: b.params };
}

/** Registers the SQL functions queries use (pn_match, dicom_number) on a connection. */
export function registerQueryFunctions(db: Db): void {
  db.function('pn_match', { deterministic: true }, (key: unknown, candidate: unknown, ci: unknown) =>
    matchesKey('PN', String(key ?? ''), candidate === null || candidate === undefined ? undefined : String(candidate), { caseInsensitivePN: ci === 1 }) ? 1 : 0,
  );
  db.function('dicom_number', { deterministic: true }, (v: unknown) => {
    if (typeof v === 'number') return v;
    if (typeof v !== 'string' || v.trim() === '') return null;
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : null;
  });
}

/**
 * Runs a C-FIND against the index: a lazy iterator of rows, each holding the attributes of the
 * level and the levels above (aggregates included) keyed by DICOM keyword; absent values are
 * left out; multi-valued ones are backslash-separated strings; counts are numbers.
 * Iterate it to the end or call `return()` (a `for…of` with `break` does): an open iterator
 * holds a read snapshot on `db`. Run it on the cache's read connection, so that writes go on.
 */
export function* find(
  db: Db,
  level: QueryLevel,
  model: QueryModel,
  keys: readonly FindKey[],
  options: FindOptions = {},
): IterableIterator<Record<string, unknown>> {
  const q = compileFind(level, model, keys, options);
  const statement = prepared(db, q.sql);
  const names = statement.columns().map((c) => c.name);
  for (const row of statement.iterate(q.params) as IterableIterator<unknown[]>) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) if (row[i] !== null) out[names[i]!] = row[i];
    yield out;
  }
}

/** Most statements kept prepared per connection: a C-FIND's SQL depends only on which keys it matches. */
const STATEMENT_CACHE_SIZE = 256;
const statements = new WeakMap<Db, Map<string, ReturnType<Db['prepare']>>>();

/**
 * A prepared statement for `sql` on `db`, in raw mode (rows as arrays), from a small cache:
 * preparing costs as much as running a selective query, and the SQL of a C-FIND varies only
 * with the set of keys matched, not their values (those are bound parameters).
 */
function prepared(db: Db, sql: string): ReturnType<Db['prepare']> {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  // An iterator still open on it (another C-FIND of the same shape being answered): use a new one.
  if (statement?.busy) return db.prepare(sql).raw(true);
  if (!statement) {
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    statement = db.prepare(sql).raw(true);
    cache.set(sql, statement);
  }
  return statement;
}
