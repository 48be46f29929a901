/**
 * Keeps a study the viewer shows from being evicted (viewer.hold): held while shown, renewed
 * at a third of its lease, released when another study replaces it or the viewer closes. A
 * failed call is harmless (the study is only unprotected until the next renewal).
 */
import { useEffect } from 'react';
import { useTransport } from '../../app/api-context.js';

export function useHold(studyUid: string | undefined): void {
  const transport = useTransport();
  useEffect(() => {
    if (!studyUid) return;
    let holdId: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ended = false;
    const renew = async (): Promise<void> => {
      const r = await transport.call('viewer.hold', { StudyInstanceUID: studyUid, ...(holdId ? { holdId } : {}) });
      if (ended) {
        if (r.ok) void transport.call('viewer.release', { holdId: r.value.holdId });
        return;
      }
      if (r.ok) holdId = r.value.holdId;
      timer = setTimeout(() => void renew(), r.ok ? r.value.leaseMs / 3 : 30_000);
    };
    void renew();
    return () => {
      ended = true;
      clearTimeout(timer);
      if (holdId) void transport.call('viewer.release', { holdId });
    };
  }, [studyUid, transport]);
}
