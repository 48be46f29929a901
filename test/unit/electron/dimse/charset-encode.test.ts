// The query encoder (electron/dimse/charset-encode.ts): every name of pydicom's charset files
// written back in its file's Specific Character Set gives the file's bytes, ISO 2022 escape
// sequences included (PS3.5 §6.1.2.5.3; chrKoreanMulti.dcm's redundant ESC ( B aside); pydicom reads what we write as the text we meant; text
// a set lacks is refused with the characters named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeText } from '../../../../shared/dicom/charset.js';
import type { DataSet, VR } from '../../../../shared/dicom/dataset.js';
import { CharacterSetError, encodeIdentifier, encodeText } from '../../../../electron/dimse/charset-encode.js';
import { PYDICOM_DATA, pydicomAvailable, runPython } from '../../../helpers/pydicom.js';

const NO_PYDICOM = !pydicomAvailable() && 'Debian pydicom (/usr/bin/python3) not installed';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The raw bytes of every top-level text element of each charset file, with the file's Specific Character Set. */
const RAW = `
import sys, os, json, pydicom
out = []
for f in sorted(os.listdir(sys.argv[1])):
    if not f.endswith('.dcm'):
        continue
    ds = pydicom.dcmread(os.path.join(sys.argv[1], f))
    v = ds.get('SpecificCharacterSet')
    terms = [] if v is None else [str(x) for x in v] if type(v).__name__ == 'MultiValue' else [str(v)]
    for tag in list(ds.keys()):
        raw = ds.get_item(tag)
        if tag.group % 2 == 1 or raw.VR not in ('PN', 'LO', 'SH', 'ST', 'LT', 'UT', 'UC') or not raw.value:
            continue
        out.append({'file': f, 'tag': '%08x' % int(tag), 'vr': raw.VR, 'scs': [t.strip() for t in terms], 'hex': raw.value.hex()})
print(json.dumps(out))
`;

/** pydicom's reading of values (as dcmread converts them), multiple values joined with a backslash. */
const CONVERT = `
import sys, json
from pydicom.values import convert_value
from pydicom.dataelem import RawDataElement
from pydicom.charset import convert_encodings
out = []
for case in json.loads(sys.argv[1]):
    raw = bytes.fromhex(case['hex'])
    el = RawDataElement(0x00100010, case['vr'], len(raw), raw, 0, False, True)
    v = convert_value(case['vr'], el, convert_encodings(case['scs']))
    out.append('\\\\'.join(str(x) for x in v) if type(v).__name__ == 'MultiValue' else str(v))
print(json.dumps(out))
`;

/**
 * Drops an ESC ( B that designates ASCII into G0 while ASCII is G0 already (chrKoreanMulti.dcm
 * writes one at the end of each value, where the state returns to the initial one anyway).
 */
function withoutRedundantAscii(h: string): string {
  const b = Buffer.from(h, 'hex');
  const out: number[] = [];
  let g0 = 'B';
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x1b && b[i + 1] === 0x28) {
      const final = String.fromCharCode(b[i + 2]!);
      if (final === g0) {
        i += 2;
        continue;
      }
      g0 = final;
    } else if (b[i] === 0x1b && b[i + 1] === 0x24 && b[i + 2] !== 0x29) g0 = 'multi';
    out.push(b[i]!);
  }
  return Buffer.from(out).toString('hex');
}

/** Trailing padding is not part of the value (PS3.5 §6.2). */
function unpadded(h: string): string {
  let s = h;
  while (s.endsWith('20') || s.endsWith('00')) s = s.slice(0, -2);
  return s;
}

