// Native transfer syntax conversion, fed in pieces of every size: Implicit/Explicit VR Little
// Endian and Explicit VR Big Endian into one another, values kept (swapped by their VR when the
// byte order changes), sequences nested, private data kept, group lengths dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDataSet, encodeDataSet, type TransferSyntaxEncoding } from '../../../../shared/dicom/codec.js';
import type { DataElement, DataSet } from '../../../../shared/dicom/dataset.js';
import { NativeTranscoder, TranscodeError, transcodeNative } from '../../../../shared/dicom/transcode-native.js';

const ILE: TransferSyntaxEncoding = { explicitVR: false, littleEndian: true, deflated: false, encapsulated: false };
const ELE: TransferSyntaxEncoding = { explicitVR: true, littleEndian: true, deflated: false, encapsulated: false };
const EBE: TransferSyntaxEncoding = { explicitVR: true, littleEndian: false, deflated: false, encapsulated: false };
const SYNTAXES = { ILE, ELE, EBE } as const;

/** A data set with what conversion must get right; `bigEndian` gives the OW/OF bytes in that order. */
function sample(bitsAllocated: 8 | 16, bigEndian: boolean): DataSet {
  const words = new Uint8Array([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]);
  const ow = bigEndian ? new Uint8Array([0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07]) : words;
  const of = bigEndian ? new Uint8Array([0x04, 0x03, 0x02, 0x01]) : new Uint8Array([0x01, 0x02, 0x03, 0x04]);
  const item = (n: number): DataSet =>
    new Map<number, DataElement>([
      [0x00080100, { vr: 'SH', value: [`CODE${n}`] }],
      [0x00080104, { vr: 'LO', value: ['Meaning'] }],
      [0x00400260, { vr: 'SQ', value: n === 0 ? [new Map<number, DataElement>([[0x00080100, { vr: 'SH', value: ['INNER'] }]])] : [] }],
    ]);
  const entries: [number, DataElement][] = [
    [0x00080005, { vr: 'CS', value: ['ISO_IR 100'] }],
    [0x00080016, { vr: 'UI', value: ['1.2.840.10008.5.1.4.1.1.7'] }],
    [0x00080018, { vr: 'UI', value: ['1.2.3.4.5'] }],
    [0x00080060, { vr: 'CS', value: ['OT'] }],
    [0x00081032, { vr: 'SQ', value: [item(0), item(1), new Map()] }],
    [0x00090010, { vr: 'LO', value: ['PRIVATE CREATOR'] }],
    [0x00091001, { vr: 'UN', value: new Uint8Array([9, 8, 7, 6]) }],
    [0x00100010, { vr: 'PN', value: ['DOE^JOHN'] }],
    [0x00181310, { vr: 'US', value: [0, 256, 256, 0] }],
    [0x00186020, { vr: 'SL', value: [-5] }],
    [0x00189087, { vr: 'FD', value: [1000.5] }],
    [0x00200032, { vr: 'DS', value: ['-1.5', '2', '3.25'] }],
    [0x00209165, { vr: 'AT', value: [0x00100020] }],
    [0x00280010, { vr: 'US', value: [2] }],
    [0x00280011, { vr: 'US', value: [2] }],
    [0x00280100, { vr: 'US', value: [bitsAllocated] }],
    [0x00283006, { vr: 'OW', value: ow }],
    [0x00660016, { vr: 'OF', value: of }],
    [0x00700001, { vr: 'SQ', value: [] }],
    [0x7fe00010, bitsAllocated === 8 ? { vr: 'OB', value: new Uint8Array([1, 2, 3, 4]) } : { vr: 'OW', value: ow }],
  ];
  return new Map(entries);
}

/** Tag → value, recursively, without VRs (implicit VR decodes take the dictionary's). */
function values(ds: DataSet): unknown {
  return [...ds.entries()]
    .filter(([t]) => (t & 0xffff) !== 0)
    .sort((a, b) => a[0] - b[0])
    .map(([t, e]) => [t, e.vr === 'SQ' ? (e.value as DataSet[]).map(values) : e.value instanceof Uint8Array ? [...e.value] : e.value]);
}

