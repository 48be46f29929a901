import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeText, encodeText, tryEncodeText } from '../../../../shared/dicom/charset.js';
import { decodeDataSet, EXPLICIT_LITTLE_ENDIAN, encodingOf } from '../../../../shared/dicom/codec.js';
import type { DataSet, VR } from '../../../../shared/dicom/dataset.js';
import { PYDICOM_DATA, pydicomAvailable, runPython } from '../../../helpers/pydicom.js';

const NO_PYDICOM = !pydicomAvailable() && 'Debian pydicom (/usr/bin/python3) not installed';
const bytes = (...parts: Array<string | number[]>) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ESC = '\x1b';

/**
 * pydicom prints a person name without trailing empty component groups ('A^B=' as 'A^B');
 * PS3.5 §6.2.1.1 makes both the same name, and the codec keeps the value as written.
 */
const pydicomForm = (text: string, vr: VR) =>
  vr === 'PN'
    ? text
        .split('\\')
        .map((v) => v.replace(/=+$/, ''))
        .join('\\')
    : text;

interface Case {
  scs: string[];
  vr: VR;
  value: Uint8Array;
}

/**
 * Decodes each case through pydicom's own reading path (values.convert_value, as dcmread does)
 * and returns the strings, multiple values joined with a backslash.
 */
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
    out.append('\\\\'.join(str(x) for x in v) if isinstance(v, list) or type(v).__name__ == 'MultiValue' else str(v))
