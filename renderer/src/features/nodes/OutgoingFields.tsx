/**
 * "Sent to this node" in the node form: the preferred transfer syntax and the compressed
 * syntaxes never decompressed for it (outgoing-form.ts).
 */
import type { ReactElement } from 'react';
import type { NodeInput } from '../../../../shared/api/contract.js';
import { COMPRESSED_CHOICES, PREFERRED_CHOICES, withNeverDecompress, withPreferred } from './outgoing-form.js';

export function OutgoingFields({ value, onChange }: { value: NodeInput; onChange(v: NodeInput): void }): ReactElement {
  const preferred = value.outgoing?.preferred ?? '';
  const never = new Set(value.outgoing?.neverDecompress ?? []);
  const known = PREFERRED_CHOICES.some((c) => c.uid === preferred);
  return (
    <fieldset className="form-section node-outgoing" aria-label="Sent to this node">
      <legend>Sent to this node</legend>
      <div className="form-row">
        <label htmlFor="nf-preferred">Preferred transfer syntax</label>
        <select id="nf-preferred" value={preferred} onChange={(e) => onChange(withPreferred(value, e.target.value))}>
          {PREFERRED_CHOICES.map((c) => (
            <option key={c.uid} value={c.uid}>
              {c.label}
            </option>
          ))}
          {!known && <option value={preferred}>{preferred}</option>}
        </select>
        <div className="form-note muted">Used when the node takes it; else the stored syntax, or one the node takes.</div>
      </div>
      <div className="form-row form-row-wide" role="group" aria-labelledby="nf-never-h">
        <span id="nf-never-h" className="form-label">
          Never decompress
        </span>
        <div className="check-grid">
          {COMPRESSED_CHOICES.map((c) => (
            <label key={c.uid} title={c.uid}>
              <input type="checkbox" checked={never.has(c.uid)} onChange={(e) => onChange(withNeverDecompress(value, c.uid, e.target.checked))} /> {c.label}
            </label>
          ))}
        </div>
      </div>
    </fieldset>
  );
}
