/**
 * The index file of a data directory (<dataDir>/index.sqlite) and the connections the cache holds
 * on it: checked when opened (integrity.ts: a damaged file is set aside), migrated (the history
 * is copied out of an index older than migration 006 before that migration drops it, history.ts),
 * then a writer and a query-only reader with what is prepared on them. A rebuild while open
 * (Cache.rebuildIndex) connects a new file the same way and swaps the connections.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { type Db, migrate, openDatabase, schemaVersion } from './db.js';
import { copyHistoryInto, historyCopied } from './history.js';
import { FILES_DIR } from './file-store.js';
import { checkDatabaseFile, isDamage, setAside } from './integrity.js';
import { Listing } from './listing.js';
import { LAST_INDEX_VERSION_WITH_HISTORY, MIGRATIONS } from './migrations.js';
import { registerQueryFunctions } from './query.js';
import { recover, type RecoveryReport } from './recovery.js';
import { Repository } from './repository.js';

/** The index file of a data directory. */
export const INDEX_FILE = 'index.sqlite';

/** The connections to the index and what is prepared on them (replaced together when the index is rebuilt). */
export interface IndexConnections {
  db: Db;
  reader: Db;
  repository: Repository;
  listing: Listing;
  sizeOf: Statement;
  totalBytes: Statement;
}

/** The index opened, and what was found on the way. */
export interface OpenedIndex {
  connections: IndexConnections;
  /** The index had no schema yet (new, lost, empty, or set aside as damaged). */
  fresh: boolean;
  damaged?: { setAside: string; problem: string };
  /** Too large to check before opening: to be checked in the background (Cache.open). */
  checkLater?: boolean;
}