print(json.dumps(out))
`;

const HIGH = [0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea];
const CASES: Case[] = [
  // Single-byte sets without code extensions (PS3.3 Table C.12-2).
  ...['ISO_IR 100', 'ISO_IR 101', 'ISO_IR 109', 'ISO_IR 110', 'ISO_IR 144', 'ISO_IR 127', 'ISO_IR 126', 'ISO_IR 138', 'ISO_IR 148', 'ISO_IR 166'].map(
    (term): Case => ({ scs: [term], vr: 'PN', value: bytes('Ab^', HIGH) }),
  ),
  { scs: ['ISO_IR 13'], vr: 'PN', value: bytes('Ab^', [0xb1, 0xb2, 0xb3, 0xde]) },
  { scs: ['ISO_IR 100'], vr: 'LO', value: bytes([0x80, 0x9f, 0xa0, 0xff]) }, // C1 controls stay C1
  { scs: [], vr: 'LO', value: bytes('caf', [0xe9]) }, // default repertoire read leniently as Latin-1
  { scs: ['ISO_IR 100'], vr: 'LO', value: bytes('one\\', [0xe9], '\\three') },
  { scs: ['ISO_IR 192'], vr: 'LO', value: bytes([0xe7, 0x8e, 0x8b], '\\x') },
  { scs: ['GB18030'], vr: 'PN', value: bytes('Wang^XiaoDong=', [0xcd, 0xf5], '^', [0xd0, 0xa1, 0xb6, 0xab], '=') },
  { scs: ['GBK'], vr: 'LO', value: bytes([0xd6, 0xd0, 0xce, 0xc4]) },
  // ISO 2022 code extensions (PS3.3 Tables C.12-3, C.12-4; PS3.5 §6.1.2.5).
  { scs: ['', 'ISO 2022 IR 87'], vr: 'PN', value: bytes('Yamada^Tarou=', ESC, '$B;3ED', ESC, '(B^', ESC, '$BB@O:', ESC, '(B') },
  {
    scs: ['ISO 2022 IR 13', 'ISO 2022 IR 87'],
    vr: 'PN',
    value: bytes([0xd4, 0xcf, 0xc0, 0xde], '^', [0xc0, 0xdb, 0xb3], '=', ESC, '$B;3ED', ESC, '(J^', ESC, '$BB@O:', ESC, '(J'),
  },
  { scs: ['', 'ISO 2022 IR 159'], vr: 'LO', value: bytes('x', ESC, '$(D0!', ESC, '(By') },
  { scs: ['', 'ISO 2022 IR 149'], vr: 'PN', value: bytes('Hong^Gildong=', ESC, '$)C', [0xfb, 0xf3], '^', ESC, '$)C', [0xd1, 0xce, 0xd4, 0xd7]) },
  { scs: ['', 'ISO 2022 IR 100'], vr: 'PN', value: bytes('Buc^J', ESC, '-A', [0xe9], 'r', [0xf4], 'me') },
  // A delimiter returns to the initial sets (PS3.5 §6.1.2.5.3): the second 0xC0 is Latin-1 again.
  { scs: ['', 'ISO 2022 IR 144'], vr: 'PN', value: bytes(ESC, '-L', [0xc0], '^', [0xc0]) },
  { scs: ['', 'ISO 2022 IR 144'], vr: 'LO', value: bytes(ESC, '-L', [0xc0], '\\', [0xc0]) },
  { scs: ['', 'ISO 2022 IR 144'], vr: 'LT', value: bytes(ESC, '-L', [0xc0], '\r\n', [0xc0], '\\', [0xc0]) },
  { scs: ['ISO 2022 IR 6', 'ISO 2022 IR 126', 'ISO 2022 IR 138'], vr: 'LO', value: bytes(ESC, '-F', [0xe1], ESC, '-H', [0xe1], ESC, '(Bz') },
];

describe('decodeText against pydicom', { skip: NO_PYDICOM }, () => {
  test('every case decodes as pydicom reads it', () => {
    const expected = runPython<string[]>(CONVERT, [JSON.stringify(CASES.map((c) => ({ scs: c.scs, vr: c.vr, hex: hex(c.value) })))]);
    const failures = CASES.flatMap((c, i) => {
      const ours = pydicomForm(decodeText(c.value, c.scs, c.vr), c.vr);
      return ours === expected[i] ? [] : [`${JSON.stringify(c.scs)} ${c.vr} ${hex(c.value)}: ${JSON.stringify(ours)} != ${JSON.stringify(expected[i])}`];
    });
    assert.deepEqual(failures, []);
  });
});

describe('decodeText', () => {
  test('GB2312 through ISO 2022 IR 58 (pydicom 2.3 leaves the escape sequence in; the standard does not)', () => {
    assert.equal(decodeText(bytes('a', ESC, '$)A', [0xd6, 0xd0, 0xce, 0xc4], 'b'), ['', 'ISO 2022 IR 58'], 'LO'), 'a中文b');
  });

  test('ISO_IR 203 (Latin-9) has the euro sign', () => {
    assert.equal(decodeText(bytes([0xa4]), ['ISO_IR 203'], 'LO'), '€');
    assert.equal(decodeText(bytes(ESC, '-b', [0xa4]), ['', 'ISO 2022 IR 203'], 'LO'), '€');
  });

  test('a GB18030 second byte 0x5C is part of its character, not a value delimiter', () => {
    const text = decodeText(bytes([0x81, 0x5c]), ['GB18030'], 'LO');
    assert.equal(text.length, 1);
    assert.notEqual(text, '\\');
  });

  test('VRs outside the character set rules use the default repertoire', () => {
    assert.equal(decodeText(bytes([0xe9]), ['ISO_IR 144'], 'CS'), 'é');
  });

  test('misspelled and unknown defined terms do not throw', () => {
    assert.equal(decodeText(bytes([0xe9]), ['ISO-IR 100'], 'LO'), 'é');
    assert.equal(decodeText(bytes([0xe9]), ['ISO_IR 999'], 'LO'), 'é');
    assert.equal(decodeText(bytes(ESC, 'Zq'), ['', 'ISO 2022 IR 87'], 'LO'), `${ESC}Zq`);
  });
});

describe('encodeText', () => {
  test('default repertoire, Latin-1 and UTF-8', () => {
    assert.deepEqual([...encodeText('AB', [])], [0x41, 0x42]);
    assert.deepEqual([...encodeText('é', ['ISO_IR 100'])], [0xe9]);
    assert.deepEqual([...encodeText('é', ['ISO_IR 192'])], [0xc3, 0xa9]);
    assert.deepEqual([...encodeText('AB', ['', 'ISO 2022 IR 87'])], [0x41, 0x42]);
  });

  test('text a set cannot hold is refused by tryEncodeText and becomes UTF-8 in encodeText', () => {
    assert.equal(tryEncodeText('é', []), undefined);
    assert.equal(tryEncodeText('Ω', ['ISO_IR 100']), undefined);
    assert.equal(tryEncodeText('山', ['', 'ISO 2022 IR 87']), undefined);
    assert.deepEqual([...encodeText('Ω', ['ISO_IR 100'])], [0xce, 0xa9]);
    for (const text of ['Grüße', 'Διονυσιος', '山田^太郎', '😀']) {
      assert.equal(decodeText(encodeText(text, ['ISO_IR 192']), ['ISO_IR 192'], 'PN'), text);
    }
  });
});

/** Every text element of the charset-affected VRs, by path (`00321064/0/00100010`). */
function textElements(ds: DataSet, prefix = '', out: Record<string, string[]> = {}): Record<string, string[]> {
  for (const [t, el] of ds) {
    // Private elements are UN to us; pydicom reads some through its private dictionary.
    if ((t >>> 16) & 1 && (t & 0xffff) > 0xff) continue;
    const path = prefix + t.toString(16).padStart(8, '0');
    if (el.vr === 'SQ') (el.value as DataSet[]).forEach((item, i) => textElements(item, `${path}/${i}/`, out));
    else if (['PN', 'LO', 'SH', 'ST', 'LT', 'UT', 'UC'].includes(el.vr)) {
      out[path] = (el.value as string[]).map((v) => pydicomForm(v, el.vr));
    }
  }
  return out;
}

const DUMP = `
import sys, os, json, pydicom
def walk(ds, prefix, out):
    for e in ds:
        if e.tag.group % 2 == 1 and e.tag.element > 0xff:
            continue
        path = prefix + '%08x' % int(e.tag)
        if e.VR == 'SQ':
            for i, item in enumerate(e.value):
                walk(item, '%s/%d/' % (path, i), out)
        elif e.VR in ('PN', 'LO', 'SH', 'ST', 'LT', 'UT', 'UC'):
            v = e.value
            vals = [] if v is None or v == '' else [str(x) for x in v] if type(v).__name__ == 'MultiValue' else [str(v)]
            out[path] = vals
    return out
