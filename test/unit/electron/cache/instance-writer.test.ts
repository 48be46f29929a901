// The temp-file sink of incoming instances (electron/cache/instance-writer.ts): bytes as written
// whatever the chunking, the head kept by reference and joined only as far as asked, 'written'
// before the sync, bounded memory, close only after the write in flight; and the completeness
// check served from the head in memory agreeing with the one that reads the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HEAD_BYTES, HIGH_WATER_MARK, InstanceWriter } from '../../../../electron/cache/instance-writer.js';
import { findTruncation } from '../../../../electron/cache/completeness.js';
import { readInstanceHeader } from '../../../../electron/cache/index.js';
import { PYDICOM_DATA } from '../../../helpers/pydicom.js';

const work = mkdtempSync(join(tmpdir(), 'priors-writer-'));
test.after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const newPath = () => join(work, `${n++}.part`);

/** Deterministic bytes, cut into chunks of the given sizes (cycling). */
function chunksOf(total: number, sizes: number[]): Buffer[] {
  const all = Buffer.alloc(total);
  for (let i = 0; i < total; i++) all[i] = (i * 7 + (i >> 9)) & 0xff;
  const out: Buffer[] = [];
  for (let at = 0, k = 0; at < total; k++) {
    const size = Math.min(sizes[k % sizes.length]!, total - at);
    out.push(all.subarray(at, at + size));
    at += size;
  }
  return out;
}

test('the file holds the bytes as written, in small chunks or large, over many writes', async () => {
  for (const sizes of [[97], [16_340, 6, 4096], [HIGH_WATER_MARK + 5]]) {
    const chunks = chunksOf(3 * HIGH_WATER_MARK + 1234, sizes);
    const writer = new InstanceWriter(newPath());
    await pipeline(Readable.from(chunks), writer);
    const file = readFileSync(writer.path);
    assert.deepEqual(file, Buffer.concat(chunks));
    assert.equal(writer.written, file.length);
    assert.equal(writer.size, file.length);
  }
});

test('head(minLength) joins only the parts it needs; head() is the first HEAD_BYTES', async () => {
  const chunks = chunksOf(HEAD_BYTES + 100_000, [1000]);
  const writer = new InstanceWriter(newPath());
  await pipeline(Readable.from(chunks), writer);
  const all = Buffer.concat(chunks);
  const small = writer.head(2500);
  assert.equal(small.length, 3000, 'three 1000-byte parts cover 2500 bytes');
  assert.deepEqual(Buffer.from(small), all.subarray(0, 3000));
  assert.equal(writer.head(0), small, 'asking for less returns the part already joined');
  assert.deepEqual(Buffer.from(writer.head()), all.subarray(0, HEAD_BYTES));
});

test("'written' comes once every byte is in the file, before 'finish' (the sync), with the file size", async () => {
  const chunks = chunksOf(200_077, [16_000]);
  const writer = new InstanceWriter(newPath());
  const events: string[] = [];
  writer.on('written', () => events.push(`written ${writer.written}`));
  writer.on('finish', () => events.push(`finish ${writer.written}`));
  await pipeline(Readable.from(chunks), writer);
  assert.deepEqual(events, ['written 200077', 'finish 200077']);
});

test('the bytes held in memory stay bounded while writes are in flight (backpressure reaches the source)', async () => {
  const writer = new InstanceWriter(newPath());
  let most = 0;
  async function* source() {
    for (const c of chunksOf(8 * HIGH_WATER_MARK, [16_340])) {
      // taken but not yet written, plus buffered by the Writable
      most = Math.max(most, writer.size - writer.written + writer.writableLength);
      yield c;
    }
  }
  await pipeline(source, writer);
  const bound = 2 * (HIGH_WATER_MARK + 16_340);
  assert.ok(most <= bound, `held at most ${most} bytes (bound ${bound})`);
  assert.equal(statSync(writer.path).size, 8 * HIGH_WATER_MARK);
});

test('destroyed with a write in flight, it closes the file once that write has finished', async () => {
  const writer = new InstanceWriter(newPath());
  const chunks = chunksOf(8 * 65_536, [65_536]);
  for (const c of chunks) writer.write(c);
  writer.destroy();
  await new Promise((resolve) => writer.once('close', resolve));
  assert.ok(writer.written > 0, 'the write in flight was not cut off by the close');
  assert.deepEqual(readFileSync(writer.path), Buffer.concat(chunks).subarray(0, writer.written));
});

test('findTruncation gives the same verdict from the head in memory as from the file', async () => {
  const name = join(PYDICOM_DATA, 'test_files', 'CT_small.dcm');
  const bytes = readFileSync(name);
  for (const [label, size] of [
    ['whole', bytes.length],
    ['cut in the pixels', bytes.length - 100],
    ['cut before them', 700],
  ] as const) {
    const path = join(work, `${label}.dcm`);
    const writer = new InstanceWriter(path);
    await pipeline(Readable.from([bytes.subarray(0, size)]), writer);
    const header = await readInstanceHeader(path);
    const fromFile = findTruncation(path, header, size);
    for (const headLength of [200, 2048, size]) {
      assert.equal(findTruncation(path, header, size, writer.head(headLength)), fromFile, `${label}, ${headLength} bytes in memory`);
    }
    assert.equal(fromFile === undefined, label === 'whole');
  }
});
