/**
 * The DICOMweb service of a node in the node form: base URL, authentication (none, Basic, or a
 * Bearer token) and the CA its HTTPS certificate must chain to (dicomweb-form.ts). A stored
 * secret is never shown: its field stays empty and keeps it unless something is typed.
 */
import type { ReactElement } from 'react';
import type { NodeInput } from '../../../../shared/api/contract.js';
import { type AuthKind, authKindOf, type DicomwebField, secretStored, withDicomweb } from './dicomweb-form.js';
import type { FieldErrors } from './node-form.js';

export function DicomwebFields({
  value,
  errors,
  onChange,
}: {
  value: NodeInput;
  errors: FieldErrors<DicomwebField>;
  onChange(v: NodeInput): void;
}): ReactElement {
  const kind = authKindOf(value);
  const auth = value.dicomweb?.auth;
  const described = (id: DicomwebField) => ({
    'aria-invalid': errors[id] ? true : undefined,
    'aria-describedby': errors[id] ? `nf-dw-${id}-error` : undefined,
  });
  const error = (id: DicomwebField) =>
    errors[id] && (
      <p className="field-error" id={`nf-dw-${id}-error`} role="alert">
        {errors[id]}
      </p>
    );
  const stored = secretStored(value);
  return (
    <fieldset className="form-section node-dicomweb" aria-label="DICOMweb">
      <legend>DICOMweb</legend>
      <div className="form-row">
        <label htmlFor="nf-dw-url">Base URL</label>
        <input
          id="nf-dw-url"
          value={value.dicomweb?.url ?? ''}
          spellCheck={false}
          placeholder="http://pacs:8042/dicom-web"
          onChange={(e) => onChange(withDicomweb(value, { url: e.target.value }))}
          {...described('url')}
        />
        {error('url')}
      </div>
      <div className="form-row">
        <label htmlFor="nf-dw-auth">Authentication</label>
        <select id="nf-dw-auth" value={kind} onChange={(e) => onChange(withDicomweb(value, { kind: e.target.value as AuthKind }))}>
          <option value="none">None</option>
          <option value="basic">User and password (Basic)</option>
          <option value="bearer">Bearer token</option>
        </select>
      </div>
      {kind === 'basic' && (
        <div className="form-row">
          <label htmlFor="nf-dw-user">User</label>
          <input
            id="nf-dw-user"
            value={auth?.kind === 'basic' ? auth.user : ''}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => onChange(withDicomweb(value, { user: e.target.value }))}
            {...described('user')}
          />
          {error('user')}
        </div>
      )}
      {kind !== 'none' && (
        <div className="form-row">
          <label htmlFor="nf-dw-secret">{kind === 'basic' ? 'Password' : 'Token'}</label>
          <input
            id="nf-dw-secret"
            type="password"
            autoComplete="new-password"
            placeholder={stored ? 'stored: leave empty to keep it' : ''}
            value={(auth?.kind === 'basic' ? auth.password : auth?.kind === 'bearer' ? auth.token : undefined) ?? ''}
            onChange={(e) => onChange(withDicomweb(value, { secret: e.target.value }))}
            {...described('secret')}
          />
          {error('secret')}
        </div>
      )}
      <div className="form-row">
        <label htmlFor="nf-dw-ca">CA file (PEM) its HTTPS certificate must chain to</label>
        <input
          id="nf-dw-ca"
          value={value.dicomweb?.caFile ?? ''}
          spellCheck={false}
          placeholder="the system's CAs"
          onChange={(e) => onChange(withDicomweb(value, { caFile: e.target.value }))}
          {...described('caFile')}
        />
        {error('caFile')}
      </div>
    </fieldset>
  );
}