/** Feeds the bytes in pieces of 1 to `max` bytes. */
function inPieces(bytes: Uint8Array, from: TransferSyntaxEncoding, to: TransferSyntaxEncoding, max: number, seed: number): Uint8Array {
  const t = new NativeTranscoder(from, to);
  const parts: Uint8Array[] = [];
  let s = seed;
  for (let at = 0; at < bytes.length;) {
    s = (s * 1103515245 + 12345) >>> 0;
    const n = 1 + (s % max);
    parts.push(...t.push(bytes.slice(at, at + n)));
    at += n;
  }
  parts.push(...t.end());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

for (const bits of [8, 16] as const) {
  for (const [fromName, from] of Object.entries(SYNTAXES)) {
    for (const [toName, to] of Object.entries(SYNTAXES)) {
      test(`${bits}-bit: ${fromName} → ${toName}, whole and in pieces, decodes to the same values`, () => {
        const input = encodeDataSet(sample(bits, !from.littleEndian), from);
        const expected = values(decodeDataSet(encodeDataSet(sample(bits, !to.littleEndian), to), to).dataSet);
        for (const [max, seed] of [
          [Infinity, 0],
          [1, 1],
          [7, 2],
          [64, 3],
        ] as const) {
          const out = max === Infinity ? transcodeNative(input, from, to) : inPieces(input, from, to, max, seed);
          assert.deepEqual(values(decodeDataSet(out, to).dataSet), expected, `pieces of at most ${max} bytes`);
        }
      });
    }
  }
}

test('implicit → explicit: VRs from the dictionary, Pixel Data OB at 8 bits and OW above, private data UN', () => {
  const out8 = transcodeNative(encodeDataSet(sample(8, false), ILE), ILE, ELE);
  const d8 = decodeDataSet(out8, ELE).dataSet;
  assert.equal(d8.get(0x7fe00010)?.vr, 'OB');
  assert.equal(d8.get(0x00091001)?.vr, 'UN');
  assert.equal(d8.get(0x00090010)?.vr, 'LO');
  assert.equal(d8.get(0x00189087)?.vr, 'FD');
  const d16 = decodeDataSet(transcodeNative(encodeDataSet(sample(16, false), ILE), ILE, ELE), ELE).dataSet;
  assert.equal(d16.get(0x7fe00010)?.vr, 'OW');
});

test('group lengths are dropped; an undefined-length private sequence keeps its bytes as UN', () => {
  const ds: DataSet = new Map([
    [0x00080000, { vr: 'UL', value: [999] }],
    [0x00080060, { vr: 'CS', value: ['CT'] }],
  ]);
  const base = encodeDataSet(ds, ILE);
  // (0029,1010) of undefined length holding one item with (0010,0010) "X": implicit VR little endian
  const inner = Uint8Array.from([
    0x29, 0x00, 0x10, 0x10, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff, 0x10, 0x00, 0x10, 0x00, 0x02, 0x00, 0x00, 0x00, 0x58, 0x20,
    0xfe, 0xff, 0x0d, 0xe0, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xff, 0xdd, 0xe0, 0x00, 0x00, 0x00, 0x00,
  ]);
  const input = new Uint8Array([...base, ...Uint8Array.from([0x29, 0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00, ...Buffer.from('ACME')]), ...inner]);
  for (const to of [ELE, EBE]) {
    const out = transcodeNative(input, ILE, to);
    const d = decodeDataSet(out, to).dataSet;
    assert.equal(d.has(0x00080000), false, 'group length dropped');
    assert.equal(d.get(0x00080060)?.value[0], 'CT');
    const bytes = Buffer.from(out);
    assert.ok(bytes.includes(Buffer.from(inner.subarray(8))), "the private sequence's content is carried byte for byte");
    // its 12-byte explicit header ends where the content starts: the VR is 8 bytes before
    assert.equal(String.fromCharCode(...out.subarray(out.length - inner.length, out.length - inner.length + 2)), 'UN');
  }
});

test('encapsulated Pixel Data, truncated input and a stray delimiter are errors, never silent', () => {
  const pixel = Uint8Array.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  assert.throws(() => transcodeNative(pixel, ELE, ILE), /encapsulated/);
  const whole = encodeDataSet(sample(16, false), ELE);
  assert.throws(() => transcodeNative(whole.subarray(0, whole.length - 3), ELE, ILE), TranscodeError);
  assert.throws(() => transcodeNative(Uint8Array.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]), ILE, ELE), /closes no open item/);
  assert.throws(() => new NativeTranscoder({ ...ELE, encapsulated: true }, ILE), /not a native one/);
});

test('a public sequence that came as UN (defined or undefined length) is read as Implicit VR Little Endian and converted', () => {
  const item: DataSet = new Map<number, DataElement>([
    [0x00081150, { vr: 'UI', value: ['1.2.840.10008.5.1.4.1.1.481.5'] }],
    [0x00281050, { vr: 'DS', value: ['40'] }],
    [0x00280010, { vr: 'US', value: [513] }],
  ]);
  const itemBytes = encodeDataSet(item, ILE);
  const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  // one item of defined length, as PS3.5 §6.2.2 encodes a sequence's value under UN
  const content = Uint8Array.from([0xfe, 0xff, 0x00, 0xe0, ...le32(itemBytes.length), ...itemBytes]);
  const head = encodeDataSet(new Map([[0x00080060, { vr: 'CS', value: ['RTDOSE'] }]]), ELE);
  const unHeader = (length: number) => [0x0c, 0x30, 0x02, 0x00, 0x55, 0x4e, 0, 0, ...le32(length)];
  const defined = Uint8Array.from([...head, ...unHeader(content.length), ...content]);
  const undefinedLength = Uint8Array.from([...head, ...unHeader(0xffffffff), ...content, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  const expected = values(
    new Map<number, DataElement>([
      [0x00080060, { vr: 'CS', value: ['RTDOSE'] }],
      [0x300c0002, { vr: 'SQ', value: [item] }],
    ]),
  );
  for (const input of [defined, undefinedLength]) {
    for (const [name, to] of Object.entries(SYNTAXES)) {
      const out = inPieces(input, ELE, to, 5, 7);
      const d = decodeDataSet(out, to).dataSet;
      if (to.explicitVR) assert.equal(d.get(0x300c0002)?.vr, 'SQ', name);
      assert.deepEqual(values(d), expected, `to ${name}`);
    }
  }
});
