import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import {
  decodeDataSet,
  encodeDataSet,
  encodingOf,
  DicomParseError,
  EXPLICIT_LITTLE_ENDIAN,
  IMPLICIT_LITTLE_ENDIAN,
  type TransferSyntaxEncoding,
} from '../../../../shared/dicom/codec.js';
import { tag, type DataSet, type DataElement } from '../../../../shared/dicom/dataset.js';
import { PYDICOM_DATA, pydicomAvailable, runPython } from '../../../helpers/pydicom.js';

const EXPLICIT_BIG_ENDIAN: TransferSyntaxEncoding = encodingOf('1.2.840.10008.1.2.2');
const IMPLICIT_BIG_ENDIAN: TransferSyntaxEncoding = { explicitVR: false, littleEndian: false, deflated: false, encapsulated: false };
const ALL: Array<[string, TransferSyntaxEncoding]> = [
  ['implicit LE', IMPLICIT_LITTLE_ENDIAN],
  ['explicit LE', EXPLICIT_LITTLE_ENDIAN],
  ['explicit BE', EXPLICIT_BIG_ENDIAN],
  ['implicit BE', IMPLICIT_BIG_ENDIAN],
];

const el = (vr: DataElement['vr'], value: DataElement['value']): DataElement => ({ vr, value });

/** A data set exercising every kind of value: text, numbers, bytes, nested sequences. */
function sample(): DataSet {
  const inner: DataSet = new Map([
    [0x00080100, el('SH', ['T-04000'])],
    [0x00080104, el('LO', ['Chest'])],
  ]);
  const nested: DataSet = new Map([
    [0x00081150, el('UI', ['1.2.840.10008.5.1.4.1.1.2'])],
    [0x00082218, el('SQ', [inner])],
  ]);
  return new Map<number, DataElement>([
    [0x00080005, el('CS', ['ISO_IR 100'])],
    [0x00080008, el('CS', ['ORIGINAL', 'PRIMARY', 'AXIAL'])],
    [0x00080016, el('UI', ['1.2.840.10008.5.1.4.1.1.2'])],
    [0x00080018, el('UI', ['1.2.3.4.5'])], // odd length: NUL padded
    [0x00080050, el('SH', [])], // zero length
    [0x00081140, el('SQ', [nested, new Map()])], // two items, one empty
    [0x00100010, el('PN', ['Müller^Jürgen'])],
    [0x00100020, el('LO', ['ID1'])],
    [0x00101010, el('AS', ['045Y'])],
    [0x00181060, el('DS', ['1.5', '-2'])],
    [0x00200013, el('IS', ['7'])],
    [0x00209165, el('AT', [0x00100010, 0x7fe00010])],
    [0x00280010, el('US', [512])],
    [0x00189219, el('SS', [-32768])],
    [0x00281052, el('DS', ['-1024'])],
    [0x00189220, el('FD', [3.25, -0.5])],
    [0x00180013, el('FL', [1.5])],
    [0x00186030, el('UL', [4294967295])],
    [0x00186020, el('SL', [-5])],
    [0x00420011, el('OB', new Uint8Array([1, 2, 3]))], // odd: NUL padded
    [0x00720075, el('OL', new Uint8Array([1, 0, 0, 0]))],
    [0x00720081, el('OV', new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]))],
    [0x00720073, el('OD', new Uint8Array([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]))],
    [0x00080119, el('UC', ['long code  value'])],
    [0x00080030, el('TM', ['101010.123'])],
    [0x00720082, el('SV', [-(2n ** 62n)])],
    [0x00720083, el('UV', [2n ** 64n - 1n])],
    [0x00081190, el('UR', ['http://example.org/a b'])],
    [0x00324000, el('LT', ['line one\r\nline two \\ with backslash'])],
    [0x00090010, el('LO', ['PRIVATE CREATOR'])],
    [0x00091011, el('UN', new Uint8Array([9, 8, 7, 6]))],
  ]);
}

