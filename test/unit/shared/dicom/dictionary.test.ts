import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { tagOf, keywordOf, vrOf, parseTagOrKeyword, describeTag } from '../../../../shared/dicom/dictionary.js';
import dcmjsDictionary from 'dcmjs/dictionary';
import { pydicomAvailable, runPython } from '../../../helpers/pydicom.js';

describe('dictionary', () => {
  test('keyword ↔ tag for data, command (PS3.7 E.1) and file meta (PS3.10 7.1) elements', () => {
    const known: Array<[string, number]> = [
      ['PatientName', 0x00100010],
      ['StudyInstanceUID', 0x0020000d],
      ['PixelData', 0x7fe00010],
      ['CommandGroupLength', 0x00000000],
      ['AffectedSOPClassUID', 0x00000002],
      ['CommandField', 0x00000100],
      ['MessageID', 0x00000110],
      ['MessageIDBeingRespondedTo', 0x00000120],
      ['MoveDestination', 0x00000600],
      ['Priority', 0x00000700],
      ['CommandDataSetType', 0x00000800],
      ['Status', 0x00000900],
      ['OffendingElement', 0x00000901],
      ['ErrorComment', 0x00000902],
      ['AffectedSOPInstanceUID', 0x00001000],
      ['NumberOfRemainingSuboperations', 0x00001020],
      ['MoveOriginatorApplicationEntityTitle', 0x00001030],
      ['MoveOriginatorMessageID', 0x00001031],
      ['FileMetaInformationGroupLength', 0x00020000],
      ['TransferSyntaxUID', 0x00020010],
      ['QueryRetrieveLevel', 0x00080052],
      ['SpecificCharacterSet', 0x00080005],
    ];
    for (const [keyword, t] of known) {
      assert.equal(tagOf(keyword), t, keyword);
      assert.equal(keywordOf(t), keyword, keyword);
    }
  });

  test('an unknown keyword throws an Error naming it', () => {
    assert.throws(() => tagOf('PatientNmae'), /PatientNmae/);
  });

  test('VRs, including group lengths, private tags, repeating groups and compound VRs', () => {
    assert.equal(vrOf(0x00100010), 'PN');
    assert.equal(vrOf(0x00000100), 'US');
    assert.equal(vrOf(0x00000901), 'AT');
    assert.equal(vrOf(0x00020001), 'OB');
    assert.equal(vrOf(0x00081140), 'SQ');
    assert.equal(vrOf(0x00280000), 'UL'); // group length
    assert.equal(vrOf(0x00090010), 'LO'); // private creator (PS3.5 §7.8.1)
    assert.equal(vrOf(0x00091001), 'UN');
    assert.equal(vrOf(0x00990000), 'UL');
    assert.equal(vrOf(0x12345678), 'UN');
    assert.equal(vrOf(0x60020010), 'US'); // OverlayRows in the second overlay group
    assert.equal(keywordOf(0x601e3000), 'OverlayData');
    assert.equal(vrOf(0x601e3000), 'OW');
    assert.equal(vrOf(0x7fe00010), 'OW'); // OB or OW → OW in implicit VR (PS3.5 A.1)
    assert.equal(vrOf(0x00280106), 'US'); // US or SS
    assert.equal(vrOf(0x00720082), 'SV');
    assert.equal(keywordOf(0x00091001), undefined);
    assert.equal(keywordOf(0x60010010), undefined); // odd group: private, not an overlay
  });

  test('retired attributes are found by their keyword without a prefix', () => {
    assert.equal(tagOf('CommandLengthToEnd'), 0x00000001);
    assert.equal(keywordOf(0x00000001), 'CommandLengthToEnd');
  });

  test('corrections over dcmjs: newer file meta elements, fixed keywords and VRs', () => {
    assert.equal(tagOf('SendingPresentationAddress'), 0x00020027);
    assert.equal(vrOf(0x00020027), 'UR');
    assert.equal(vrOf(0x00660040), 'OL');
    assert.equal(keywordOf(0x0040a803), 'NumberOfTableColumns');
    assert.equal(tagOf('NumbeOfTableColumns'), 0x0040a803, 'the superseded spelling still resolves');
  });

  test('the command group (0000) has VRs of its own, agreeing with the packed dictionary, retired elements included', () => {
    const command = Object.entries(dcmjsDictionary).filter(([key]) => key.startsWith('(0000,'));
    assert.ok(command.length >= 40, 'PS3.7 E.1-1 and E.2-1 list 46 elements');
    for (const [key, entry] of command) {
      const t = parseTagOrKeyword(key);
      assert.equal(vrOf(t), entry.vr, `${entry.name} ${key}`);
    }
    assert.equal(vrOf(0x00000904), 'UN', 'an element of group 0000 that PS3.7 does not define');
  });

  test('parseTagOrKeyword accepts the written forms of a tag', () => {
    for (const text of ['PatientName', '00100010', '(0010,0010)', '0010,0010', ' (0010, 0010) ']) {
      assert.equal(parseTagOrKeyword(text), 0x00100010, text);
    }
    assert.equal(parseTagOrKeyword('7fe00010'), 0x7fe00010);
    assert.throws(() => parseTagOrKeyword('0010-0010'), /0010-0010/);
    assert.throws(() => parseTagOrKeyword('NoSuchKeyword'), /NoSuchKeyword/);
    assert.equal(describeTag(0x00100010), 'PatientName (0010,0010)');
    assert.equal(describeTag(0x00091001), '(0009,1001)');
  });
});

describe('dictionary against pydicom', { skip: !pydicomAvailable() && 'Debian pydicom not installed' }, () => {
  test('keywords and VRs agree with pydicom for the current (non-retired) attributes', () => {
    const entries = runPython<Array<[number, string, string]>>(`
import json
from pydicom.datadict import DicomDictionary
print(json.dumps([[t, e[4], e[0]] for t, e in DicomDictionary.items() if e[4] and e[3] == '']))
`);
    assert.ok(entries.length > 3000);
    const mismatches: string[] = [];
    for (const [t, keyword, vr] of entries) {
      if (keywordOf(t) !== keyword) {
        mismatches.push(`${t.toString(16)}: keyword ${keywordOf(t)} != ${keyword}`);
        continue;
      }
      const single = /^[A-Z]{2}$/.test(vr) ? vr : undefined; // skip 'OB or OW', 'US or SS'
      if (single && vrOf(t) !== single) mismatches.push(`${keyword}: VR ${vrOf(t)} != ${vr}`);
    }
    assert.deepEqual(mismatches, []);
  });
});
