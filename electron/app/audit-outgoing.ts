/**
 * Records what this workstation does in the audit trail (PS3.15 A.5): each query of a node when
 * it ends, each retrieve job when it ends, each send, delete and import. It listens to the app
 * core's events and the transfer queue's; neither knows it is there.
 */
import { AuditOutcome } from '../../shared/audit.js';
import { findNode, type Config } from '../../shared/config.js';
import type { AuditTrail } from '../services/audit/audit.js';
import type { TransferQueue } from '../services/transfers/index.js';
import type { AppCore } from './core.js';
import type { OperationEvent } from './operations.js';

/** Starts recording; returns the function that stops. */
export function auditOutgoing(core: AppCore, transfers: TransferQueue, audit: AuditTrail, config: () => Config): () => void {
  const peer = (node: string) => {
    const aeTitle = findNode(config(), node)?.aeTitle;
    return aeTitle ? { peerAeTitle: aeTitle } : {};
  };
  // a query is recorded when it ends, with its count; its node and keys are known when it starts
  const searches = new Map<string, { node: string; keys: Record<string, string>; level: string }>();
  const onOperation = (e: OperationEvent) => {
    switch (e.entry) {
      case 'search.start': {
        const { request: req, result: r } = e;
        if (r.ok && req.source.kind === 'node') searches.set(r.value.searchId, { node: req.source.node, keys: req.keys, level: req.level });
        return;
      }
      case 'cache.send': {
        const { request: req, result: r } = e;
        const failed = !r.ok || r.value.failed > 0 || r.value.error;
        audit.ours('send', {
          node: req.node,
          ...peer(req.node),
          ...(req.uids.length === 1 && req.level === 'STUDY' ? { StudyInstanceUID: req.uids[0]! } : {}),
          outcome: !r.ok ? AuditOutcome.SeriousFailure : failed ? AuditOutcome.MinorFailure : AuditOutcome.Success,
          ...(!r.ok ? { outcomeText: r.error.message } : r.value.error ? { outcomeText: r.value.error.message } : {}),
          instances: r.ok ? r.value.sent : 0,
          detail: `${req.level} ${req.uids.join(' ')}`.slice(0, 300),
        });
        return;
      }
      case 'cache.delete': {
        const { request: req, result: r } = e;
        const outcome = r.ok ? { outcome: AuditOutcome.Success } : { outcome: AuditOutcome.SeriousFailure, outcomeText: r.error.message };
        if (req.level !== 'STUDY') {
          audit.ours('delete', { direction: 'local', ...outcome, detail: `SERIES ${req.uids.join(' ')}`.slice(0, 300) });
          return;
        }
        for (const { uid, study } of e.studies) {
          audit.ours('delete', {
            direction: 'local',
            StudyInstanceUID: uid,
            ...outcome,
            ...(study?.PatientID ? { PatientID: study.PatientID } : {}),
            ...(study?.PatientName ? { PatientName: study.PatientName } : {}),
            ...(study ? { instances: study.NumberOfStudyRelatedInstances } : {}),
          });
        }
        return;
      }
      case 'cache.import': {
        const { request: req, result: r } = e;
        audit.ours('import', {
          direction: 'local',
          outcome: !r.ok ? AuditOutcome.SeriousFailure : r.value.skipped.length ? AuditOutcome.MinorFailure : AuditOutcome.Success,
          ...(r.ok ? {} : { outcomeText: r.error.message }),
          instances: r.ok ? r.value.imported : 0,
          detail: `from ${req.path}${r.ok && r.value.skipped.length ? `; ${r.value.skipped.length} files skipped` : ''}`.slice(0, 300),
        });
      }
    }
  };
  const stopOperations = core.onOperation(onOperation);
  const stopEvents = core.subscribe((e) => {
    if (e.type !== 'search.done') return;
    const s = searches.get(e.searchId);
    if (!s) return;
    searches.delete(e.searchId);
    const keys = Object.entries(s.keys)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    audit.ours('query', {
      node: s.node,
      ...peer(s.node),
      outcome: e.outcome === 'completed' ? AuditOutcome.Success : e.outcome === 'cancelled' ? AuditOutcome.MinorFailure : AuditOutcome.SeriousFailure,
      ...(e.error ? { outcomeText: e.error.message } : {}),
      ...(s.keys.PatientID ? { PatientID: s.keys.PatientID } : {}),
      ...(s.keys.PatientName ? { PatientName: s.keys.PatientName } : {}),
      instances: e.matches,
      detail: `${s.level}: ${keys}`.slice(0, 300),
    });
  });
  const stopJobs = transfers.on((e) => {
    if (e.type !== 'job.finished') return;
    const j = e.job;
    audit.ours('retrieve', {
      node: j.node,
      ...peer(j.node),
      StudyInstanceUID: j.StudyInstanceUID,
      instances: j.progress.arrived,
      outcome:
        j.state === 'completed'
          ? AuditOutcome.Success
          : j.state === 'cancelled' || j.state === 'incomplete'
            ? AuditOutcome.MinorFailure
            : AuditOutcome.SeriousFailure,
      ...(j.verdict ? { outcomeText: j.verdict.sentence } : {}),
      detail: `${(j.usedMethod ?? j.method) === 'get' ? 'C-GET' : 'C-MOVE'} ${j.level}`,
    });
  });
  return () => {
    stopOperations();
    stopEvents();
    stopJobs();
  };
}