/** Structural equality of decoded data sets (bytes compared by content). */
function assertSameDataSet(actual: DataSet, expected: DataSet, where = ''): void {
  assert.deepEqual(
    [...actual.keys()].sort((a, b) => a - b),
    [...expected.keys()].sort((a, b) => a - b),
    `tags ${where}`,
  );
  for (const [t, e] of expected) {
    const a = actual.get(t)!;
    const at = `${where}/${t.toString(16)}`;
    assert.equal(a.vr, e.vr, `VR ${at}`);
    if (e.vr === 'SQ') {
      const ai = a.value as DataSet[];
      const ei = e.value as DataSet[];
      assert.equal(ai.length, ei.length, `items ${at}`);
      ei.forEach((item, i) => assertSameDataSet(ai[i]!, item, `${at}[${i}]`));
    } else if (e.value instanceof Uint8Array) {
      assert.deepEqual([...(a.value as Uint8Array)], [...e.value], `bytes ${at}`);
    } else {
      assert.deepEqual(a.value, e.value, `value ${at}`);
    }
  }
}

describe('encodingOf', () => {
  test('maps the uncompressed syntaxes and treats others as encapsulated explicit LE', () => {
    assert.deepEqual(encodingOf('1.2.840.10008.1.2'), IMPLICIT_LITTLE_ENDIAN);
    assert.deepEqual(encodingOf('1.2.840.10008.1.2.1\0'), EXPLICIT_LITTLE_ENDIAN);
    assert.equal(encodingOf('1.2.840.10008.1.2.1.99').deflated, true);
    assert.equal(EXPLICIT_BIG_ENDIAN.littleEndian, false);
    assert.deepEqual(encodingOf('1.2.840.10008.1.2.4.50'), { explicitVR: true, littleEndian: true, deflated: false, encapsulated: true });
    assert.equal(encodingOf('9.9.9').encapsulated, true);
  });
});

describe('round trips', () => {
  for (const [name, ts] of ALL) {
    test(`${name}: encode then decode gives the same data set`, () => {
      const ds = sample();
      const bytes = encodeDataSet(ds, ts);
      assert.equal(bytes.length % 2, 0);
      const r = decodeDataSet(bytes, ts);
      assert.equal(r.bytesRead, bytes.length);
      assert.equal(r.truncated, false);
      const expected = sample();
      // Implicit VR: the private element's VR comes back as UN, the creator as LO (PS3.5 §7.8.1).
      if (!ts.explicitVR) expected.set(0x00091011, el('UN', new Uint8Array([9, 8, 7, 6])));
      // Odd-length OB comes back with its NUL pad byte.
      expected.set(0x00420011, el('OB', new Uint8Array([1, 2, 3, 0])));
      assertSameDataSet(r.dataSet, expected);
      assert.deepEqual(encodeDataSet(r.dataSet, ts), bytes, 're-encoding is stable');
    });
  }

  test('explicit VR little endian bytes are as PS3.5 §7.1.2 lays them out', () => {
    const ds: DataSet = new Map([
      [0x00080018, el('UI', ['1.2.3'])],
      [0x00100020, el('LO', ['ABC'])],
      [0x7fe00010, el('OB', new Uint8Array([0xaa]))],
    ]);
    const hex = Buffer.from(encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN)).toString('hex');
    assert.equal(
      hex,
      '08001800' +
        '5549' +
        '0600' +
        Buffer.from('1.2.3\0').toString('hex') +
        '10002000' +
        '4c4f' +
        '0400' +
        Buffer.from('ABC ').toString('hex') +
        'e07f1000' +
        '4f42' +
        '0000' +
        '02000000' +
        'aa00',
    );
  });

  test('implicit VR big endian and explicit BE write tags, lengths and numbers big endian', () => {
    const ds: DataSet = new Map([[0x00280010, el('US', [0x0102])]]);
    assert.equal(Buffer.from(encodeDataSet(ds, EXPLICIT_BIG_ENDIAN)).toString('hex'), '00280010' + '5553' + '0002' + '0102');
    assert.equal(Buffer.from(encodeDataSet(ds, IMPLICIT_LITTLE_ENDIAN)).toString('hex'), '28001000' + '02000000' + '0201');
  });

  test('text that the declared character set cannot hold is written as UTF-8 and declared ISO_IR 192', () => {
    const ds: DataSet = new Map([
      [0x00080005, el('CS', ['ISO_IR 100'])],
      [0x00100010, el('PN', ['山田^太郎'])],
    ]);
    const r = decodeDataSet(encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN), EXPLICIT_LITTLE_ENDIAN).dataSet;
    assert.deepEqual(r.get(0x00080005)!.value, ['ISO_IR 192']);
    assert.deepEqual(r.get(0x00100010)!.value, ['山田^太郎']);
    assert.deepEqual(ds.get(0x00080005)!.value, ['ISO_IR 100'], 'the input is not modified');
    // Without any Specific Character Set, one is added.
    const bare: DataSet = new Map([[0x00100010, el('PN', ['Ærø'])]]);
    const back = decodeDataSet(encodeDataSet(bare, IMPLICIT_LITTLE_ENDIAN), IMPLICIT_LITTLE_ENDIAN).dataSet;
    assert.deepEqual(back.get(0x00080005)!.value, ['ISO_IR 192']);
    assert.deepEqual(back.get(0x00100010)!.value, ['Ærø']);
  });

  test('an item whose text its inherited set cannot hold declares ISO_IR 192 in that item only', () => {
    const item: DataSet = new Map([[0x00100010, el('PN', ['Ωmega'])]]);
    const ds: DataSet = new Map([
      [0x00080005, el('CS', ['ISO_IR 100'])],
      [0x00080018, el('UI', ['1.2.3'])],
      [0x00081140, el('SQ', [item])],
      [0x00100010, el('PN', ['Jérôme'])],
    ]);
    const bytes = encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN);
    const r = decodeDataSet(bytes, EXPLICIT_LITTLE_ENDIAN).dataSet;
    assert.deepEqual(r.get(0x00080005)!.value, ['ISO_IR 100']);
    assert.deepEqual(r.get(0x00100010)!.value, ['Jérôme']);
    assert.ok(bytes.includes(0xe9), 'Latin-1 é written as one byte');
    const back = (r.get(0x00081140)!.value as DataSet[])[0]!;
    assert.deepEqual(back.get(0x00080005)!.value, ['ISO_IR 192']);
    assert.deepEqual(back.get(0x00100010)!.value, ['Ωmega']);
  });

  test('an explicit VR value too long for a 2-byte length is refused with a clear error', () => {
    const ds: DataSet = new Map([[0x00100020, el('LO', ['x'.repeat(70000)])]]);
    assert.throws(() => encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN), /too long for VR LO/);
  });
});

