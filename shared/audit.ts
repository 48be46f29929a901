/**
 * The audit log's records and their export, after the DICOM audit message schema (PS3.15 A.5,
 * RFC 3881): every query, retrieve, store, send, delete, import and refused association, who
 * (AE title and address) did it to whom, which patient and study, when, and how it ended. Pure
 * code: used by the main process (storage) and the renderer (the Audit screen).
 */

/** What happened, in words the Audit screen filters by. */
export type AuditWhat =
  'query' | 'retrieve' | 'store' | 'send' | 'delete' | 'import' | 'export' | 'prefetch' | 'association-refused' | 'move-destination-refused';

/** PS3.15 A.5.1 EventIdentification / EventID (DCM code scheme), by what happened. */
export const AUDIT_EVENT_CODES: Readonly<Record<AuditWhat, { code: string; name: string; action: AuditAction }>> = {
  query: { code: '110112', name: 'Query', action: 'E' },
  retrieve: { code: '110102', name: 'Begin Transferring DICOM Instances', action: 'E' },
  store: { code: '110104', name: 'DICOM Instances Transferred', action: 'C' },
  send: { code: '110104', name: 'DICOM Instances Transferred', action: 'R' },
  delete: { code: '110103', name: 'DICOM Instances Accessed', action: 'D' },
  import: { code: '110104', name: 'DICOM Instances Transferred', action: 'C' },
  // PS3.15 A.5.3.5: studies written to media or a file (one event per study), identified or de-identified
  export: { code: '110106', name: 'Export', action: 'R' },
  // a prefetch is the queries that chose the priors; each retrieve it queued is audited on its own
  prefetch: { code: '110112', name: 'Query', action: 'E' },
  'association-refused': { code: '110113', name: 'Security Alert', action: 'E' },
  'move-destination-refused': { code: '110113', name: 'Security Alert', action: 'E' },
};

/** EventActionCode (RFC 3881): Create, Read, Update, Delete, Execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';
/**
 * EventOutcomeIndicator (PS3.15 A.5.1, RFC 3881): a minor failure is an action that ended
 * with part of its work undone (cancelled, some instances failed), a serious failure one that
 * did not happen; a major failure would leave the workstation unusable.
 */
export const AuditOutcome = { Success: 0, MinorFailure: 4, SeriousFailure: 8, MajorFailure: 12 } as const;
/** One of the {@link AuditOutcome} values. */
export type AuditOutcome = (typeof AuditOutcome)[keyof typeof AuditOutcome];

/** One event as recorded. `direction`: a peer called us (incoming), we called a node (outgoing), or this workstation alone (local). */
export interface AuditEvent {
  seq: number;
  at: number;
  what: AuditWhat;
  eventCode: string;
  action: AuditAction;
  outcome: AuditOutcome;
  outcomeText?: string;
  direction: 'incoming' | 'outgoing' | 'local';
  peerAeTitle?: string;
  peerHost?: string;
  localAeTitle?: string;
  /** The configured node's name, for outgoing events. */
  node?: string;
  PatientID?: string;
  PatientName?: string;
  StudyInstanceUID?: string;
  instances?: number;
  /** Query keys, a destination, a path: what else says what was done. */
  detail?: string;
}

/** A new event: the log adds `seq`, and the event code and action from `what`. */
export type AuditRecord = Omit<AuditEvent, 'seq' | 'eventCode' | 'action'> & { action?: AuditAction };

/** What the Audit screen and `priors audit` ask for; every field narrows. */
export interface AuditFilter {
  since?: number;
  until?: number;
  what?: AuditWhat;
  /** Matches the peer AE title or the node name (exact, case-insensitive). */
  peer?: string;
  /** Matches Patient ID exactly or Patient Name as a prefix (case-insensitive). */
  patient?: string;
  /** 'ok' = outcome 0; 'failed' = any other. */
  outcome?: 'ok' | 'failed';
  limit?: number;
  offset?: number;
}

