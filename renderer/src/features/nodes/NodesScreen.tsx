/**
 * Nodes and settings: this workstation (LocalSettingsPanel), the node list with add / edit /
 * delete, and "Test" (echo → small find → one-instance retrieve to ourselves) showing each
 * step's outcome and, for a failure, the fix verbatim in an alert.
 */
import { useEffect, useState } from 'react';
import type { ApiError, NodeInput, NodeTestStep } from '../../../../shared/api/contract.js';
import { nodeProtocol, type RemoteNode } from '../../../../shared/config.js';
import { useConfirm } from '../../app/ConfirmDialog.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useLoad, useTransport } from '../../app/api-context.js';
import { rowKeyDown } from '../../app/row-keys.js';
import { LocalSettingsPanel } from './LocalSettingsPanel.js';
import { NodeForm } from './NodeForm.js';
import { rolesText } from './node-form.js';
import { characterSetLabel } from '../../../../shared/dicom/charset-terms.js';

const METHOD_WORDS: Record<RemoteNode['method'], string> = { move: 'C-MOVE', get: 'C-GET', wado: 'WADO-RS' };
const EMPTY: NodeInput = { name: '', aeTitle: '', host: '127.0.0.1', port: 104, method: 'move' };
const STEP_NAMES: Record<NodeTestStep['step'], string> = { echo: 'C-ECHO', find: 'C-FIND', retrieve: 'Retrieve one instance' };
const WEB_STEP_NAMES: Record<NodeTestStep['step'], string> = { echo: 'QIDO-RS probe', find: 'QIDO-RS search', retrieve: 'Retrieve one instance (WADO-RS)' };

type TestState = { running: boolean; steps?: NodeTestStep[]; error?: ApiError; characterSets?: string[] };

