/**
 * The search form: node picker, patient and study fields, date presets, modality toggles.
 * Enter anywhere in it searches (a native form submit); Esc cancels (handled by the screen).
 */
import type { FormEvent, Ref } from 'react';
import type { RemoteNode } from '../../../../shared/config.js';
import { DATE_PRESETS, type DatePreset } from './date-presets.js';
import { LOCAL_CACHE_NODE, MODALITIES, type SearchForm } from './search-form.js';

export interface SearchFormPanelProps {
  form: SearchForm;
  nodes: readonly RemoteNode[];
  running: boolean;
  /** The field a validation error is about, to mark it. */
  invalidField?: keyof SearchForm | undefined;
  onChange(form: SearchForm): void;
  onSubmit(): void;
  onCancel(): void;
  /** Receives the first field, to focus it on '/' or when the screen opens. */
  firstFieldRef?: Ref<HTMLInputElement>;
}

export function SearchFormPanel({ form, nodes, running, invalidField, onChange, onSubmit, onCancel, firstFieldRef }: SearchFormPanelProps) {
  const set = <K extends keyof SearchForm>(key: K, value: SearchForm[K]): void => onChange({ ...form, [key]: value });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSubmit();
  };
  const toggleModality = (m: string): void => {
    set('modalities', form.modalities.includes(m) ? form.modalities.filter((x) => x !== m) : [...form.modalities, m]);
  };
  const invalid = (field: keyof SearchForm) => (invalidField === field ? { 'aria-invalid': true } : {});

  return (
    <form className="search-form" onSubmit={submit} aria-label="Search criteria">
      <div className="field field-node">
        <label htmlFor="sf-node">Search in</label>
        <select id="sf-node" value={form.node} onChange={(e) => set('node', e.target.value)}>
          {nodes.map((n) => <option key={n.name} value={n.name}>{n.name} ({n.aeTitle})</option>)}
          <option value={LOCAL_CACHE_NODE}>Local cache</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="sf-name">Patient name</label>
        <input id="sf-name" ref={firstFieldRef} value={form.patientName} onChange={(e) => set('patientName', e.target.value)}
          placeholder="Doe, John or DOE^J*" autoComplete="off" spellCheck={false} {...invalid('patientName')} />
      </div>
      <div className="field">
        <label htmlFor="sf-id">Patient ID</label>
        <input id="sf-id" value={form.patientId} onChange={(e) => set('patientId', e.target.value)} autoComplete="off" spellCheck={false} {...invalid('patientId')} />
      </div>
      <div className="field">
        <label htmlFor="sf-acc">Accession</label>
        <input id="sf-acc" value={form.accessionNumber} onChange={(e) => set('accessionNumber', e.target.value)} autoComplete="off" spellCheck={false} {...invalid('accessionNumber')} />
      </div>
      <div className="field">
        <label htmlFor="sf-desc">Study description</label>
        <input id="sf-desc" value={form.studyDescription} onChange={(e) => set('studyDescription', e.target.value)} autoComplete="off" {...invalid('studyDescription')} />
      </div>
      <div className="field">
        <label htmlFor="sf-ref">Referring physician</label>
        <input id="sf-ref" value={form.referringPhysician} onChange={(e) => set('referringPhysician', e.target.value)} autoComplete="off" spellCheck={false} {...invalid('referringPhysician')} />
      </div>

      <fieldset className="field-wide date-presets" {...invalid('customRange')}>
        <legend>Study date</legend>
        {DATE_PRESETS.map(({ preset, label }) => (
          <label key={preset} className="chip">
            <input type="radio" name="sf-date" value={preset} checked={form.datePreset === preset}
              onChange={() => set('datePreset', preset as DatePreset)} />
            <span>{label}</span>
          </label>
        ))}
        {form.datePreset === 'custom' && (
          <span className="custom-range">
            <label htmlFor="sf-from" className="sr-only">From</label>
            <input id="sf-from" type="date" value={form.customRange.from ?? ''}
              onChange={(e) => set('customRange', { ...form.customRange, from: e.target.value })} {...invalid('customRange')} />
            <span aria-hidden="true">–</span>
            <label htmlFor="sf-to" className="sr-only">To</label>
            <input id="sf-to" type="date" value={form.customRange.to ?? ''}
              onChange={(e) => set('customRange', { ...form.customRange, to: e.target.value })} {...invalid('customRange')} />
          </span>
        )}
      </fieldset>

      <fieldset className="field-wide modalities" {...invalid('modalities')}>
        <legend>Modality</legend>
        {MODALITIES.map((m) => (
          <button key={m} type="button" className="chip chip-toggle" aria-pressed={form.modalities.includes(m)} onClick={() => toggleModality(m)}>
            {m}
          </button>
        ))}
        {form.modalities.length > 0 && (
          <button type="button" className="link-button" onClick={() => set('modalities', [])}>clear</button>
        )}
      </fieldset>

      <div className="form-actions">
        <button type="submit" className="primary">Search <kbd>Enter</kbd></button>
        <button type="button" onClick={onCancel} disabled={!running}>Cancel <kbd>Esc</kbd></button>
      </div>
    </form>
  );
}
