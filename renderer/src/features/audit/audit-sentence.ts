/**
 * An audit event as a sentence for the Audit screen, without a DOM: who did what to which
 * patient's study (its description and date when the cache knows it, rather than its UID), and
 * how it ended. The raw fields (UIDs, query keys) stay for the details under it.
 */
import { AuditOutcome, type AuditEvent } from '../../../../shared/audit.js';
import type { StudyRecord } from '../../../../shared/records.js';
import { formatDicomDate, formatPersonName } from '../../lib/format.js';

/** What the cache knows of a study named by events. */
export type StudyFacts = Pick<StudyRecord, 'StudyDate' | 'StudyDescription' | 'ModalitiesInStudy'>;

/** "→ pacs (ORTHANC)", "← CT1 10.1.2.3", "this workstation". */
export function whoOf(e: AuditEvent): string {
  if (e.direction === 'local') return 'this workstation';
  const name =
    e.direction === 'outgoing'
      ? `${e.node ?? ''}${e.peerAeTitle && e.peerAeTitle !== e.node ? ` (${e.peerAeTitle})` : ''}`
      : `${e.peerAeTitle ?? ''}${e.peerHost ? ` ${e.peerHost}` : ''}`;
  return `${e.direction === 'incoming' ? '←' : '→'} ${name}`.trim();
}

/** The node we called ("pacs (ORTHANC)"), or the peer that called us ("ORTHANC at 127.0.0.1"). */
function peerOf(e: AuditEvent): string {
  if (e.direction === 'outgoing') return `${e.node ?? e.peerAeTitle ?? 'a node'}${e.peerAeTitle && e.peerAeTitle !== e.node ? ` (${e.peerAeTitle})` : ''}`;
  return `${e.peerAeTitle || 'a caller'}${e.peerHost ? ` at ${e.peerHost}` : ''}`;
}

/** "DOE, JANE — CT CHEST (2024-01-15)", "DOE, JANE", "a study", from what the event and the cache know. */
export function studyOf(e: AuditEvent, study: StudyFacts | undefined): string {
  const patient = formatPersonName(e.PatientName) || (e.PatientID ? `patient ${e.PatientID}` : '');
  const what = study
    ? [study.StudyDescription || `${study.ModalitiesInStudy.join('/') || 'a'} study`, study.StudyDate ? `(${formatDicomDate(study.StudyDate)})` : '']
        .filter(Boolean)
        .join(' ')
    : '';
  if (patient && what) return `${patient} — ${what}`;
  if (patient) return e.StudyInstanceUID ? `a study of ${patient}` : patient;
  return what || (e.StudyInstanceUID ? 'a study no longer in the cache' : '');
}

function count(n: number | undefined, one: string, many: string): string {
  return n === undefined ? '' : `${n} ${n === 1 ? one : many}`;
}

/** The query keys of a query event's detail, without the level or SOP class in front. */
function keysOf(detail: string | undefined): string {
  return (detail ?? '').replace(/^[^:]*:\s*/, '').trim();
}

/** The event in one sentence (without the outcome). */
export function auditSentence(e: AuditEvent, study?: StudyFacts): string {
  const target = studyOf(e, study);
  const via = /\bC-(GET|MOVE)\b/.exec(e.detail ?? '')?.[0];
  switch (e.what) {
    case 'query': {
      const keys = keysOf(e.detail);
      const found = count(e.instances, 'match', 'matches');
      return e.direction === 'outgoing'
        ? `Searched ${peerOf(e)}${keys ? ` for ${keys}` : ''}${found ? `: ${found}` : ''}`
        : `${peerOf(e)} searched this workstation${keys ? ` for ${keys}` : ''}${found ? `: ${found}` : ''}`;
    }
    case 'retrieve':
      return e.direction === 'outgoing'
        ? `Retrieved ${target || 'a study'} from ${peerOf(e)}${via ? ` by ${via}` : ''}${/test of the node/.test(e.detail ?? '') ? ' (node test)' : ''}${e.instances !== undefined ? `: ${count(e.instances, 'instance', 'instances')}` : ''}`
        : `${peerOf(e)} retrieved ${target || 'studies'} from this workstation${e.instances !== undefined ? `: ${count(e.instances, 'instance', 'instances')}` : ''}`;
    case 'store':
      return `${peerOf(e)} stored ${count(e.instances, 'instance', 'instances') || 'instances'}${target ? ` of ${target}` : ''}${via ? ` (our ${via})` : ''}`;
    case 'send':
      return `Sent ${target || 'studies'} to ${peerOf(e)}${e.instances !== undefined ? `: ${count(e.instances, 'instance', 'instances')}` : ''}`;
    case 'delete':
      return `Deleted ${target || (e.detail ?? 'series')} from the cache${e.instances !== undefined ? `: ${count(e.instances, 'instance', 'instances')}` : ''}`;
    case 'import':
      return `Imported ${count(e.instances, 'instance', 'instances') || 'files'}${e.detail ? ` ${e.detail}` : ''}`;
    case 'export':
      return `Exported ${target || 'studies'}${e.detail ? ` (${e.detail})` : ''}`;
    case 'prefetch':
      return `Prefetch looked for the priors of ${target || 'a patient'}${e.detail ? `: ${e.detail}` : ''}`;
    case 'association-refused':
      return `Refused an association from ${peerOf(e)}${e.detail ? ` (${e.detail})` : ''}`;
    case 'move-destination-refused':
      return `Refused to send to ${e.detail ?? 'an unknown destination'}, asked by ${peerOf(e)}`;
    default:
      return `${String(e.what)} ${target}`.trim();
  }
}

/** How it ended, in words. */
export function outcomeOf(e: AuditEvent): string {
  if (e.outcome === AuditOutcome.Success) return 'ok';
  return `${e.outcome === AuditOutcome.MinorFailure ? 'minor failure' : 'failed'}${e.outcomeText ? `: ${e.outcomeText}` : ''}`;
}
