/**
 * This workstation: our AE title, port, bind address and calling-AE policy, edited and saved
 * with settings.save (the validators' messages next to each field), the DICOM server's state,
 * and whether a restart is needed for the new values.
 */
import { type FormEvent, type ReactElement, useEffect, useState } from 'react';
import type { ApiError, ResponseOf } from '../../../../shared/api/contract.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useTransport } from '../../app/api-context.js';
import { type FieldErrors, type LocalField, type LocalForm, localFormOf, policySentence, restartSentence, serverSentence, settingsFromForm } from './node-form.js';

type Loaded = ResponseOf<'settings.get'>;

export function LocalSettingsPanel({ value, error, onSaved }: { value?: Loaded; error?: ApiError; onSaved(): void }) {
  const transport = useTransport();
  const [form, setForm] = useState<LocalForm | undefined>();
  const [errors, setErrors] = useState<FieldErrors<LocalField>>({});
  const [saveError, setSaveError] = useState<ApiError | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  useEffect(() => { if (value && !form) setForm(localFormOf(value.settings)); }, [value, form]);

  if (!value || !form) return <section aria-labelledby="local-ae"><h2 id="local-ae">This workstation</h2><ErrorLine error={error} /></section>;
  const set = <K extends keyof LocalForm>(k: K, v: LocalForm[K]): void => { setForm({ ...form, [k]: v }); setNotice(undefined); };
  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const checked = settingsFromForm(value.settings, form);
    setErrors(checked.ok ? {} : checked.errors);
    if (!checked.ok) return;
    const r = await transport.call('settings.save', { settings: checked.settings });
    setSaveError(r.ok ? undefined : r.error);
    if (r.ok) { setNotice(restartSentence(r.value.restartRequired)); setForm(localFormOf(r.value.settings)); onSaved(); }
  };
  const field = (id: LocalField, label: string, input: ReactElement) => (
    <div className="field">
      <label htmlFor={`ls-${id}`}>{label}</label>
      {input}
      {errors[id] && <p className="field-error" id={`ls-${id}-error`} role="alert">{errors[id]}</p>}
    </div>
  );
  const invalid = (id: LocalField) => ({ 'aria-invalid': errors[id] ? true : undefined, 'aria-describedby': errors[id] ? `ls-${id}-error` : undefined });
  const server = value.server as typeof value.server & { state?: string };

  return (
    <section aria-labelledby="local-ae">
      <h2 id="local-ae">This workstation</h2>
      <ErrorLine error={error ?? saveError} />
      <p className={`server-state server-${server.listening ? 'listening' : server.state ?? 'stopped'}`} role="status" data-state={server.state ?? (server.listening ? 'listening' : 'stopped')}>
        DICOM server: {serverSentence(value.server)}
      </p>
      <form className="settings-form" onSubmit={(e) => void save(e)} aria-label="This workstation">
        {field('aeTitle', 'Local AE title', <input id="ls-aeTitle" value={form.aeTitle} maxLength={16} spellCheck={false} onChange={(e) => set('aeTitle', e.target.value)} {...invalid('aeTitle')} />)}
        {field('port', 'Port', <input id="ls-port" inputMode="numeric" value={form.port} onChange={(e) => set('port', e.target.value)} {...invalid('port')} />)}
        {field('bindAddress', 'Bind address', <input id="ls-bindAddress" value={form.bindAddress} spellCheck={false} onChange={(e) => set('bindAddress', e.target.value)} {...invalid('bindAddress')} />)}
        <div className="field">
          <label htmlFor="ls-policy">Who may connect</label>
          <select id="ls-policy" value={form.policyMode} onChange={(e) => set('policyMode', e.target.value as LocalForm['policyMode'])}>
            <option value="any">Any AE title</option>
            <option value="configured">Configured nodes only</option>
            <option value="list">These AE titles</option>
          </select>
        </div>
        <div className="field">
          <label><input type="checkbox" checked={form.bindToHost} onChange={(e) => set('bindToHost', e.target.checked)} /> A node&apos;s AE title only from the node&apos;s host</label>
        </div>
        {form.policyMode === 'list' && field('policyList', 'Allowed AE titles (comma-separated)',
          <input id="ls-policyList" value={form.policyList} spellCheck={false} onChange={(e) => set('policyList', e.target.value)} {...invalid('policyList')} />)}
        <div className="form-actions"><button type="submit" className="primary">Save settings</button></div>
      </form>
      <p className="muted">{policySentence(value.settings.callingAePolicy)}</p>
      {notice && <p className="notice" role="status">{notice}</p>}
    </section>
  );
}
