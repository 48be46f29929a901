/**
 * The Specific Character Set (0008,0005) a node's queries are written in: the defined terms of
 * PS3.3 C.12.1.1.2 a node may expect, their labels, and the check of a configured value.
 * A value is written as it goes on the wire, values separated by a backslash: `ISO_IR 100`,
 * `\ISO 2022 IR 87` (the default repertoire, then JIS X 0208 by code extension). Pure code.
 */
import { z } from 'zod';
import type { Result } from '../result.js';
import { parseWith } from '../validation.js';

/** The default: UTF-8, what Priors sent before a node could say otherwise. */
export const DEFAULT_QUERY_CHARACTER_SET = 'ISO_IR 192';

/** One choice of the node form. */
export interface CharacterSetChoice {
  /** The Specific Character Set value, backslash-separated. */
  value: string;
  label: string;
}

/** The sets offered for a node's queries, most used first (PS3.3 Tables C.12-2, C.12-3, C.12-4, C.12-5). */
export const QUERY_CHARACTER_SETS: readonly CharacterSetChoice[] = [
  { value: 'ISO_IR 192', label: 'Unicode (UTF-8)' },
  { value: 'ISO_IR 100', label: 'Latin-1: Western Europe' },
  { value: 'ISO_IR 101', label: 'Latin-2: Central Europe' },
  { value: 'ISO_IR 109', label: 'Latin-3: South Europe' },
  { value: 'ISO_IR 110', label: 'Latin-4: North Europe' },
  { value: 'ISO_IR 148', label: 'Latin-5: Turkish' },
  { value: 'ISO_IR 203', label: 'Latin-9: Western Europe with €' },
  { value: 'ISO_IR 144', label: 'Cyrillic' },
  { value: 'ISO_IR 127', label: 'Arabic' },
  { value: 'ISO_IR 126', label: 'Greek' },
  { value: 'ISO_IR 138', label: 'Hebrew' },
  { value: 'ISO_IR 166', label: 'Thai' },
  { value: 'ISO_IR 13', label: 'Japanese: katakana (JIS X 0201)' },
  { value: '\\ISO 2022 IR 87', label: 'Japanese: kanji (ISO 2022, JIS X 0208)' },
  { value: 'ISO 2022 IR 13\\ISO 2022 IR 87', label: 'Japanese: katakana and kanji (ISO 2022)' },
  { value: '\\ISO 2022 IR 87\\ISO 2022 IR 159', label: 'Japanese: kanji with JIS X 0212 (ISO 2022)' },
  { value: '\\ISO 2022 IR 149', label: 'Korean (ISO 2022, KS X 1001)' },
  { value: '\\ISO 2022 IR 58', label: 'Chinese: simplified (ISO 2022, GB 2312)' },
  { value: 'GB18030', label: 'Chinese (GB 18030)' },
  { value: 'GBK', label: 'Chinese (GBK)' },
];

/** Terms used without code extensions (PS3.3 Table C.12-2, and the multi-byte sets of C.12-5). */
const SINGLE = new Set([
  'ISO_IR 100',
  'ISO_IR 101',
  'ISO_IR 109',
  'ISO_IR 110',
  'ISO_IR 144',
  'ISO_IR 127',
  'ISO_IR 126',
  'ISO_IR 138',
  'ISO_IR 148',
  'ISO_IR 203',
  'ISO_IR 166',
  'ISO_IR 13',
  'ISO_IR 192',
  'GB18030',
  'GBK',
]);
/** Terms with code extensions (PS3.3 Tables C.12-3 and C.12-4). */
const EXTENSIONS = new Set([
  'ISO 2022 IR 6',
  'ISO 2022 IR 100',
  'ISO 2022 IR 101',
  'ISO 2022 IR 109',
  'ISO 2022 IR 110',
  'ISO 2022 IR 144',
  'ISO 2022 IR 127',
  'ISO 2022 IR 126',
  'ISO 2022 IR 138',
  'ISO 2022 IR 148',
  'ISO 2022 IR 203',
  'ISO 2022 IR 166',
  'ISO 2022 IR 13',
  'ISO 2022 IR 87',
  'ISO 2022 IR 159',
  'ISO 2022 IR 149',
  'ISO 2022 IR 58',
]);

/** A defined term as written, spelling variants forgiven (`iso-ir 100`, `ISO_IR_100`, `UTF-8`). */
export function normaliseTerm(term: string): string {
  const t = term.trim().toUpperCase();
  let m = /^ISO[ _-]?IR[ _-]?(\d+)$/.exec(t);
  if (m) return `ISO_IR ${m[1]}`;
  m = /^ISO[ _-]?2022[ _-]?IR[ _-]?(\d+)$/.exec(t);
  if (m) return `ISO 2022 IR ${m[1]}`;
  if (t === 'UTF-8' || t === 'UTF8') return 'ISO_IR 192';
  return t;
}

const EXAMPLES = 'e.g. "ISO_IR 100" (Latin-1), "\\ISO 2022 IR 87" (Japanese) or "ISO_IR 192" (UTF-8)';

/** What is wrong with a value's terms (already normalised), or undefined. */
function termsProblem(raw: string, terms: string[]): string | undefined {
  if (terms.length === 1) {
    const t = terms[0]!;
    return SINGLE.has(t) || EXTENSIONS.has(t) ? undefined : `must be a character set Priors can write queries in, ${EXAMPLES}, got ${JSON.stringify(raw)}`;
  }
  for (const [i, t] of terms.entries()) {
    if (i === 0 && t === '') continue;
    if (!EXTENSIONS.has(t)) {
      return `must hold ISO 2022 terms when it has several values (the first may be empty), ${EXAMPLES}, got ${JSON.stringify(t)} as value ${i + 1} of ${JSON.stringify(raw)}`;
    }
  }
  return new Set(terms).size === terms.length ? undefined : `must name each character set once, got ${JSON.stringify(raw)}`;
}

/**
 * A Specific Character Set value for a node's queries, written in its canonical form. One value:
 * a term of Table C.12-2 (or GB18030, GBK, ISO_IR 192). Several values (code extensions, PS3.3
 * C.12.1.1.2): the first empty (the default repertoire) or an ISO 2022 term, the others ISO 2022
 * terms; ISO_IR 192, GB18030 and GBK stand alone.
 */
export const characterSet = z
  .string({ error: (i) => `must be a Specific Character Set value, ${EXAMPLES}, got ${JSON.stringify(i.input) ?? 'nothing'}` })
  .regex(/\S/)
  .superRefine((raw, ctx) => {
    const problem = termsProblem(raw, raw.split('\\').map(normaliseTerm));
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: raw });
  })
  .overwrite((raw) => raw.split('\\').map(normaliseTerm).join('\\'));

/** Checks a Specific Character Set value: its canonical form, or what is wrong with it. */
export function checkCharacterSet(raw: unknown): Result<string, string> {
  return parseWith(characterSet, raw);
}

/** The label of a configured set (its value when it is not one of the offered choices). */
export function characterSetLabel(value: string | undefined): string {
  const v = value ?? DEFAULT_QUERY_CHARACTER_SET;
  return QUERY_CHARACTER_SETS.find((c) => c.value === v)?.label ?? v;
}
