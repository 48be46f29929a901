/**
 * How every validator of Priors says what is wrong: one sentence, the path of the first faulty
 * field and then what it must be and what it got, e.g.
 * `nodes[1].port must be an integer from 1 to 65535, got "abc"`. The schemas (zod) carry the
 * second half as their issue messages; {@link sentence} puts the path before it.
 * Pure code: no Node, no DOM.
 */
import { z } from 'zod';
import type { Result } from './result.js';

/** A value shown in an error sentence: strings quoted, the rest as JSON, long ones cut. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

/** The path of a field as sentences write it (`nodes[1].port`), after `root` when given. */
export function pathText(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/**
 * A problem as a form needs it: the path of the faulty field and what is wrong with it (the
 * message a sentence puts after the path). An unknown field is named by its own path.
 */
export interface Problem {
  path: (string | number)[];
  message: string;
}

/** The first issue as a {@link Problem}, or undefined when there is none. */
export function problemOf(issues: readonly z.core.$ZodIssue[]): Problem | undefined {
  const issue = issues[0];
  if (!issue) return undefined;
  const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
  return { path: path.map((p) => (typeof p === 'number' ? p : String(p))), message: issue.message };
}

/**
 * The sentence of the first issue: its field's path under `root` (`whole` when the value itself
 * is at fault), then the issue's message.
 */
export function sentence(issues: readonly z.core.$ZodIssue[], root = '', whole = root): string {
  const problem = problemOf(issues);
  if (!problem) return `${whole || 'the value'} is not valid`;
  const where = problem.path.length > 0 ? pathText(problem.path, root) : whole;
  // A message that begins with a colon is another check's own sentence, which names its fields.
  return !where ? problem.message : problem.message.startsWith(':') ? `${where}${problem.message}` : `${where} ${problem.message}`;
}

/** Parses `raw` with a schema: the value, or the sentence of its first issue. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown, root = '', whole = root): Result<T, string> {
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: sentence(r.error.issues, root, whole) };
}

/** Parses `raw` with a schema: the value, or its first {@link Problem} (for a form, which marks the field itself). */
export function problemWith<T>(schema: z.ZodType<T>, raw: unknown): Result<T, Problem> {
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: problemOf(r.error.issues) ?? { path: [], message: 'is not valid' } };
}

/** The message of a value of the wrong kind or out of bounds: `must be <what>, got <value>`. */
export function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) => `must be ${what}, got ${show(issue.input)}`;
}

/** true or false. */
export const bool = z.boolean({ error: expected('true or false') });

/** One of the given words. */
export function oneOf<const T extends readonly string[]>(values: T) {
  return z.enum(values, { error: expected(`one of ${values.map((v) => `"${v}"`).join(', ')}`) });
}

/**
 * An object with exactly these fields. A field not in the shape is refused with the sentence
 * `unknown` gives (from the known names, without `$` keys such as `$schema`, and the unknown
 * one); a value that is no object is `must be an object`, or `missing` when it is absent.
 */
export function strictObject<S extends z.core.$ZodLooseShape>(
  shape: S,
  words: { unknown: (names: string[], key: string) => string; missing?: string },
): z.ZodObject<S, z.core.$strict> {
  const names = Object.keys(shape).filter((k) => !k.startsWith('$'));
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? words.unknown(names, String(issue.keys[0]))
        : issue.input === undefined && words.missing
          ? words.missing
          : `must be an object, got ${show(issue.input)}`,
  });
}

/** A setting of the configuration: unknown names are refused with the known ones (they are usually typos). */
export function settings<S extends z.core.$ZodLooseShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  return strictObject(shape, { unknown: (names) => `is not a known setting (expected one of ${names.join(', ')})` });
}

/** Records an issue found across fields (in a transform) at `path`, relative to the value. */
export function fault(ctx: z.core.$RefinementCtx<unknown>, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', message, input: ctx.value, path });
}
