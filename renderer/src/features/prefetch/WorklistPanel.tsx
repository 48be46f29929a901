/**
 * The worklist providers (nodes with `worklist` set): what each is asked for and how often, and
 * "Poll now", which asks it at once as its timer would and shows the answer.
 */
import { useState } from 'react';
import type { ApiError, WorklistPoll } from '../../../../shared/api/contract.js';
import type { RemoteNode } from '../../../../shared/config.js';
import { useTransport } from '../../app/api-context.js';
import { pollText } from './run-view.js';

type PollState = { running: boolean; answer?: WorklistPoll; error?: ApiError };

export function WorklistPanel({ nodes }: { nodes: RemoteNode[] }) {
  const transport = useTransport();
  const [polls, setPolls] = useState<Record<string, PollState>>({});
  const providers = nodes.filter((n) => n.worklist);
  const poll = async (node: string): Promise<void> => {
    setPolls((p) => ({ ...p, [node]: { running: true } }));
    const r = await transport.call('prefetch.pollWorklist', { node });
    setPolls((p) => ({ ...p, [node]: r.ok ? { running: false, answer: r.value } : { running: false, error: r.error } }));
  };
  return (
    <section className="prefetch-section" role="region" aria-labelledby="pf-wl-h">
      <h2 id="pf-wl-h">Worklist providers</h2>
      {providers.length === 0 && (
        <p className="muted">
          No node is a worklist provider: tick &quot;Worklist provider&quot; on a node (a RIS) in Nodes &amp; settings to prefetch before patients are scanned.
        </p>
      )}
      <ul className="worklist-list" aria-label="Worklist providers">
        {providers.map((n) => {
          const w = n.worklist!;
          const state = polls[n.name];
          const failed = state?.error ?? (state?.answer?.error ? state.answer.error : undefined);
          return (
            <li key={n.name} data-node={n.name}>
              <strong>{n.name}</strong>{' '}
              <span className="muted">
                {n.aeTitle} at {n.host}:{n.port} · {w.modality ?? 'every modality'} · {w.stationAeTitle ? `station ${w.stationAeTitle}` : 'every station'} ·
                next {w.hoursAhead} h, every {w.intervalMinutes} min
              </span>{' '}
              <button type="button" onClick={() => void poll(n.name)} disabled={state?.running} aria-label={`Poll ${n.name} now`}>
                {state?.running ? 'Polling…' : 'Poll now'}
              </button>
              {state &&
                !state.running &&
                (failed ? (
                  <p className="error-line" role="alert">
                    {typeof failed === 'string' ? failed : failed.message}
                  </p>
                ) : (
                  state.answer && (
                    <p className="notice" role="status" data-procedures={state.answer.procedures}>
                      {pollText(state.answer, w.hoursAhead)}
                    </p>
                  )
                ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
