/**
 * Prefetch in the index (migration 005): the rules in their order, the body-part synonym table,
 * the runs with their candidates, the studies a rule chose (badges) and the worklist procedures
 * already prefetched for. SQL stays here; electron/services/prefetch/ decides and runs.
 *
 * Its own connection to <dataDir>/history.sqlite (history.ts: rules and runs outlive an index
 * rebuilt from the files), opened after `Cache.open` prepared it (as the job store's).
 */
import {
  checkRule,
  checkSynonyms,
  type BodyPartSynonyms,
  type PrefetchedMark,
  type PrefetchRule,
  type PrefetchRun,
  type PrefetchRunState,
} from '../../shared/prefetch.js';
import type { Db } from './db.js';
import { CacheError } from './errors.js';
import { hasTable, openHistoryDatabase } from './history.js';

type Row = Record<string, unknown>;

/** Prefetch rules, synonyms, runs and marks. */
export class PrefetchStore {
  private readonly ownsDb: boolean;

  /** Over an open, migrated connection (tests pass one; `open` makes its own). */
  constructor(
    private readonly db: Db,
    options: { ownsDb?: boolean } = {},
  ) {
    this.ownsDb = options.ownsDb ?? false;
    if (!hasTable(db, 'prefetch_rule')) throw new CacheError('ESCHEMA', 'The history has no prefetch tables: open the Cache first (it prepares the history)');
  }

