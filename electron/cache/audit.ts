/**
 * The audit log's storage (table audit_event, migration 004): append and read, nothing else —
 * the table's triggers refuse UPDATE and DELETE. It works on its own connection to
 * <dataDir>/history.sqlite (history.ts: the audit log outlives an index rebuilt from the files),
 * opened after `Cache.open` has prepared it (as JobStore does).
 */
import { AUDIT_EVENT_CODES, type AuditEvent, type AuditFilter, type AuditRecord } from '../../shared/audit.js';
import type { Db } from './db.js';
import { CacheError } from './errors.js';
import { hasTable, openHistoryDatabase } from './history.js';

type Row = Record<string, unknown>;

/** The most rows one query answers. */
export const AUDIT_PAGE_MAX = 10_000;

/** Appends and reads audit events. */
export class AuditStore {
  private readonly insert;

  private constructor(
    private readonly db: Db,
    private readonly ownsDb: boolean,
  ) {
    if (!hasTable(db, 'audit_event')) throw new CacheError('ESCHEMA', 'The history has no audit_event table: open the Cache first (it prepares the history)');
    this.insert = db.prepare(`INSERT INTO audit_event (at, event_code, action, outcome, outcome_text, what, direction, peer_ae, peer_host,
      local_ae, node, patient_id, patient_name, study_uid, instances, detail)
      VALUES (@at, @eventCode, @action, @outcome, @outcomeText, @what, @direction, @peerAeTitle, @peerHost,
      @localAeTitle, @node, @PatientID, @PatientName, @StudyInstanceUID, @instances, @detail)`);
  }

  /** Over a migrated connection (tests), or its own connection to `dataDir`'s history. */
  static over(db: Db): AuditStore {
    return new AuditStore(db, false);
  }

  static open(dataDir: string): AuditStore {
    const db = openHistoryDatabase(dataDir);
    try {
      return new AuditStore(db, true);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Adds one event; answers its sequence number. */
  append(r: AuditRecord): number {
    const code = AUDIT_EVENT_CODES[r.what];
    const v = (x: unknown) => (x === undefined ? null : x);
    return Number(
      this.insert.run({
        at: r.at,
        eventCode: code.code,
        action: r.action ?? code.action,
        outcome: r.outcome,
        outcomeText: v(r.outcomeText),
        what: r.what,
        direction: r.direction,
        peerAeTitle: v(r.peerAeTitle),
        peerHost: v(r.peerHost),
        localAeTitle: v(r.localAeTitle),
        node: v(r.node),
        PatientID: v(r.PatientID),
        PatientName: v(r.PatientName),
        StudyInstanceUID: v(r.StudyInstanceUID),
        instances: v(r.instances),
        detail: v(r.detail),
      }).lastInsertRowid,
    );
  }

  /** Adds several events in one transaction (one commit for a burst of queries). */
  appendAll(records: readonly AuditRecord[]): void {
    this.db.transaction(() => {
      for (const r of records) this.append(r);
    })();
  }

  /** Events newest first, narrowed by `f` (bound parameters only), and how many match in all. */
  query(f: AuditFilter = {}): { events: AuditEvent[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.since !== undefined) {
      where.push('at >= ?');
      params.push(f.since);
    }
    if (f.until !== undefined) {
      where.push('at < ?');
      params.push(f.until);
    }
    if (f.what !== undefined) {
      where.push('what = ?');
      params.push(f.what);
    }
    if (f.peer) {
      where.push('(lower(peer_ae) = lower(?) OR lower(node) = lower(?))');
      params.push(f.peer, f.peer);
    }
    if (f.patient) {
      where.push("(patient_id = ? OR lower(patient_name) LIKE lower(?) ESCAPE '\\')");
      params.push(f.patient, `${f.patient.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (f.outcome === 'ok') where.push('outcome = 0');
    if (f.outcome === 'failed') where.push('outcome <> 0');
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = this.db
      .prepare(`SELECT count(*) FROM audit_event${clause}`)
      .pluck()
      .get(...params) as number;
    const limit = Math.min(f.limit ?? 200, AUDIT_PAGE_MAX);
    const rows = this.db.prepare(`SELECT * FROM audit_event${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...params, limit, f.offset ?? 0) as Row[];
    return { events: rows.map(toEvent), total };
  }

  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}

function toEvent(r: Row): AuditEvent {
  const opt = <K extends string>(k: K, v: unknown) => (v === null || v === undefined ? {} : { [k]: v }) as Partial<Record<K, never>>;
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    what: r.what as AuditEvent['what'],
    eventCode: String(r.event_code),
    action: r.action as AuditEvent['action'],
    outcome: Number(r.outcome) as AuditEvent['outcome'],
    direction: r.direction as AuditEvent['direction'],
    ...opt('outcomeText', r.outcome_text),
    ...opt('peerAeTitle', r.peer_ae),
    ...opt('peerHost', r.peer_host),
    ...opt('localAeTitle', r.local_ae),
    ...opt('node', r.node),
    ...opt('PatientID', r.patient_id),
    ...opt('PatientName', r.patient_name),
    ...opt('StudyInstanceUID', r.study_uid),
    ...(r.instances === null ? {} : { instances: Number(r.instances) }),
    ...opt('detail', r.detail),
  } as AuditEvent;
}
