/**
 * Migration 005: prefetch. Append-only.
 *
 * - prefetch_rule: the rules, in the order they are tried, each a JSON object (shared/prefetch.ts
 *   PrefetchRule); seeded with the default rule (same modality and body part, the newest 3
 *   within 5 years, from every node), which does nothing until a node is configured.
 * - prefetch_synonyms: one row, the body-part synonym table as JSON, seeded with the default.
 * - prefetch_run: each look for a patient's priors, its candidates and reasons as JSON.
 * - prefetched_study: the studies a rule chose, for the badges of Search and Local cache.
 * - worklist_seen: the scheduled procedures already prefetched for (once per procedure).
 * - transfer_job.origin: who queued a job; prefetch jobs run after the user's.
 */
export const sql = `
CREATE TABLE prefetch_rule (
  name TEXT PRIMARY KEY COLLATE NOCASE,
  position INTEGER NOT NULL,
  definition TEXT NOT NULL
);
INSERT INTO prefetch_rule (name, position, definition) VALUES ('default', 0,
  '{"name":"default","enabled":true,"nodes":[],"forModalities":[],"modalities":"same","sameBodyPart":true,"maxStudies":3,"years":5,"minGapDays":1,"allStudies":false}');

CREATE TABLE prefetch_synonyms (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  groups TEXT NOT NULL
);
INSERT INTO prefetch_synonyms (id, groups) VALUES (1, '[["CHEST","THORAX","LUNG","LUNGS","PULMONARY","THORACIC CAVITY"],["HEAD","BRAIN","SKULL","CRANIUM","CEREBRAL","NEURO"],["ABDOMEN","ABD","ABDOMINAL"],["PELVIS","PELVIC"],["NECK","THYROID","SOFT TISSUE NECK"],["CSPINE","C-SPINE","CERVICAL SPINE"],["TSPINE","T-SPINE","THORACIC SPINE","DORSAL SPINE"],["LSPINE","L-SPINE","LUMBAR SPINE","LUMBAR"],["BREAST","MAMMO","MAMMOGRAPHY","MAMMOGRAM"],["HEART","CARDIAC","CORONARY"],["KNEE"],["HIP"],["SHOULDER"],["ANKLE"],["WRIST"],["HAND"],["FOOT"],["ELBOW"]]');

CREATE TABLE prefetch_run (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  trigger TEXT NOT NULL CHECK (trigger IN ('arrival', 'worklist', 'manual')),
  PatientID TEXT NOT NULL,
  IssuerOfPatientID TEXT NOT NULL DEFAULT '',
  current_study_uid TEXT,
  state TEXT NOT NULL CHECK (state IN ('planned', 'running', 'completed', 'incomplete', 'stopped', 'failed')),
  dry_run INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  revision INTEGER NOT NULL DEFAULT 0,
  body TEXT NOT NULL
);
CREATE INDEX prefetch_run_patient ON prefetch_run (PatientID, started_at);
CREATE INDEX prefetch_run_current ON prefetch_run (current_study_uid);
CREATE INDEX prefetch_run_state ON prefetch_run (state);

CREATE TABLE prefetched_study (
  StudyInstanceUID TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
);

CREATE TABLE worklist_seen (
  key TEXT PRIMARY KEY,
  node TEXT NOT NULL,
  run_id TEXT,
  at INTEGER NOT NULL
);

ALTER TABLE transfer_job ADD COLUMN origin TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('user', 'prefetch'));
CREATE INDEX transfer_job_origin ON transfer_job (state, origin, seq);
`;