/** Little-endian byte helpers for hand-built inputs. */
const u16 = (v: number) => [v & 0xff, v >>> 8];
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const tagLE = (t: number) => [...u16(t >>> 16), ...u16(t & 0xffff)];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const implicitEl = (t: number, value: number[]) => [...tagLE(t), ...u32(value.length), ...value];
const explicitShort = (t: number, vr: string, value: number[]) => [...tagLE(t), ...ascii(vr), ...u16(value.length), ...value];
const explicitLong = (t: number, vr: string, length: number, value: number[]) => [...tagLE(t), ...ascii(vr), 0, 0, ...u32(length), ...value];
const ITEM = (length: number) => [...tagLE(0xfffee000), ...u32(length)];
const ITEM_END = [...tagLE(0xfffee00d), ...u32(0)];
const SEQ_END = [...tagLE(0xfffee0dd), ...u32(0)];
const UNDEFINED = 0xffffffff;

describe('sequences and items', () => {
  test('implicit VR: undefined-length sequence with undefined and defined-length items, nested', () => {
    const innerItem = implicitEl(0x00080100, ascii('CODE'));
    const bytes = new Uint8Array([
      ...implicitEl(0x00080060, ascii('CT')),
      ...tagLE(0x00081140),
      ...u32(UNDEFINED),
      ...ITEM(UNDEFINED),
      ...implicitEl(0x00081155, ascii('1.2\0')),
      ...tagLE(0x00082218),
      ...u32(UNDEFINED),
      ...ITEM(innerItem.length),
      ...innerItem,
      ...SEQ_END,
      ...ITEM_END,
      ...ITEM(0),
      ...SEQ_END,
      ...implicitEl(0x00100020, ascii('P1')),
    ]);
    const { dataSet, bytesRead } = decodeDataSet(bytes, IMPLICIT_LITTLE_ENDIAN);
    assert.equal(bytesRead, bytes.length);
    const items = dataSet.get(0x00081140)!.value as DataSet[];
    assert.equal(items.length, 2);
    assert.deepEqual(items[0]!.get(0x00081155)!.value, ['1.2']);
    const inner = items[0]!.get(0x00082218)!.value as DataSet[];
    assert.deepEqual(inner[0]!.get(0x00080100)!.value, ['CODE']);
    assert.equal(items[1]!.size, 0);
    assert.deepEqual(dataSet.get(0x00100020)!.value, ['P1']);
  });

  test('explicit VR: empty undefined-length sequence, and defined-length sequence', () => {
    const item = explicitShort(0x00080100, 'SH', ascii('AB'));
    const bytes = new Uint8Array([
      ...explicitLong(0x00081140, 'SQ', UNDEFINED, []),
      ...SEQ_END,
      ...explicitLong(0x00082218, 'SQ', 8 + item.length, []),
      ...ITEM(item.length),
      ...item,
      ...explicitShort(0x00100020, 'LO', ascii('P1')),
    ]);
    const { dataSet } = decodeDataSet(bytes, EXPLICIT_LITTLE_ENDIAN);
    assert.deepEqual(dataSet.get(0x00081140)!.value, []);
    assert.deepEqual((dataSet.get(0x00082218)!.value as DataSet[])[0]!.get(0x00080100)!.value, ['AB']);
    assert.deepEqual(dataSet.get(0x00100020)!.value, ['P1']);
  });

  test('UN of undefined length is read as an Implicit VR Little Endian sequence (PS3.5 §6.2.2), even in big endian', () => {
    const itemLE = implicitEl(0x00100020, ascii('ID'));
    const content = [...ITEM(UNDEFINED), ...itemLE, ...ITEM_END, ...SEQ_END];
    const le = new Uint8Array([...explicitLong(0x00091010, 'UN', UNDEFINED, content), ...explicitShort(0x00100010, 'PN', ascii('A^B '))]);
    const r = decodeDataSet(le, EXPLICIT_LITTLE_ENDIAN).dataSet;
    assert.equal(r.get(0x00091010)!.vr, 'SQ');
    assert.deepEqual((r.get(0x00091010)!.value as DataSet[])[0]!.get(0x00100020)!.value, ['ID']);
    assert.deepEqual(r.get(0x00100010)!.value, ['A^B']);
    const be = new Uint8Array([0x00, 0x09, 0x10, 0x10, ...ascii('UN'), 0, 0, 0xff, 0xff, 0xff, 0xff, ...content]);
    const rb = decodeDataSet(be, EXPLICIT_BIG_ENDIAN).dataSet;
    assert.deepEqual((rb.get(0x00091010)!.value as DataSet[])[0]!.get(0x00100020)!.value, ['ID']);
  });

  test('defined-length UN of a known tag is read with the dictionary VR', () => {
    const bytes = new Uint8Array([...explicitLong(0x00100020, 'UN', 4, ascii('AB  ')), ...explicitLong(0x00280010, 'UN', 2, u16(512))]);
    const r = decodeDataSet(bytes, EXPLICIT_LITTLE_ENDIAN).dataSet;
    assert.deepEqual(r.get(0x00100020), { vr: 'LO', value: ['AB'] });
    assert.deepEqual(r.get(0x00280010), { vr: 'US', value: [512] });
  });

  test('implicit VR: unknown private tags are UN, private creators LO, group lengths UL', () => {
    const bytes = new Uint8Array([
      ...implicitEl(0x00090000, u32(20)),
      ...implicitEl(0x00090010, ascii('ACME')),
      ...implicitEl(0x00091001, [1, 2]),
      ...implicitEl(0x00100010, ascii('A^B ')),
    ]);
    const r = decodeDataSet(bytes, IMPLICIT_LITTLE_ENDIAN).dataSet;
    assert.deepEqual(r.get(0x00090000), { vr: 'UL', value: [20] });
    assert.deepEqual(r.get(0x00090010), { vr: 'LO', value: ['ACME'] });
    assert.equal(r.get(0x00091001)!.vr, 'UN');
    assert.deepEqual(r.get(0x00100010), { vr: 'PN', value: ['A^B'] });
  });

  test('encapsulated pixel data: fragments kept as raw bytes, or skipped with stopAtTag', () => {
    const fragments = [...ITEM(0), ...ITEM(4), 1, 2, 3, 4, ...ITEM(2), 5, 6];
    const head = explicitShort(0x00280010, 'US', u16(2));
    const bytes = new Uint8Array([...head, ...explicitLong(0x7fe00010, 'OB', UNDEFINED, fragments), ...SEQ_END, ...explicitLong(0xfffcfffc, 'OB', 2, [0, 0])]);
    const r = decodeDataSet(bytes, encodingOf('1.2.840.10008.1.2.4.50'));
    assert.deepEqual([...(r.dataSet.get(0x7fe00010)!.value as Uint8Array)], fragments);
    assert.ok(r.dataSet.has(0xfffcfffc), 'the element after the pixel data is read');
    const s = decodeDataSet(bytes, EXPLICIT_LITTLE_ENDIAN, { stopAtTag: 0x7fe00010 });
    assert.equal(s.bytesRead, head.length);
    assert.deepEqual([...s.dataSet.keys()], [0x00280010]);
  });

  test('odd-length values are read; trailing spaces and NULs are padding', () => {
    const bytes = new Uint8Array([
      ...explicitShort(0x00080018, 'UI', ascii('1.2.3')),
      ...explicitShort(0x00100020, 'LO', ascii(' ID \0')),
      ...explicitShort(0x00100021, 'LO', ascii('X')),
    ]);
    const r = decodeDataSet(bytes, EXPLICIT_LITTLE_ENDIAN).dataSet;
    assert.deepEqual(r.get(0x00080018)!.value, ['1.2.3']);
    assert.deepEqual(r.get(0x00100020)!.value, ['ID']);
    assert.deepEqual(r.get(0x00100021)!.value, ['X']);
  });
});

