/**
 * The history of a data directory: <dataDir>/history.sqlite holds what cannot be rebuilt from
 * the files — the transfer jobs, the audit log, prefetch's rules, synonyms, runs and marks, the
 * worklist procedures seen — apart from the index (index.sqlite), which can. An index set aside
 * as damaged, or deleted, takes none of it with it. (Up to index version 5 these tables were in
 * the index: the first open by this version copies them here, then migration 006 drops them.)
 *
 * `prepareHistory` runs in Cache.open, under the cache lock, before the stores (jobs.ts,
 * audit.ts, prefetch.ts) open their own connections to it: an integrity check (a damaged
 * history is set aside and what can be read of it copied into a new one), the migrations, and
 * the copy from an older index. Copies read row by row past damaged pages, so a damaged source
 * loses only the rows on those pages, and say so.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Db, migrate, openDatabase, schemaVersion } from './db.js';
import { CacheError } from './errors.js';
import { checkDatabaseFile, isDamage, setAside } from './integrity.js';
import { HISTORY_MIGRATIONS } from './migrations.js';

export const HISTORY_FILE = 'history.sqlite';

/** The tables of the history, in the order they are copied. */
export const HISTORY_TABLES = [
  'audit_event',
  'transfer_job',
  'prefetch_rule',
  'prefetch_synonyms',
  'prefetch_run',
  'prefetched_study',
  'worklist_seen',
] as const;
/** Tables whose copied rows replace the seeds of a new history instead of adding to them. */
const REPLACING = new Set<string>(['prefetch_rule', 'prefetch_synonyms']);

/** What a copy of history rows did. */
export interface HistoryCopy {
  /** Rows copied, every table together. */
  rows: number;
  /** Per table with unreadable rows: what could not be read. Empty when everything was. */
  lost: string[];
}

/** What preparing the history did. */
export interface HistoryReport {
  /** The damaged history set aside (relative to the data directory), and what was wrong. */
  setAside?: { file: string; problem: string; copy: HistoryCopy };
}

/** Opens a connection to the history of `dataDir` (prepared by Cache.open). */
export function openHistoryDatabase(dataDir: string, options: { busyTimeoutMs?: number } = {}): Db {
  return openDatabase(join(dataDir, HISTORY_FILE), options);
}

/** Whether a connection has a table with every one of `columns` (the stores' check, whatever file it is). */
export function hasTable(db: Db, table: string, columns: readonly string[] = []): boolean {
  const have = new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]);
  return have.size > 0 && columns.every((c) => have.has(c));
}

/**
 * Checks, migrates (and, when damaged, sets aside and salvages) the history of `dataDir`.
 * Returns what it did; the connection it used is closed.
 */
export async function prepareHistory(
  dataDir: string,
  o: { integrityTimeoutMs?: number; log?: (level: 'info' | 'warn', message: string) => void } = {},
): Promise<HistoryReport> {
  const path = join(dataDir, HISTORY_FILE);
  const report: HistoryReport = {};
  if (existsSync(path)) {
    const verdict = await checkDatabaseFile(path, o.integrityTimeoutMs !== undefined ? { timeoutMs: o.integrityTimeoutMs } : {});
    if (!verdict.ok) {
      const aside = setAside(path);
      const db = openDatabase(path);
      try {
        migrate(db, HISTORY_MIGRATIONS);
        const copy = copyHistory(db, aside, 'the damaged history set aside');
        const file = aside.slice(dataDir.length + 1);
        report.setAside = { file, problem: verdict.problem, copy };
        o.log?.(
          'warn',
          `The history of ${dataDir} (jobs, audit log, prefetch) was damaged (${verdict.problem}): it was set aside as ${file} ` +
            `and ${copy.rows} rows were copied into a new ${HISTORY_FILE}${copy.lost.length ? `; could not be read: ${copy.lost.join('; ')}` : ''}.`,
        );
      } finally {
        db.close();
      }
      return report;
    }
  }
  const db = openDatabase(path);
  try {
    migrate(db, HISTORY_MIGRATIONS);
  } finally {
    db.close();
  }
  return report;
}

/** Whether the history has a copy recorded already (a copy is made once). */
export function historyCopied(dataDir: string): boolean {
  const db = openHistoryDatabase(dataDir);
  try {
    return (db.prepare('SELECT count(*) FROM history_copy').pluck().get() as number) > 0;
  } finally {
    db.close();
  }
}

/**
 * Copies the history rows of another database file (an index up to version 5, or a history or
 * index set aside as damaged) into the history of `dataDir`, then records the copy in
 * history_copy. Returns what was copied and what could not be read.
 */
export function copyHistoryInto(dataDir: string, sourcePath: string, label: string): HistoryCopy {
  const db = openHistoryDatabase(dataDir);
  try {
    if (schemaVersion(db) < 1) throw new CacheError('ESCHEMA', 'The history is not prepared: open the Cache first');
    return copyHistory(db, sourcePath, label);
  } finally {
    db.close();
  }
}

