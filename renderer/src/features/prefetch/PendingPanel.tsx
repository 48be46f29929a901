/** The prefetch retrieves queued or running (they wait behind the user's own), with a way to the Transfers screen. */
import type { TransferJob } from '../../../../shared/transfers.js';
import type { ApiError } from '../../../../shared/api/contract.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { showScreen } from '../../app/show-screen.js';
import { jobView } from '../transfers/job-view.js';

export function PendingPanel({ jobs, error }: { jobs: TransferJob[]; error?: ApiError | undefined }) {
  return (
    <section className="prefetch-section" role="region" aria-labelledby="pf-pending-h">
      <div className="section-head">
        <h2 id="pf-pending-h">Pending</h2>
        <span className="muted" role="status">
          {jobs.length ? `${jobs.length} prefetch retrieve${jobs.length === 1 ? '' : 's'} queued or running` : 'No prefetch retrieve is queued or running.'}
        </span>
        <button type="button" className="link-button" onClick={() => showScreen('transfers')}>
          Open Transfers (Alt+2)
        </button>
      </div>
      <ErrorLine error={error} />
      {jobs.length > 0 && (
        <ul className="pending-list" aria-label="Pending prefetch retrieves">
          {jobs.map((j) => (
            <li key={j.id} data-job-id={j.id} data-state={j.state}>
              <span className={`state state-${j.state}`}>{j.state}</span>
              <span className="pending-label" title={j.StudyInstanceUID}>
                {j.label ?? j.StudyInstanceUID}
              </span>
              <span className="muted">
                {j.node} · {jobView(j).counts}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
