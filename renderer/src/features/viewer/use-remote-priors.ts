/**
 * "Priors on the PACS": asks a node for the open patient's studies (a STUDY-level search whose
 * matches stream in as events), lists those the cache does not hold, and retrieves one on
 * demand; `onRetrieved` is told when such a retrieve ends complete, so the picker can offer it.
 */
import { useCallback, useState } from 'react';
import type { MatchRow } from '../../../../shared/api/contract.js';
import type { StudyRecord } from '../../../../shared/records.js';
import { useApiEvents, useTransport } from '../../app/api-context.js';
import { formatDicomDate } from '../../lib/format.js';

/** Studies a PACS holds for the patient that the cache does not (yet). */
export interface RemotePriors {
  node: string;
  state: 'asking' | 'done' | 'failed';
  rows: MatchRow[];
  message?: string;
  searchId?: string;
}

export function useRemotePriors(current: StudyRecord | undefined, onRetrieved: () => void, onError: (message: string) => void) {
  const transport = useTransport();
  const [remote, setRemote] = useState<RemotePriors | undefined>();
  const [retrieving, setRetrieving] = useState<ReadonlySet<string>>(new Set());

  useApiEvents((event) => {
    if (event.type === 'search.match' && remote && event.searchId === remote.searchId) {
      if (event.cache === 'full' || event.row.StudyInstanceUID === current?.StudyInstanceUID) return;
      setRemote((r) => (r && r.searchId === event.searchId ? { ...r, rows: [...r.rows, event.row] } : r));
    } else if (event.type === 'search.done' && remote && event.searchId === remote.searchId) {
      setRemote((r) => r && { ...r, state: event.outcome === 'failed' ? 'failed' : 'done', ...(event.error ? { message: event.error.message } : {}) });
    } else if (event.type === 'job.finished' && current && event.job.state === 'completed' && retrieving.has(event.job.StudyInstanceUID)) {
      onRetrieved();
    }
  });

  const ask = useCallback(
    async (node: string): Promise<void> => {
      if (!current) return;
      const keys: Record<string, string> = {
        PatientID: current.PatientID ?? '',
        StudyDate: '',
        StudyDescription: '',
        ModalitiesInStudy: '',
        NumberOfStudyRelatedInstances: '',
        PatientName: '',
      };
      if (current.IssuerOfPatientID) keys.IssuerOfPatientID = current.IssuerOfPatientID;
      const searchId = `viewer-priors-${Date.now()}`;
      setRemote({ node, state: 'asking', rows: [], searchId });
      const r = await transport.call('search.start', { source: { kind: 'node', node }, level: 'STUDY', keys, searchId });
      if (!r.ok) setRemote({ node, state: 'failed', rows: [], message: r.error.message });
    },
    [current, transport],
  );

  const retrieve = useCallback(
    async (node: string, row: MatchRow): Promise<void> => {
      const uid = row.StudyInstanceUID;
      if (!uid) return;
      const expected = Number(row.NumberOfStudyRelatedInstances);
      const r = await transport.call('transfers.add', {
        node,
        level: 'STUDY',
        StudyInstanceUID: uid,
        label: `Prior ${formatDicomDate(row.StudyDate ?? '')} ${row.StudyDescription ?? ''}`.trim(),
        ...(Number.isFinite(expected) && expected > 0 ? { expected } : {}),
      });
      if (!r.ok) {
        onError(r.error.message);
        return;
      }
      setRetrieving((s) => new Set(s).add(uid));
    },
    [transport, onError],
  );

  const reset = useCallback(() => setRemote(undefined), []);
  return { remote, retrieving, ask, retrieve, reset };
}