describe('malformed and truncated input', () => {
  test('every truncation either throws DicomParseError or, with allowTruncated, returns complete elements', () => {
    for (const [name, ts] of ALL) {
      const full = encodeDataSet(sample(), ts);
      const whole = decodeDataSet(full, ts).dataSet;
      for (let cut = 1; cut < full.length; cut++) {
        const part = full.subarray(0, cut);
        try {
          const r = decodeDataSet(part, ts);
          assert.ok(r.bytesRead === cut, `${name} cut ${cut}: decoded only if it ends on an element boundary`);
        } catch (e) {
          assert.ok(e instanceof DicomParseError, `${name} cut ${cut}: ${String(e)}`);
        }
        const r = decodeDataSet(part, ts, { allowTruncated: true });
        assert.ok(r.bytesRead <= cut);
        for (const [t, v] of r.dataSet) assert.deepEqual(v, whole.get(t), `${name} cut ${cut}: ${t.toString(16)} complete`);
        if (r.truncated) assert.ok(r.dataSet.size < whole.size);
      }
    }
  });

  test('an element claiming more bytes than its item holds is a DicomParseError', () => {
    const bad = implicitEl(0x00100020, ascii('ABCD'));
    bad[4] = 40; // length 40 inside an 12-byte item
    const bytes = new Uint8Array([...tagLE(0x00081140), ...u32(8 + bad.length), ...ITEM(bad.length), ...bad, ...new Array(40).fill(0)]);
    assert.throws(() => decodeDataSet(bytes, IMPLICIT_LITTLE_ENDIAN), DicomParseError);
  });

  test('random bytes never crash the decoder', () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const base = encodeDataSet(sample(), EXPLICIT_LITTLE_ENDIAN);
    for (let n = 0; n < 2000; n++) {
      const bytes = base.slice();
      for (let k = 0; k < 4; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      for (const ts of [EXPLICIT_LITTLE_ENDIAN, IMPLICIT_LITTLE_ENDIAN]) {
        try {
          decodeDataSet(bytes, ts);
        } catch (e) {
          assert.ok(e instanceof DicomParseError, `iteration ${n}: ${String(e)}`);
        }
      }
    }
  });
});

