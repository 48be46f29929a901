/**
 * Whether an SQLite file of the data directory (the index, the history) is sound, checked when
 * the cache opens and by `priors doctor`: the file's header and schema are read and
 * `PRAGMA quick_check` runs (every page and b-tree, without comparing indexes with their
 * tables), in this thread for a small file, else in a worker thread given at most `timeoutMs`
 * (the check then says it was cut short, and `priors doctor` runs one without that bound). The
 * cache checks a large index in the background once it is open, so the check never delays a
 * start by more than a few milliseconds (Cache.open).
 *
 * A damaged file is set aside, never deleted: renamed with its WAL and shared-memory files to
 * `<name>.damaged-<time>`, where an administrator (or SQLite's .recover) can still read it.
 */
import { existsSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const requireModule = createRequire(import.meta.url);

/** What a check found. */
export type IntegrityVerdict = { ok: true; checked: 'full' | 'cut-short'; ms: number } | { ok: false; problem: string; ms: number };

/** Files up to this size are checked in this thread (about 3 ms per MiB: 100 ms for a 100,000-instance index). */
const IN_THREAD_BYTES = 64 * 1024 * 1024;
/** Errors quick_check lists at most. */
const MAX_ERRORS = 10;

/** SQLite result codes that mean the file itself is damaged or not a database. */
const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** Whether an error of better-sqlite3 says the database file is damaged (not busy, not full, not missing). */
export function isDamage(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && DAMAGE_CODES.test(code)) return true;
  const cause = (e as { cause?: unknown } | undefined)?.cause;
  return cause !== undefined && cause !== e && isDamage(cause);
}

/** quick_check of an open connection: undefined when sound, else the first problems it lists. */
export function quickCheck(db: Database.Database): string | undefined {
  const rows = db.pragma(`quick_check(${MAX_ERRORS})`, { simple: false }) as { quick_check: string }[];
  return summarize(rows.map((r) => r.quick_check));
}

/** quick_check's lines on one line: the first three problems, and how many more. */
function summarize(lines: readonly string[]): string | undefined {
  const problems = lines
    .flatMap((l) => l.split('\n'))
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'ok' && !l.startsWith('*** in database'));
  if (problems.length === 0) return undefined;
  return problems.slice(0, 3).join('; ') + (problems.length > 3 ? ` (and ${problems.length - 3} more)` : '');
}

/** Reads the schema and runs quick_check on `path` (writing nothing); throws what SQLite throws. */
function checkInThread(path: string): string | undefined {
  const sqlite = requireModule('better-sqlite3') as typeof Database;
  // read-write (nothing is written): a WAL left by a crash may need its recovery, which a read-only connection cannot run
  const db = new sqlite(path, { fileMustExist: true, timeout: 5000 });
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    return quickCheck(db);
  } finally {
    db.close();
  }
}

/** The worker's code: the same check, on its own connection (CommonJS, no TypeScript needed). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const Database = require(workerData.module);
  const db = new Database(workerData.path, { fileMustExist: true, readonly: workerData.readOnly, timeout: 5000 });
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    const rows = db.pragma('quick_check(${MAX_ERRORS})', { simple: false });
    parentPort.postMessage({ lines: rows.map((r) => r.quick_check) });
  } finally { db.close(); }
} catch (e) {
  parentPort.postMessage({ error: { message: e.message, code: e.code } });
}`;

function checkInWorker(path: string, timeoutMs: number, readOnly: boolean, background: boolean): Promise<{ problem?: string; cutShort?: boolean }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, readOnly, module: requireModule.resolve('better-sqlite3') } });
    if (background) worker.unref(); // a check in the background never keeps the process alive
    const timer = setTimeout(() => {
      // terminate() cannot stop SQLite mid-call; unref lets the process go on (and exit) meanwhile
      worker.unref();
      void worker.terminate();
      resolve({ cutShort: true });
    }, timeoutMs);
    worker.once('message', (m: { lines?: string[]; error?: { message: string; code?: string } }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (m.error) return reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      const problem = summarize(m.lines ?? []);
      resolve(problem ? { problem } : {});
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Options of {@link checkDatabaseFile}. */
export interface CheckOptions {
  /** Longest check in a worker, in ms (default 10 000). */
  timeoutMs?: number;
  /** Files up to this size are checked in this thread (default 64 MiB). */
  inThreadBytes?: number;
  /** Open the file read-only (in a worker): while the cache's own connections hold it open. */
  readOnly?: boolean;
  /** In a worker that does not keep the process alive (the cache's check after it opened). */
  background?: boolean;
}

/**
 * Checks the SQLite file at `path` (which must exist): sound, cut short after the time allowed,
 * or damaged with what SQLite says. Errors that are not damage (permissions, a busy lock) throw.
 */
export async function checkDatabaseFile(path: string, options: CheckOptions = {}): Promise<IntegrityVerdict> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    if (statSync(path).size <= (options.inThreadBytes ?? IN_THREAD_BYTES)) {
      const problem = checkInThread(path);
      return problem ? { ok: false, problem, ms: ms() } : { ok: true, checked: 'full', ms: ms() };
    }
    const r = await checkInWorker(path, options.timeoutMs ?? 10_000, options.readOnly === true, options.background === true);
    if (r.problem) return { ok: false, problem: r.problem, ms: ms() };
    return { ok: true, checked: r.cutShort ? 'cut-short' : 'full', ms: ms() };
  } catch (e) {
    if (isDamage(e)) return { ok: false, problem: (e as Error).message, ms: ms() };
    throw e;
  }
}

/**
 * Renames a damaged database file, with its -wal and -shm, to `<path>.damaged-<time>` (and
 * `-wal`, `-shm` after it, where SQLite looks for them). Returns the new path of the main file.
 */
export function setAside(path: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let target = `${path}.damaged-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${path}.damaged-${stamp}-${n}`;
  renameSync(path, target);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}
