/**
 * How the CLI speaks: results on stdout (human-readable, or one JSON document with --json),
 * failures as ONE sentence on stderr, network log lines on stderr with --verbose.
 */
import type { Logger } from '../dimse/ul/association.js';

/** Where a command writes; tests and the entry point pass process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** The process's own streams. */
export const processIo: Io = {
  out: (text) => {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  },
  err: (text) => {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  },
};

/** A logger printing to stderr: info and above always, debug only when verbose. */
export function stderrLogger(io: Io, verbose: boolean, minimum: 'debug' | 'info' | 'warn' | 'error' = 'warn'): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 } as const;
  const floor = verbose ? 0 : order[minimum];
  return (level, message) => {
    if (order[level] >= floor) io.err(`${new Date().toISOString()} ${level.padEnd(5)} ${message}`);
  };
}

/** Formats rows as an aligned text table; missing cells are empty. */
export function table(rows: readonly Record<string, string>[], columns?: readonly string[]): string {
  if (rows.length === 0) return '';
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = cols.map((c) => Math.min(64, Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length))));
  const cell = (text: string, i: number) => {
    const w = widths[i]!;
    return text.length > w ? `${text.slice(0, w - 1)}…` : text.padEnd(w);
  };
  const lines = [
    cols.map(cell).join('  ').trimEnd(),
    ...rows.map((r) =>
      cols
        .map((c, i) => cell(r[c] ?? '', i))
        .join('  ')
        .trimEnd(),
    ),
  ];
  return lines.join('\n');
}
