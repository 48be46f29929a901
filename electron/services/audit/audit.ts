/**
 * The audit trail (PS3.15 A.5 events, stored by ../cache/audit.ts): what other nodes do with
 * our SCP — queries, retrieves (and refused Move Destinations), the instances they store (one
 * event per association and study, not per instance), refused associations — and what this
 * workstation does to nodes and its cache — queries, retrieves, sends, deletes, imports.
 * Recording never fails the operation it records: a write error goes to the log.
 */
import { AuditOutcome, type AuditFilter, type AuditRecord, type AuditWhat } from '../../../shared/audit.js';
import { type DataSet, getStrings } from '../../../shared/dicom/dataset.js';
import { keywordOf } from '../../../shared/dicom/dictionary.js';
import { uidName } from '../../../shared/dicom/uids.js';
import type { AuditStore } from '../../cache/audit.js';
import type { Cache } from '../../cache/index.js';
import type { Logger } from '../../dimse/ul/association.js';
import type { AssociationInfo, FindHandler, FindRequest, MoveDestination, RetrieveHandler, RetrieveRequest } from '../../dimse/handlers.js';
import type { StoredEvent } from '../local-scp/handlers.js';
import { PATIENT_ID, PATIENT_NAME, STUDY_INSTANCE_UID } from '../../../shared/dicom/tags.js';
import { QUERY_RETRIEVE_LEVEL_TAG } from '../../../shared/dicom/query.js';

/** How long after a peer's last stored instance of a study its store event is written (ms). */
const STORE_SETTLE_MS = 2000;
/**
 * How long query events wait to be written, together (ms): long enough that the write does not
 * fall between a C-FIND's final response and the peer's A-RELEASE-RQ (delaying the release by an
 * SQLite commit), short enough that `priors audit` in another process sees a query at once.
 */
const QUERY_EVENTS_DELAY_MS = 50;

/** The keys of a query or retrieve identifier that carry a value, as "Keyword=value, …" (at most 300 characters). */
export function identifierSummary(identifier: DataSet): string {
  const parts: string[] = [];
  for (const [t] of identifier) {
    const value = getStrings(identifier, t).join('\\').trim();
    if (value !== '') parts.push(`${keywordOf(t) ?? t.toString(16).padStart(8, '0')}=${value}`);
  }
  const s = parts.join(', ');
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}

interface PendingStores {
  info: AssociationInfo;
  study: string;
  count: number;
  duplicates: number;
  timer: NodeJS.Timeout;
  /** The patient as the cache knew it at the first instance (the study may be gone when the event is written). */
  patient: { PatientID?: string; PatientName?: string };
  /** 'C-GET' for the stores of a C-GET we asked for. */
  via?: string;
}