/** The PS3.15 A.5 audit message of an event, as JSON (the structure of the XML schema). */
export function auditMessage(e: AuditEvent, source: { auditSourceId: string }): Record<string, unknown> {
  const us = {
    UserID: e.localAeTitle ?? source.auditSourceId,
    AlternativeUserID: `AETITLES=${e.localAeTitle ?? ''}`,
    UserIsRequestor: e.direction === 'outgoing' || e.direction === 'local',
    RoleIDCode: {
      csd_code: e.direction === 'incoming' ? '110152' : '110153',
      codeSystemName: 'DCM',
      originalText: e.direction === 'incoming' ? 'Destination Role ID' : 'Source Role ID',
    },
  };
  const peer =
    e.peerAeTitle || e.peerHost
      ? [
          {
            UserID: e.peerAeTitle ?? e.node ?? '',
            AlternativeUserID: `AETITLES=${e.peerAeTitle ?? ''}`,
            UserIsRequestor: e.direction === 'incoming',
            NetworkAccessPointID: e.peerHost ?? '',
            NetworkAccessPointTypeCode: '2',
            RoleIDCode: {
              csd_code: e.direction === 'incoming' ? '110153' : '110152',
              codeSystemName: 'DCM',
              originalText: e.direction === 'incoming' ? 'Source Role ID' : 'Destination Role ID',
            },
          },
        ]
      : [];
  const objects: Record<string, unknown>[] = [];
  if (e.PatientID)
    objects.push({
      ParticipantObjectID: e.PatientID,
      ParticipantObjectTypeCode: '1',
      ParticipantObjectTypeCodeRole: '1',
      ParticipantObjectIDTypeCode: { csd_code: '2', originalText: 'Patient Number' },
      ParticipantObjectName: e.PatientName ?? '',
    });
  if (e.StudyInstanceUID)
    objects.push({
      ParticipantObjectID: e.StudyInstanceUID,
      ParticipantObjectTypeCode: '2',
      ParticipantObjectTypeCodeRole: '3',
      ParticipantObjectIDTypeCode: { csd_code: '110180', codeSystemName: 'DCM', originalText: 'Study Instance UID' },
      ...(e.instances !== undefined
        ? {
            ParticipantObjectDescription: {
              NumberOfInstances: e.instances,
              ...(e.what === 'export' ? { Anonymized: /de-identified/.test(e.detail ?? '') } : {}),
            },
          }
        : {}),
    });
  // the medium an export wrote to (PS3.15 A.5.3.5: Destination Media), as its detail names it ("to <where> (…)")
  const media = e.what === 'export' ? /^to (.+?)(?: \(.*\))?$/.exec(e.detail ?? '')?.[1] : undefined;
  if (media)
    peer.push({
      UserID: media,
      AlternativeUserID: '',
      UserIsRequestor: false,
      NetworkAccessPointID: '',
      NetworkAccessPointTypeCode: '',
      RoleIDCode: { csd_code: '110154', codeSystemName: 'DCM', originalText: 'Destination Media' },
    });
  if (e.what === 'query' && e.detail)
    objects.push({
      ParticipantObjectID: '1.2.840.10008.5.1.4.1.2.2.1',
      ParticipantObjectTypeCode: '2',
      ParticipantObjectTypeCodeRole: '24',
      ParticipantObjectIDTypeCode: { csd_code: '110181', codeSystemName: 'DCM', originalText: 'SOP Class UID' },
      ParticipantObjectQuery: e.detail,
    });
  return {
    EventIdentification: {
      EventActionCode: e.action,
      EventDateTime: new Date(e.at).toISOString(),
      EventOutcomeIndicator: e.outcome,
      EventID: { csd_code: e.eventCode, codeSystemName: 'DCM', originalText: AUDIT_EVENT_CODES[e.what].name },
      ...(e.outcomeText ? { EventOutcomeDescription: e.outcomeText } : {}),
    },
    ActiveParticipant: [us, ...peer],
    AuditSourceIdentification: { AuditSourceID: source.auditSourceId, AuditSourceTypeCode: { csd_code: '4', originalText: 'Application Server Process' } },
    ParticipantObjectIdentification: objects,
  };
}

const CSV_COLUMNS: readonly (keyof AuditEvent)[] = [
  'seq',
  'at',
  'what',
  'eventCode',
  'action',
  'outcome',
  'outcomeText',
  'direction',
  'peerAeTitle',
  'peerHost',
  'localAeTitle',
  'node',
  'PatientID',
  'PatientName',
  'StudyInstanceUID',
  'instances',
  'detail',
];

/** The events as CSV (RFC 4180): a header line, then one line per event; `at` as ISO 8601. */
export function auditCsv(events: readonly AuditEvent[]): string {
  const cell = (v: unknown): string => {
    const s = v === undefined || v === null ? '' : String(v);
    // a value a spreadsheet would run as a formula (=, +, -, @) is quoted and defused with a leading '
    if (/^[=+\-@]/.test(s)) return `"'${s.replace(/"/g, '""')}"`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of events) lines.push(CSV_COLUMNS.map((c) => cell(c === 'at' ? new Date(e.at).toISOString() : e[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
