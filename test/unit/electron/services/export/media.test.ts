// The parts of an export below the files: the streaming rewrite around Pixel Data (rewrite-stream.ts),
// File IDs (file-ids.ts), and the DICOMDIR's records and offsets (dicomdir.ts), read back and
// followed record by record as a File-set Reader would (PS3.3 F.3.2.1).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPLICIT_LITTLE_ENDIAN, decodeDataSet, encodeDataSet } from '../../../../../shared/dicom/codec.js';
import { type DataElement, type DataSet, type Tag, getItems, getNumber, getStrings } from '../../../../../shared/dicom/dataset.js';
import { buildDicomdir, type MediaFile } from '../../../../../electron/services/export/dicomdir.js';
import { fillRecordKeys, leafRecordType } from '../../../../../electron/services/export/dicomdir-records.js';
import { FileIdAllocator, FILE_ID_COMPONENT, fileIdComponent } from '../../../../../electron/services/export/file-ids.js';
import { openRewrite } from '../../../../../electron/services/export/rewrite-stream.js';

const s = (vr: 'UI' | 'CS' | 'LO' | 'PN' | 'DA' | 'TM' | 'SH' | 'IS', v: string) => ({ vr, value: [v] });

function header(extra: [Tag, { vr: 'UI' | 'CS' | 'LO' | 'PN' | 'DA' | 'TM' | 'SH' | 'IS'; value: string[] }][] = []): DataSet {
  return new Map<Tag, { vr: 'UI' | 'CS' | 'LO' | 'PN' | 'DA' | 'TM' | 'SH' | 'IS'; value: string[] }>([
    [0x00080016, s('UI', '1.2.840.10008.5.1.4.1.1.2')],
    [0x00080018, s('UI', '1.2.3.4')],
    [0x00100010, s('PN', 'DOE^JANE')],
    ...extra,
  ]) as DataSet;
}

/** An element header in Explicit VR Little Endian with a 4-byte length. */
function longHeader(tag: Tag, vr: string, length: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(tag >>> 16, 0);
  b.writeUInt16LE(tag & 0xffff, 2);
  b.write(vr, 4, 'latin1');
  b.writeUInt32LE(length, 8);
  return b;
}
function item(tag: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(0xfffe, 0);
  b.writeUInt16LE(tag, 2);
  b.writeUInt32LE(payload.length, 4);
  return Buffer.concat([b, payload]);
}

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(parts: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const p of parts) out.push(Buffer.from(p));
  return Buffer.concat(out);
}

const pixels = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
const trailer = encodeDataSet(
  new Map<Tag, DataElement>([
    [0x7fe10010, s('LO', 'GEMS')],
    [0xfffcfffc, { vr: 'OB', value: new Uint8Array(6) }],
  ]),
  EXPLICIT_LITTLE_ENDIAN,
);
const native = Buffer.concat([encodeDataSet(header(), EXPLICIT_LITTLE_ENDIAN), longHeader(0x7fe00010, 'OW', pixels.length), pixels, trailer]);
const fragments = [Buffer.alloc(0), pixels.subarray(0, 333), pixels.subarray(333)];
const encapsulated = Buffer.concat([
  encodeDataSet(header(), EXPLICIT_LITTLE_ENDIAN),
  longHeader(0x7fe00010, 'OB', 0xffffffff),
  ...fragments.map((f) => item(0xe000, f)),
  item(0xe0dd, Buffer.alloc(0)),
  trailer,
]);

test('rewrite: with no change the bytes come out as they went in, whatever the chunking', async () => {
  for (const size of [1, 7, 64, 1 << 20]) {
    for (const input of [native, encapsulated]) {
      const r = await openRewrite(chunks(input, size), { header: () => undefined, trailer: () => undefined });
      assert.deepEqual(getStrings(r.original, 0x00100010), ['DOE^JANE']);
      assert.ok((await collect(r.body)).equals(input), `chunks of ${size}`);
    }
  }
});

test('rewrite: a new header and trailer around Pixel Data passed on byte for byte (native and encapsulated)', async () => {
  for (const input of [native, encapsulated]) {
    const r = await openRewrite(chunks(input, 13), {
      header: (ds) => {
        const out = new Map(ds);
        out.set(0x00100010, s('PN', 'ANON'));
        return out;
      },
      trailer: () => new Map(),
    });
    const out = await collect(r.body);
    const decoded = decodeDataSet(out, EXPLICIT_LITTLE_ENDIAN).dataSet;
    assert.deepEqual(getStrings(decoded, 0x00100010), ['ANON']);
    assert.equal(decoded.has(0x7fe10010), false, 'trailer replaced');
    assert.ok(out.includes(pixels.subarray(0, 333)) && out.includes(pixels.subarray(333)), 'pixels untouched');
    const pixelsAt = out.indexOf(longHeader(0x7fe00010, input === native ? 'OW' : 'OB', input === native ? pixels.length : 0xffffffff));
    assert.ok(pixelsAt > 0);
  }
});

