/**
 * History migration 2: transfer jobs by WADO-RS (PS3.18 §10.4) from DICOMweb nodes. SQLite cannot
 * change a CHECK constraint in place, so transfer_job is made anew with 'wado' among the methods,
 * its rows copied column for column, and its indexes made again. Append-only.
 */
export const sql = `
CREATE TABLE transfer_job_wado (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  node TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('move', 'get', 'wado')),
  used_method TEXT CHECK (used_method IN ('move', 'get', 'wado')),
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
  finished_at INTEGER,
  revision INTEGER NOT NULL DEFAULT 0,
  origin TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('user', 'prefetch'))
);
INSERT INTO transfer_job_wado (seq, id, node, method, used_method, level, StudyInstanceUID, series_uids, expected, label, state, progress, verdict,
  attempts, created_at, started_at, finished_at, revision, origin)
  SELECT seq, id, node, method, used_method, level, StudyInstanceUID, series_uids, expected, label, state, progress, verdict,
  attempts, created_at, started_at, finished_at, revision, origin FROM transfer_job;
DROP TABLE transfer_job;
ALTER TABLE transfer_job_wado RENAME TO transfer_job;
CREATE INDEX transfer_job_state ON transfer_job (state, seq);
CREATE INDEX transfer_job_origin ON transfer_job (state, origin, seq);
`;
