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
];
