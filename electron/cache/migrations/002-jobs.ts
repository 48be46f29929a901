/**
 * Migration 002: the transfer queue (docs/architecture.md, rule 7: transfers are persisted jobs). Append-only.
 *
 * One row per job; the UIDs of a SERIES-level job are a JSON array; progress and verdict are
 * JSON objects (their shape is shared/transfers.ts, read back by ../jobs.ts). `seq` keeps the
 * order jobs were queued in (FIFO), `id` is the stable identifier shown to the UI.
 */
export const sql = `
CREATE TABLE transfer_job (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  node TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('move', 'get')),
  used_method TEXT CHECK (used_method IN ('move', 'get')),
  level TEXT NOT NULL CHECK (level IN ('STUDY', 'SERIES')),
  StudyInstanceUID TEXT NOT NULL,
  series_uids TEXT NOT NULL DEFAULT '[]',
  expected INTEGER,
  label TEXT,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'incomplete', 'failed', 'cancelled')),
  progress TEXT NOT NULL,
  verdict TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX transfer_job_state ON transfer_job (state, seq);
`;
