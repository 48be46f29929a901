/**
 * Activity: association log lines (activity.query), newest first, live `log` events added on
 * top, filtered by node (a configured node or any AE title), outcome and free text; the lines of
 * one association grouped into one operation read as a sentence (activity-groups.ts), its raw
 * protocol lines behind a disclosure. Times in the app's own format (HH:MM:SS). The log file on
 * disk and the diagnostics bundle are one click away (LogTools.tsx).
 */
import { useEffect, useMemo, useState } from 'react';
import type { ActivityLine } from '../../../../shared/api/contract.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useApiEvents, useLoad } from '../../app/api-context.js';
import { rowKeyDown } from '../../app/row-keys.js';
import { formatTimeOfDay } from '../../lib/format.js';
import { type ActivityFilter, keepLine, mergeLines } from './activity-filter.js';
import { groupLines } from './activity-groups.js';
import { LogTools } from './LogTools.js';

/** Most lines kept in the page. */
const MAX_LINES = 2000;

export function ActivityScreen({ active }: { active: boolean }) {
  const [node, setNode] = useState('');
  const [outcome, setOutcome] = useState<ActivityFilter['outcome']>('');
  const [text, setText] = useState('');
  const nodes = useLoad('nodes.list', {});
  const request = useMemo(() => ({ limit: 1000, ...(node ? { node } : {}), ...(outcome ? { outcome } : {}) }), [node, outcome]);
  const loaded = useLoad('activity.query', request, `${node}|${outcome}`);
  const [lines, setLines] = useState<ActivityLine[]>([]);

  const reload = loaded.reload;
  const reloadNodes = nodes.reload;
  useEffect(() => {
    if (active) {
      reload();
      reloadNodes();
    }
  }, [active, reload, reloadNodes]);
  useEffect(() => {
    if (loaded.value) setLines(mergeLines([], loaded.value.lines, MAX_LINES));
  }, [loaded.value]);
  const aeTitles = useMemo((): string[] => {
    if (!node) return [];
    const n = nodes.value?.nodes.find((x) => x.name === node);
    return n ? [n.aeTitle ?? n.name, n.name] : [node];
  }, [node, nodes.value]);
  const filter: ActivityFilter = { aeTitles, outcome, text };
  useApiEvents((e) => {
    if (e.type !== 'log' || !keepLine(e.line, { aeTitles, outcome, text: '' })) return;
    setLines((all) => mergeLines(all, [e.line], MAX_LINES));
  });
  const shown = lines.filter((l) => keepLine(l, filter));
  const groups = groupLines(shown);

  return (
    <div className="screen">
      <h1 className="screen-title">Activity</h1>
      <LogTools />
      <form className="inline-form" onSubmit={(e) => e.preventDefault()} aria-label="Filter the log">
        <label htmlFor="ac-node">Node</label>
        <select id="ac-node" value={node} onChange={(e) => setNode(e.target.value)}>
          <option value="">All nodes</option>
          {(nodes.value?.nodes ?? []).map((n) => (
            <option key={n.name} value={n.name}>
              {n.name} ({n.aeTitle ?? 'DICOMweb'})
            </option>
          ))}
        </select>
        <label htmlFor="ac-outcome">Outcome</label>
        <select id="ac-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as typeof outcome)}>
          <option value="">All</option>
          <option value="ok">OK</option>
          <option value="failed">Failed</option>
          <option value="info">Info</option>
        </select>
        <label htmlFor="ac-text">Contains</label>
        <input id="ac-text" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="text, AE title, a12" spellCheck={false} />
      </form>
      <ErrorLine error={loaded.error} />
      <p className="muted" role="status">
        {groups.length} operation{groups.length === 1 ? '' : 's'} · {shown.length} of {lines.length} lines{shown.length === MAX_LINES ? ' (newest kept)' : ''}
      </p>
      <ol className="log" aria-label="Association log" onKeyDown={rowKeyDown}>
        {groups.map((g) => (
          <li key={g.key} className={`log-group log-${g.outcome}`} data-row="" tabIndex={-1} data-outcome={g.outcome} data-association={g.association}>
            <div className="log-line">
              <time dateTime={new Date(g.time).toISOString()}>{formatTimeOfDay(g.time)}</time>
              <span className="log-assoc">{g.association ?? ''}</span>
              <span className="log-peer">{g.peerAeTitle ?? ''}</span>
              <span className="log-msg">{g.summary}</span>
            </div>
            {g.association && (
              <details className="log-raw">
                <summary>
                  {g.lines.length} protocol line{g.lines.length === 1 ? '' : 's'}
                </summary>
                <ol>
                  {g.lines.map((l) => (
                    <li key={l.seq} className={`log-${l.outcome}`} data-outcome={l.outcome}>
                      <time dateTime={new Date(l.time).toISOString()}>{formatTimeOfDay(l.time)}</time> {l.message}
                    </li>
                  ))}
                </ol>
              </details>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
