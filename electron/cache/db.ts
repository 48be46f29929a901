/**
 * Opening the cache index (<dataDir>/index.sqlite) and bringing its schema up to date.
 *
 * WAL journal (readers never block the writer, and the C-FIND reader connection sees committed
 * snapshots), synchronous=NORMAL (a commit survives a process crash; a power cut may lose the
 * last transactions, which recovery.ts then re-indexes from the files), foreign keys on, and a
 * busy timeout so that a second process (the CLI) waits instead of failing at once.
 */
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';
import { CacheError } from './errors.js';

/** A better-sqlite3 connection. */
export type Db = Database.Database;

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** How long a statement waits for another connection's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
  /** Open for reading only (`PRAGMA query_only`): the connection C-FIND iterates on. */
  queryOnly?: boolean;
}

/**
 * better-sqlite3, loaded by the first open: its native module costs several milliseconds of
 * start-up that a command without the cache (send of files, echo, find) need not pay.
 */
const requireModule = createRequire(import.meta.url);
let sqlite: typeof Database | undefined;

/** Opens (creating if needed) a database file with the cache's pragmas. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  sqlite ??= requireModule('better-sqlite3') as typeof Database;
  const db = new sqlite(path, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -32768'); // 32 MiB of page cache: the indexes of 100k instances stay in memory
    if (options.queryOnly) db.pragma('query_only = ON');
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** The highest migration applied to a database (0 when none). */
export function schemaVersion(db: Db): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!exists) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies, in order, each migration not yet recorded in schema_version, each in its own
 * transaction together with its schema_version row. Returns the versions applied.
 * @throws CacheError ESCHEMA when the database is newer than this code knows.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS, now: () => number = Date.now): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = schemaVersion(db);
  const known = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  if (current > known) {
    throw new CacheError(
      'ESCHEMA',
      `The cache index is at schema version ${current}; this version of Priors knows up to ${known}. Use a newer Priors or another data directory.`,
    );
  }
  const applied: number[] = [];
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 1, 2, 3… without gaps; found ${m.version} at position ${i + 1}`);
  });
  const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of ordered) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now());
    })();
    applied.push(m.version);
  }
  return applied;
}