/** What opening needs of the cache's options. */
export interface IndexFileOptions {
  busyTimeoutMs?: number;
  integrityTimeoutMs?: number;
  /** Index files up to this size are checked before they are opened (default {@link CHECK_BEFORE_OPEN_BYTES}); larger ones after. */
  checkBeforeOpenBytes?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/**
 * Index files up to this size are checked before they are opened, a check short enough for
 * start-up (docs/benchmarks.md, start-up). A larger index is checked
 * in a worker once the cache is open, and a damage found then is mended while Priors runs.
 */
export const CHECK_BEFORE_OPEN_BYTES = 8 * 1024 * 1024;

/** Closes both connections, ignoring what a damaged or closed connection answers. */
export function closeConnections(c: IndexConnections): void {
  for (const db of [c.reader, c.db]) {
    try {
      db.close();
    } catch {
      /* closing a damaged connection */
    }
  }
}

/**
 * Opens the index of `dataDir`: checks it first when it is small (a damaged one is set aside, the
 * history rows it may hold copied out; `forceAside` sets it aside unchecked, after damage met
 * while opening), migrates it and connects.
 */
export async function openIndex(dataDir: string, options: IndexFileOptions, forceAside = false): Promise<OpenedIndex> {
  const indexPath = join(dataDir, INDEX_FILE);
  let damaged: OpenedIndex['damaged'];
  let checkLater = false;
  if (existsSync(indexPath)) {
    checkLater = !forceAside && statSync(indexPath).size > (options.checkBeforeOpenBytes ?? CHECK_BEFORE_OPEN_BYTES);
    const verdict = forceAside
      ? { ok: false as const, problem: 'damage met while opening it', ms: 0 }
      : checkLater
        ? { ok: true as const, checked: 'full' as const, ms: 0 }
        : await checkDatabaseFile(indexPath);
    if (!verdict.ok) {
      const aside = setAside(indexPath);
      damaged = { setAside: relative(dataDir, aside), problem: verdict.problem };
      // an index of Priors before migration 006 held the history: what of it can be read is kept
      if (!historyCopied(dataDir)) {
        const copy = copyHistoryInto(dataDir, aside, 'the damaged index set aside');
        if (copy.rows > 0 || copy.lost.length > 0) {
          options.log?.(
            'warn',
            `Copied ${copy.rows} history rows (jobs, audit log, prefetch) out of the damaged index${copy.lost.length ? `; could not be read: ${copy.lost.join('; ')}` : ''}.`,
          );
        }
      }
    }
  }
  const { connections, before } = connect(indexPath, dataDir, options);
  return { connections, fresh: before === 0, ...(damaged ? { damaged } : {}), ...(checkLater ? { checkLater } : {}) };
}

/**
 * Opens, migrates and prepares the connections of the index file at `path` (synchronous: a
 * rebuild swaps connections without letting anything run in between). `before` is the schema
 * version found.
 */
export function connect(path: string, dataDir: string, options: IndexFileOptions): { connections: IndexConnections; before: number } {
  const busy = options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {};
  const db = openDatabase(path, busy);
  let reader: Db | undefined;
  try {
    const before = schemaVersion(db);
    if (before > 0 && before <= LAST_INDEX_VERSION_WITH_HISTORY) {
      migrate(
        db,
        MIGRATIONS.filter((m) => m.version <= LAST_INDEX_VERSION_WITH_HISTORY),
      );
      if (before >= 2 && !historyCopied(dataDir)) {
        const copy = copyHistoryInto(dataDir, path, `index.sqlite at version ${before}`);
        options.log?.('info', `Moved the history (${copy.rows} rows: transfer jobs, audit log, prefetch) from ${path} to history.sqlite.`);
      }
    }
    migrate(db);
    reader = openDatabase(path, { queryOnly: true, ...busy });
    registerQueryFunctions(db);
    registerQueryFunctions(reader);
    return {
      before,
      connections: {
        db,
        reader,
        repository: new Repository(db),
        listing: new Listing(db, dataDir),
        sizeOf: db.prepare('SELECT file_size FROM instance WHERE SOPInstanceUID = ?').pluck(),
        totalBytes: db.prepare('SELECT coalesce(sum(size), 0) FROM patient').pluck(),
      },
    };
  } catch (e) {
    reader?.close();
    db.close();
    throw e;
  }
}

/**
 * Opens the index and runs the recovery (quick after a clean shutdown; full after an unclean one,
 * for a new index over existing files, for one set aside as damaged, or when asked). Damage the
 * check before opening did not see (met by the migrations or the recovery walk) sets the index
 * aside and starts again, once.
 */
export async function openRecovered(
  dataDir: string,
  options: IndexFileOptions & { recovery?: 'auto' | 'full' | 'quick' },
  clean: boolean,
): Promise<{ opened: OpenedIndex; report: RecoveryReport }> {
  for (let attempt = 0; ; attempt++) {
    let opened: OpenedIndex | undefined;
    try {
      opened = await openIndex(dataDir, options, attempt > 0);
      const filesExist = opened.fresh && (await readdir(join(dataDir, FILES_DIR))).length > 0;
      const mode = options.recovery ?? 'auto';
      const full = mode === 'full' || opened.damaged !== undefined || (mode === 'auto' && (!clean || filesExist));
      const reason = opened.damaged
        ? 'index damaged'
        : mode === 'full'
          ? 'requested'
          : !clean
            ? 'unclean shutdown'
            : filesExist
              ? 'index rebuilt from files'
              : 'clean shutdown';
      const { db, repository } = opened.connections;
      const report = await recover({ dataDir, db, repository, ...(options.log ? { log: options.log } : {}) }, full, reason);
      return { opened, report };
    } catch (e) {
      if (opened) closeConnections(opened.connections);
      if (!isDamage(e) || attempt > 0) throw e;
    }
  }
}

/**
 * Builds a new index from the files beside the index in use (`index.sqlite.rebuilding`, by the
 * full recovery walk) and closes it whole (checkpointed, no WAL). Returns its path and what the
 * walk did; on failure nothing is left of it.
 */
export async function buildBeside(dataDir: string, options: IndexFileOptions, reason: string): Promise<{ path: string; report: RecoveryReport }> {
  const path = `${join(dataDir, INDEX_FILE)}.rebuilding`;
  removeDatabase(path);
  try {
    const next = connect(path, dataDir, options).connections;
    try {
      const report = await recover({ dataDir, db: next.db, repository: next.repository, ...(options.log ? { log: options.log } : {}) }, true, reason);
      return { path, report };
    } finally {
      closeConnections(next);
    }
  } catch (e) {
    removeDatabase(path);
    throw e;
  }
}

/**
 * Puts a built index in the place of the one in use, whose connections must be closed: that one
 * is set aside (integrity.ts). Returns the set-aside name relative to the data directory.
 */
export function swapIn(dataDir: string, built: string): string | undefined {
  const indexPath = join(dataDir, INDEX_FILE);
  const aside = existsSync(indexPath) ? relative(dataDir, setAside(indexPath)) : undefined;
  renameSync(built, indexPath);
  removeDatabase(built); // a -wal or -shm of it, if any was left
  return aside;
}

function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}
