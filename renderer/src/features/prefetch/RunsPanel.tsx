/** The last prefetch runs, newest first and live, narrowed by patient; each one expands to its studies. */
import { useState } from 'react';
import { ErrorLine } from '../../app/ErrorLine.js';
import { rowKeyDown } from '../../app/row-keys.js';
import { RunItem } from './RunItem.js';
import { useRuns } from './use-runs.js';

export function RunsPanel({ active }: { active: boolean }) {
  const [filter, setFilter] = useState('');
  const { runs, error, loading } = useRuns(filter, active);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string): void =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <section className="prefetch-section" role="region" aria-labelledby="pf-runs-h">
      <div className="section-head">
        <h2 id="pf-runs-h">Last runs</h2>
        <label htmlFor="pf-runs-filter" className="muted">
          Patient
        </label>
        <input
          id="pf-runs-filter"
          type="search"
          value={filter}
          placeholder="name or Patient ID"
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setFilter(e.target.value)}
        />
        <span className="muted" role="status">
          {runs.length ? `${runs.length} run${runs.length === 1 ? '' : 's'}` : ''}
        </span>
      </div>
      <ErrorLine error={error} />
      {runs.length === 0 && !loading && (
        <p className="muted">
          {filter.trim()
            ? `No run for "${filter.trim()}".`
            : 'No run yet: prefetch runs when a study arrives, when a worklist entry is scheduled, or by hand above.'}
        </p>
      )}
      <ul className="run-list" aria-label="Prefetch runs" onKeyDown={rowKeyDown}>
        {runs.map((r) => (
          <RunItem key={r.id} run={r} expanded={open.has(r.id)} onToggle={() => toggle(r.id)} />
        ))}
      </ul>
    </section>
  );
}