test('rewrite: a data set that ends inside an element is refused', async () => {
  await assert.rejects(openRewrite(chunks(native.subarray(0, 20), 5), { header: () => undefined }), /ends inside an element/);
  const r = await openRewrite(chunks(encapsulated.subarray(0, encapsulated.length - trailer.length - 20), 9), {
    header: () => undefined,
    trailer: () => undefined,
  });
  await assert.rejects(collect(r.body), /ends inside/);
});

test('File IDs: at most 8 components of 1–8 characters from A–Z, 0–9 and _; numbers dense after an undo', () => {
  const ids = new FileIdAllocator();
  const a = ids.next('p1', 's1', 'se1');
  const b = ids.next('p1', 's1', 'se1');
  ids.undo('p1', 's1', 'se1');
  const c = ids.next('p1', 's1', 'se1');
  const d = ids.next('p2', 's9', 'se9');
  assert.deepEqual(a.path, ['DICOM', 'PAT00001', 'STU00001', 'SER00001', 'IMG00001']);
  assert.deepEqual(c.path, b.path);
  assert.deepEqual(d.path, ['DICOM', 'PAT00002', 'STU00001', 'SER00001', 'IMG00001']);
  assert.deepEqual(c.numbers, { patient: 1, study: 1, series: 1, file: 2 });
  assert.deepEqual(d.numbers, { patient: 2, study: 1, series: 1, file: 1 });
  for (const id of [a, b, c, d]) {
    assert.ok(id.path.length <= 8);
    for (const component of id.path) assert.match(component, FILE_ID_COMPONENT);
  }
  assert.equal(fileIdComponent('IMG', 123456), 'IM123456');
  assert.equal(fileIdComponent('IMG', 12345678), '12345678');
  assert.throws(() => fileIdComponent('IMG', 123456789), /99999999/);
});

test('record types follow the SOP Class (PS3.3 F.4); missing keys are filled as the records hold them, ACR-NEMA dates rewritten', () => {
  assert.equal(leafRecordType('1.2.840.10008.5.1.4.1.1.2'), 'IMAGE');
  assert.equal(leafRecordType('1.2.840.10008.5.1.4.1.1.88.33'), 'SR DOCUMENT');
  assert.equal(leafRecordType('1.2.840.10008.5.1.4.1.1.481.2'), 'RT DOSE');
  assert.equal(leafRecordType('1.2.840.10008.5.1.4.1.1.9.1.1'), 'WAVEFORM');
  assert.equal(leafRecordType('1.2.840.10008.5.1.4.1.1.104.1'), 'ENCAP DOC');
  const file = header([
    [0x00080020, { vr: 'DA', value: [] }],
    [0x00080030, s('TM', '14:04:38')],
  ]);
  file.delete(0x00100010);
  assert.equal(fillRecordKeys(file, '1.2.840.10008.5.1.4.1.1.2', { patient: 2, study: 1, series: 3, file: 7 }), true);
  assert.deepEqual(getStrings(file, 0x00080020), ['19000101']);
  assert.deepEqual(getStrings(file, 0x00080030), ['140438'], 'the ACR-NEMA time in the DICOM form');
  assert.deepEqual(getStrings(file, 0x00200010), ['1']);
  assert.deepEqual(getStrings(file, 0x00200013), ['7']);
  assert.equal(getStrings(file, 0x00080060)[0], 'OT', 'Modality (Type 1 in the SERIES record) invented');
  assert.deepEqual(file.get(0x00100010), { vr: 'PN', value: [] }, "Patient's Name (Type 2) added empty");
  assert.equal(
    fillRecordKeys(file, '1.2.840.10008.5.1.4.1.1.2', { patient: 2, study: 1, series: 3, file: 7 }),
    false,
    'a file with every key is left as it is',
  );
  const old = header([[0x00080020, s('DA', '1997.04.24')]]);
  fillRecordKeys(old, '1.2.840.10008.5.1.4.1.1.2', { patient: 1, study: 1, series: 1, file: 1 });
  assert.deepEqual(getStrings(old, 0x00080020), ['19970424']);
});

function media(
  patient: string,
  study: string,
  series: string,
  sop: string,
  sopClass: string,
  fileId: string[],
  extra: [Tag, ReturnType<typeof s>][] = [],
): MediaFile {
  const dataSet = header([
    [0x00100020, s('LO', patient)],
    [0x00100010, s('PN', `${patient}^NAME`)],
    [0x0020000d, s('UI', study)],
    [0x0020000e, s('UI', series)],
    [0x00080018, s('UI', sop)],
    [0x00080016, s('UI', sopClass)],
    [0x00080060, s('CS', 'CT')],
    [0x00200011, s('IS', '1')],
    [0x00080020, s('DA', '20240101')],
    [0x00080030, s('TM', '120000')],
    [0x00200010, s('SH', '1')],
    ...extra,
  ]);
  return { fileId, sopClassUid: sopClass, sopInstanceUid: sop, transferSyntaxUid: '1.2.840.10008.1.2.1', dataSet, patientKey: patient };
}