export function NodesScreen({ active }: { active: boolean }) {
  const transport = useTransport();
  const settings = useLoad('settings.get', {});
  const nodes = useLoad('nodes.list', {});
  const [editing, setEditing] = useState<{ input: NodeInput; previousName?: string } | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const [dialog, confirm] = useConfirm();
  const reloadSettings = settings.reload;
  const reloadNodes = nodes.reload;
  useEffect(() => {
    if (!active) return;
    reloadSettings();
    reloadNodes();
  }, [active, reloadSettings, reloadNodes]);

  const save = async (node: NodeInput): Promise<void> => {
    if (!editing) return;
    const r = await transport.call('nodes.save', { node, ...(editing.previousName ? { previousName: editing.previousName } : {}) });
    setError(r.ok ? undefined : r.error);
    if (r.ok) {
      setEditing(undefined);
      reloadNodes();
    }
  };
  const remove = async (n: RemoteNode): Promise<void> => {
    if (!(await confirm(`Delete the node ${n.name} (${n.aeTitle !== undefined ? `${n.aeTitle} at ${n.host}:${n.port}` : n.dicomweb?.url})?`, 'Delete'))) return;
    const r = await transport.call('nodes.delete', { name: n.name });
    setError(r.ok ? undefined : r.error);
    if (r.ok) reloadNodes();
  };
  const test = async (name: string): Promise<void> => {
    setTests((t) => ({ ...t, [name]: { running: true } }));
    const r = await transport.call('nodes.test', { name });
    setTests((t) => ({
      ...t,
      [name]: r.ok
        ? { running: false, steps: r.value.steps, ...(r.value.characterSets ? { characterSets: r.value.characterSets } : {}) }
        : { running: false, error: r.error },
    }));
  };
  // "Use for queries": the set the node's answers were written in becomes its query character set
  const useCharacterSet = async (n: RemoteNode, characterSet: string): Promise<void> => {
    const r = await transport.call('nodes.save', { node: { ...n, characterSet }, previousName: n.name });
    setError(r.ok ? undefined : r.error);
    if (r.ok) reloadNodes();
  };

  const list = nodes.value?.nodes ?? [];
  return (
    <div className="screen">
      <h1 className="screen-title">Nodes &amp; settings</h1>
      <LocalSettingsPanel
        {...(settings.value ? { value: settings.value } : {})}
        {...(settings.error ? { error: settings.error } : {})}
        onSaved={reloadSettings}
      />
      <section aria-labelledby="nodes-h">
        <h2 id="nodes-h">Nodes</h2>
        <ErrorLine error={nodes.error ?? error} />
        <table className="plain-table" aria-labelledby="nodes-h">
          <colgroup>
            <col style={{ width: '15%' }} />
            <col style={{ width: '15%' }} />
            <col style={{ width: '21%' }} />
            <col style={{ width: '9%' }} />
            <col style={{ width: '13%' }} />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">AE title</th>
              <th scope="col">Address</th>
              <th scope="col">Retrieve</th>
              <th scope="col">Prefetch</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody onKeyDown={rowKeyDown}>
            {list.length === 0 && !nodes.loading && (
              <tr>
                <td colSpan={6} className="muted">
                  No nodes yet: add the PACS you query.
                </td>
              </tr>
            )}
            {list.map((n) => {
              const t = tests[n.name];
              return [
                <tr key={n.name} data-row="" tabIndex={-1} data-node={n.name}>
                  <td>{n.name}</td>
                  <td>{n.aeTitle ?? 'DICOMweb'}</td>
                  <td>{[n.host !== undefined ? `${n.host}:${n.port}` : undefined, n.dicomweb?.url].filter(Boolean).join(' and ')}</td>
                  <td>{METHOD_WORDS[n.method]}</td>
                  <td data-roles={rolesText(n)}>{rolesText(n)}</td>
                  <td className="actions">
                    <button type="button" data-primary="" onClick={() => void test(n.name)} disabled={t?.running}>
                      {t?.running ? 'Testing…' : 'Test'}
                    </button>
                    <button type="button" onClick={() => setEditing({ input: { ...n }, previousName: n.name })}>
                      Edit
                    </button>
                    <button type="button" className="danger" onClick={() => void remove(n)}>
                      Delete
                    </button>
                  </td>
                </tr>,
                t && (t.steps || t.error) && (
                  <tr key={`${n.name}-test`} className="series-row">
                    <td colSpan={6}>
                      <TestResult name={n.name} state={t} web={nodeProtocol(n) === 'dicomweb'} />
                      <DetectedCharacterSets node={n} detected={t.characterSets ?? []} onUse={(set) => void useCharacterSet(n, set)} />
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
        {!editing && (
          <button type="button" onClick={() => setEditing({ input: { ...EMPTY } })}>
            Add a node
          </button>
        )}
        {editing && (
          <NodeForm
            key={editing.previousName ?? '(new)'}
            value={editing.input}
            editing={editing.previousName !== undefined}
            onChange={(input) => setEditing({ ...editing, input })}
            onSubmit={(node) => void save(node)}
            onCancel={() => setEditing(undefined)}
          />
        )}
      </section>
      {dialog}
    </div>
  );
}

/** The Specific Character Sets of the node's answers, each offered as its query set in one click. */
function DetectedCharacterSets({ node, detected, onUse }: { node: RemoteNode; detected: string[]; onUse(set: string): void }) {
  if (detected.length === 0) return null;
  return (
    <ul className="detected-charsets" aria-label={`Character sets of ${node.name}`}>
      {detected.map((set) => (
        <li key={set} data-charset={set}>
          Its answers are written in <strong>{set}</strong> ({characterSetLabel(set)}).{' '}
          {node.characterSet === set ? (
            <span className="muted">Its queries are written in it too.</span>
          ) : (
            <button type="button" onClick={() => onUse(set)}>
              Use {set} for queries
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function TestResult({ name, state, web }: { name: string; state: TestState; web: boolean }) {
  const steps = state.steps ?? [];
  const ok = steps.length > 0 && steps.every((s) => s.outcome !== 'failed');
  return (
    <div className="test-result" aria-label={`Test of ${name}`} data-outcome={state.error ? 'failed' : ok ? 'ok' : 'failed'}>
      <ErrorLine error={state.error} />
      <ol className="test-steps">
        {steps.map((st) => (
          <li key={st.step} className={`step step-${st.outcome}`} data-step={st.step} data-outcome={st.outcome}>
            <strong>{(web ? WEB_STEP_NAMES : STEP_NAMES)[st.step]}</strong>:{' '}
            {st.outcome === 'skipped' ? (
              <span>{st.message}</span>
            ) : (
              <>
                {st.outcome === 'ok' ? 'OK' : 'failed'} ({st.elapsedMs} ms)
              </>
            )}
            {st.outcome === 'failed' && (
              <p className="error-line" role="alert" data-code={st.code}>
                {st.message}
              </p>
            )}
            {st.outcome === 'ok' && <span> — {st.message}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}
