/**
 * The prior picker: the patient's other cached studies, those the prefetch rules hold relevant
 * to the open one first (grouped as "Relevant" when there are any), then the others, each
 * newest first; an option's tooltip is the rules' sentence (and the prefetch mark's).
 */
import type { ReactElement } from 'react';
import { prefetchedTitle } from '../../lib/prefetch.js';
import { type PriorChoice, priorOptionText } from './prior-order.js';

export function PriorPicker({ choices, value, onChange }: { choices: PriorChoice[]; value: string; onChange(uid: string): void }): ReactElement {
  const relevant = choices.filter((c) => c.relevant);
  const rest = choices.filter((c) => !c.relevant);
  const option = (c: PriorChoice) => (
    <option
      key={c.study.StudyInstanceUID}
      value={c.study.StudyInstanceUID}
      data-prefetched={c.mark ? 'true' : undefined}
      data-relevant={c.relevant ? 'true' : undefined}
      title={[c.reason, c.mark ? prefetchedTitle(c.mark) : ''].filter(Boolean).join(' · ') || undefined}
    >
      {priorOptionText(c)}
    </option>
  );
  return (
    <label>
      Prior{' '}
      <select aria-label="Prior study" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">None</option>
        {relevant.length > 0 ? (
          <>
            <optgroup label="Relevant (prefetch rules)">{relevant.map(option)}</optgroup>
            {rest.length > 0 && <optgroup label="Other studies">{rest.map(option)}</optgroup>}
          </>
        ) : (
          rest.map(option)
        )}
      </select>
    </label>
  );
}
