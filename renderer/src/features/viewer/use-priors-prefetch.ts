/**
 * "Prefetch priors" in the viewer: runs the prefetch rules with the open study as the current
 * one, and tells the viewer each time one of the run's retrieves completes (and when the run
 * ends), so the prior picker offers the studies as they arrive. Opening another study forgets
 * the run.
 */
import { useCallback, useEffect, useRef } from 'react';
import type { StudyRecord } from '../../../../shared/records.js';
import { usePrefetchRun } from '../../app/use-prefetch-run.js';

export function usePriorsPrefetch(current: StudyRecord | undefined, onArrived: () => void) {
  const action = usePrefetchRun();
  const { start, clear, run: last } = action;
  const uid = current?.StudyInstanceUID;
  useEffect(() => {
    clear();
  }, [uid, clear]);

  // completed retrieves counted per run: a new one (or the run's end) refreshes the picker
  const seen = useRef<{ id?: string; completed: number; ended: boolean }>({ completed: 0, ended: false });
  const arrived = useRef(onArrived);
  arrived.current = onArrived;
  useEffect(() => {
    if (!last) return;
    const completed = last.candidates.filter((c) => c.jobState === 'completed').length;
    const ended = last.state !== 'running';
    const before = seen.current.id === last.id ? seen.current : { completed: 0, ended: false };
    seen.current = { id: last.id, completed, ended };
    if (completed > before.completed || (ended && !before.ended && last.candidates.some((c) => c.jobId))) arrived.current();
  }, [last]);

  const run = useCallback(() => {
    if (!current?.PatientID) return;
    void start({
      PatientID: current.PatientID,
      StudyInstanceUID: current.StudyInstanceUID,
      ...(current.IssuerOfPatientID ? { IssuerOfPatientID: current.IssuerOfPatientID } : {}),
    });
  }, [current, start]);

  return { action, run };
}