result = {}
for f in sorted(os.listdir(sys.argv[1])):
    if f.endswith('.dcm'):
        result[f] = walk(pydicom.dcmread(os.path.join(sys.argv[1], f)), '', {})
print(json.dumps(result))
`;

describe('pydicom charset corpus', { skip: NO_PYDICOM }, () => {
  test('every text element of every charset file decodes as pydicom reads it (sequence items included)', () => {
    const dir = join(PYDICOM_DATA, 'charset_files');
    const expected = runPython<Record<string, Record<string, string[]>>>(DUMP, [dir]);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.dcm'))
      .sort();
    assert.ok(files.length >= 17);
    assert.ok(files.includes('chrSQEncoding.dcm') && files.includes('chrSQEncoding1.dcm'));
    for (const f of files) {
      const file = new Uint8Array(readFileSync(join(dir, f)));
      const meta = decodeDataSet(file.subarray(132), EXPLICIT_LITTLE_ENDIAN, { stopAtTag: 0x00030000 });
      const tsUid = (meta.dataSet.get(0x00020010)!.value as string[])[0]!;
      const ds = decodeDataSet(file.subarray(132 + meta.bytesRead), encodingOf(tsUid)).dataSet;
      assert.deepEqual(textElements(ds), expected[f], f);
    }
  });

  test('an item with its own Specific Character Set overrides the data set, and one without inherits it', () => {
    const read = (name: string) => {
      const file = new Uint8Array(readFileSync(join(PYDICOM_DATA, 'charset_files', name)));
      const meta = decodeDataSet(file.subarray(132), EXPLICIT_LITTLE_ENDIAN, { stopAtTag: 0x00030000 });
      return decodeDataSet(file.subarray(132 + meta.bytesRead), EXPLICIT_LITTLE_ENDIAN).dataSet;
    };
    for (const name of ['chrSQEncoding.dcm', 'chrSQEncoding1.dcm']) {
      const item = (read(name).get(0x00321064)!.value as DataSet[])[0]!;
      assert.deepEqual(item.get(0x00100010)!.value, ['ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう'], name);
    }
  });
});
