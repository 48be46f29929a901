// "Patients and names" of the node form without a DOM: the issuer and the query character set
// checked field by field with the validators of shared/config.ts, empty fields left out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { characterSetChoices, checkIdentity, withCharacterSet, withIssuer } from '../../../../../renderer/src/features/nodes/identity-form.js';

const node = { name: 'pacs', aeTitle: 'PACS', host: '127.0.0.1', port: 104 };

describe('identity fields of the node form', () => {
  test('a valid issuer is trimmed, an empty one left out; the set is kept as chosen', () => {
    assert.deepEqual(checkIdentity(withCharacterSet(withIssuer(node, ' HOSP_A '), 'ISO_IR 100')), {
      ok: true,
      node: { ...node, issuer: 'HOSP_A', characterSet: 'ISO_IR 100' },
    });
    assert.deepEqual(checkIdentity(withIssuer({ ...node, issuer: 'X' }, '')), { ok: true, node });
    assert.deepEqual(checkIdentity(withIssuer(node, '   ')), { ok: true, node });
    assert.deepEqual(withCharacterSet({ ...node, characterSet: 'GBK' }, ''), node);
  });

  test('each bad field has its own message', () => {
    const r = checkIdentity({ ...node, issuer: 'A\\B', characterSet: 'KOI8-R' });
    assert.ok(!r.ok);
    assert.match(r.errors.issuer!, /^Issuer of Patient ID must be an Issuer of Patient ID: 1–64 characters without backslash/);
    assert.match(r.errors.characterSet!, /^Query character set must be a character set Priors can write queries in/);
  });

  test('the choices start with "as before" and keep a configured value the list lacks', () => {
    const choices = characterSetChoices('ISO 2022 IR 87');
    assert.equal(choices[0]!.value, '');
    assert.ok(choices.some((c) => c.value === '\\ISO 2022 IR 87'));
    assert.equal(choices.at(-1)!.value, 'ISO 2022 IR 87');
    assert.equal(characterSetChoices('ISO_IR 100').filter((c) => c.value === 'ISO_IR 100').length, 1);
  });
});
