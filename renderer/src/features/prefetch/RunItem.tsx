/**
 * One prefetch run: when, what set it off, the patient, the current study, its state and its
 * one sentence; expanded, every earlier study it judged (decision, date, modality, body part,
 * description, where it was found, the retrieve's state, and why), conflicts flagged, and how
 * each node answered.
 */
import type { PrefetchCandidate, PrefetchRun } from '../../../../shared/prefetch.js';
import { formatDateTime, formatDicomDate } from '../../lib/format.js';
import { currentText, DECISION_LABEL, decisionCounts, foundOnText, nodeLines, patientText, sortCandidates, STATE_LABEL, triggerText } from './run-view.js';

export function RunItem({ run, expanded, onToggle }: { run: PrefetchRun; expanded: boolean; onToggle(): void }) {
  const when = formatDateTime(run.startedAt);
  return (
    <li className={`run run-${run.state}`} data-run-id={run.id} data-state={run.state} data-dry-run={run.dryRun} data-row="" tabIndex={-1}>
      <div className="run-head">
        <button
          type="button"
          className="row-button run-toggle"
          data-primary=""
          aria-expanded={expanded}
          onClick={onToggle}
          aria-label={`${expanded ? 'Hide' : 'Show'} the studies of the run for ${patientText(run)} at ${when}`}
        >
          <span aria-hidden="true">{expanded ? '▾' : '▸'}</span> <time dateTime={new Date(run.startedAt).toISOString()}>{when}</time>
        </button>
        <span className="run-trigger" data-trigger={run.trigger}>
          {triggerText(run)}
        </span>
        <span className="run-patient">{patientText(run)}</span>
        {run.dryRun && <span className="tag">dry run</span>}
        <span className={`state state-${run.state}`}>{STATE_LABEL[run.state]}</span>
      </div>
      <p className="run-current">
        <span className="muted">Current study: </span>
        {currentText(run.current)}
      </p>
      <p className="run-sentence">{run.sentence}</p>
      {!expanded && <p className="run-counts muted">{decisionCounts(run.candidates)}</p>}
      {expanded && <RunDetail run={run} />}
    </li>
  );
}

function RunDetail({ run }: { run: PrefetchRun }) {
  const candidates = sortCandidates(run.candidates);
  const nodes = nodeLines(run);
  return (
    <div className="run-detail">
      {nodes.length > 0 && (
        <ul className="run-nodes" aria-label="Nodes asked">
          {nodes.map((n) => (
            <li key={n.node} className={n.ok ? undefined : 'error-line'} data-node={n.node} data-ok={n.ok}>
              {n.text}
            </li>
          ))}
        </ul>
      )}
      {candidates.length === 0 ? (
        <p className="muted">No earlier study of the patient was found.</p>
      ) : (
        <table className="series-table candidates-table" aria-label="Candidate studies">
          <colgroup>
            <col style={{ width: '100px' }} />
            <col style={{ width: '92px' }} />
            <col style={{ width: '56px' }} />
            <col style={{ width: '84px' }} />
            <col style={{ width: '18%' }} />
            <col style={{ width: '96px' }} />
            <col style={{ width: '84px' }} />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Decision</th>
              <th scope="col">Date</th>
              <th scope="col">Mod.</th>
              <th scope="col">Body part</th>
              <th scope="col">Description</th>
              <th scope="col">From</th>
              <th scope="col">Retrieve</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {candidates.map((c) => (
              <CandidateRow key={c.StudyInstanceUID} c={c} dryRun={run.dryRun} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function CandidateRow({ c, dryRun }: { c: PrefetchCandidate; dryRun: boolean }) {
  const conflict = c.decision === 'conflict';
  const job = c.jobState ?? (c.decision === 'fetch' && dryRun ? 'not queued (dry run)' : '');
  return (
    <tr data-decision={c.decision} data-study-uid={c.StudyInstanceUID} className={`candidate candidate-${c.decision}`}>
      <td>
        <span className={`decision decision-${c.decision}`} title={conflict ? 'Same Patient ID, another name or birth date: check the identity' : undefined}>
          {conflict && <span aria-hidden="true">⚠ </span>}
          {DECISION_LABEL[c.decision]}
        </span>
      </td>
      <td>{formatDicomDate(c.StudyDate)}</td>
      <td title={c.modalities.join('/')}>{c.modalities.join('/')}</td>
      <td title={c.bodyParts.join('/')}>{c.bodyParts.join('/')}</td>
      <td title={`${c.StudyDescription ?? ''}${c.AccessionNumber ? ` · accession ${c.AccessionNumber}` : ''}`}>{c.StudyDescription ?? ''}</td>
      <td title={foundOnText(c)}>{foundOnText(c)}</td>
      <td data-job-state={c.jobState ?? ''}>{job}</td>
      <td className="reason">{c.reason}</td>
    </tr>
  );
}
