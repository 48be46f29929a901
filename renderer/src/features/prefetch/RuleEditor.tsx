/**
 * The add / edit form of a prefetch rule. The form is checked as it is typed by the same check
 * the main process makes; one message at a time shows next to its field (the field being typed
 * in first: shownProblem), and the rule reads back in one line (describeRule) while it is
 * valid. A refusal of the save shows the API's sentence above the buttons. Esc cancels.
 */
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import type { RemoteNode } from '../../../../shared/config.js';
import { isArchive } from '../../../../shared/config.js';
import { describeRule, type PrefetchRule } from '../../../../shared/prefetch.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { checkRuleForm, type EditorState, fieldOfSetting, type RuleField, type RuleForm, ruleFormOf, shownProblem } from './rule-form.js';

export interface RuleEditorProps {
  /** The rule edited; absent for a new rule. */
  rule?: PrefetchRule;
  /** Names of the other rules (a new name must not be one of them). */
  taken: string[];
  nodes: RemoteNode[];
  onSave(rule: PrefetchRule, previousName?: string): Promise<ApiError | undefined>;
  onClose(): void;
}

export function RuleEditor({ rule, taken, nodes, onSave, onClose }: RuleEditorProps) {
  const [form, setForm] = useState<RuleForm>(() => ruleFormOf(rule));
  const [editor, setEditor] = useState<EditorState>({ touched: new Set(), submitted: false });
  const [saveError, setSaveError] = useState<ApiError | undefined>();
  const [saving, setSaving] = useState(false);
  const id = useId();
  const check = checkRuleForm(form, taken);
  const problem = shownProblem(form, taken, editor);

  const set = <K extends keyof RuleForm>(k: K, v: RuleForm[K]): void => {
    setForm((f) => ({ ...f, [k]: v }));
    const field = fieldOfSetting(k);
    if (field) setEditor((s) => ({ ...s, touched: new Set(s.touched).add(field), last: field }));
    setSaveError(undefined);
  };
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setEditor((s) => {
      const { last: _last, ...rest } = s;
      return { ...rest, submitted: true };
    });
    if (!check.ok || saving) return;
    setSaving(true);
    const error = await onSave(check.rule, rule?.name);
    setSaving(false);
    if (error) setSaveError(error);
    else onClose();
  };
  const fieldId = (f: RuleField) => `${id}-${f}`;
  const invalid = (f: RuleField) => (problem?.field === f ? { 'aria-invalid': true as const, 'aria-describedby': `${fieldId(f)}-error` } : {});
  const message = (f: RuleField): ReactNode =>
    problem?.field === f ? (
      <p className="field-error" id={`${fieldId(f)}-error`} role="alert">
        {problem.error}
      </p>
    ) : null;
  const greyed = form.allStudies;
  const toggleNode = (name: string): void => set('nodes', form.nodes.includes(name) ? form.nodes.filter((n) => n !== name) : [...form.nodes, name]);

  return (
    <form
      className="rule-form"
      noValidate
      aria-label={rule ? `Edit rule ${rule.name}` : 'Add rule'}
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <div className="field">
        <label htmlFor={fieldId('name')}>Name</label>
        <input id={fieldId('name')} value={form.name} spellCheck={false} autoFocus onChange={(e) => set('name', e.target.value)} {...invalid('name')} />
        {message('name')}
      </div>
      <label className="check">
        <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
      </label>

      <fieldset className="field-wide rule-nodes" {...invalid('nodes')}>
        <legend>Nodes searched</legend>
        {nodes.length === 0 && <span className="muted">No node configured yet: add your PACS in Nodes &amp; settings.</span>}
        {nodes.map((n) => (
          <label key={n.name} className="check" title={n.aeTitle !== undefined ? `${n.aeTitle} at ${n.host}:${n.port}` : n.dicomweb?.url}>
            <input type="checkbox" checked={form.nodes.includes(n.name)} onChange={() => toggleNode(n.name)} /> {n.name}
            {!isArchive(n) && <span className="muted"> ({n.worklist ? 'worklist' : 'not an archive'}: searched only when ticked)</span>}
          </label>
        ))}
        {form.nodes
          .filter((n) => !nodes.some((x) => x.name === n))
          .map((n) => (
            <label key={n} className="check missing">
              <input type="checkbox" checked onChange={() => toggleNode(n)} /> {n} (not configured)
            </label>
          ))}
        <span className="hint">{form.nodes.length ? `In this order: ${form.nodes.join(', ')}.` : 'None ticked: every archive.'}</span>
        {message('nodes')}
      </fieldset>

      <div className="field field-wide">
        <label htmlFor={fieldId('forModalities')}>Applies to current studies of</label>
        <input
          id={fieldId('forModalities')}
          value={form.forModalities}
          spellCheck={false}
          placeholder="every modality (or e.g. CT, MR)"
          onChange={(e) => set('forModalities', e.target.value)}
          {...invalid('forModalities')}
        />
        {message('forModalities')}
      </div>

      <fieldset className="field-wide rule-relevant" disabled={greyed}>
        <legend>Relevant studies</legend>
        {(['same', 'any', 'listed'] as const).map((r) => (
          <label key={r} className="check">
            <input type="radio" name={`${id}-relevant`} checked={form.relevant === r} onChange={() => set('relevant', r)} />
            {r === 'same' ? ' Same modality' : r === 'any' ? ' Any modality' : ' These modalities'}
          </label>
        ))}
        <input
          aria-label="Relevant modalities"
          id={fieldId('listed')}
          className="short"
          value={form.listed}
          spellCheck={false}
          placeholder="CT, MR"
          disabled={greyed || form.relevant !== 'listed'}
          onChange={(e) => set('listed', e.target.value)}
          {...invalid('listed')}
        />
        <label className="check">
          <input type="checkbox" checked={form.sameBodyPart} onChange={(e) => set('sameBodyPart', e.target.checked)} /> Same body part
        </label>
        {message('listed')}
      </fieldset>

      {numberField('maxStudies', 'At most (newest studies)', greyed)}
      {numberField('years', 'Within (years)', greyed)}
      {numberField('minGapDays', 'Minimum gap (days)', false, 'At least 1: a study of the same day is never a prior.')}
      <label className="check field-wide">
        <input type="checkbox" checked={form.allStudies} onChange={(e) => set('allStudies', e.target.checked)} /> Every earlier study of the patient
        <span className="hint"> (whatever its modality, body part or age; the settings it overrides are greyed out)</span>
      </label>

      <p className="rule-preview field-wide" aria-live="polite">
        {check.ok ? `Reads: ${describeRule(check.rule)}.` : ''}
      </p>
      <div className="field-wide">
        <ErrorLine error={saveError} />
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save rule'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );

  function numberField(f: 'maxStudies' | 'years' | 'minGapDays', label: string, disabled: boolean, hint?: string) {
    return (
      <div className="field">
        <label htmlFor={fieldId(f)}>{label}</label>
        <input id={fieldId(f)} inputMode="numeric" value={form[f]} disabled={disabled} onChange={(e) => set(f, e.target.value)} {...invalid(f)} />
        {hint && <span className="hint">{hint}</span>}
        {message(f)}
      </div>
    );
  }
}
