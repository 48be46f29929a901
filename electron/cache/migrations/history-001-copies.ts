/**
 * Part of history migration 1 (HISTORY_MIGRATIONS in ../migrations.ts), after the tables of the
 * index's migrations 002 to 005: one row per copy of history rows into this file, from the
 * index of Priors before migration 006 or from a damaged file set aside, written once the copy is
 * done: a copy is made once (one cut short by a crash is made again, and rows already copied are
 * kept as they are).
 */
export const sql = `
CREATE TABLE history_copy (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  source TEXT NOT NULL,
  rows INTEGER NOT NULL,
  lost TEXT
);
`;
