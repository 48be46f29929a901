/**
 * Activity: association log lines (activity.query), live `log` events appended, filtered by
 * node and outcome.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ActivityLine } from '../../../../shared/api.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useApiEvents, useLoad } from '../../app/api-context.js';

/** Most lines kept in the page. */
const MAX_LINES = 2000;

export function ActivityScreen({ active }: { active: boolean }) {
  const [node, setNode] = useState('');
  const [outcome, setOutcome] = useState<'' | ActivityLine['outcome']>('');
  const request = useMemo(() => ({ limit: 500, ...(node.trim() ? { node: node.trim() } : {}), ...(outcome ? { outcome } : {}) }), [node, outcome]);
  const loaded = useLoad('activity.query', request, `${node}|${outcome}`);
  const [lines, setLines] = useState<ActivityLine[]>([]);

  const reload = loaded.reload;
  useEffect(() => { if (active) reload(); }, [active, reload]);
  useEffect(() => { if (loaded.value) setLines(loaded.value.lines); }, [loaded.value]);
  useApiEvents((e) => {
    if (e.type !== 'log') return;
    const l = e.line;
    if (outcome && l.outcome !== outcome) return;
    if (node.trim() && l.peerAeTitle !== node.trim()) return;
    setLines((all) => (all.some((x) => x.seq === l.seq) ? all : [...all, l].slice(-MAX_LINES)));
  });

  return (
    <div className="screen">
      <h1 className="screen-title">Activity</h1>
      <form className="inline-form" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="ac-node">Node</label>
        <input id="ac-node" value={node} onChange={(e) => setNode(e.target.value)} placeholder="name or AE title" spellCheck={false} />
        <label htmlFor="ac-outcome">Outcome</label>
        <select id="ac-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as typeof outcome)}>
          <option value="">All</option><option value="ok">OK</option><option value="failed">Failed</option><option value="info">Info</option>
        </select>
      </form>
      <ErrorLine error={loaded.error} />
      <ol className="log" aria-label="Association log">
        {lines.map((l) => (
          <li key={l.seq} className={`log-line log-${l.outcome}`}>
            <time dateTime={new Date(l.time).toISOString()}>{new Date(l.time).toLocaleTimeString()}</time>
            <span className="log-assoc">{l.association ?? ''}</span>
            <span className="log-peer">{l.peerAeTitle ?? ''}</span>
            <span className="log-msg">{l.message}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
