/**
 * Nodes and settings: our AE (title, port, listening state, calling-AE policy), the node list
 * with add / edit / delete, and "Test" (echo → small find → one-instance retrieve to
 * ourselves) showing each step and, for a failure, the fix.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { ApiError, NodeInput, NodeTestStep } from '../../../../shared/api.js';
import type { RemoteNode } from '../../../../shared/config.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useLoad, useTransport } from '../../app/api-context.js';

const EMPTY: NodeInput = { name: '', aeTitle: '', host: '127.0.0.1', port: 104, method: 'move' };

export function NodesScreen({ active }: { active: boolean }) {
  const transport = useTransport();
  const settings = useLoad('settings.get', {});
  const nodes = useLoad('nodes.list', {});
  const [editing, setEditing] = useState<{ input: NodeInput; previousName?: string } | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [tests, setTests] = useState<Record<string, { running: boolean; steps?: NodeTestStep[]; error?: ApiError }>>({});
  const reloadSettings = settings.reload;
  const reloadNodes = nodes.reload;
  useEffect(() => {
    if (!active) return;
    reloadSettings();
    reloadNodes();
  }, [active, reloadSettings, reloadNodes]);

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!editing) return;
    const r = await transport.call('nodes.save', { node: editing.input, ...(editing.previousName ? { previousName: editing.previousName } : {}) });
    setError(r.ok ? undefined : r.error);
    if (r.ok) { setEditing(undefined); nodes.reload(); }
  };
  const remove = async (n: RemoteNode): Promise<void> => {
    if (!window.confirm(`Delete the node ${n.name}?`)) return;
    const r = await transport.call('nodes.delete', { name: n.name });
    setError(r.ok ? undefined : r.error);
    if (r.ok) nodes.reload();
  };
  const test = async (name: string): Promise<void> => {
    setTests((t) => ({ ...t, [name]: { running: true } }));
    const r = await transport.call('nodes.test', { name });
    setTests((t) => ({ ...t, [name]: r.ok ? { running: false, steps: r.value.steps } : { running: false, error: r.error } }));
  };

  const s = settings.value;
  return (
    <div className="screen">
      <h1 className="screen-title">Nodes &amp; settings</h1>
      <section aria-labelledby="local-ae">
        <h2 id="local-ae">This workstation</h2>
        <ErrorLine error={settings.error} />
        {s && (
          <dl className="facts">
            <dt>AE title</dt><dd>{s.settings.local.aeTitle}</dd>
            <dt>Port</dt><dd>{s.settings.local.port}</dd>
            <dt>Server</dt><dd>{s.server.listening ? `listening on ${s.server.host ?? ''}:${s.server.port ?? ''}` : 'not listening'}</dd>
            <dt>Who may connect</dt><dd>{s.settings.callingAePolicy.mode === 'any' ? 'any AE title' : s.settings.callingAePolicy.mode === 'configured' ? 'the configured nodes' : (s.settings.callingAePolicy.aeTitles ?? []).join(', ')}</dd>
          </dl>
        )}
      </section>
      <section aria-labelledby="nodes-h">
        <h2 id="nodes-h">Nodes</h2>
        <ErrorLine error={nodes.error ?? error} />
        <table className="plain-table">
          <colgroup><col style={{ width: '16%' }} /><col style={{ width: '16%' }} /><col style={{ width: '24%' }} /><col style={{ width: '10%' }} /><col /></colgroup>
          <thead><tr><th scope="col">Name</th><th scope="col">AE title</th><th scope="col">Address</th><th scope="col">Retrieve</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {(nodes.value?.nodes ?? []).map((n) => {
              const t = tests[n.name];
              return [
                <tr key={n.name}>
                  <td>{n.name}</td><td>{n.aeTitle}</td><td>{n.host}:{n.port}</td><td>{n.method.toUpperCase()}</td>
                  <td className="actions">
                    <button type="button" onClick={() => void test(n.name)} disabled={t?.running}>{t?.running ? 'Testing…' : 'Test'}</button>
                    <button type="button" onClick={() => setEditing({ input: { ...n }, previousName: n.name })}>Edit</button>
                    <button type="button" className="danger" onClick={() => void remove(n)}>Delete</button>
                  </td>
                </tr>,
                t && (t.steps || t.error) && (
                  <tr key={`${n.name}-test`} className="series-row"><td colSpan={5}>
                    <ErrorLine error={t.error} />
                    <ol className="test-steps">
                      {(t.steps ?? []).map((st) => (
                        <li key={st.step} className={`step step-${st.outcome}`}>
                          <strong>{st.step}</strong> {st.outcome} ({st.elapsedMs} ms) — {st.message}
                        </li>
                      ))}
                    </ol>
                  </td></tr>
                ),
              ];
            })}
          </tbody>
        </table>
        {!editing && <button type="button" onClick={() => setEditing({ input: { ...EMPTY } })}>Add a node</button>}
        {editing && <NodeForm value={editing.input} onChange={(input) => setEditing({ ...editing, input })} onSubmit={save} onCancel={() => setEditing(undefined)} />}
      </section>
    </div>
  );
}

function NodeForm({ value, onChange, onSubmit, onCancel }: { value: NodeInput; onChange(v: NodeInput): void; onSubmit(e: FormEvent): void; onCancel(): void }) {
  const set = <K extends keyof NodeInput>(k: K, v: NodeInput[K]): void => onChange({ ...value, [k]: v });
  return (
    <form className="node-form" onSubmit={onSubmit} onKeyDown={(e) => { if (e.key === 'Escape') onCancel(); }} aria-label="Node">
      <div className="field"><label htmlFor="nf-name">Name</label><input id="nf-name" value={value.name} onChange={(e) => set('name', e.target.value)} required /></div>
      <div className="field"><label htmlFor="nf-ae">AE title</label><input id="nf-ae" value={value.aeTitle} onChange={(e) => set('aeTitle', e.target.value)} maxLength={16} required /></div>
      <div className="field"><label htmlFor="nf-host">Host</label><input id="nf-host" value={value.host} onChange={(e) => set('host', e.target.value)} required /></div>
      <div className="field"><label htmlFor="nf-port">Port</label><input id="nf-port" type="number" min={1} max={65535} value={value.port} onChange={(e) => set('port', Number(e.target.value))} required /></div>
      <div className="field"><label htmlFor="nf-method">Retrieve with</label>
        <select id="nf-method" value={value.method ?? 'move'} onChange={(e) => set('method', e.target.value as 'move' | 'get')}>
          <option value="move">C-MOVE</option><option value="get">C-GET</option>
        </select>
      </div>
      <div className="form-actions"><button type="submit" className="primary">Save</button><button type="button" onClick={onCancel}>Cancel</button></div>
    </form>
  );
}
