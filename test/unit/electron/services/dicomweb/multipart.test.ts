// The multipart/related reader of WADO-RS answers and STOW-RS requests, fed in pieces of every
// size: the boundary split across chunks at every place, a preamble and an epilogue, transfer
// padding, parameters in the part headers, bodies that hold boundary-like bytes, and the
// refusals (no boundary, a body cut inside a part, headers too long).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeDelimiter, MultipartError, parseMediaType, parseMultipart, partHead } from '../../../../../electron/services/dicomweb/multipart.js';

const BOUNDARY = 'b1-Xy_z';

/** A multipart body of these parts (bytes), with optional preamble and epilogue. */
function body(parts: Buffer[], o: { preamble?: string; epilogue?: string; headers?: Record<string, string>; padding?: string } = {}): Buffer {
  const chunks: Buffer[] = [];
  if (o.preamble) chunks.push(Buffer.from(`${o.preamble}\r\n`));
  parts.forEach((p, i) => {
    const head = partHead(BOUNDARY, o.headers ?? { 'Content-Type': 'application/dicom' }, i === 0);
    chunks.push(o.padding ? Buffer.from(head.toString('latin1').replace(`--${BOUNDARY}\r\n`, `--${BOUNDARY}${o.padding}\r\n`), 'latin1') : head, p);
  });
  chunks.push(closeDelimiter(BOUNDARY, parts.length > 0));
  if (o.epilogue) chunks.push(Buffer.from(o.epilogue));
  return Buffer.concat(chunks);
}

async function* pieces(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function* varying(b: Buffer, seed: number): AsyncGenerator<Buffer> {
  let x = seed;
  for (let i = 0; i < b.length;) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % 97);
    yield b.subarray(i, i + n);
    i += n;
  }
}

async function read(source: AsyncIterable<Buffer>): Promise<{ headers: Record<string, string>; bytes: Buffer }[]> {
  const out: { headers: Record<string, string>; bytes: Buffer }[] = [];
  for await (const part of parseMultipart(source, BOUNDARY)) {
    const chunks: Buffer[] = [];
    for await (const c of part.body) chunks.push(c as Buffer);
    out.push({ headers: part.headers, bytes: Buffer.concat(chunks) });
  }
  return out;
}

// Bodies that hold near-boundaries: CRLF--, the boundary without the CRLF, a prefix of it at the end.
const PARTS = [
  Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}x and --${BOUNDARY} without CRLF`)]),
  Buffer.from(''),
  Buffer.from(`ends with a prefix \r\n--${BOUNDARY.slice(0, 3)}`),
  Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff)),
];

test('every chunk size from 1 to 80 bytes, and larger ones, gives the same parts byte for byte', async () => {
  const whole = body(PARTS, { preamble: 'This is the preamble, ignored.', epilogue: '\r\nand an epilogue, ignored.' });
  for (const size of [...Array.from({ length: 80 }, (_, i) => i + 1), 128, 1000, 4096, whole.length]) {
    const parts = await read(pieces(whole, size));
    assert.equal(parts.length, PARTS.length, `size ${size}`);
    parts.forEach((p, i) => assert.ok(p.bytes.equals(PARTS[i]!), `size ${size}: part ${i + 1} differs`));
  }
  for (let seed = 1; seed <= 50; seed++) {
    const parts = await read(varying(whole, seed));
    parts.forEach((p, i) => assert.ok(p.bytes.equals(PARTS[i]!), `seed ${seed}: part ${i + 1} differs`));
  }
});

test('headers are read with their parameters (transfer-syntax) and names in lower case; padding after the boundary is allowed', async () => {
  const headers = { 'Content-Type': 'application/dicom; transfer-syntax=1.2.840.10008.1.2.4.50', 'Content-Length': '5', 'MIME-Version': '1.0' };
  const parts = await read(pieces(body([Buffer.from('hello')], { headers, padding: ' \t' }), 3));
  assert.equal(parts.length, 1);
  assert.equal(parts[0]!.headers['content-type'], 'application/dicom; transfer-syntax=1.2.840.10008.1.2.4.50');
  assert.equal(parseMediaType(parts[0]!.headers['content-type']).params['transfer-syntax'], '1.2.840.10008.1.2.4.50');
  assert.equal(parts[0]!.headers['mime-version'], '1.0');
});

test('a part left unread is skipped, and the next one still comes whole', async () => {
  const got: Buffer[] = [];
  let i = 0;
  for await (const part of parseMultipart(pieces(body(PARTS), 7), BOUNDARY)) {
    if (i++ % 2 === 0) continue; // parts 1 and 3 are not read
    const chunks: Buffer[] = [];
    for await (const c of part.body) chunks.push(c as Buffer);
    got.push(Buffer.concat(chunks));
  }
  assert.equal(i, 4);
  assert.ok(got[0]!.equals(PARTS[1]!) && got[1]!.equals(PARTS[3]!));
});

test('an empty multipart body (only the close delimiter) has no parts', async () => {
  assert.deepEqual(await read(pieces(Buffer.from(`--${BOUNDARY}--\r\n`), 2)), []);
});

test('media types: quoted parameters, any case, spaces', () => {
  const m = parseMediaType('Multipart/Related; type="application/dicom";  boundary="a b\\"c";start=x');
  assert.equal(m.type, 'multipart/related');
  assert.deepEqual(m.params, { type: 'application/dicom', boundary: 'a b"c', start: 'x' });
  assert.deepEqual(parseMediaType(undefined), { type: '', params: {} });
});

test('refusals: no boundary in the body, a body cut inside a part, endless headers, a bad boundary', async () => {
  await assert.rejects(read(pieces(Buffer.from('no multipart here at all'), 4)), (e: Error) => e instanceof MultipartError && /never appears/.test(e.message));
  const whole = body(PARTS);
  await assert.rejects(
    read(pieces(whole.subarray(0, whole.length - 40), 9)),
    (e: Error) => e instanceof MultipartError && /middle of a part|without its close/.test(e.message),
  );
  const endless = Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n`), Buffer.from(`X-Long: ${'a'.repeat(20000)}`)]);
  await assert.rejects(read(pieces(endless, 1000)), (e: Error) => e instanceof MultipartError && /headers exceed/.test(e.message));
  await assert.rejects(async () => {
    for await (const _ of parseMultipart(pieces(whole, 10), '')) {
      /* none */
    }
  }, /boundary "" is not valid/);
});

test("a boundary longer than RFC 2046's 70 characters is read (Orthanc's DICOMweb plugin sends 73); a 201-character one is refused", async () => {
  const long = `${'82b6539a-49a6-4cec-ba72-8e2c95d3d166'}-${'82b6539a-49a6-4cec-ba72-8e2c95d3d166'}`;
  assert.equal(long.length, 73);
  const parts = [Buffer.from('first part'), Buffer.from('second part')];
  const whole = Buffer.concat([
    ...parts.map((p, i) => Buffer.concat([partHead(long, { 'Content-Type': 'application/dicom' }, i === 0), p])),
    closeDelimiter(long, true),
  ]);
  const got: string[] = [];
  for await (const part of parseMultipart(pieces(whole, 7), long)) {
    const chunks: Buffer[] = [];
    for await (const c of part.body) chunks.push(c as Buffer);
    got.push(Buffer.concat(chunks).toString());
  }
  assert.deepEqual(got, ['first part', 'second part']);
  await assert.rejects(async () => {
    for await (const _ of parseMultipart(pieces(whole, 10), 'x'.repeat(201))) {
      /* none */
    }
  }, /is not valid/);
});
