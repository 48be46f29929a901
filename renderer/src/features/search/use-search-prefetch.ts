/**
 * "Prefetch priors" from Search (the button, or P on a focused row): the focused study's
 * patient, with that study as the current one when the cache holds it whole (else prefetch
 * takes the patient's newest); the run's sentence follows in the screen's status line.
 */
import { useCallback, useState } from 'react';
import type { SearchSource } from '../../../../shared/api/contract.js';
import { usePrefetchRun } from '../../app/use-prefetch-run.js';
import { formatPersonName } from '../../lib/format.js';
import type { StudyRow } from './study-rows.js';

export function useSearchPrefetch(source: SearchSource | undefined, setNotice: (text: string) => void) {
  const action = usePrefetchRun();
  const [patient, setPatient] = useState('');
  const start = action.start;
  const prefetchFor = useCallback(
    (row: StudyRow | undefined) => {
      if (!row) {
        setNotice('Choose a study first: prefetch looks for the priors of its patient.');
        return;
      }
      if (!row.PatientID) {
        setNotice('This study has no Patient ID: prefetch finds priors by Patient ID.');
        return;
      }
      const issuer = row.raw.IssuerOfPatientID;
      const held = row.cache === 'full' || source?.kind === 'local';
      setPatient(formatPersonName(row.PatientName) || row.PatientID);
      void start({ PatientID: row.PatientID, ...(issuer ? { IssuerOfPatientID: issuer } : {}), ...(held ? { StudyInstanceUID: row.StudyInstanceUID } : {}) });
    },
    [start, source, setNotice],
  );
  return { action, patient, prefetchFor };
}
