/**
 * The prior picker: the patient's other cached studies, those a prefetch rule chose first
 * (grouped as "Prefetched" when there are any), then the others, each newest first.
 */
import type { ReactElement } from 'react';
import { prefetchedTitle } from '../../lib/prefetch.js';
import { type PriorChoice, priorOptionText } from './prior-order.js';

export function PriorPicker({ choices, value, onChange }: { choices: PriorChoice[]; value: string; onChange(uid: string): void }): ReactElement {
  const marked = choices.filter((c) => c.mark);
  const rest = choices.filter((c) => !c.mark);
  const option = (c: PriorChoice) => (
    <option key={c.study.StudyInstanceUID} value={c.study.StudyInstanceUID} data-prefetched={c.mark ? 'true' : undefined}
      title={c.mark ? prefetchedTitle(c.mark) : undefined}>{priorOptionText(c)}</option>
  );
  return (
    <label>Prior{' '}
      <select aria-label="Prior study" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">None</option>
        {marked.length > 0
          ? <>
            <optgroup label="Prefetched">{marked.map(option)}</optgroup>
            {rest.length > 0 && <optgroup label="Other studies">{rest.map(option)}</optgroup>}
          </>
          : rest.map(option)}
      </select>
    </label>
  );
}
