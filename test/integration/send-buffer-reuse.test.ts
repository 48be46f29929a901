// The sender's read-ahead reuses one buffer for the data sets it reads, and may do so only when
// no write still refers to it. Checked on a real TCP socket over loopback: the writer reports
// bytes as written only once the kernel has taken all of them, and the read-ahead takes a new
// buffer whenever it does not.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { PduWriter, maxFragmentLength } from '../../electron/dimse/ul/sender.js';
import { ReadAhead } from '../../electron/dimse/scu/send.js';
import type { InstanceSource } from '../../shared/records.js';
import { tempDir } from '../helpers/tmp.js';

/** A connected pair of sockets on 127.0.0.1: `client` writes, `server` is paused until resumed. */
async function socketPair(): Promise<{ client: Socket; server: Socket; close(): void }> {
  const listener = createServer({ pauseOnConnect: true });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const port = (listener.address() as { port: number }).port;
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [server] = await accepted;
  return {
    client,
    server,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

describe('send buffer reuse', () => {
  test('allWritten: false while PDUs are corked or wait for a peer that does not read; true once the kernel took every byte', async () => {
    const pair = await socketPair();
    after(() => pair.close());
    const writer = new PduWriter(pair.client, () => new Error('closed'));
    assert.equal(writer.allWritten, true, 'nothing written yet');

    // a small part: corked until the end of the turn, then handed to the kernel at once
    await writer.sendPart(1, true, new Uint8Array(100), maxFragmentLength(16384));
    assert.equal(writer.allWritten, false, 'corked until the turn ends');
    writer.flush();
    assert.equal(writer.allWritten, true, 'a 112-byte PDU fits the socket buffer');

    // 32 MiB to a peer that does not read: more than loopback's socket buffers can hold
    const big = new Uint8Array(32 * 1024 * 1024).fill(7);
    let received = 0;
    const sending = writer.sendPart(1, false, big, maxFragmentLength(16384));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(writer.allWritten, false, 'bytes still queued while the peer does not read');
    pair.server.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    pair.server.resume();
    await sending;
    writer.flush();
    for (let i = 0; i < 250 && !writer.allWritten; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(writer.allWritten, true, 'the peer read everything');
    // every PDU of 16 KiB carries 16,346 data bytes and 12 bytes of headers
    const pdus = Math.ceil(big.length / maxFragmentLength(16384));
    const expected = 112 + big.length + 12 * pdus;
    for (let i = 0; i < 100 && received < expected; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(received, expected);
  });

  test('ReadAhead reads into its kept buffer only when every earlier write is done', async () => {
    const dir = tempDir('priors-readahead');
    const source = (name: string, length: number, fill: number): InstanceSource => {
      const path = join(dir, name);
      const bytes = Buffer.alloc(length + 10, fill);
      bytes.write('HEADERBYTE', 0, 'latin1'); // the data set starts after 10 bytes of "file meta"
      writeFileSync(path, bytes);
      return {
        sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
        sopInstanceUid: `2.25.${fill}`,
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        path,
        dataSetOffset: 10,
        dataSetLength: length,
      };
    };
    const a = source('a', 600_000, 1);
    const b = source('b', 500_000, 2);
    const c = source('c', 700_000, 3);
    const d = source('d', 700_000, 4);
    const e = source('e', 100_000, 5);
    let written = true;
    const ahead = new ReadAhead(
      () => ({}),
      () => written,
    );
    const read = async (i: InstanceSource): Promise<Uint8Array> => {
      ahead.start(i);
      const data = await ahead.take(i);
      assert.ok(data instanceof Uint8Array, `read ${i.path}`);
      assert.equal(data.length, i.dataSetLength);
      assert.ok(
        data.every((x) => x === Number(i.sopInstanceUid.slice(5))),
        `${i.path}: the data set's own bytes, without the file meta`,
      );
      return data;
    };
    const first = await read(a);
    const second = await read(b);
    assert.equal(second.buffer, first.buffer, 'written: the kept buffer is read into again');
    const third = await read(c);
    assert.notEqual(third.buffer, first.buffer, 'a larger data set: the kept buffer is replaced by a larger one');
    const fourth = await read(d);
    assert.equal(fourth.buffer, third.buffer, 'and that one is kept');
    written = false;
    const fifth = await read(e);
    assert.notEqual(fifth.buffer, fourth.buffer, 'a write still in flight: a new buffer, the kept one is left alone');
    assert.ok(
      fourth.every((x) => x === 4),
      'the data set still being sent is intact',
    );
    // one read ahead not taken (another instance came first) leaves nothing held
    written = true;
    ahead.start(a);
    assert.equal(ahead.take(b), undefined);
    assert.equal(ahead.take(a), undefined);
  });
});
