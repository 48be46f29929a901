/**
 * The status line of a "Prefetch priors" started from a screen (Search, Viewer): looking, the
 * call's error, or the run's sentence as its retrieves go, with a link to the Prefetch screen
 * where the run lists every study judged and why.
 */
import { formatPersonName } from '../lib/format.js';
import { showScreen } from './show-screen.js';
import type { PrefetchAction } from './use-prefetch-run.js';

export function PrefetchStatus({ action, patient }: { action: PrefetchAction; patient: string }) {
  const { run, error, busy } = action;
  if (!run && !error && !busy) return null;
  const who = formatPersonName(run?.PatientName) || run?.PatientID || patient;
  return (
    <p
      className={`prefetch-status${error ? ' error-line' : ''}`}
      role="status"
      aria-label="Prefetch priors"
      data-state={busy ? 'asking' : error ? 'failed' : run?.state}
      data-run-id={run?.id}
    >
      {busy && `Looking for the priors of ${formatPersonName(patient) || patient} in the cache and on the archives…`}
      {!busy && error && error.message}
      {!busy && !error && run && (
        <>
          Prefetch for {who}: {run.sentence}{' '}
        </>
      )}
      {!busy && run && (
        <button type="button" className="link-button" onClick={() => showScreen('prefetch')}>
          Details in Prefetch (Alt+8)
        </button>
      )}
    </p>
  );
}