/** Splits a Part-10 file: the meta group (always explicit VR LE, PS3.10 §7.1) and the data set bytes. */
function splitPart10(file: Uint8Array): { tsUid: string | undefined; body: Uint8Array } | undefined {
  if (file.length < 132 || String.fromCharCode(...file.subarray(128, 132)) !== 'DICM') return undefined;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let pos = 132;
  while (pos + 8 <= file.length && view.getUint16(pos, true) === 0x0002) {
    const vr = String.fromCharCode(file[pos + 4]!, file[pos + 5]!);
    pos += ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR'].includes(vr) ? 12 + view.getUint32(pos + 8, true) : 8 + view.getUint16(pos + 6, true);
  }
  const meta = decodeDataSet(file.subarray(132, pos), EXPLICIT_LITTLE_ENDIAN).dataSet;
  const tsUid = (meta.get(0x00020010)?.value as string[] | undefined)?.[0];
  return { tsUid, body: file.subarray(pos) };
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
}

const ORACLE = `
import sys, os, json, pydicom
out = {}
for root, dirs, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        try:
            ds = pydicom.dcmread(p, stop_before_pixels=True)
            tags = [int(e.tag) for e in ds]
            uid = ds.get('SOPInstanceUID')
            out[p] = {'uid': None if uid is None else str(uid), 'tags': tags}
        except Exception as e:
            out[p] = {'error': type(e).__name__}
print(json.dumps(out))
`;

