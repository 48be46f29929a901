/**
 * The search form: node picker (a node, all archives, several ticked nodes, or the local cache),
 * patient and study fields, date presets, modality toggles.
 * Enter anywhere in it searches (a native form submit); Esc cancels (handled by the screen).
 */
import type { FormEvent, Ref } from 'react';
import type { RemoteNode } from '../../../../shared/config.js';
import { DATE_PRESETS, type DatePreset } from './date-presets.js';
import { ALL_ARCHIVES, LOCAL_CACHE_NODE, MODALITIES, type SearchForm, SEVERAL_NODES } from './search-form.js';

export interface SearchFormPanelProps {
  form: SearchForm;
  nodes: readonly RemoteNode[];
  running: boolean;
  /** The field a validation error is about, to mark it. */
  invalidField?: keyof SearchForm | undefined;
  /** The sentence of a date range the app refused, shown next to the range. */
  dateError?: string | undefined;
  onChange(form: SearchForm): void;
  onSubmit(): void;
  onCancel(): void;
  /** Receives the first field, to focus it on '/' or when the screen opens. */
  firstFieldRef?: Ref<HTMLInputElement>;
}

export function SearchFormPanel({ form, nodes, running, invalidField, dateError, onChange, onSubmit, onCancel, firstFieldRef }: SearchFormPanelProps) {
  const set = <K extends keyof SearchForm>(key: K, value: SearchForm[K]): void => onChange({ ...form, [key]: value });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSubmit();
  };
  const toggleModality = (m: string): void => {
    set('modalities', form.modalities.includes(m) ? form.modalities.filter((x) => x !== m) : [...form.modalities, m]);
  };
  const invalid = (field: keyof SearchForm) => (invalidField === field ? { 'aria-invalid': true } : {});
  const toggleNode = (name: string): void => {
    set('nodes', form.nodes.includes(name) ? form.nodes.filter((n) => n !== name) : [...form.nodes, name]);
  };

  return (
    // noValidate: the app checks the fields and says what to fix next to them; the browser's own
    // popups would block the submit, leave the last message standing and hide behind other controls
    <form className="search-form" onSubmit={submit} aria-label="Search criteria" noValidate>
      <div className="field field-node">
        <label htmlFor="sf-node">Search in</label>
        <select id="sf-node" value={form.node} onChange={(e) => set('node', e.target.value)}>
          {nodes.map((n) => (
            <option key={n.name} value={n.name}>
              {n.name} ({n.aeTitle ?? 'DICOMweb'})
            </option>
          ))}
          {nodes.length > 1 && (
            <option value={ALL_ARCHIVES} title="Every archive and the local cache">
              All archives
            </option>
          )}
          {nodes.length > 1 && <option value={SEVERAL_NODES}>Several nodes…</option>}
          <option value={LOCAL_CACHE_NODE}>Local cache</option>
        </select>
      </div>
      {form.node === SEVERAL_NODES && (
        <fieldset className="field-wide search-nodes" aria-label="Nodes to search" {...invalid('nodes')}>
          <legend>Nodes to search</legend>
          {nodes.map((n) => (
            <label key={n.name} className="chip">
              <input type="checkbox" checked={form.nodes.includes(n.name)} onChange={() => toggleNode(n.name)} /> <span>{n.name}</span>
            </label>
          ))}
          <label className="chip">
            <input type="checkbox" checked={form.nodes.includes(LOCAL_CACHE_NODE)} onChange={() => toggleNode(LOCAL_CACHE_NODE)} /> <span>Local cache</span>
          </label>
        </fieldset>
      )}
      <div className="field">
        <label htmlFor="sf-name">Patient name</label>
        <input
          id="sf-name"
          ref={firstFieldRef}
          value={form.patientName}
          onChange={(e) => set('patientName', e.target.value)}
          placeholder="Doe, John or DOE^J*"
          autoComplete="off"
          spellCheck={false}
          {...invalid('patientName')}
        />
      </div>
      <div className="field">
        <label htmlFor="sf-id">Patient ID</label>
        <input
          id="sf-id"
          value={form.patientId}
          onChange={(e) => set('patientId', e.target.value)}
          autoComplete="off"
          spellCheck={false}
          {...invalid('patientId')}
        />
      </div>
      <div className="field">
        <label htmlFor="sf-acc">Accession</label>
        <input
          id="sf-acc"
          value={form.accessionNumber}
          onChange={(e) => set('accessionNumber', e.target.value)}
          autoComplete="off"
          spellCheck={false}
          {...invalid('accessionNumber')}
        />
      </div>
      <div className="field">
        <label htmlFor="sf-desc">Study description</label>
        <input
          id="sf-desc"
          value={form.studyDescription}
          onChange={(e) => set('studyDescription', e.target.value)}
          autoComplete="off"
          {...invalid('studyDescription')}
        />
      </div>
      <div className="field">
        <label htmlFor="sf-ref">Referring physician</label>
        <input
          id="sf-ref"
          value={form.referringPhysician}
          onChange={(e) => set('referringPhysician', e.target.value)}
          autoComplete="off"
          spellCheck={false}
          {...invalid('referringPhysician')}
        />
      </div>

      <fieldset className="field-wide date-presets" {...invalid('customRange')}>
        <legend>Study date</legend>
        {DATE_PRESETS.map(({ preset, label }) => (
          <label key={preset} className="chip">
            <input type="radio" name="sf-date" value={preset} checked={form.datePreset === preset} onChange={() => set('datePreset', preset as DatePreset)} />
            <span>{label}</span>
          </label>
        ))}
        {form.datePreset === 'custom' && (
          <span className="custom-range">
            <label htmlFor="sf-from" className="sr-only">
              From
            </label>
            <input
              id="sf-from"
              placeholder="YYYY-MM-DD"
              inputMode="numeric"
              maxLength={10}
              spellCheck={false}
              autoComplete="off"
              value={form.customRange.from ?? ''}
              onChange={(e) => set('customRange', { ...form.customRange, from: e.target.value })}
              {...invalid('customRange')}
            />
            <span aria-hidden="true">–</span>
            <label htmlFor="sf-to" className="sr-only">
              To
            </label>
            <input
              id="sf-to"
              placeholder="YYYY-MM-DD"
              inputMode="numeric"
              maxLength={10}
              spellCheck={false}
              autoComplete="off"
              value={form.customRange.to ?? ''}
              onChange={(e) => set('customRange', { ...form.customRange, to: e.target.value })}
              {...invalid('customRange')}
            />
          </span>
        )}
        {dateError && (
          <p className="field-error date-error" role="alert">
            {dateError}
          </p>
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
          <button type="button" className="link-button" onClick={() => set('modalities', [])}>
            clear
          </button>
        )}
      </fieldset>

      <div className="form-actions">
        <button type="submit" className="primary">
          Search <kbd>Enter</kbd>
        </button>
        <button type="button" onClick={onCancel} disabled={!running}>
          Cancel <kbd>Esc</kbd>
        </button>
      </div>
    </form>
  );
}
