/**
 * "Patients and names" in the node form: the Issuer of Patient ID given to the node's answers
 * that carry none, and the character set its queries are written in (identity-form.ts).
 */
import type { ReactElement } from 'react';
import type { NodeInput } from '../../../../shared/api/contract.js';
import { characterSetChoices, type IdentityField, withCharacterSet, withIssuer } from './identity-form.js';
import type { FieldErrors } from './node-form.js';

export function IdentityFields({
  value,
  errors,
  onChange,
}: {
  value: NodeInput;
  errors: FieldErrors<IdentityField>;
  onChange(v: NodeInput): void;
}): ReactElement {
  const described = (id: IdentityField) => ({
    'aria-invalid': errors[id] ? true : undefined,
    'aria-describedby': errors[id] ? `nf-${id}-error` : `nf-${id}-note`,
  });
  return (
    <fieldset className="form-section node-identity" aria-label="Patients and names">
      <legend>Patients and names</legend>
      <div className="form-row">
        <label htmlFor="nf-issuer">Issuer of Patient ID</label>
        <input
          id="nf-issuer"
          value={value.issuer ?? ''}
          spellCheck={false}
          placeholder="as its answers say"
          onChange={(e) => onChange(withIssuer(value, e.target.value))}
          {...described('issuer')}
        />
        <div className="form-note muted" id="nf-issuer-note">
          Given to its answers that name no issuer, so one patient is recognised across archives.
        </div>
        {errors.issuer && (
          <p className="field-error" id="nf-issuer-error" role="alert">
            {errors.issuer}
          </p>
        )}
      </div>
      <div className="form-row">
        <label htmlFor="nf-characterSet">Query character set</label>
        <select
          id="nf-characterSet"
          value={value.characterSet ?? ''}
          onChange={(e) => onChange(withCharacterSet(value, e.target.value))}
          {...described('characterSet')}
        >
          {characterSetChoices(value.characterSet).map((c) => (
            <option key={c.value} value={c.value}>
              {c.value ? `${c.label} (${c.value})` : c.label}
            </option>
          ))}
        </select>
        <div className="form-note muted" id="nf-characterSet-note">
          Names beyond ASCII are sent in it; Test shows the set the node answers in.
        </div>
        {errors.characterSet && (
          <p className="field-error" id="nf-characterSet-error" role="alert">
            {errors.characterSet}
          </p>
        )}
      </div>
    </fieldset>
  );
}