describe('pydicom corpus', { skip: !pydicomAvailable() && 'Debian pydicom (/usr/bin/python3) not installed' }, () => {
  test('every Part-10 file pydicom can read decodes up to the pixel data with the same SOPInstanceUID and tags', () => {
    const dir = join(PYDICOM_DATA, 'test_files');
    const oracle = runPython<Record<string, { uid?: string | null; tags?: number[]; error?: string }>>(ORACLE, [dir]);
    let compared = 0;
    const failures: string[] = [];
    const truncated: string[] = [];
    for (const path of walk(dir)) {
      const file = new Uint8Array(readFileSync(path));
      const part10 = splitPart10(file);
      const expected = oracle[path];
      if (!part10 || !expected || expected.error) continue;
      const name = relative(dir, path);
      // pydicom guesses implicit VR LE when the meta group names no transfer syntax.
      const ts = encodingOf(part10.tsUid ?? '1.2.840.10008.1.2');
      const body = ts.deflated ? new Uint8Array(inflateRawSync(part10.body)) : part10.body;
      compared++;
      try {
        const r = decodeDataSet(body, ts, { stopAtTag: 0x7fe00010, allowTruncated: true });
        const uid = r.dataSet.get(0x00080018)?.value as string[] | undefined;
        assert.equal(uid?.[0] ?? null, expected.uid, 'SOPInstanceUID');
        const ours = [...r.dataSet.keys()].sort((a, b) => a - b);
        const theirs = expected.tags!.filter((t) => t < 0x7fe00010);
        // A truncated file: pydicom keeps the incomplete last element, we drop it (allowTruncated).
        if (r.truncated) {
          truncated.push(name);
          assert.equal(theirs.length, ours.length + 1, 'pydicom has the one incomplete element more');
        }
        assert.deepEqual(ours, theirs.slice(0, ours.length + (r.truncated ? 0 : theirs.length)), 'top-level tags');
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(truncated, ['dicomdirtests/DICOMDIR-nooffset', 'rtplan_truncated.dcm']);
    assert.ok(compared > 60, `compared ${compared} files`);
  });
});

test('header parsing is fast enough for bulk indexing', () => {
  const bytes = encodeDataSet(sample(), EXPLICIT_LITTLE_ENDIAN);
  const start = performance.now();
  for (let i = 0; i < 5000; i++) decodeDataSet(bytes, EXPLICIT_LITTLE_ENDIAN, { stopAtTag: 0x7fe00010 });
  const perParse = (performance.now() - start) / 5000;
  assert.ok(perParse < 1, `${perParse.toFixed(3)} ms per header`);
});

test('tag helper matches the group/element layout', () => {
  assert.equal(tag(0x7fe0, 0x0010), 0x7fe00010);
});
