/**
 * Migration 006: the history leaves the index. Append-only.
 *
 * The index (patients, studies, series, instances) can always be rebuilt from the files; the
 * transfer jobs, the audit log and prefetch's rules, runs and marks cannot. They now live in
 * <dataDir>/history.sqlite (history.ts, HISTORY_MIGRATIONS), so that an index set aside as
 * damaged, or deleted, takes none of them with it. Cache.open copies their rows into the history
 * (in one transaction that records the copy) before this runs; this drops them from the index.
 * DROP TABLE fires no DELETE trigger: the audit rows are not deleted, they moved.
 */
export const sql = `
DROP TRIGGER IF EXISTS audit_event_append_only_update;
DROP TRIGGER IF EXISTS audit_event_append_only_delete;
DROP TABLE IF EXISTS audit_event;
DROP TABLE IF EXISTS transfer_job;
DROP TABLE IF EXISTS prefetch_rule;
DROP TABLE IF EXISTS prefetch_synonyms;
DROP TABLE IF EXISTS prefetch_run;
DROP TABLE IF EXISTS prefetched_study;
DROP TABLE IF EXISTS worklist_seen;
`;
