// The viewer's multipart reader (renderer/src/features/viewer/stack-load/multipart-split.ts): parts
// with and without Content-Length, split across chunks of every size, and the answers it refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultipartSplitter, boundaryOf, sopInstanceUidOf } from '../../../../../renderer/src/features/viewer/stack-load/multipart-split.js';
import { buildFileMetaInformation } from '../../../../../electron/cache/file-meta.js';

const enc = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const join = (...list: Uint8Array[]) => Uint8Array.from(Buffer.concat(list));

/** A body of `n` bytes that holds the boundary's first characters and CR LF, to trip a careless search. */
function body(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  if (n > 12) b.set(enc('\r\n--bound'), 3);
  return b;
}

function answer(boundary: string, parts: { bytes: Uint8Array; sized: boolean }[], preamble = ''): Uint8Array {
  const out: Uint8Array[] = [enc(preamble)];
  parts.forEach((p, i) => {
    const head = `Content-Type: application/dicom${p.sized ? `\r\nContent-Length: ${p.bytes.length}` : ''}`;
    out.push(enc(`${i === 0 ? '' : '\r\n'}--${boundary}\r\n${head}\r\n\r\n`), p.bytes);
  });
  out.push(enc(`\r\n--${boundary}--\r\n`));
  return join(...out);
}

function splitIn(whole: Uint8Array, boundary: string, size: number) {
  const split = new MultipartSplitter(boundary);
  const got = [];
  for (let at = 0; at < whole.length; at += size) got.push(...split.push(whole.subarray(at, at + size)));
  split.end();
  return got;
}

test('parts with and without Content-Length come out byte for byte, whatever the chunk size', () => {
  const boundary = 'boundary-42';
  const parts = [
    { bytes: body(1000, 1), sized: true },
    { bytes: body(3, 2), sized: false },
    { bytes: body(0, 3), sized: true },
    { bytes: body(777, 4), sized: false },
    { bytes: body(4096, 5), sized: true },
  ];
  const whole = answer(boundary, parts, 'a preamble line\r\n');
  for (const size of [1, 2, 3, 5, 7, 13, 64, 1000, 4096, whole.length]) {
    const got = splitIn(whole, boundary, size);
    assert.equal(got.length, parts.length, `chunks of ${size}`);
    got.forEach((p, i) => {
      assert.deepEqual(p.body, parts[i]!.bytes, `part ${i + 1}, chunks of ${size}`);
      assert.equal(p.headers['content-type'], 'application/dicom');
      // each body stands alone in its buffer, so a worker can transfer it
      assert.equal(p.body.byteOffset, 0);
      assert.equal(p.body.byteLength, p.body.buffer.byteLength);
    });
  }
});

test('an empty answer, transport padding after a delimiter, a quoted boundary', () => {
  assert.deepEqual(splitIn(enc('--b--\r\n'), 'b', 1), []);
  const padded = join(enc('--b  \t\r\nContent-Length: 2\r\n\r\nok\r\n--b--'));
  assert.deepEqual(
    splitIn(padded, 'b', 3).map((p) => Buffer.from(p.body).toString()),
    ['ok'],
  );
  assert.equal(boundaryOf('multipart/related; type="application/dicom"; boundary="a b:c"'), 'a b:c');
  assert.equal(boundaryOf('multipart/related; type="application/dicom"; boundary=priors-1f'), 'priors-1f');
  assert.equal(boundaryOf('application/dicom'), undefined);
});

test('a wrong Content-Length, a cut answer and oversized headers are errors, not parts', () => {
  const wrong = enc('--b\r\nContent-Length: 5\r\n\r\nabc\r\n--b--\r\n');
  assert.throws(() => splitIn(wrong, 'b', 4), /Content-Length \(5\) does not match/);
  const cut = enc('--b\r\nContent-Length: 10\r\n\r\nabc');
  assert.throws(() => splitIn(cut, 'b', 100), /ended before its last part was complete/);
  const unsizedCut = enc('--b\r\n\r\nabcdef');
  assert.throws(() => splitIn(unsizedCut, 'b', 2), /ended before/);
  const huge = enc(`--b\r\nX-Long: ${'x'.repeat(20_000)}`);
  assert.throws(() => splitIn(huge, 'b', 1000), /headers exceed/);
  assert.throws(() => new MultipartSplitter(''), /boundary/);
});

test('the SOP Instance UID of a PS3.10 file from its file meta', () => {
  const meta = buildFileMetaInformation({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: '1.2.3.4.5', transferSyntaxUid: '1.2.840.10008.1.2.1' });
  const file = join(meta, new Uint8Array(16));
  assert.equal(sopInstanceUidOf(file), '1.2.3.4.5');
  assert.equal(sopInstanceUidOf(file.subarray(0, 140)), undefined, 'cut inside the meta');
  const notDicm = Uint8Array.from(file);
  notDicm[128] = 0;
  assert.equal(sopInstanceUidOf(notDicm), undefined);
});