  /** Opens a connection of its own to the history of `dataDir` (prepared by Cache.open). */
  static open(dataDir: string): PrefetchStore {
    const db = openHistoryDatabase(dataDir);
    try {
      return new PrefetchStore(db, { ownsDb: true });
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** The rules in the order they are tried. A stored rule that no longer reads is left out, never fatal. */
  rules(): PrefetchRule[] {
    const rows = this.db.prepare('SELECT definition FROM prefetch_rule ORDER BY position, name').all() as Row[];
    const out: PrefetchRule[] = [];
    for (const r of rows) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(r.definition));
      } catch {
        continue;
      }
      const checked = checkRule(parsed);
      if (checked.ok) out.push(checked.value);
    }
    return out;
  }

  /**
   * Adds a rule, or replaces the one named `previousName` (a rename) or of the same name,
   * keeping its place; a new rule goes last. Returns the rules as they now are.
   */
  saveRule(rule: PrefetchRule, previousName?: string): PrefetchRule[] {
    this.db.transaction(() => {
      const old = previousName ?? rule.name;
      const held = this.db.prepare('SELECT position FROM prefetch_rule WHERE name = ?').get(old) as Row | undefined;
      if (previousName !== undefined && !held) throw new CacheError('ENOTFOUND', `No prefetch rule is named "${previousName}"`);
      if (previousName !== undefined && previousName.toLowerCase() !== rule.name.toLowerCase()) {
        const clash = this.db.prepare('SELECT 1 FROM prefetch_rule WHERE name = ?').get(rule.name);
        if (clash) throw new CacheError('EEXIST', `A prefetch rule named "${rule.name}" already exists: choose another name`);
      }
      const position = held
        ? Number(held.position)
        : Number((this.db.prepare('SELECT coalesce(max(position), -1) + 1 AS p FROM prefetch_rule').get() as Row).p);
      if (held) this.db.prepare('DELETE FROM prefetch_rule WHERE name = ?').run(old);
      this.db.prepare('INSERT INTO prefetch_rule (name, position, definition) VALUES (?, ?, ?)').run(rule.name, position, JSON.stringify(rule));
    })();
    return this.rules();
  }

  /** Removes a rule; false when there was none of that name. */
  deleteRule(name: string): boolean {
    return this.db.prepare('DELETE FROM prefetch_rule WHERE name = ?').run(name).changes > 0;
  }

  /** The body-part synonym table. */
  synonyms(): BodyPartSynonyms {
    const row = this.db.prepare('SELECT groups FROM prefetch_synonyms WHERE id = 1').get() as Row | undefined;
    if (!row) return [];
    try {
      const checked = checkSynonyms(JSON.parse(String(row.groups)));
      return checked.ok ? checked.value : [];
    } catch {
      return [];
    }
  }

  /** Replaces the synonym table (already checked by checkSynonyms). */
  saveSynonyms(groups: BodyPartSynonyms): void {
    this.db
      .prepare('INSERT INTO prefetch_synonyms (id, groups) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET groups = excluded.groups')
      .run(JSON.stringify(groups));
  }

  /** Records a new run; its revision starts at 0. */
  insertRun(run: PrefetchRun): PrefetchRun {
    this.db
      .prepare(
        `INSERT INTO prefetch_run (id, trigger, PatientID, IssuerOfPatientID, current_study_uid, state, dry_run, started_at, finished_at, revision, body)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
      )
      .run(
        run.id,
        run.trigger,
        run.PatientID,
        run.IssuerOfPatientID ?? '',
        run.current?.StudyInstanceUID ?? null,
        run.state,
        run.dryRun ? 1 : 0,
        run.startedAt,
        run.finishedAt ?? null,
        JSON.stringify({ ...run, revision: 0 }),
      );
    return { ...run, revision: 0 };
  }

  /** Stores the run as it now is, one revision up; returns it with that revision. */
  updateRun(run: PrefetchRun): PrefetchRun {
    const row = this.db.prepare('SELECT revision FROM prefetch_run WHERE id = ?').get(run.id) as Row | undefined;
    if (!row) throw new CacheError('ENOTFOUND', `No prefetch run ${run.id}`);
    const saved = { ...run, revision: Number(row.revision) + 1 };
    this.db
      .prepare('UPDATE prefetch_run SET state = ?, finished_at = ?, revision = ?, body = ? WHERE id = ?')
      .run(saved.state, saved.finishedAt ?? null, saved.revision, JSON.stringify(saved), run.id);
    return saved;
  }

  /** One run. */
  run(id: string): PrefetchRun | undefined {
    const row = this.db.prepare('SELECT body FROM prefetch_run WHERE id = ?').get(id) as Row | undefined;
    return row ? (JSON.parse(String(row.body)) as PrefetchRun) : undefined;
  }

  /** The last runs, newest first; only those of one patient, or in some states, when asked. */
  runs(filter: { limit?: number; PatientID?: string; states?: readonly PrefetchRunState[] } = {}): PrefetchRun[] {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.PatientID !== undefined) {
      where.push('PatientID = ?');
      values.push(filter.PatientID);
    }
    if (filter.states?.length) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      values.push(...filter.states);
    }
    const rows = this.db
      .prepare(`SELECT body FROM prefetch_run ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`)
      .all(...values, filter.limit ?? 50) as Row[];
    return rows.map((r) => JSON.parse(String(r.body)) as PrefetchRun);
  }

  /** The last run (not a dry run) for a current study, if any. */
  lastRunFor(studyInstanceUid: string): PrefetchRun | undefined {
    const row = this.db.prepare('SELECT body FROM prefetch_run WHERE current_study_uid = ? AND dry_run = 0 ORDER BY seq DESC LIMIT 1').get(studyInstanceUid) as
      Row | undefined;
    return row ? (JSON.parse(String(row.body)) as PrefetchRun) : undefined;
  }

  /** Marks a study as chosen by a rule (its badge); a later choice replaces an earlier one. */
  markPrefetched(studyInstanceUid: string, mark: PrefetchedMark & { runId: string }): void {
    this.db
      .prepare(
        `INSERT INTO prefetched_study (StudyInstanceUID, run_id, rule, reason, at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (StudyInstanceUID) DO UPDATE SET run_id = excluded.run_id, rule = excluded.rule, reason = excluded.reason, at = excluded.at`,
      )
      .run(studyInstanceUid, mark.runId, mark.rule, mark.reason, mark.at);
  }

  /** The marks of the given studies that have one. */
  marks(studyInstanceUids: readonly string[]): Map<string, PrefetchedMark> {
    const out = new Map<string, PrefetchedMark>();
    const stmt = this.db.prepare('SELECT rule, reason, at FROM prefetched_study WHERE StudyInstanceUID = ?');
    for (const uid of new Set(studyInstanceUids)) {
      const r = stmt.get(uid) as Row | undefined;
      if (r) out.set(uid, { rule: String(r.rule), reason: String(r.reason), at: Number(r.at) });
    }
    return out;
  }

  /** Records a worklist procedure as handled; false when it was handled before (once per procedure). */
  claimProcedure(key: string, node: string, now: number): boolean {
    return this.db.prepare('INSERT INTO worklist_seen (key, node, at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING').run(key, node, now).changes > 0;
  }

  /** Notes which run served a claimed procedure. */
  procedureRun(key: string, runId: string): void {
    this.db.prepare('UPDATE worklist_seen SET run_id = ? WHERE key = ?').run(runId, key);
  }

  /** Forgets a claimed procedure (its run could not start: the next poll tries again). */
  releaseProcedure(key: string): void {
    this.db.prepare('DELETE FROM worklist_seen WHERE key = ?').run(key);
  }

  /** Closes the connection when this store opened it. */
  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
