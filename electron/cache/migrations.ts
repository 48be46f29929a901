/**
 * The numbered, append-only migrations of the cache index (docs/architecture.md, rule 7).
 *
 * Each migration is a TypeScript module exporting its SQL text rather than a `.sql` file: tsc
 * compiles it into dist/ with everything else, so the schema is found the same way from
 * sources (tsx), from dist/ and from a packaged app (asar), with no copy step to forget and no
 * path resolution at run time. The SQL stays plain text in its own numbered file.
 */
import { sql as init } from './migrations/001-init.js';
import { sql as jobs } from './migrations/002-jobs.js';
import { sql as jobRevision } from './migrations/003-job-revision.js';
import { sql as audit } from './migrations/004-audit.js';
import { sql as prefetch } from './migrations/005-prefetch.js';
import { sql as historyMoved } from './migrations/006-history-moved.js';
import { sql as historyCopies } from './migrations/history-001-copies.js';
import { sql as historyWadoJobs } from './migrations/history-002-wado-jobs.js';

/** One schema step. */
export interface Migration {
  /** 1, 2, 3…: applied in this order, each once, recorded in schema_version. */
  version: number;
  name: string;
  sql: string;
}

/** All migrations, in order. Append only: never edit or renumber a released one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'init', sql: init },
  { version: 2, name: 'jobs', sql: jobs },
  { version: 3, name: 'job-revision', sql: jobRevision },
  { version: 4, name: 'audit', sql: audit },
  { version: 5, name: 'prefetch', sql: prefetch },
  { version: 6, name: 'history-moved', sql: historyMoved },
];

/** The last index version that held the history tables (copied out before 006 drops them). */
export const LAST_INDEX_VERSION_WITH_HISTORY = 5;

/**
 * The numbered, append-only migrations of <dataDir>/history.sqlite (the jobs, the audit log and
 * prefetch's state, which the index held up to version 5). Version 1 is those tables exactly as
 * the index's migrations 002 to 005 made them, seeds included, so rows copy over column for column.
 */
export const HISTORY_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'history', sql: [jobs, jobRevision, audit, prefetch, historyCopies].join('\n') },
  { version: 2, name: 'wado-jobs', sql: historyWadoJobs },
];