describe('charset files round trip', { skip: NO_PYDICOM }, () => {
  test('every text element of every charset file is written back byte for byte in its set', () => {
    const cases = runPython<Array<{ file: string; tag: string; vr: VR; scs: string[]; hex: string }>>(RAW, [join(PYDICOM_DATA, 'charset_files')]);
    const names = cases.filter((c) => c.tag === '00100010');
    assert.ok(names.length >= 15, `${names.length} patient names`);
    // the Japanese, Korean and Chinese files are among them, each in its own set
    for (const f of ['chrH31.dcm', 'chrH32.dcm', 'chrI2.dcm', 'chrX2.dcm', 'chrFren.dcm', 'chrGerm.dcm', 'chrJapMultiExplicitIR6.dcm', 'chrKoreanMulti.dcm']) {
      assert.ok(
        names.some((c) => c.file === f),
        f,
      );
    }
    const failures: string[] = [];
    const exact = new Set<string>();
    for (const c of cases) {
      const raw = Buffer.from(unpadded(c.hex), 'hex');
      const text = decodeText(raw, c.scs, c.vr);
      if (![...text].some((ch) => ch.charCodeAt(0) > 0x7f)) continue;
      try {
        const ours = hex(encodeText(text, c.scs, c.vr));
        if (ours === hex(raw)) exact.add(c.file);
        else if (ours !== withoutRedundantAscii(hex(raw)))
          failures.push(`${c.file} ${c.tag} ${JSON.stringify(c.scs)} ${JSON.stringify(text)}: ${ours} != ${hex(raw)}`);
      } catch (err) {
        failures.push(`${c.file} ${c.tag}: ${(err as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
    for (const f of [
      'chrH31.dcm',
      'chrH32.dcm',
      'chrI2.dcm',
      'chrX1.dcm',
      'chrX2.dcm',
      'chrFren.dcm',
      'chrGerm.dcm',
      'chrRuss.dcm',
      'chrArab.dcm',
      'chrGreek.dcm',
      'chrHbrw.dcm',
      'chrJapMulti.dcm',
    ]) {
      assert.ok(exact.has(f), `${f} written back byte for byte`);
    }
  });

  test('pydicom reads what we write as the text we meant, in every set a node can be given', () => {
    const cases: Array<{ scs: string[]; vr: VR; text: string }> = [
      { scs: ['ISO_IR 100'], vr: 'PN', text: 'Buc^Jérôme' },
      { scs: ['ISO_IR 100'], vr: 'LO', text: 'Äneas\\Rüdiger' },
      { scs: ['ISO_IR 101'], vr: 'PN', text: 'Dvořák^Antonín' },
      { scs: ['ISO_IR 144'], vr: 'PN', text: 'Люкceмбypг' },
      { scs: ['ISO_IR 126'], vr: 'PN', text: 'Διονυσιος' },
      { scs: ['ISO_IR 127'], vr: 'PN', text: 'قباني^لنزار' },
      { scs: ['ISO_IR 138'], vr: 'PN', text: 'שרון^דבורה' },
      { scs: ['ISO_IR 148'], vr: 'PN', text: 'Işık^Gül' },
      { scs: ['ISO_IR 13'], vr: 'PN', text: 'ﾔﾏﾀﾞ^ﾀﾛｳ' },
      { scs: ['ISO_IR 192'], vr: 'PN', text: 'Wang^XiaoDong=王^小東' },
      { scs: ['GB18030'], vr: 'PN', text: 'Wang^XiaoDong=王^小东' },
      { scs: ['', 'ISO 2022 IR 87'], vr: 'PN', text: 'Yamada^Tarou=山田^太郎=やまだ^たろう' },
      { scs: ['', 'ISO 2022 IR 87'], vr: 'LO', text: '山田\\太郎 様' },
      { scs: ['ISO 2022 IR 13', 'ISO 2022 IR 87'], vr: 'PN', text: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう' },
      { scs: ['ISO 2022 IR 6', 'ISO 2022 IR 87'], vr: 'PN', text: 'やまだ^たろう' },
      { scs: ['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'], vr: 'PN', text: 'Buc^Jérôme=山田' },
      { scs: ['', 'ISO 2022 IR 149'], vr: 'PN', text: 'Hong^Gildong=洪^吉洞=홍^길동' },
      { scs: ['', 'ISO 2022 IR 100'], vr: 'PN', text: 'Buc^Jérôme' },
      { scs: ['ISO 2022 IR 100', 'ISO 2022 IR 126'], vr: 'LO', text: 'é Δ é' },
    ];
    const written = cases.map((c) => ({ scs: c.scs, vr: c.vr, hex: hex(encodeText(c.text, c.scs, c.vr)) }));
    const read = runPython<string[]>(CONVERT, [JSON.stringify(written)]);
    // pydicom drops trailing empty name groups; none of the cases has any
    assert.deepEqual(
      read,
      cases.map((c) => c.text),
    );
    for (const [i, c] of cases.entries()) assert.equal(decodeText(Buffer.from(written[i]!.hex, 'hex'), c.scs, c.vr), c.text, JSON.stringify(c));
  });
});

describe('encodeText', () => {
  test('ISO 2022 IR 87: JIS X 0208 designated by ESC $ B and the default repertoire back before each delimiter and at the end', () => {
    assert.equal(Buffer.from(encodeText('Yamada^山田=x', ['', 'ISO 2022 IR 87'], 'PN')).toString('latin1'), 'Yamada^\x1b$B;3ED\x1b(B=x');
    // ASCII after a kanji inside a component: back to G0 ASCII before it
    assert.equal(Buffer.from(encodeText('山a', ['', 'ISO 2022 IR 87'], 'LO')).toString('latin1'), '\x1b$B;3\x1b(Ba');
  });

  test('ISO 2022 IR 149: KS X 1001 in G1 designated again after each delimiter', () => {
    assert.equal(hex(encodeText('홍^길', ['', 'ISO 2022 IR 149'], 'PN')), '1b242943c8ab5e1b242943b1e6');
    assert.equal(decodeText(encodeText('홍^길', ['', 'ISO 2022 IR 149'], 'PN'), ['', 'ISO 2022 IR 149'], 'PN'), '홍^길');
  });

  test('text a set lacks is refused with the characters named', () => {
    assert.throws(
      () => encodeText('山田^Jérôme', ['ISO_IR 100'], 'PN'),
      (err: unknown) => {
        assert.ok(err instanceof CharacterSetError);
        assert.deepEqual(err.characters, ['山', '田']);
        assert.match(err.message, /"山", "田".*ISO_IR 100 cannot hold/);
        return true;
      },
    );
    // é is in JIS X 0212 (ISO 2022 IR 159), not in JIS X 0208
    assert.throws(() => encodeText('Jérôme', ['', 'ISO 2022 IR 87'], 'PN'), CharacterSetError);
    assert.throws(() => encodeText('홍', ['', 'ISO 2022 IR 87'], 'PN'), CharacterSetError);
    assert.throws(() => encodeText('é', [], 'PN'), /default repertoire cannot hold/);
    // GB18030 holds every character; GB 2312 through ISO 2022 IR 58 does not hold hangul
    assert.equal(decodeText(encodeText('홍王', ['GB18030'], 'PN'), ['GB18030'], 'PN'), '홍王');
    assert.throws(() => encodeText('홍', ['', 'ISO 2022 IR 58'], 'PN'), CharacterSetError);
  });
});

describe('encodeIdentifier', () => {
  test('declares the set, writes governed VRs as bytes in it, leaves the others, and names the attribute it cannot write', () => {
    const ds: DataSet = new Map([
      [0x00100010, { vr: 'PN', value: ['Buc^Jérôme'] }],
      [0x00100020, { vr: 'LO', value: ['SCSFREN'] }],
      [0x0020000d, { vr: 'UI', value: [] }],
    ]);
    const out = encodeIdentifier(ds, ['ISO_IR 100']);
    assert.deepEqual(out.get(0x00080005), { vr: 'CS', value: ['ISO_IR 100'] });
    assert.equal(hex(out.get(0x00100010)!.value as Uint8Array), hex(Buffer.from('Buc^J\xe9r\xf4me', 'latin1')));
    assert.deepEqual(out.get(0x0020000d), { vr: 'UI', value: [] });
    ds.set(0x00081030, { vr: 'LO', value: ['胸部'] });
    assert.throws(() => encodeIdentifier(ds, ['ISO_IR 100']), /^CharacterSetError: StudyDescription "胸部" has "胸", "部"/);
  });
});
