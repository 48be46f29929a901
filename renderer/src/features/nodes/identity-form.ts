/**
 * "Patients and names" in the node form without a DOM: the Issuer of Patient ID the node's
 * answers leave out (`issuer`) and the Specific Character Set its queries are written in
 * (`characterSet`), checked by the validators of shared/config.ts, as `priors nodes add
 * --issuer/--charset` writes them.
 */
import type { NodeInput } from '../../../../shared/api/contract.js';
import { checkIssuer } from '../../../../shared/config.js';
import { checkCharacterSet, QUERY_CHARACTER_SETS, type CharacterSetChoice } from '../../../../shared/dicom/charset-terms.js';
import type { FieldErrors } from './node-form.js';

/** Identity fields with a check. */
export type IdentityField = 'issuer' | 'characterSet';

/** The character set choices: the default (nothing configured) first, then the sets, then a configured value the list lacks. */
export function characterSetChoices(current: string | undefined): CharacterSetChoice[] {
  const choices: CharacterSetChoice[] = [{ value: '', label: 'As before: ASCII, UTF-8 for other text' }, ...QUERY_CHARACTER_SETS];
  if (current && !choices.some((c) => c.value === current)) choices.push({ value: current, label: current });
  return choices;
}

/** The node with its issuer as typed ('' leaves it out); checked on save. */
export function withIssuer(node: NodeInput, text: string): NodeInput {
  const { issuer: _drop, ...rest } = node;
  return text === '' ? rest : { ...rest, issuer: text };
}

/** The node with its query character set ('' = none configured). */
export function withCharacterSet(node: NodeInput, value: string): NodeInput {
  const { characterSet: _drop, ...rest } = node;
  return value === '' ? rest : { ...rest, characterSet: value };
}

/** The node with its issuer trimmed, or the message of each bad field. */
export function checkIdentity(node: NodeInput): { ok: true; node: NodeInput } | { ok: false; errors: FieldErrors<IdentityField> } {
  const errors: FieldErrors<IdentityField> = {};
  let out = node;
  if (node.issuer !== undefined) {
    const issuer = node.issuer.trim() === '' ? undefined : checkIssuer(node.issuer);
    if (issuer && !issuer.ok) errors.issuer = `Issuer of Patient ID ${issuer.error}.`;
    out = withIssuer(out, issuer?.ok ? issuer.value : '');
  }
  if (node.characterSet !== undefined) {
    const set = checkCharacterSet(node.characterSet);
    if (!set.ok) errors.characterSet = `Query character set ${set.error}.`;
    else out = withCharacterSet(out, set.value);
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, node: out };
}
