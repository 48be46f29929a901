/**
 * Small payload checkers for the API entries: each reads `unknown` (what JSON.parse or the IPC
 * structured clone gave) and returns the typed value, or throws a {@link PayloadError} whose
 * message names the field path, e.g. `keys.PatientName must be text, got 3`. Unknown fields
 * are errors. Pure code: no Node, no DOM.
 */
import { isValidUid } from '../dicom/uids.js';

/** A payload that does not match its entry; the message is one sentence naming the field. */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

/** Reads one value at `path` or throws a {@link PayloadError}. */
export type Check<T> = (raw: unknown, path: string) => T;

/** A value shown in an error sentence. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

function fail(path: string, complaint: string): never {
  throw new PayloadError(`${path || 'the payload'} ${complaint}`);
}

/** Text of `min`–`max` characters, matching `pattern` when given (described by `what`). */
export function text(min = 0, max = 1024, pattern?: RegExp, what?: string): Check<string> {
  return (raw, path) => {
    if (typeof raw !== 'string') fail(path, `must be text, got ${show(raw)}`);
    if (raw.length < min || raw.length > max) fail(path, `must be ${min}–${max} characters long, got ${raw.length}`);
    if (pattern && !pattern.test(raw)) fail(path, `must be ${what ?? `text matching ${pattern}`}, got ${show(raw)}`);
    return raw;
  };
}

/** A DICOM UID (PS3.5 §9.1). */
export const uid: Check<string> = (raw, path) => {
  if (typeof raw !== 'string' || !isValidUid(raw)) fail(path, `must be a DICOM UID (digits and dots, at most 64 characters), got ${show(raw)}`);
  return raw;
};

/** An identifier chosen by a caller (search or send id). */
export const clientId: Check<string> = text(1, 64, /^[A-Za-z0-9_-]+$/, 'letters, digits, "_" or "-"');

/** An integer from `min` to `max`. */
export function integer(min: number, max: number): Check<number> {
  return (raw, path) => {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) fail(path, `must be an integer from ${min} to ${max}, got ${show(raw)}`);
    return raw;
  };
}

/** true or false. */
export const bool: Check<boolean> = (raw, path) => {
  if (typeof raw !== 'boolean') fail(path, `must be true or false, got ${show(raw)}`);
  return raw;
};

/** One of the given strings. */
export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (raw, path) => {
    if (typeof raw !== 'string' || !values.includes(raw as T)) fail(path, `must be one of ${values.map((v) => `"${v}"`).join(', ')}, got ${show(raw)}`);
    return raw as T;
  };
}

/** A list of 1–`max` values (0 allowed when `min` is 0). */
export function list<T>(item: Check<T>, min: number, max: number): Check<T[]> {
  return (raw, path) => {
    if (!Array.isArray(raw)) fail(path, `must be a list, got ${show(raw)}`);
    if (raw.length < min || raw.length > max) fail(path, `must hold ${min}–${max} values, got ${raw.length}`);
    return raw.map((v, i) => item(v, `${path}[${i}]`));
  };
}

/** A plain object (not null, not a list). */
export function plainObject(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, `must be an object, got ${show(raw)}`);
  return raw as Record<string, unknown>;
}

/** The shape of an object: a checker per field; `?`-suffixed names are optional. */
export type Shape = Record<string, Check<unknown>>;

/**
 * An object with exactly these fields (`name?` optional; unknown fields refused). The result
 * holds only the fields given.
 */
export function object<T>(shape: Shape): Check<T> {
  const fields = Object.entries(shape).map(([key, check]) => ({ name: key.replace(/\?$/, ''), optional: key.endsWith('?'), check }));
  const known = new Set(fields.map((f) => f.name));
  return (raw, path) => {
    const o = plainObject(raw ?? {}, path);
    for (const key of Object.keys(o)) {
      if (!known.has(key)) fail(path ? `${path}.${key}` : key, `is not a known field${known.size ? ` (expected ${[...known].join(', ')})` : ''}`);
    }
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const at = path ? `${path}.${f.name}` : f.name;
      if (o[f.name] === undefined) {
        if (!f.optional) fail(at, 'is missing');
        continue;
      }
      out[f.name] = f.check(o[f.name], at);
    }
    return out as T;
  };
}

/** A map of text keys to text values (at most `max` entries), keys matching `keyPattern`. */
export function textMap(keyPattern: RegExp, max: number, valueMax = 1024): Check<Record<string, string>> {
  return (raw, path) => {
    const o = plainObject(raw, path);
    const entries = Object.entries(o);
    if (entries.length > max) fail(path, `must hold at most ${max} entries, got ${entries.length}`);
    const out: Record<string, string> = {};
    for (const [k, v] of entries) {
      if (!keyPattern.test(k)) fail(`${path}.${k}`, 'is not a valid key name');
      out[k] = text(0, valueMax)(v, `${path}.${k}`);
    }
    return out;
  };
}

/** A checker built on a validator that answers `{ ok, value | error }` with a full sentence (e.g. shared/config.ts). */
export function custom<T>(inner: (raw: unknown, path: string) => { ok: true; value: T } | { ok: false; error: string }): Check<T> {
  return (raw, path) => {
    const r = inner(raw, path);
    if (!r.ok) throw new PayloadError(r.error);
    return r.value;
  };
}