/** The copy itself, on an open history connection (see {@link copyHistoryInto}). */
function copyHistory(db: Db, sourcePath: string, label: string): HistoryCopy {
  const out: HistoryCopy = { rows: 0, lost: [] };
  try {
    db.prepare('ATTACH DATABASE ? AS src').run(sourcePath);
  } catch (e) {
    if (!isDamage(e)) throw e;
    return { rows: 0, lost: [`the whole file (${(e as Error).message})`] }; // nothing of it can be read
  }
  try {
    let sourceTables: Set<string>;
    try {
      sourceTables = new Set(db.prepare("SELECT name FROM src.sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    } catch (e) {
      if (!isDamage(e)) throw e;
      out.lost.push(`its schema (${(e as Error).message})`);
      sourceTables = new Set();
    }
    const tables = HISTORY_TABLES.filter((t) => sourceTables.has(t));
    if (tables.length === 0 && out.lost.length === 0) return out; // a source without history (an index of version 6 or later)
    // Not one transaction: SQLite fails every later statement of a transaction that met a damaged
    // page. Each chunk is its own; copied again after a crash they change nothing (INSERT OR IGNORE
    // on the tables' keys), and the history_copy row, written last, says the copy is done.
    for (const table of tables) {
      const copied = copyTable(db, table);
      out.rows += copied.rows;
      if (copied.lost) out.lost.push(`${table}: ${copied.lost}`);
    }
    db.prepare('INSERT INTO history_copy (at, source, rows, lost) VALUES (?, ?, ?, ?)').run(
      Date.now(),
      `${label}: ${sourcePath}`,
      out.rows,
      out.lost.length ? out.lost.join('; ') : null,
    );
  } finally {
    db.exec('DETACH DATABASE src');
  }
  return out;
}

/** Most damaged regions skipped in one table, and rowids tried past each, before giving up on the rest. */
const MAX_REGIONS = 64;
const MAX_PROBES = 48;
/** Rows read at once by the row-by-row copy. */
const CHUNK_ROWS = 256;

/**
 * Copies one table from `src` to `main` (the columns both have): in one statement when the
 * source reads whole, else row by row in rowid order, skipping past each damaged region by
 * probing ever further rowids.
 */
function copyTable(db: Db, table: string): { rows: number; lost?: string } {
  const mine = db.prepare('SELECT name FROM main.pragma_table_info(?)').pluck().all(table) as string[];
  let theirs: Set<string>;
  try {
    theirs = new Set(db.prepare('SELECT name FROM src.pragma_table_info(?)').pluck().all(table) as string[]);
  } catch (e) {
    if (!isDamage(e)) throw e;
    return { rows: 0, lost: `unreadable (${(e as Error).message})` };
  }
  const columns = mine
    .filter((c) => theirs.has(c))
    .map((c) => `"${c}"`)
    .join(', ');
  const verb = REPLACING.has(table) ? 'INSERT OR REPLACE' : 'INSERT OR IGNORE';
  try {
    const copy = db.prepare(`${verb} INTO main.${table} (${columns}) SELECT ${columns} FROM src.${table}`);
    return {
      rows: db.transaction(() => {
        if (REPLACING.has(table)) db.exec(`DELETE FROM main.${table}`);
        return copy.run().changes;
      })(),
    };
  } catch (e) {
    if (!isDamage(e)) throw e; // rolled back: copied again below, past the damage
  }
  // in chunks (a connection cannot write while it iterates): a chunk that meets a damaged page is
  // read again row by row up to it, then the reads go on past it in chunks again
  const insert = db.prepare(
    `${verb} INTO main.${table} (${columns}) VALUES (${columns
      .split(', ')
      .map(() => '?')
      .join(', ')})`,
  );
  const read = db.prepare(`SELECT rowid AS "__rowid", ${columns} FROM src.${table} WHERE rowid > ? ORDER BY rowid LIMIT ?`).raw();
  const next = db.prepare(`SELECT rowid FROM src.${table} WHERE rowid > ? ORDER BY rowid LIMIT 1`).pluck();
  let after = -1;
  let rows = 0;
  let chunk = CHUNK_ROWS;
  const regions: string[] = [];
  let replacedSeeds = !REPLACING.has(table);
  while (regions.length <= MAX_REGIONS) {
    let got: unknown[][];
    try {
      got = read.all(after, chunk) as unknown[][];
    } catch (e) {
      if (!isDamage(e)) throw e;
      if (chunk > 1) {
        chunk = 1;
        continue;
      }
      // the row after `after` is on a damaged page: find the next readable rowid, ever further on
      const from = after;
      let resumed: number | undefined;
      for (let probe = 0, step = 1; probe < MAX_PROBES && resumed === undefined; probe++, step *= 2) {
        try {
          resumed = (next.get(from + step) as number | undefined) ?? Number.MAX_SAFE_INTEGER;
        } catch (probeError) {
          if (!isDamage(probeError)) throw probeError;
        }
      }
      const end = resumed === undefined || resumed === Number.MAX_SAFE_INTEGER;
      regions.push(end ? `rows after rowid ${from}` : `rows between rowid ${from} and ${resumed}`);
      if (end) break;
      after = resumed! - 1;
      chunk = CHUNK_ROWS;
      continue;
    }
    if (got.length === 0) break;
    rows += db.transaction(() => {
      if (!replacedSeeds) {
        db.exec(`DELETE FROM main.${table}`);
        replacedSeeds = true;
      }
      return got.reduce((n, row) => n + insert.run(...row.slice(1)).changes, 0);
    })();
    after = Number(got[got.length - 1]![0]);
  }
  return { rows, ...(regions.length ? { lost: `${regions.join(', ')} could not be read` } : {}) };
}
