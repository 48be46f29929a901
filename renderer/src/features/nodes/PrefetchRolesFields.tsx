/**
 * The node form's prefetch part: whether prefetch searches the node for priors (an archive,
 * not a modality or another workstation), and whether it is a worklist provider, with what to
 * ask it for and how often.
 */
import type { ReactElement } from 'react';
import { type FieldErrors, type RolesField, type RolesForm, withWorklistTicked } from './node-form.js';

export function PrefetchRolesFields({ value, errors, onChange }: { value: RolesForm; errors: FieldErrors<RolesField>; onChange(v: RolesForm): void }) {
  const set = <K extends keyof RolesForm>(k: K, v: RolesForm[K]): void => onChange({ ...value, [k]: v });
  const field = (id: RolesField, label: string, input: ReactElement) => (
    <div className="field">
      <label htmlFor={`nf-wl-${id}`}>{label}</label>
      {input}
      {errors[id] && (
        <p className="field-error" id={`nf-wl-${id}-error`} role="alert">
          {errors[id]}
        </p>
      )}
    </div>
  );
  const attrs = (id: RolesField) => ({
    id: `nf-wl-${id}`,
    value: value[id],
    spellCheck: false,
    disabled: !value.worklist,
    onChange: (e: { target: { value: string } }) => set(id, e.target.value),
    'aria-invalid': errors[id] ? true : undefined,
    'aria-describedby': errors[id] ? `nf-wl-${id}-error` : undefined,
  });
  return (
    <fieldset className="node-roles">
      <legend>Prefetch</legend>
      <label className="check" title="Prefetch looks for a patient's earlier studies on the archives; untick for a modality or a workstation">
        <input type="checkbox" checked={value.archive} onChange={(e) => set('archive', e.target.checked)} /> Archive: searched for priors
      </label>
      <label className="check" title="A RIS or modality worklist: its scheduled procedures start prefetch before the patient is scanned">
        <input type="checkbox" checked={value.worklist} onChange={(e) => onChange(withWorklistTicked(value, e.target.checked))} /> Worklist provider
      </label>
      <span className="roles-break" aria-hidden="true" />
      {field('stationAeTitle', 'Station AE title', <input {...attrs('stationAeTitle')} placeholder="every station" />)}
      {field('modality', 'Modality', <input {...attrs('modality')} placeholder="every modality" />)}
      {field('hoursAhead', 'Hours ahead', <input {...attrs('hoursAhead')} inputMode="numeric" />)}
      {field('intervalMinutes', 'Poll every (minutes)', <input {...attrs('intervalMinutes')} inputMode="numeric" />)}
    </fieldset>
  );
}
