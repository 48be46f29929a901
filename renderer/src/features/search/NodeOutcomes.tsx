/**
 * How each node's part of a search of several nodes ended, next to the results: a node that
 * failed or capped its answer says so in its own sentence; the others' answers stay listed.
 */
import type { ReactElement } from 'react';
import type { NodeSearchOutcome } from '../../../../shared/search.js';
import { answeredText, formatSearchTime } from './node-outcomes.js';

export function NodeOutcomes({ outcomes }: { outcomes: readonly NodeSearchOutcome[] }): ReactElement | null {
  if (outcomes.length === 0) return null;
  const problems = outcomes.filter((o) => o.outcome === 'failed' || o.outcome === 'capped');
  const answered = outcomes.filter((o) => o.outcome === 'completed' || o.outcome === 'capped');
  return (
    <div className="node-outcomes" aria-label="Nodes searched">
      <p className="muted">{answered.length ? `Answered: ${answered.map(answeredText).join(', ')}.` : 'No node answered.'}</p>
      {problems.map((o) => (
        <p
          key={o.node}
          className={o.outcome === 'failed' ? 'error-line' : 'banner banner-warning'}
          role="alert"
          data-node={o.node}
          data-outcome={o.outcome}
          data-code={o.code}
        >
          <strong>{o.node}</strong>: {o.sentence ?? (o.outcome === 'failed' ? 'failed.' : 'may have left matches out.')}
          {o.outcome === 'failed' && o.ms !== undefined ? ` (after ${formatSearchTime(o.ms)})` : ''}
        </p>
      ))}
    </div>
  );
}
