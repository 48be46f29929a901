/**
 * A strict command line: each command declares its options; anything else is an error
 * sentence (never a crash, never silently ignored).
 */
import { parseArgs as nodeParseArgs } from 'node:util';

/** Thrown for bad command-line input; the message is one sentence. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How one option is written and read. */
export interface OptionSpec {
  /** Long name without dashes, e.g. 'data'. */
  name: string;
  /** Short letter without the dash, e.g. 'k'. */
  short?: string;
  /** 'flag' takes no value; 'value' takes one; 'list' takes one and may repeat. */
  kind: 'flag' | 'value' | 'list';
}

/** What {@link parseArgs} returns. */
export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'data', kind: 'value' },
  { name: 'json', kind: 'flag' },
  { name: 'verbose', short: 'v', kind: 'flag' },
  { name: 'help', short: 'h', kind: 'flag' },
];

/** Options of the commands that call a node (as DCMTK's -aet and -to/-ta/-td). */
export const SCU_OPTIONS: readonly OptionSpec[] = [
  { name: 'aet', kind: 'value' },
  { name: 'timeout', kind: 'value' },
];

/**
 * Parses `argv` against the given options: `--name value`, `--name=value`, `-x value`,
 * `-xvalue` for short options with values, `--` ends options. Node's util.parseArgs splits the
 * words; the checks are ours, so that every mistake reads as one sentence naming the option.
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const all = [...COMMON_OPTIONS, ...specs];
  const out: ParsedArgs = { positionals: [], flags: new Set(), values: new Map(), lists: new Map() };
  const byName = new Map(all.map((s) => [s.name, s]));
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const s of all)
    options[s.name] = {
      type: s.kind === 'flag' ? 'boolean' : 'string',
      ...(s.short ? { short: s.short } : {}),
      ...(s.kind === 'list' ? { multiple: true } : {}),
    };
  const { tokens } = nodeParseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'positional') {
      out.positionals.push(t.value);
      continue;
    }
    if (t.kind === 'option-terminator') continue;
    // a negative number is an argument, not an option
    if (/^-\d/.test(t.rawName)) {
      out.positionals.push(argv[t.index]!);
      continue;
    }
    const spec = byName.get(t.name);
    const written = t.rawName;
    if (!spec || (!t.rawName.startsWith('--') && spec.short !== t.rawName.slice(1, 2))) throw new UsageError(`Unknown option ${written}; see "priors help"`);
    if (spec.kind === 'flag') {
      if (t.value !== undefined) throw new UsageError(`Option ${written} takes no value`);
      out.flags.add(spec.name);
      continue;
    }
    if (t.value === undefined) throw new UsageError(`Option ${written} needs a value`);
    if (spec.kind === 'value') {
      if (out.values.has(spec.name)) throw new UsageError(`Option ${written} is given twice`);
      out.values.set(spec.name, t.value);
    } else {
      const list = out.lists.get(spec.name) ?? [];
      list.push(t.value);
      out.lists.set(spec.name, list);
    }
  }
  return out;
}

/** An integer option within bounds, or undefined when absent. */
export function intOption(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const raw = args.values.get(name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

/** One of the allowed values (case-insensitive), or undefined when absent. */
export function choiceOption<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], flag = `--${name}`): T | undefined {
  const raw = args.values.get(name);
  if (raw === undefined) return undefined;
  const hit = allowed.find((a) => a.toLowerCase() === raw.trim().toLowerCase());
  if (!hit) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return hit;
}

/** Exactly `count` positionals (after the command words), else an error naming the usage. */
export function expectPositionals(args: ParsedArgs, min: number, max: number, usage: string): string[] {
  const p = args.positionals;
  if (p.length < min || p.length > max) {
    const extra = p.length > max ? `unexpected argument "${p[max]}"` : 'missing argument';
    throw new UsageError(`${extra}: usage is "${usage}"`);
  }
  return p;
}
