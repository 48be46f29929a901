/**
 * The prefetch rules in the order they are tried (the first rule that keeps a study fetches
 * it): name, on or off, the rule in one line, the nodes searched; Add, Edit, Enable/Disable,
 * Delete (confirmed).
 */
import { useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import type { RemoteNode } from '../../../../shared/config.js';
import { describeRule, type PrefetchRule } from '../../../../shared/prefetch.js';
import { useConfirm } from '../../app/ConfirmDialog.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { rowKeyDown } from '../../app/row-keys.js';
import { ruleNodes } from './rule-form.js';
import { RuleEditor } from './RuleEditor.js';
import type { RulesState } from './use-rules.js';

export function RulesPanel({ state, nodes }: { state: RulesState; nodes: RemoteNode[] }) {
  const [editing, setEditing] = useState<{ rule?: PrefetchRule } | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [dialog, confirm] = useConfirm();
  const { rules } = state;

  const toggle = async (rule: PrefetchRule): Promise<void> => {
    setError(await state.saveRule({ ...rule, enabled: !rule.enabled }, rule.name));
  };
  const remove = async (rule: PrefetchRule): Promise<void> => {
    const last = rules.filter((r) => r.enabled && r.name !== rule.name).length === 0 && rule.enabled;
    const question = `Delete the prefetch rule "${rule.name}" (${describeRule(rule)})?${last ? ' It is the only enabled rule: nothing will be prefetched without one.' : ''}`;
    if (!(await confirm(question, 'Delete'))) return;
    setError(await state.deleteRule(rule.name));
  };

  return (
    <section className="prefetch-section" role="region" aria-labelledby="pf-rules-h">
      <h2 id="pf-rules-h">Prefetch rules</h2>
      <p className="muted">Tried in this order on each current study: a study kept by a rule is fetched from the first of its nodes that holds it.</p>
      <ErrorLine error={state.error ?? error} />
      <table className="plain-table rules-table" aria-labelledby="pf-rules-h">
        <colgroup>
          <col style={{ width: '36px' }} />
          <col style={{ width: '14%' }} />
          <col style={{ width: '76px' }} />
          <col />
          <col style={{ width: '14%' }} />
          <col style={{ width: '200px' }} />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Name</th>
            <th scope="col">Enabled</th>
            <th scope="col">Rule</th>
            <th scope="col">Nodes</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody onKeyDown={rowKeyDown}>
          {rules.length === 0 && state.loaded && (
            <tr>
              <td colSpan={6} className="muted">
                No rule: nothing is prefetched. Add one.
              </td>
            </tr>
          )}
          {rules.map((r, i) => (
            <tr key={r.name} data-row="" tabIndex={-1} data-rule={r.name} data-enabled={r.enabled} className={r.enabled ? undefined : 'rule-off'}>
              <td className="num">{i + 1}</td>
              <td title={r.name}>{r.name}</td>
              <td>{r.enabled ? 'on' : 'off'}</td>
              <td className="rule-text" title={describeRule(r)}>
                {describeRule(r)}
              </td>
              <td title={ruleNodes(r)}>{ruleNodes(r)}</td>
              <td className="actions">
                <button type="button" data-primary="" onClick={() => setEditing({ rule: r })} aria-label={`Edit rule ${r.name}`}>
                  Edit
                </button>
                <button type="button" onClick={() => void toggle(r)} aria-label={`${r.enabled ? 'Disable' : 'Enable'} rule ${r.name}`}>
                  {r.enabled ? 'Disable' : 'Enable'}
                </button>
                <button type="button" className="danger" onClick={() => void remove(r)} aria-label={`Delete rule ${r.name}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!editing && (
        <button type="button" onClick={() => setEditing({})}>
          Add a rule
        </button>
      )}
      {editing && (
        <RuleEditor
          key={editing.rule?.name ?? '(new)'}
          {...(editing.rule ? { rule: editing.rule } : {})}
          nodes={nodes}
          taken={rules.map((r) => r.name).filter((n) => n !== editing.rule?.name)}
          onSave={state.saveRule}
          onClose={() => setEditing(undefined)}
        />
      )}
      {dialog}
    </section>
  );
}