/** Records audit events for the SCP and the workstation. */
export class AuditTrail {
  private readonly pending = new Map<string, PendingStores>();
  private readonly destinations = new Map<string, string>();
  /** Query events waiting to be written (see {@link recordSoon}). */
  private soon: Parameters<AuditTrail['record']>[0][] = [];
  private soonTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: AuditStore,
    private readonly cache: Cache,
    private readonly o: { localAeTitle: string; log?: Logger; now?: () => number },
  ) {}

  /** Adds an event (now, unless `at` is given). Never throws. */
  record(r: Omit<AuditRecord, 'at' | 'localAeTitle'> & { at?: number }): void {
    this.write([r], `a ${r.what} event`);
  }

  /** Writes events in one transaction, stamped with our AE title and the time; a failure goes to the log. */
  private write(events: readonly Parameters<AuditTrail['record']>[0][], what: string): void {
    const now = (this.o.now ?? Date.now)();
    try {
      this.store.appendAll(events.map((r) => ({ localAeTitle: this.o.localAeTitle, ...r, at: r.at ?? now })));
    } catch (err) {
      this.o.log?.('warn', `the audit log could not record ${what}: ${(err as Error).message}`);
    }
  }

  /**
   * Adds an event a moment later ({@link QUERY_EVENTS_DELAY_MS}), with the others of that moment
   * in one transaction: a C-FIND's event is recorded when its matches end, just before the final
   * response goes out, and an SQLite commit there or before the release would delay every query.
   * Reads and close write these first.
   */
  private recordSoon(r: Parameters<AuditTrail['record']>[0]): void {
    this.soon.push({ ...r, at: r.at ?? (this.o.now ?? Date.now)() });
    this.soonTimer ??= setTimeout(() => this.writeSoon(), QUERY_EVENTS_DELAY_MS);
  }

  private writeSoon(): void {
    clearTimeout(this.soonTimer);
    this.soonTimer = undefined;
    const events = this.soon;
    if (events.length === 0) return;
    this.soon = [];
    this.write(events, `${events.length} query event${events.length === 1 ? '' : 's'}`);
  }

  /** Events for the Audit screen and `priors audit`. */
  query(f: AuditFilter): ReturnType<AuditStore['query']> {
    this.writeSoon();
    return this.store.query(f);
  }

  /** The patient of a cached study, for events that name only the study. */
  private patientOf(study: string | undefined): { PatientID?: string; PatientName?: string } {
    const s = study ? this.cache.study(study) : undefined;
    return { ...(s?.PatientID ? { PatientID: s.PatientID } : {}), ...(s?.PatientName ? { PatientName: s.PatientName } : {}) };
  }

  private incoming(info: AssociationInfo): Pick<AuditRecord, 'direction' | 'peerAeTitle' | 'peerHost'> {
    return { direction: 'incoming', peerAeTitle: info.callingAeTitle.trim(), peerHost: info.peerAddress };
  }

  /** The query SCP, recording each C-FIND with its keys, its match count and how it ended. */
  wrapFind(inner: FindHandler): FindHandler {
    const record = (r: Parameters<AuditTrail['record']>[0]) => this.recordSoon(r);
    const incoming = (info: AssociationInfo) => this.incoming(info);
    return {
      async *find(request: FindRequest) {
        let matches = 0;
        let outcome: AuditOutcome = AuditOutcome.Success;
        let why: string | undefined;
        try {
          for await (const m of inner.find(request)) {
            matches++;
            yield m;
          }
          if (request.signal.aborted) {
            outcome = AuditOutcome.MinorFailure;
            why = 'cancelled by the caller';
          }
        } catch (err) {
          outcome = AuditOutcome.SeriousFailure;
          why = (err as Error).message;
          throw err;
        } finally {
          const id = request.identifier;
          record({
            what: 'query',
            outcome,
            ...(why ? { outcomeText: why } : {}),
            ...incoming(request.association),
            ...(getStrings(id, PATIENT_ID)[0] ? { PatientID: getStrings(id, PATIENT_ID)[0]!.trim() } : {}),
            ...(getStrings(id, PATIENT_NAME)[0] ? { PatientName: getStrings(id, PATIENT_NAME)[0]!.trim() } : {}),
            ...(getStrings(id, STUDY_INSTANCE_UID)[0] ? { StudyInstanceUID: getStrings(id, STUDY_INSTANCE_UID)[0]!.trim() } : {}),
            instances: matches,
            detail: `${uidName(request.sopClassUid)}: ${identifierSummary(id)}`,
          });
        }
      },
    };
  }

  /** The retrieve SCP: each C-MOVE/C-GET request with what it matched, and each refused Move Destination. */
  wrapRetrieve(inner: RetrieveHandler): RetrieveHandler {
    return {
      locate: async (request: RetrieveRequest) => {
        const id = request.identifier;
        const study = getStrings(id, STUDY_INSTANCE_UID)[0]?.trim();
        const destination = this.destinations.get(request.association.id);
        this.destinations.delete(request.association.id);
        try {
          const found = await inner.locate(request);
          this.record({
            what: 'retrieve',
            outcome: AuditOutcome.Success,
            ...this.incoming(request.association),
            ...(study ? { StudyInstanceUID: study } : {}),
            ...this.patientOf(study),
            instances: found.length,
            detail:
              `${uidName(request.sopClassUid)}${destination ? ` to ${destination}` : ''}: ${getStrings(id, QUERY_RETRIEVE_LEVEL_TAG)[0] ?? ''} ${identifierSummary(id)}`.trim(),
          });
          return found;
        } catch (err) {
          this.record({
            what: 'retrieve',
            outcome: AuditOutcome.SeriousFailure,
            outcomeText: (err as Error).message,
            ...this.incoming(request.association),
            ...(study ? { StudyInstanceUID: study } : {}),
          });
          throw err;
        }
      },
      destination: async (aeTitle: string, association: AssociationInfo): Promise<MoveDestination | undefined> => {
        const d = await inner.destination(aeTitle, association);
        if (d) this.destinations.set(association.id, aeTitle.trim());
        else {
          this.record({
            what: 'move-destination-refused',
            outcome: AuditOutcome.MinorFailure,
            ...this.incoming(association),
            outcomeText: `Move Destination ${aeTitle.trim()} is not a configured node (answered A801)`,
            detail: aeTitle.trim(),
          });
        }
        return d;
      },
    };
  }

  /**
   * Each instance a node stored into us as the C-STORE sub-operations of a C-GET we asked for
   * (PS3.4 C.4.3): recorded like a peer's stores, the peer being the node we called.
   */
  onStoredByGet = (e: StoredEvent): void => {
    this.onStored({ ...e, association: { ...e.association, callingAeTitle: e.association.calledAeTitle } }, 'C-GET');
  };

  /** Each instance stored by a peer: counted per association and study, written once the study settles. */
  onStored = (e: StoredEvent, via?: string): void => {
    const key = `${e.association.id}\u0000${e.studyInstanceUid}`;
    const p = this.pending.get(key);
    if (p) {
      p.count++;
      if (e.duplicate) p.duplicates++;
      p.timer.refresh(); // the study settles STORE_SETTLE_MS after its last instance
      return;
    }
    const pending: PendingStores = {
      info: e.association,
      study: e.studyInstanceUid,
      count: 1,
      duplicates: e.duplicate ? 1 : 0,
      timer: setTimeout(() => this.flushStores(key, pending), STORE_SETTLE_MS),
      patient: this.patientOf(e.studyInstanceUid),
      ...(via ? { via } : {}),
    };
    pending.timer.unref?.();
    this.pending.set(key, pending);
  };

  private flushStores(key: string, p: PendingStores): void {
    if (this.pending.get(key) !== p) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    const now = this.patientOf(p.study);
    const detail = [p.via ? `by ${p.via}` : '', p.duplicates ? `${p.duplicates} already in the cache (replaced)` : ''].filter(Boolean).join('; ');
    this.record({
      what: 'store',
      outcome: AuditOutcome.Success,
      ...this.incoming(p.info),
      StudyInstanceUID: p.study,
      ...(now.PatientID || now.PatientName ? now : p.patient),
      instances: p.count,
      ...(detail ? { detail } : {}),
    });
  }

  /** An association we refused: who, from where, why (PS3.15 Security Alert). */
  refused(request: { callingAeTitle: string; calledAeTitle: string; peerAddress: string }, reason: string, advice?: string): void {
    this.record({
      what: 'association-refused',
      outcome: AuditOutcome.MinorFailure,
      direction: 'incoming',
      peerAeTitle: request.callingAeTitle.trim(),
      peerHost: request.peerAddress,
      outcomeText: advice ? `${advice} (${reason})` : reason,
      detail: `called ${request.calledAeTitle.trim()}`,
    });
  }

  /**
   * An operation our SCP refused to an associated caller (callingAePolicy.services): a query, a
   * retrieve or a store with a minor failure and the sentence saying how to allow that node (PS3.15
   * A.5: the event of the operation, minor failure); a refused C-ECHO as a refused association.
   */
  refusedOperation(
    what: 'query' | 'retrieve' | 'store' | 'association-refused',
    info: AssociationInfo,
    sentence: string,
    detail: string,
    identifier?: DataSet,
  ): void {
    const patientId = identifier ? getStrings(identifier, PATIENT_ID)[0]?.trim() : undefined;
    const patientName = identifier ? getStrings(identifier, PATIENT_NAME)[0]?.trim() : undefined;
    this.record({
      what,
      outcome: AuditOutcome.MinorFailure,
      ...this.incoming(info),
      outcomeText: sentence,
      detail: detail.slice(0, 300),
      ...(patientId ? { PatientID: patientId } : {}),
      ...(patientName ? { PatientName: patientName } : {}),
    });
  }

  /** Something this workstation did (to a node, or to its cache). */
  ours(what: AuditWhat, r: Omit<AuditRecord, 'what' | 'at' | 'direction' | 'localAeTitle'> & { direction?: 'outgoing' | 'local' }): void {
    const study = r.StudyInstanceUID;
    this.record({ ...this.patientOf(study), ...r, what, direction: r.direction ?? 'outgoing' });
  }

  /**
   * An export to a folder, medium or ZIP (PS3.15 A.5.3.5 Export): one event per study, in one
   * transaction, each naming the patient as cached; `detail` says by whom, where to and whether
   * de-identified.
   */
  exported(
    studies: readonly Pick<AuditRecord, 'StudyInstanceUID' | 'PatientID' | 'PatientName' | 'instances'>[],
    r: { outcome: AuditOutcome; outcomeText?: string; detail: string },
  ): void {
    const events = studies.map((s) => ({
      what: 'export' as const,
      direction: 'local' as const,
      ...this.patientOf(s.StudyInstanceUID),
      ...s,
      outcome: r.outcome,
      ...(r.outcomeText ? { outcomeText: r.outcomeText } : {}),
      detail: r.detail.slice(0, 300),
    }));
    this.write(events, `${events.length} export event${events.length === 1 ? '' : 's'}`);
  }

  /** Writes the store events still settling and the query events not yet written. */
  flush(): void {
    this.writeSoon();
    for (const [key, p] of [...this.pending]) this.flushStores(key, p);
  }

  /** Flushes and closes the storage. */
  close(): void {
    this.flush();
    this.store.close();
  }
}
