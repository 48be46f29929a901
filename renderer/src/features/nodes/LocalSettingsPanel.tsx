/**
 * This workstation: our AE title, port and bind address (with the values in effect and where
 * they come from when the server runs with others), who may connect, and who may use each
 * service of our SCP; saved with settings.save (the validators' messages next to each field),
 * the sentence after a save saying what applies now and what only after a restart.
 */
import { type FormEvent, type ReactElement, type ReactNode, useEffect, useState } from 'react';
import type { ApiError, ResponseOf } from '../../../../shared/api/contract.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useTransport } from '../../app/api-context.js';
import { ACCESS_CHOICES, effectNote, saveSentence, SERVICES, servicesSentence } from './local-settings.js';
import { type FieldErrors, type LocalField, type LocalForm, localFormOf, policySentence, serverSentence, settingsFromForm } from './node-form.js';

type Loaded = ResponseOf<'settings.get'>;

export function LocalSettingsPanel({ value, error, onSaved }: { value?: Loaded; error?: ApiError; onSaved(): void }) {
  const transport = useTransport();
  const [form, setForm] = useState<LocalForm | undefined>();
  const [errors, setErrors] = useState<FieldErrors<LocalField>>({});
  const [saveError, setSaveError] = useState<ApiError | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  useEffect(() => {
    if (value && !form) setForm(localFormOf(value.settings));
  }, [value, form]);

  if (!value || !form)
    return (
      <section aria-labelledby="local-ae">
        <h2 id="local-ae">This workstation</h2>
        <ErrorLine error={error} />
      </section>
    );
  const set = <K extends keyof LocalForm>(k: K, v: LocalForm[K]): void => {
    setForm({ ...form, [k]: v });
    setNotice(undefined);
  };
  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const checked = settingsFromForm(value.settings, form);
    setErrors(checked.ok ? {} : checked.errors);
    if (!checked.ok) return;
    const r = await transport.call('settings.save', { settings: checked.settings });
    setSaveError(r.ok ? undefined : r.error);
    if (r.ok) {
      setNotice(saveSentence(r.value.settings, value.server, r.value.restartRequired));
      setForm(localFormOf(r.value.settings));
      onSaved();
    }
  };
  // one row of the grid: label, control, then the field's message or note
  const row = (id: string, label: string, input: ReactElement, note?: ReactNode) => (
    <div className="form-row" key={id}>
      <label htmlFor={`ls-${id}`}>{label}</label>
      {input}
      <div className="form-note">
        {errors[id as LocalField] ? (
          <p className="field-error" id={`ls-${id}-error`} role="alert">
            {errors[id as LocalField]}
          </p>
        ) : (
          note
        )}
      </div>
    </div>
  );
  const invalid = (id: LocalField) => ({ 'aria-invalid': errors[id] ? true : undefined, 'aria-describedby': errors[id] ? `ls-${id}-error` : undefined });
  const server = value.server;
  const portNote = effectNote('port', value.settings, server);

  return (
    <section aria-labelledby="local-ae">
      <h2 id="local-ae">This workstation</h2>
      <ErrorLine error={error ?? saveError} />
      <p
        className={`server-state server-${server.listening ? 'listening' : (server.state ?? 'stopped')}`}
        role="status"
        data-state={server.state ?? (server.listening ? 'listening' : 'stopped')}
      >
        DICOM server: {serverSentence(server)}
      </p>
      <form className="settings-form" onSubmit={(e) => void save(e)} aria-label="This workstation" noValidate>
        <fieldset className="form-section">
          <legend>DICOM server</legend>
          {row(
            'aeTitle',
            'Local AE title',
            <input
              id="ls-aeTitle"
              value={form.aeTitle}
              maxLength={16}
              spellCheck={false}
              onChange={(e) => set('aeTitle', e.target.value)}
              {...invalid('aeTitle')}
            />,
            effectNote('aeTitle', value.settings, server),
          )}
          {row(
            'port',
            'Port',
            <input id="ls-port" inputMode="numeric" value={form.port} onChange={(e) => set('port', e.target.value)} {...invalid('port')} />,
            portNote && (
              <p className="muted" aria-label="Port in effect" data-port={server.port} data-origin={server.origin?.port}>
                {portNote}{' '}
                {form.port !== String(server.port) && (
                  <button type="button" className="link-button" onClick={() => set('port', String(server.port))}>
                    Keep {server.port}
                  </button>
                )}
              </p>
            ),
          )}
          {row(
            'bindAddress',
            'Bind address',
            <input
              id="ls-bindAddress"
              value={form.bindAddress}
              spellCheck={false}
              onChange={(e) => set('bindAddress', e.target.value)}
              {...invalid('bindAddress')}
            />,
            effectNote('bindAddress', value.settings, server),
          )}
        </fieldset>
        <fieldset className="form-section">
          <legend>Who may connect</legend>
          {row(
            'policy',
            'Calling AE titles',
            <select id="ls-policy" value={form.policyMode} onChange={(e) => set('policyMode', e.target.value as LocalForm['policyMode'])}>
              <option value="any">Any AE title</option>
              <option value="configured">Configured nodes only</option>
              <option value="list">These AE titles</option>
            </select>,
          )}
          {form.policyMode === 'list' &&
            row(
              'policyList',
              'Allowed AE titles (comma-separated)',
              <input
                id="ls-policyList"
                value={form.policyList}
                spellCheck={false}
                onChange={(e) => set('policyList', e.target.value)}
                {...invalid('policyList')}
              />,
            )}
          {row(
            'bindToHost',
            'Check the host',
            <input id="ls-bindToHost" type="checkbox" checked={form.bindToHost} onChange={(e) => set('bindToHost', e.target.checked)} />,
            <span className="muted">A node&apos;s AE title only from the node&apos;s host</span>,
          )}
        </fieldset>
        <fieldset className="form-section" aria-label="Who may use each service">
          <legend>Who may use each service</legend>
          {SERVICES.map(({ key, label }) =>
            row(
              `svc-${key}`,
              label,
              <select id={`ls-svc-${key}`} value={form.services[key]} onChange={(e) => set('services', { ...form.services, [key]: e.target.value })}>
                {ACCESS_CHOICES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>,
            ),
          )}
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="primary">
            Save settings
          </button>
        </div>
      </form>
      <p className="muted">
        {policySentence(value.settings.callingAePolicy)} {servicesSentence(value.settings.callingAePolicy)}
      </p>
      {notice && (
        <p className="notice" role="status" aria-label="Settings saved">
          {notice}
        </p>
      )}
    </section>
  );
}
