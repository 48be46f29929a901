/**
 * Migration 004: the audit log (append-only). One row per event, after the DICOM audit message
 * schema (PS3.15 A.5): event code and action, outcome, who (AE title, address, and whether
 * they called us or we called them), which patient and study, how many instances, when.
 * Triggers refuse UPDATE and DELETE: rows are only ever added. Append-only.
 */
export const sql = `
CREATE TABLE audit_event (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  event_code TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('C', 'R', 'U', 'D', 'E')),
  outcome INTEGER NOT NULL CHECK (outcome IN (0, 4, 8, 12)),
  outcome_text TEXT,
  what TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'local')),
  peer_ae TEXT,
  peer_host TEXT,
  local_ae TEXT,
  node TEXT,
  patient_id TEXT,
  patient_name TEXT,
  study_uid TEXT,
  instances INTEGER,
  detail TEXT
);
CREATE INDEX audit_event_at ON audit_event (at);
CREATE TRIGGER audit_event_append_only_update BEFORE UPDATE ON audit_event
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be changed'); END;
CREATE TRIGGER audit_event_append_only_delete BEFORE DELETE ON audit_event
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be deleted'); END;
`;
