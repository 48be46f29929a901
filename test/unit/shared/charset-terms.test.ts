// A node's query character set and issuer as config.json holds them (shared/dicom/charset-terms.ts,
// shared/config.ts): defined terms written in their canonical form, code extensions only with
// ISO 2022 terms, and one sentence naming the field for anything else.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCharacterSet, QUERY_CHARACTER_SETS } from '../../../shared/dicom/charset-terms.js';
import { validateNode } from '../../../shared/config.js';

const node = { name: 'pacs', aeTitle: 'PACS', host: '127.0.0.1', port: 104 };

describe('checkCharacterSet', () => {
  test('every offered choice is valid as it is', () => {
    for (const c of QUERY_CHARACTER_SETS) assert.deepEqual(checkCharacterSet(c.value), { ok: true, value: c.value }, c.value);
  });

  test('spellings are forgiven and written canonically', () => {
    assert.deepEqual(checkCharacterSet('iso-ir 100'), { ok: true, value: 'ISO_IR 100' });
    assert.deepEqual(checkCharacterSet('UTF-8'), { ok: true, value: 'ISO_IR 192' });
    assert.deepEqual(checkCharacterSet('\\iso 2022 ir 87'), { ok: true, value: '\\ISO 2022 IR 87' });
    // as Orthanc declares its answers in "Japanese kanji": one value, an ISO 2022 term
    assert.deepEqual(checkCharacterSet('ISO 2022 IR 87'), { ok: true, value: 'ISO 2022 IR 87' });
  });

  test('anything else is refused with a sentence', () => {
    assert.match((checkCharacterSet('latin1') as { error: string }).error, /^must be a character set Priors can write queries in/);
    assert.match((checkCharacterSet('ISO_IR 100\\ISO 2022 IR 87') as { error: string }).error, /ISO 2022 terms.*"ISO_IR 100" as value 1/);
    assert.match((checkCharacterSet('\\ISO_IR 192') as { error: string }).error, /"ISO_IR 192" as value 2/);
    assert.match((checkCharacterSet('\\ISO 2022 IR 87\\ISO 2022 IR 87') as { error: string }).error, /each character set once/);
    assert.equal(checkCharacterSet('').ok, false);
    assert.equal(checkCharacterSet(100).ok, false);
  });
});

describe("a node's issuer and character set in the configuration", () => {
  test('kept when valid, the character set written canonically', () => {
    const r = validateNode({ ...node, issuer: ' HOSP_A ', characterSet: 'iso_ir 100' });
    assert.ok(r.ok);
    assert.equal(r.value.issuer, 'HOSP_A');
    assert.equal(r.value.characterSet, 'ISO_IR 100');
    const plain = validateNode(node);
    assert.ok(plain.ok && plain.value.issuer === undefined && plain.value.characterSet === undefined);
  });

  test('refused with the field named', () => {
    assert.deepEqual(validateNode({ ...node, issuer: 'A\\B' }), {
      ok: false,
      error: 'node.issuer must be an Issuer of Patient ID: 1–64 characters without backslash or control characters, got "A\\\\B"',
    });
    assert.match((validateNode({ ...node, issuer: 'x'.repeat(65) }) as { error: string }).error, /^node\.issuer must be/);
    assert.match((validateNode({ ...node, characterSet: 'KOI8-R' }) as { error: string }).error, /^node\.characterSet must be a character set/);
  });
});
