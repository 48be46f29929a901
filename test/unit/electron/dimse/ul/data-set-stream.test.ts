// An incoming data set diverted into a sink (electron/dimse/ul/messages.ts DataSetStream.divert):
// what had arrived before the divert goes first and the rest as it arrives, in order and
// unchanged; end() once when the last fragment arrives (or at once when it had); fail() when the
// association breaks mid-data set; and readAll() of a C-FIND identifier takes this way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { MessageAssembler, encodeCommand, type AssembledMessage, type DataSink, DataSetStream } from '../../../../../electron/dimse/ul/messages.js';
import { storeRq } from '../../../../../electron/dimse/command.js';
import { readAll } from '../../../../../electron/dimse/channel.js';

/** An assembler fed by hand: the command of a C-STORE-RQ, then data pieces. */
function harness() {
  const delivered: AssembledMessage[] = [];
  const violations: string[] = [];
  const paused: boolean[] = [];
  const assembler = new MessageAssembler({
    isAccepted: (id) => id === 1,
    deliver: (m) => delivered.push(m),
    violation: (message) => violations.push(message),
    pauseForData: (p) => paused.push(p),
  });
  const command = encodeCommand(storeRq({ messageId: 1, affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.7', affectedSopInstanceUid: '1.2.3.4' }));
  assembler.onPdv(1, 0b11, command, true);
  const stream = delivered[0]!.dataSet as DataSetStream;
  const piece = (bytes: Uint8Array, last = false) => assembler.onPdv(1, last ? 0b10 : 0b00, bytes, true);
  return { assembler, stream, piece, violations, paused };
}

function recordingSink() {
  const got: number[] = [];
  const calls: string[] = [];
  const sink: DataSink = {
    write: (b) => {
      got.push(...b);
      calls.push(`write ${b.length}`);
    },
    end: () => calls.push('end'),
    fail: (e) => calls.push(`fail ${e.message}`),
  };
  return { sink, got, calls };
}

const bytes = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

test('pieces arrived before the divert go first, then each piece as it arrives; end once; the stream then ends without error', async () => {
  const { stream, piece, violations } = harness();
  assert.ok(stream instanceof DataSetStream);
  piece(bytes(0, 10));
  piece(bytes(10, 5));
  const { sink, got, calls } = recordingSink();
  stream.divert(sink);
  assert.deepEqual(got, [...bytes(0, 15)], 'what the Readable held');
  piece(bytes(15, 7));
  assert.equal(calls.at(-1), 'write 7', 'synchronously, as it arrives');
  piece(bytes(22, 3), true);
  assert.deepEqual(got, [...bytes(0, 25)]);
  assert.equal(calls.filter((c) => c === 'end').length, 1);
  assert.equal(calls.at(-1), 'end');
  await once(stream, 'close');
  assert.equal(stream.errored, null);
  assert.deepEqual(violations, []);
  assert.throws(() => stream.divert(recordingSink().sink), /diverted already/);
});

test('a data set complete before the divert: all of it, then end at once', async () => {
  const { stream, piece } = harness();
  piece(bytes(0, 4));
  piece(bytes(4, 4), true);
  const { sink, got, calls } = recordingSink();
  stream.divert(sink);
  assert.deepEqual(got, [...bytes(0, 8)]);
  assert.equal(calls.at(-1), 'end');
});

test('the association breaks in the middle: fail() with its error, no end, the stream errored', () => {
  const { assembler, stream, piece } = harness();
  const { sink, calls } = recordingSink();
  stream.divert(sink);
  piece(bytes(0, 4));
  assembler.fail(new Error('connection lost'));
  assert.deepEqual(calls, ['write 4', 'fail connection lost']);
  assert.equal(stream.errored?.message, 'connection lost');
});

test('readAll gathers a data set through the sink: pieces before and after, then the whole in order', async () => {
  const { stream, piece } = harness();
  piece(bytes(0, 3));
  const all = readAll(stream);
  piece(bytes(3, 300));
  piece(bytes(303, 2), true);
  assert.deepEqual([...(await all)], [...bytes(0, 305)]);
  assert.ok(stream.sink, 'read without the async iterator');
});

test('readAll of a data set cut off by the association rejects with its error', async () => {
  const { assembler, stream, piece } = harness();
  piece(bytes(0, 3));
  const all = readAll(stream);
  assembler.fail(new Error('aborted by the peer'));
  await assert.rejects(all, /aborted by the peer/);
});
