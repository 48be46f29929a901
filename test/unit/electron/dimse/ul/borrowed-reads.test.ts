// Chunks read into one reused buffer (electron/dimse/ul/link.ts): the framer's pieces are borrowed
// until the end of their chunk. What is kept longer is copied (a command, a data set read as a
// Readable, bytes held during negotiation); a diverted sink gets views of the chunk itself and
// chunkEnd() before the buffer is read into again; after a C-STORE-RQ the framer yields the rest of
// the chunk, so that the handler can divert the data set before its pieces come.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PduFramer, type FramerSink } from '../../../../../electron/dimse/ul/framer.js';
import { MessageAssembler, encodeCommand, type AssembledMessage, type DataSetStream } from '../../../../../electron/dimse/ul/messages.js';
import { findRq, storeRq } from '../../../../../electron/dimse/command.js';

/** One P-DATA-TF with one PDV (PS3.8 §9.3.5). */
function pdu(control: number, data: Uint8Array): Buffer {
  const b = Buffer.alloc(12 + data.length);
  b[0] = 0x04;
  b.writeUInt32BE(data.length + 6, 2);
  b.writeUInt32BE(data.length + 2, 6);
  b[10] = 1;
  b[11] = control;
  b.set(data, 12);
  return b;
}

const bytes = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from * 7 + i) & 0xff);
const STORE = encodeCommand(storeRq({ messageId: 1, affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.7', affectedSopInstanceUid: '1.2.3.4' }));

/** A framer over an assembler, fed the way link.ts feeds it: every chunk copied into the same buffer first. */
function harness() {
  const delivered: AssembledMessage[] = [];
  const violations: string[] = [];
  let yields = 0;
  const assembler = new MessageAssembler({
    isAccepted: (id) => id === 1,
    deliver: (m) => delivered.push(m),
    violation: (message) => violations.push(message),
    pauseForData: () => undefined,
    yieldChunk: () => framer.yieldChunk(),
  });
  const sink: FramerSink = {
    pdu: () => undefined,
    pdv: (contextId, control, piece, end) => assembler.onPdv(contextId, control, piece, end),
    chunkEnd: () => assembler.chunkEnd(),
    error: (e) => violations.push(e.message),
  };
  const framer = new PduFramer(sink, 0);
  framer.onYield = () => yields++;
  const readBuffer = Buffer.alloc(64 * 1024);
  /** Reads `wire` in chunks of `size`, each into readBuffer; between chunks the buffer is scribbled over, as the next read would. */
  const feed = (wire: Buffer, size: number, between?: () => void) => {
    for (let at = 0; at < wire.length; at += size) {
      const n = Math.min(size, wire.length - at);
      wire.copy(readBuffer, 0, at, at + n);
      framer.push(readBuffer.subarray(0, n));
      while (framer.yielded) {
        between?.();
        framer.continueChunk();
      }
      readBuffer.fill(0xee);
    }
  };
  return { framer, delivered, violations, feed, readBuffer, yields: () => yields };
}

test('a data set read as a Readable is whole and unchanged after its chunks were overwritten', async () => {
  const h = harness();
  const data = [bytes(1, 5000), bytes(2, 3000), bytes(3, 7000)];
  const wire = Buffer.concat([pdu(0b11, STORE), pdu(0b00, data[0]!), pdu(0b00, data[1]!), pdu(0b10, data[2]!)]);
  h.feed(wire, 1000);
  assert.deepEqual(h.violations, []);
  const stream = h.delivered[0]!.dataSet!;
  const got: Buffer[] = [];
  for await (const c of stream) got.push(c as Buffer);
  assert.deepEqual(Buffer.concat(got), Buffer.concat(data));
});

test('a command split across chunks decodes after its first chunks were overwritten', () => {
  const h = harness();
  const find = encodeCommand(findRq({ messageId: 7, affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.1' }));
  const wire = Buffer.concat([pdu(0b01, find.subarray(0, 20)), pdu(0b01, find.subarray(20, 45)), pdu(0b11, find.subarray(45))]);
  h.feed(wire, 7);
  assert.deepEqual(h.violations, []);
  assert.equal(h.delivered.length, 1);
  assert.deepEqual(h.delivered[0]!.command.get(0x00000110)?.value, [7]);
});

test('after a C-STORE-RQ the rest of the chunk waits; a sink diverted meanwhile gets views of the chunk itself', () => {
  const h = harness();
  const data = [bytes(4, 9000), bytes(5, 4000)];
  const wire = Buffer.concat([pdu(0b11, STORE), pdu(0b00, data[0]!), pdu(0b10, data[1]!)]);
  const calls: string[] = [];
  const got: Buffer[] = [];
  h.feed(wire, wire.length, () => {
    // the handler's turn: the command is delivered, none of its data yet
    const stream = h.delivered[0]!.dataSet as DataSetStream;
    assert.equal(stream.readableLength, 0);
    stream.divert({
      write: (b) => {
        calls.push(b.buffer === h.readBuffer.buffer ? 'view' : 'copy');
        got.push(Buffer.from(b));
      },
      chunkEnd: () => calls.push('chunkEnd'),
      end: () => calls.push('end'),
      fail: (e) => calls.push(`fail ${e.message}`),
    });
  });
  assert.equal(h.yields(), 1);
  assert.deepEqual(h.violations, []);
  assert.deepEqual(calls, ['view', 'view', 'end']);
  assert.deepEqual(Buffer.concat(got), Buffer.concat(data));
});

test('a diverted data set over many chunks: chunkEnd after each chunk, the bytes whole', () => {
  const h = harness();
  const data = [bytes(6, 20000), bytes(7, 20000), bytes(8, 1234)];
  const wire = Buffer.concat([pdu(0b11, STORE), ...data.map((d, i) => pdu(i === data.length - 1 ? 0b10 : 0b00, d))]);
  const got: Buffer[] = [];
  let held: Uint8Array[] = [];
  let ends = 0;
  h.feed(wire, 8192, () =>
    (h.delivered[0]!.dataSet as DataSetStream).divert({
      // a writer's way: keep views until chunkEnd, then write them out
      write: (b) => held.push(b),
      chunkEnd: () => {
        got.push(...held.map((b) => Buffer.from(b)));
        held = [];
        ends++;
      },
      end: () => {
        got.push(...held.map((b) => Buffer.from(b)));
        held = [];
      },
      fail: () => undefined,
    }),
  );
  assert.deepEqual(Buffer.concat(got), Buffer.concat(data));
  assert.ok(ends >= Math.floor(wire.length / 8192) - 1, `${ends} chunkEnd calls`);
});

test('no yield for messages other than C-STORE-RQ (a C-FIND identifier is read in the same chunk)', () => {
  const h = harness();
  const find = encodeCommand(findRq({ messageId: 3, affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.1' }));
  const identifier = bytes(9, 300);
  h.feed(Buffer.concat([pdu(0b11, find), pdu(0b10, identifier)]), 4096);
  assert.equal(h.yields(), 0);
  const stream = h.delivered[0]!.dataSet!;
  assert.deepEqual(stream.read(), Buffer.from(identifier));
});

test('bytes held during negotiation are copied: released after their chunk was overwritten, they frame as sent', () => {
  const h = harness();
  const data = bytes(10, 3000);
  const wire = Buffer.concat([pdu(0b11, STORE), pdu(0b10, data)]);
  h.framer.hold();
  h.feed(wire, 1024);
  assert.equal(h.delivered.length, 0);
  h.framer.release();
  while (h.framer.yielded) h.framer.continueChunk();
  const stream = h.delivered[0]!.dataSet!;
  assert.deepEqual(stream.read(), Buffer.from(data));
});
