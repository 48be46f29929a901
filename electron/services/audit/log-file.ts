/**
 * The log file: every line of the activity log at info and above, kept on disk in the platform's
 * log directory so that what happened before a restart (or a crash) can still be read, and
 * handed to a PACS administrator in a diagnostics bundle. Rotated by size, classically
 * (priors.log, priors.log.1 … priors.log.N), so the directory never grows past a few files.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Logger } from '../../dimse/ul/association.js';

/** The current log file's name in the log directory. */
export const LOG_FILE = 'priors.log';

/** Options of {@link openLogFile}. */
export interface LogFileOptions {
  /** Size at which the file is rotated (default 10 MiB). */
  maxBytes?: number;
  /** Rotated files kept besides the current one (default 5). */
  keep?: number;
  /** Least level written (default 'info'). */
  minimum?: 'debug' | 'info' | 'warn' | 'error';
  now?: () => number;
}

/** An open log file. */
export interface LogFile {
  readonly dir: string;
  /** Writes one line; never throws (a log that cannot be written must not stop the work it logs). */
  readonly log: Logger;
  /** The first error met writing, if any: the UI says the log is not being kept and why. */
  readonly problem: () => string | undefined;
  close(): Promise<void>;
}

const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/** Opens (creating the directory) the rotating log in `dir`; one that cannot be opened only reports its {@link LogFile.problem}. */
export function openLogFile(dir: string, o: LogFileOptions = {}): LogFile {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const problem = `The log directory ${dir} cannot be created (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): Priors keeps working, but without a log on disk; check the folder's permissions.`;
    return { dir, log: () => undefined, problem: () => problem, close: () => Promise.resolve() };
  }
  const now = o.now ?? Date.now;
  const minimum = ORDER[o.minimum ?? 'info'];
  let problem: string | undefined;
  // classical rotation names a file by its index alone, passed first (null: the current file)
  const name = (index: number | Date | null) => (typeof index === 'number' && index > 0 ? `${LOG_FILE}.${index}` : LOG_FILE);
  const stream: RotatingFileStream = createStream(name as (time: number | Date) => string, {
    path: dir,
    size: `${Math.max(1, Math.round((o.maxBytes ?? 10 * 1024 * 1024) / 1024))}K`,
    rotate: o.keep ?? 5,
    mode: 0o600,
  });
  stream.on('error', (err: Error) => {
    problem ??= `The log file in ${dir} cannot be written (${err.message}): Priors keeps working, but without a log on disk.`;
  });
  let closed = false;
  return {
    dir,
    log: (level, message) => {
      if (closed || problem || ORDER[level] < minimum) return;
      stream.write(`${new Date(now()).toISOString()} ${level.padEnd(5)} ${message}\n`);
    },
    problem: () => problem,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        stream.end(() => resolve());
      }),
  };
}

/** The log files of `dir`, newest first (priors.log, then priors.log.1 …). */
export function logFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const index = (name: string) => (name === LOG_FILE ? 0 : Number(name.slice(LOG_FILE.length + 1)));
  return names
    .filter((n) => n === LOG_FILE || /^priors\.log\.\d+$/.test(n))
    .sort((a, b) => index(a) - index(b))
    .map((n) => join(dir, n));
}

/** The last `maxBytes` of the current log (whole lines), for a reader in the UI. */
export function logTail(dir: string, maxBytes = 256 * 1024): { path: string; text: string; truncated: boolean } | undefined {
  const path = logFiles(dir)[0];
  if (!path) return undefined;
  const size = statSync(path).size;
  if (size <= maxBytes) return { path, text: readFileSync(path, 'utf8'), truncated: false };
  // only the tail is read: a log of several MiB stays on disk
  const tail = Buffer.alloc(maxBytes);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, maxBytes, size - maxBytes);
  } finally {
    closeSync(fd);
  }
  const text = tail.toString('utf8');
  return { path, text: text.slice(text.indexOf('\n') + 1), truncated: true };
}
