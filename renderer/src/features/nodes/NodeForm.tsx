/**
 * The add / edit form of a node, with the validators' message next to each field, DICOM TLS and
 * what it is sent (each in a section of its own), and its roles in prefetch (archive, worklist
 * provider); Esc cancels.
 */
import { type FormEvent, type ReactElement, useState } from 'react';
import type { NodeInput } from '../../../../shared/api/contract.js';
import { type FieldErrors, type NodeField, nodeFieldErrors, type RolesField, rolesFormOf, withRoles } from './node-form.js';
import { OutgoingFields } from './OutgoingFields.js';
import { checkIdentity, type IdentityField } from './identity-form.js';
import { IdentityFields } from './IdentityFields.js';
import { PrefetchRolesFields } from './PrefetchRolesFields.js';
import { DicomwebFields } from './DicomwebFields.js';
import { type DicomwebField, dicomwebFieldErrors, isDicomwebNode, withProtocol } from './dicomweb-form.js';

export function NodeForm({
  value,
  editing,
  onChange,
  onSubmit,
  onCancel,
}: {
  value: NodeInput;
  editing: boolean;
  onChange(v: NodeInput): void;
  onSubmit(node: NodeInput): void;
  onCancel(): void;
}) {
  const [errors, setErrors] = useState<FieldErrors<NodeField>>({});
  const [roles, setRoles] = useState(() => rolesFormOf(value));
  const [roleErrors, setRoleErrors] = useState<FieldErrors<RolesField>>({});
  const [identityErrors, setIdentityErrors] = useState<FieldErrors<IdentityField>>({});
  const [webErrors, setWebErrors] = useState<FieldErrors<DicomwebField>>({});
  const web = isDicomwebNode(value);
  const set = <K extends keyof NodeInput>(k: K, v: NodeInput[K]): void => onChange({ ...value, [k]: v });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const found = nodeFieldErrors(value);
    const identity = checkIdentity(value);
    const node = withRoles(identity.ok ? identity.node : value, roles);
    setErrors(found);
    setRoleErrors(node.ok ? {} : node.errors);
    setIdentityErrors(identity.ok ? {} : identity.errors);
    const webFound = dicomwebFieldErrors(value);
    setWebErrors(webFound);
    if (Object.keys(found).length === 0 && Object.keys(webFound).length === 0 && node.ok && identity.ok) onSubmit(node.node);
  };
  const field = (id: NodeField, label: string, input: ReactElement) => (
    <div className="field">
      <label htmlFor={`nf-${id}`}>{label}</label>
      {input}
      {errors[id] && (
        <p className="field-error" id={`nf-${id}-error`} role="alert">
          {errors[id]}
        </p>
      )}
    </div>
  );
  const invalid = (id: NodeField) => ({ 'aria-invalid': errors[id] ? true : undefined, 'aria-describedby': errors[id] ? `nf-${id}-error` : undefined });
  return (
    <form
      className="node-form"
      onSubmit={submit}
      noValidate
      aria-label={editing ? 'Edit node' : 'Add node'}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      {field(
        'name',
        'Name',
        <input id="nf-name" value={value.name} spellCheck={false} autoFocus onChange={(e) => set('name', e.target.value)} {...invalid('name')} />,
      )}
      <div className="field">
        <label htmlFor="nf-protocol">Protocol</label>
        <select id="nf-protocol" value={web ? 'dicomweb' : 'dimse'} onChange={(e) => onChange(withProtocol(value, e.target.value === 'dicomweb'))}>
          <option value="dimse">DICOM (C-FIND, C-MOVE/C-GET)</option>
          <option value="dicomweb">DICOMweb (QIDO-RS, WADO-RS, STOW-RS)</option>
        </select>
      </div>
      {web && <DicomwebFields value={value} errors={webErrors} onChange={onChange} />}
      {!web && (
        <>
          {field(
            'aeTitle',
            'AE title',
            <input id="nf-aeTitle" value={value.aeTitle} spellCheck={false} onChange={(e) => set('aeTitle', e.target.value)} {...invalid('aeTitle')} />,
          )}
          {field(
            'host',
            'Host',
            <input id="nf-host" value={value.host} spellCheck={false} onChange={(e) => set('host', e.target.value)} {...invalid('host')} />,
          )}
          {field(
            'port',
            'Port',
            <input
              id="nf-port"
              inputMode="numeric"
              value={String(value.port)}
              onChange={(e) => set('port', (/^\d+$/.test(e.target.value) ? Number(e.target.value) : e.target.value) as number)}
              {...invalid('port')}
            />,
          )}
          <div className="field">
            <label htmlFor="nf-method">Retrieve with</label>
            <select id="nf-method" value={value.method ?? 'move'} onChange={(e) => set('method', e.target.value as 'move' | 'get')}>
              <option value="move">C-MOVE</option>
              <option value="get">C-GET</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="nf-maxIncoming">Most associations it may open with us</label>
            <input
              id="nf-maxIncoming"
              inputMode="numeric"
              placeholder="the global limit"
              value={value.maxIncomingAssociations ?? ''}
              onChange={(e) => {
                const { maxIncomingAssociations: _drop, ...rest } = value;
                onChange(/^\d+$/.test(e.target.value) && Number(e.target.value) > 0 ? { ...rest, maxIncomingAssociations: Number(e.target.value) } : rest);
              }}
            />
          </div>
          <fieldset className="form-section node-tls" aria-label="DICOM TLS">
            <legend>DICOM TLS</legend>
            <p className="form-hint muted">Leave these empty for plain TCP.</p>
            {(['caFile', 'certFile', 'keyFile'] as const).map((k) => (
              <div className="form-row" key={k}>
                <label htmlFor={`nf-tls-${k}`}>
                  {k === 'caFile' ? 'CA file (PEM) its certificate must chain to' : k === 'certFile' ? 'Our client certificate (PEM)' : 'Our client key (PEM)'}
                </label>
                <input
                  id={`nf-tls-${k}`}
                  value={value.tls?.[k] ?? ''}
                  spellCheck={false}
                  onChange={(e) => {
                    const tls = { ...(value.tls ?? {}), [k]: e.target.value.trim() };
                    if (!tls[k]) delete tls[k];
                    const { tls: _drop, ...rest } = value;
                    onChange(Object.keys(tls).length ? { ...rest, tls } : rest);
                  }}
                />
              </div>
            ))}
          </fieldset>
          <OutgoingFields value={value} onChange={onChange} />
        </>
      )}
      <IdentityFields value={value} errors={identityErrors} onChange={onChange} />
      <PrefetchRolesFields value={roles} errors={roleErrors} onChange={setRoles} />
      <div className="form-actions">
        <button type="submit" className="primary">
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
