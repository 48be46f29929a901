/** The answer of "Ask <node>": the patient's studies on that PACS that are not here, each with Retrieve. */
import type { ReactElement } from 'react';
import type { MatchRow } from '../../../../shared/api/contract.js';
import { formatDicomDate } from '../../lib/format.js';
import type { RemotePriors } from './use-remote-priors.js';

export function RemotePriorsPanel({
  remote,
  retrieving,
  onRetrieve,
}: {
  remote: RemotePriors;
  retrieving: ReadonlySet<string>;
  onRetrieve(node: string, row: MatchRow): void;
}): ReactElement {
  return (
    <div className="viewer-remote" aria-label="Priors on the PACS" role="region">
      {remote.state === 'asking' && <p className="muted">Asking {remote.node} for this patient&apos;s studies…</p>}
      {remote.state === 'failed' && (
        <p className="error-line" role="alert">
          {remote.message ?? `${remote.node} did not answer.`}
        </p>
      )}
      {remote.state === 'done' && remote.rows.length === 0 && (
        <p className="muted">{remote.node} has no other study of this patient that is not here already.</p>
      )}
      <ul>
        {remote.rows.map((row) => (
          <li key={row.StudyInstanceUID}>
            {formatDicomDate(row.StudyDate ?? '')} {row.StudyDescription ?? ''} {row.ModalitiesInStudy ?? ''}{' '}
            {retrieving.has(row.StudyInstanceUID ?? '') ? (
              <span className="muted">retrieving (see Transfers)…</span>
            ) : (
              <button type="button" onClick={() => onRetrieve(remote.node, row)}>
                Retrieve
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