test('DICOMDIR: PATIENT → STUDY → SERIES → files, linked by offsets from the first byte of the file', () => {
  const CT = '1.2.840.10008.5.1.4.1.1.2';
  const SR = '1.2.840.10008.5.1.4.1.1.88.11';
  const files = [
    media('P1', '1.1', '1.1.1', '1.1.1.1', CT, ['DICOM', 'PAT00001', 'STU00001', 'SER00001', 'IMG00001'], [[0x00200013, s('IS', '1')]]),
    media('P1', '1.1', '1.1.1', '1.1.1.2', CT, ['DICOM', 'PAT00001', 'STU00001', 'SER00001', 'IMG00002'], [[0x00200013, s('IS', '2')]]),
    media('P1', '1.2', '1.2.1', '1.2.1.1', SR, ['DICOM', 'PAT00001', 'STU00002', 'SER00001', 'IMG00001'], [[0x00200013, s('IS', '1')]]),
    media('P2', '2.1', '2.1.1', '2.1.1.1', CT, ['DICOM', 'PAT00002', 'STU00001', 'SER00001', 'IMG00001']),
  ];
  const bytes = Buffer.from(buildDicomdir(files, { fileSetId: 'PRIORS_EXPORT', fileSetUid: '2.25.1' }));
  assert.equal(bytes.toString('latin1', 128, 132), 'DICM');
  const metaLength = 12 + bytes.readUInt32LE(132 + 8);
  const top = decodeDataSet(bytes.subarray(132 + metaLength), EXPLICIT_LITTLE_ENDIAN).dataSet;
  // where each item starts: walk the sequence's items in the bytes
  const records = getItems(top, 0x00041220);
  const starts: number[] = [];
  let at = bytes.indexOf(Buffer.from([0x04, 0x00, 0x20, 0x12, 0x53, 0x51])) + 12;
  for (let i = 0; i < records.length; i++) {
    starts.push(at);
    at += 8 + bytes.readUInt32LE(at + 4);
  }
  assert.equal(at, bytes.length);
  const byOffset = (o: number): DataSet => {
    const i = starts.indexOf(o);
    assert.ok(i >= 0, `offset ${o} is a record`);
    return records[i]!;
  };
  const type = (r: DataSet) => getStrings(r, 0x00041430)[0];
  const level = (first: number): DataSet[] => {
    const out: DataSet[] = [];
    for (let o = first, n = 0; o !== 0 && n < 100; n++) {
      const r = byOffset(o);
      out.push(r);
      o = getNumber(r, 0x00041400)!;
    }
    return out;
  };
  const patients = level(getNumber(top, 0x00041200)!);
  assert.deepEqual(
    patients.map((p) => getStrings(p, 0x00100020)[0]),
    ['P1', 'P2'],
  );
  assert.equal(starts.indexOf(getNumber(top, 0x00041202)!), records.indexOf(patients[1]!), 'last root record');
  const studies = level(getNumber(patients[0]!, 0x00041420)!);
  assert.deepEqual(
    studies.map((r) => [type(r), getStrings(r, 0x0020000d)[0], getStrings(r, 0x00080020)[0]]),
    [
      ['STUDY', '1.1', '20240101'],
      ['STUDY', '1.2', '20240101'],
    ],
  );
  const series = level(getNumber(studies[0]!, 0x00041420)!);
  assert.deepEqual(
    series.map((r) => [type(r), getStrings(r, 0x00080060)[0], getStrings(r, 0x00200011)[0]]),
    [['SERIES', 'CT', '1']],
  );
  const images = level(getNumber(series[0]!, 0x00041420)!);
  assert.deepEqual(
    images.map((r) => [type(r), getStrings(r, 0x00041500).join('/'), getStrings(r, 0x00041511)[0], getNumber(r, 0x00041420)]),
    [
      ['IMAGE', 'DICOM/PAT00001/STU00001/SER00001/IMG00001', '1.1.1.1', 0],
      ['IMAGE', 'DICOM/PAT00001/STU00001/SER00001/IMG00002', '1.1.1.2', 0],
    ],
  );
  const report = level(getNumber(level(getNumber(studies[1]!, 0x00041420)!)[0]!, 0x00041420)!)[0]!;
  assert.equal(type(report), 'SR DOCUMENT');
  for (const t of [0x0040a491, 0x0040a493, 0x00080023, 0x00080033]) assert.ok(getStrings(report, t)[0], `SR key (${t.toString(16)}) has a value`);
  assert.equal(records.filter((r) => getNumber(r, 0x00041410) === 0xffff).length, records.length, 'every record in use');
  assert.equal(records.length, 2 + 3 + 3 + 4);
});
