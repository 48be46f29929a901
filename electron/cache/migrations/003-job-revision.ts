/**
 * Migration 003: a revision per transfer job. Every update of a row adds one, so a reader
 * holding two copies of a job (a `transfers.list` answer and a pushed event that crossed it)
 * keeps the newer one instead of the one that arrived last. Append-only.
 */
export const sql = `
ALTER TABLE transfer_job ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
`;
