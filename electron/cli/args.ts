/**
 * A small, strict command-line parser: each command declares its options; anything else is
 * an error sentence (never a crash, never silently ignored).
 */

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

/**
 * Parses `argv` against the given options: `--name value`, `--name=value`, `-x value`,
 * `-xvalue` for short options with values, `--` ends options.
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const all = [...COMMON_OPTIONS, ...specs];
  const out: ParsedArgs = { positionals: [], flags: new Set(), values: new Map(), lists: new Map() };
  const byLong = new Map(all.map((s) => [s.name, s]));
  const byShort = new Map(all.filter((s) => s.short).map((s) => [s.short!, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    let written: string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq >= 0) inline = arg.slice(eq + 1);
      written = `--${name}`;
      spec = byLong.get(name);
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      written = arg.slice(0, 2);
      spec = byShort.get(arg.slice(1, 2));
      if (arg.length > 2) inline = arg.slice(2);
    } else {
      out.positionals.push(arg);
      continue;
    }
    if (!spec) throw new UsageError(`Unknown option ${written}; see "priors help"`);
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`Option ${written} takes no value`);
      out.flags.add(spec.name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`Option ${written} needs a value`);
      value = argv[++i]!;
    }
    if (spec.kind === 'value') {
      if (out.values.has(spec.name)) throw new UsageError(`Option ${written} is given twice`);
      out.values.set(spec.name, value);
    } else {
      const list = out.lists.get(spec.name) ?? [];
      list.push(value);
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
