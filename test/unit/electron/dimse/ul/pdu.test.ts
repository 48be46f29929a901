// Upper Layer PDUs (PS3.8 §9.3): encode/decode round trips, commented bytes of real PDUs,
// the streaming framer (odd chunk sizes, PDV pieces, max-size check), malformed input, and
// the PDV fragmentation of the sender.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Socket } from 'node:net';
import { decodePdu, encodePdu, type ControlPdu, type Pdu } from '../../../../../electron/dimse/ul/pdu.js';
import { AbortReason, PduError } from '../../../../../electron/dimse/ul/errors.js';
import { PduFramer, type FramerSink } from '../../../../../electron/dimse/ul/framer.js';
import { PduWriter, maxFragmentLength } from '../../../../../electron/dimse/ul/sender.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** Hex bytes written one field a line, each line's comment after two or more spaces. */
const commentedHex = (s: string) =>
  hex(
    s
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}/)[0] ?? '')
      .join(''),
  );

// A-ASSOCIATE-RQ sent by DCMTK 3.6.7 `echoscu -aet ECHOSCU -aec ANY-SCP` (captured on a socket).
const ECHOSCU_RQ = commentedHex(`
  01 00 000000cd                                        PDU type 1, reserved, length 205
  0001 0000                                             protocol version 1, reserved
  414e592d534350202020202020202020                      called AE  "ANY-SCP         "
  4543484f534355202020202020202020                      calling AE "ECHOSCU         "
  0000000000000000000000000000000000000000000000000000000000000000   reserved (32)
  10 00 0015 312e322e3834302e31303030382e332e312e312e31  application context 1.2.840.10008.3.1.1.1
  20 00 002e 01 00 ff 00                                presentation context 1 (DCMTK writes ff in a reserved byte)
    30 00 0011 312e322e3834302e31303030382e312e31       abstract syntax 1.2.840.10008.1.1 (Verification)
    40 00 0011 312e322e3834302e31303030382e312e32       transfer syntax 1.2.840.10008.1.2 (Implicit VR LE)
  50 00 003a                                            user information, 58 bytes
    51 00 0004 00004000                                 maximum length 16384
    52 00 001b 312e322e3237362e302e373233303031302e332e302e332e362e37   implementation class UID
    55 00 000f 4f464649535f44434d544b5f333637          implementation version name OFFIS_DCMTK_367
`);

// A-ASSOCIATE-RJ: permanent (1), service-user (1), called-AE-title-not-recognized (7).
const RJ_BYTES = hex('03 00 00000004 00 01 01 07');
// A-ABORT: service-provider (2), invalid-PDU-parameter-value (6).
const ABORT_BYTES = hex('07 00 00000004 00 00 02 06');
// A-RELEASE-RQ and A-RELEASE-RP: four reserved bytes.
const RELEASE_RQ_BYTES = hex('05 00 00000004 00000000');
const RELEASE_RP_BYTES = hex('06 00 00000004 00000000');
// P-DATA-TF with two PDVs on context 1: a last command fragment "ab", then a data fragment "xyz".
const PDATA_BYTES = hex('04 00 00000011  00000004 01 03 6162  00000005 01 00 78797a');

describe('commented PDU bytes', () => {
  test('the A-ASSOCIATE-RQ of DCMTK echoscu decodes to what it says', () => {
    assert.equal(ECHOSCU_RQ.length, 6 + 205);
    const pdu = decodePdu(ECHOSCU_RQ);
    assert.equal(pdu.type, 'A-ASSOCIATE-RQ');
    if (pdu.type !== 'A-ASSOCIATE-RQ') return;
    assert.equal(pdu.protocolVersion, 1);
    assert.equal(pdu.calledAeTitle, 'ANY-SCP');
    assert.equal(pdu.callingAeTitle, 'ECHOSCU');
    assert.equal(pdu.applicationContext, '1.2.840.10008.3.1.1.1');
    assert.deepEqual(pdu.contexts, [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }]);
    assert.equal(pdu.userInfo.maxLength, 16384);
    assert.equal(pdu.userInfo.implementationClassUid, '1.2.276.0.7230010.3.0.3.6.7');
    assert.equal(pdu.userInfo.implementationVersionName, 'OFFIS_DCMTK_367');
    assert.deepEqual(pdu.userInfo.roles, []);
    // re-encoded, it is byte-identical except the reserved byte DCMTK sets to ff
    const again = encodePdu(pdu);
    const expected = Buffer.from(ECHOSCU_RQ);
    expected[6 + 68 + 25 + 6] = 0x00;
    assert.deepEqual(again, expected);
  });

  test('fixed-size PDUs decode field by field and encode back to the same bytes', () => {
    const cases: [Buffer, Pdu][] = [
      [RJ_BYTES, { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 }],
      [ABORT_BYTES, { type: 'A-ABORT', source: 2, reason: 6 }],
      [RELEASE_RQ_BYTES, { type: 'A-RELEASE-RQ' }],
      [RELEASE_RP_BYTES, { type: 'A-RELEASE-RP' }],
    ];
    for (const [bytes, pdu] of cases) {
      assert.deepEqual(decodePdu(bytes), pdu);
      assert.deepEqual(encodePdu(pdu), bytes);
    }
  });

  test('a P-DATA-TF with a command and a data PDV', () => {
    const pdu = decodePdu(PDATA_BYTES);
    assert.equal(pdu.type, 'P-DATA-TF');
    if (pdu.type !== 'P-DATA-TF') return;
    assert.deepEqual(
      pdu.pdvs.map((p) => ({ ...p, data: Buffer.from(p.data).toString() })),
      [
        { contextId: 1, isCommand: true, isLast: true, data: 'ab' },
        { contextId: 1, isCommand: false, isLast: false, data: 'xyz' },
      ],
    );
    assert.deepEqual(encodePdu(pdu), PDATA_BYTES);
  });
});

describe('round trips', () => {
  test('A-ASSOCIATE-RQ with roles, async window, user identity and an unknown sub-item', () => {
    const rq: Pdu = {
      type: 'A-ASSOCIATE-RQ',
      protocolVersion: 1,
      calledAeTitle: 'PACS',
      callingAeTitle: 'PRIORS',
      applicationContext: '1.2.840.10008.3.1.1.1',
      contexts: [
        { id: 1, abstractSyntax: '1.2.840.10008.5.1.4.1.2.2.3', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
        { id: 3, abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', transferSyntaxes: ['1.2.840.10008.1.2.4.70'] },
      ],
      userInfo: {
        maxLength: 0,
        implementationClassUid: '1.2.826.0.1.3680043.10.1439.1',
        implementationVersionName: 'PRIORS_010',
        asyncOps: { invoked: 3, performed: 1 },
        roles: [{ abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', scuRole: false, scpRole: true }],
        userIdentity: { type: 2, primary: 'jörg', secondary: 'secret', positiveResponseRequested: true },
        other: [{ type: 0x56, data: Uint8Array.from([0, 3, 0x31, 0x2e, 0x32, 1]) }],
      },
    };
    const decoded = decodePdu(encodePdu(rq));
    assert.deepEqual(decoded, rq);
    // the odd-length UIDs are not padded (PS3.8 Annex F)
    assert.ok(encodePdu(rq).includes(Buffer.from('1.2.840.10008.1.2\x20\x00', 'latin1')), 'a 17-character UID followed directly by the next item (type 20H)');
  });

  test('A-ASSOCIATE-AC with results, a role answer and a user identity response', () => {
    const ac: Pdu = {
      type: 'A-ASSOCIATE-AC',
      protocolVersion: 1,
      calledAeTitle: 'PACS',
      callingAeTitle: 'PRIORS',
      applicationContext: '1.2.840.10008.3.1.1.1',
      contexts: [
        { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2.1' },
        { id: 3, result: 4, transferSyntax: '1.2.840.10008.1.2' },
      ],
      userInfo: {
        maxLength: 32768,
        implementationClassUid: '1.2.3',
        implementationVersionName: 'X',
        roles: [{ abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', scuRole: false, scpRole: true }],
        userIdentityResponse: Uint8Array.from([1, 2, 3]),
        other: [],
      },
    };
    const decoded = decodePdu(encodePdu(ac));
    assert.deepEqual(decoded, ac);
  });

  test('user identity without a secondary field (type 1, username only)', () => {
    const rq = decodePdu(ECHOSCU_RQ) as Extract<Pdu, { type: 'A-ASSOCIATE-RQ' }>;
    rq.userInfo.userIdentity = { type: 1, primary: 'alice', positiveResponseRequested: false };
    const back = decodePdu(encodePdu(rq)) as typeof rq;
    assert.deepEqual(back.userInfo.userIdentity, { type: 1, primary: 'alice', positiveResponseRequested: false });
  });

  test('AE titles are padded to 16 and checked', () => {
    const rq = decodePdu(ECHOSCU_RQ) as Extract<Pdu, { type: 'A-ASSOCIATE-RQ' }>;
    assert.throws(() => encodePdu({ ...rq, calledAeTitle: 'A_TITLE_LONGER_THAN_16' }), /Called AE Title must be 1 to 16/);
    assert.throws(() => encodePdu({ ...rq, callingAeTitle: '' }), /Calling AE Title/);
    assert.throws(() => encodePdu({ ...rq, callingAeTitle: 'BACK\\SLASH' }), /Calling AE Title/);
    assert.throws(() => encodePdu({ ...rq, userInfo: { ...rq.userInfo, implementationVersionName: 'X'.repeat(17) } }), /1 to 16/);
  });
});

describe('malformed PDUs', () => {
  const rqBody = () => Buffer.from(ECHOSCU_RQ);
  const cases: [string, Buffer, RegExp][] = [
    ['truncated header', hex('01 00 0000'), /header alone is 6/],
    ['length field larger than the bytes', hex('05 00 00000008 00000000'), /length field says 8/],
    ['unknown PDU type', hex('09 00 00000004 00000000'), /unrecognized PDU type 0x09/],
    ['A-RELEASE-RQ of 5 bytes', hex('05 00 00000005 0000000000'), /A-RELEASE-RQ has length 5/],
    ['A-ASSOCIATE-RQ shorter than its fixed fields', hex('01 00 00000004 00010000'), /too short/],
    ['P-DATA-TF with a PDV length overrunning the PDU', hex('04 00 00000008 00000009 01 03 6162'), /does not fit/],
    ['P-DATA-TF with a PDV item length below 2', hex('04 00 00000006 00000001 01 03'), /does not fit/],
    ['P-DATA-TF without PDV', hex('04 00 00000000'), /without any PDV/],
  ];
  for (const [name, bytes, re] of cases) {
    test(name, () =>
      assert.throws(
        () => decodePdu(bytes),
        (e: unknown) => e instanceof PduError && re.test(e.message),
      ),
    );
  }

  test('an item whose length overruns the PDU', () => {
    const b = rqBody();
    b.writeUInt16BE(0x00ff, 6 + 68 + 2); // application context item claims 255 bytes
    assert.throws(() => decodePdu(b), /overruns its container/);
  });

  test('a truncated sub-item inside the user information', () => {
    const b = rqBody();
    b.writeUInt16BE(0x0050, b.length - 58 - 2); // user information claims more than is left
    assert.throws(() => decodePdu(b), /overruns/);
  });

  test('a Maximum Length sub-item of the wrong size', () => {
    const b = rqBody();
    const at = b.indexOf(hex('51 00 0004'));
    b.writeUInt16BE(3, at + 2);
    assert.throws(() => decodePdu(b), PduError);
  });

  test('an A-ASSOCIATE-RQ without application context', () => {
    const b = rqBody();
    b[6 + 68] = 0x11; // the 0x10 item becomes an unknown item type, which is skipped
    assert.throws(() => decodePdu(b), /no Application Context item/);
  });

  test('errors carry the A-ABORT reason to answer with', () => {
    try {
      decodePdu(hex('09 00 00000004 00000000'));
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof PduError);
      assert.equal(e.reason, AbortReason.UnrecognizedPdu);
    }
  });
});

/** Collects what a framer delivers: control PDUs and, per PDV, the joined bytes. */
function collector() {
  const events: (ControlPdu | { pdv: number; control: number; data: Buffer } | { error: PduError })[] = [];
  let pieces: Buffer[] = [];
  let pieceCount = 0;
  const sink: FramerSink = {
    pdu: (p) => events.push(p),
    pdv: (contextId, control, bytes, end) => {
      pieces.push(Buffer.from(bytes));
      pieceCount++;
      if (end) {
        events.push({ pdv: contextId, control, data: Buffer.concat(pieces) });
        pieces = [];
      }
    },
    error: (error) => events.push({ error }),
  };
  return { sink, events, pieceCount: () => pieceCount };
}

function feed(framer: PduFramer, bytes: Buffer, sizes: number[]): void {
  let pos = 0;
  let i = 0;
  while (pos < bytes.length) {
    const n = sizes[i++ % sizes.length]!;
    framer.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
}

describe('framer', () => {
  const big = Buffer.alloc(40_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  const bigPdu = encodePdu({ type: 'P-DATA-TF', pdvs: [{ contextId: 5, isCommand: false, isLast: true, data: big }] });
  const stream = Buffer.concat([
    ECHOSCU_RQ,
    PDATA_BYTES,
    RELEASE_RQ_BYTES,
    encodePdu({ type: 'P-DATA-TF', pdvs: [{ contextId: 3, isCommand: true, isLast: true, data: new Uint8Array(0) }] }),
    bigPdu,
    ABORT_BYTES,
  ]);

  for (const sizes of [[stream.length], [1], [5, 7], [6], [4096], [13, 1, 65536]]) {
    test(`splits a stream read in chunks of ${sizes.join('/')} bytes`, () => {
      const c = collector();
      const framer = new PduFramer(c.sink, 0);
      feed(framer, stream, sizes);
      assert.deepEqual(
        c.events.map((e) => ('type' in e ? e.type : 'pdv' in e ? `pdv${e.pdv}:${e.control}:${e.data.length}` : 'error')),
        ['A-ASSOCIATE-RQ', 'pdv1:3:2', 'pdv1:0:3', 'A-RELEASE-RQ', 'pdv3:3:0', 'pdv5:2:40000', 'A-ABORT'],
      );
      const bigEvent = c.events[5] as { data: Buffer };
      assert.ok(bigEvent.data.equals(big));
    });
  }

  test('delivers PDV data as views of the chunks, piece by piece', () => {
    const c = collector();
    const framer = new PduFramer(c.sink, 0);
    feed(framer, bigPdu, [1000]);
    assert.equal(c.pieceCount(), Math.ceil(bigPdu.length / 1000), 'one piece per chunk: nothing is gathered');
  });

  test('a P-DATA-TF larger than the announced maximum is an error with reason 6', () => {
    const c = collector();
    const framer = new PduFramer(c.sink, 16352);
    framer.push(bigPdu.subarray(0, 6)); // the header alone is enough to refuse it
    assert.equal(c.events.length, 1);
    const ev = c.events[0] as { error: PduError };
    assert.match(ev.error.message, /40006 bytes exceeds the maximum length of 16352/);
    assert.equal(ev.error.reason, AbortReason.InvalidPduParameterValue);
    framer.push(bigPdu.subarray(6));
    assert.equal(c.events.length, 1, 'nothing after an error');
    assert.ok(framer.dead);
  });

  test('a P-DATA-TF of exactly the maximum is accepted', () => {
    const c = collector();
    const framer = new PduFramer(c.sink, 16352);
    framer.push(encodePdu({ type: 'P-DATA-TF', pdvs: [{ contextId: 1, isCommand: false, isLast: true, data: Buffer.alloc(16346) }] }));
    assert.equal((c.events[0] as { data: Buffer }).data.length, 16346);
  });

  // a PDU of the announced maximum, read as a socket delivers it: in segments, never whole
  for (const [max, reads] of [
    [16352, [1]],
    [16352, [1460]],
    [131072, [1460, 65536, 7]],
    [1 << 20, [65536]],
    [1 << 20, [1448, 3, 8192]],
  ] as const) {
    test(`a P-DATA-TF of the maximum ${max} read in pieces of ${reads.join('/')} bytes arrives byte for byte, nothing gathered`, () => {
      const data = Buffer.alloc(max - 6);
      for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
      const pdu = encodePdu({ type: 'P-DATA-TF', pdvs: [{ contextId: 1, isCommand: false, isLast: true, data }] });
      assert.equal(pdu.length, 6 + max);
      const c = collector();
      const framer = new PduFramer(c.sink, max);
      feed(framer, pdu, [...reads]);
      assert.equal(c.events.length, 1, JSON.stringify(c.events.filter((e) => 'error' in e)));
      assert.ok((c.events[0] as { data: Buffer }).data.equals(data));
      let chunks = 0;
      for (let pos = 0, i = 0; pos < pdu.length; i++) {
        pos += reads[i % reads.length]!;
        chunks++;
      }
      assert.ok(c.pieceCount() <= chunks, `${c.pieceCount()} pieces from ${chunks} reads`);
    });
  }

  test('a data set spread over P-DATA-TFs of every size from 1 to 300 data bytes arrives byte for byte', () => {
    const data = Buffer.alloc(45_150);
    for (let i = 0; i < data.length; i++) data[i] = (i * 17 + 3) & 0xff;
    const pdus: Buffer[] = [];
    for (let size = 1, pos = 0; pos < data.length; size++) {
      const piece = data.subarray(pos, pos + size);
      pos += piece.length;
      pdus.push(encodePdu({ type: 'P-DATA-TF', pdvs: [{ contextId: 3, isCommand: false, isLast: pos === data.length, data: piece }] }));
    }
    const c = collector();
    const framer = new PduFramer({ ...c.sink, pdv: (ctx, control, bytes, end) => c.sink.pdv(ctx, control, bytes, end && (control & 2) !== 0) }, 16352);
    feed(framer, Buffer.concat(pdus), [977]);
    assert.equal(c.events.length, 1);
    assert.ok((c.events[0] as { data: Buffer }).data.equals(data));
  });

  const bad: [string, Buffer, number][] = [
    ['unknown PDU type', hex('08 00 00000004 00000000'), AbortReason.UnrecognizedPdu],
    ['PDV item overrunning its PDU', hex('04 00 00000008 00000005 01 02 6162'), AbortReason.InvalidPduParameterValue],
    ['stray bytes after the last PDV', hex('04 00 0000000a 00000002 01 02 00000000'), AbortReason.InvalidPduParameterValue],
    ['P-DATA-TF too short for a PDV', hex('04 00 00000003 000000'), AbortReason.InvalidPduParameterValue],
    ['control PDU beyond 1 MiB', hex('01 00 00200000'), AbortReason.InvalidPduParameterValue],
    [
      'truncated item inside an A-ASSOCIATE-AC',
      Buffer.concat([hex('02 00 00000048'), Buffer.alloc(68), hex('10 00 0010 31')]),
      AbortReason.InvalidPduParameterValue,
    ],
  ];
  for (const [name, bytes, reason] of bad) {
    test(`error: ${name}`, () => {
      const c = collector();
      feed(new PduFramer(c.sink, 16352), bytes, [3]);
      const errors = c.events.filter((e) => 'error' in e) as { error: PduError }[];
      assert.equal(errors.length, 1, JSON.stringify(c.events));
      assert.equal(errors[0]!.error.reason, reason);
    });
  }

  test('hold() keeps the bytes after the current PDU until release()', () => {
    const c = collector();
    const framer = new PduFramer(
      {
        ...c.sink,
        pdu: (p) => {
          c.sink.pdu(p);
          framer.hold();
        },
      },
      0,
    );
    framer.push(Buffer.concat([RELEASE_RQ_BYTES, PDATA_BYTES, RELEASE_RP_BYTES]));
    assert.equal(c.events.length, 1);
    framer.push(ABORT_BYTES);
    assert.equal(c.events.length, 1);
    const seen: string[] = [];
    framer.setSink({ pdu: (p) => seen.push(p.type), pdv: (id, _c, b, end) => end && seen.push(`pdv${id}:${b.length}`), error: (e) => seen.push(e.message) });
    framer.release();
    assert.deepEqual(seen, ['pdv1:2', 'pdv1:3', 'A-RELEASE-RP', 'A-ABORT']);
  });
});

describe('sender fragmentation', () => {
  /** Writes a data set through a PduWriter into a PassThrough and reads the PDUs back. */
  async function sendAndRead(source: Uint8Array | AsyncIterable<Uint8Array>, peerMax: number, isCommand = false) {
    const out = new PassThrough({ highWaterMark: 1 << 30 });
    const writer = new PduWriter(out as unknown as Socket, () => new Error('closed'));
    await writer.sendPart(7, isCommand, source, maxFragmentLength(peerMax));
    out.end();
    const bytes: Buffer[] = [];
    for await (const chunk of out) bytes.push(chunk as Buffer);
    const pdus: { length: number; control: number; data: Buffer }[] = [];
    const framer = new PduFramer(
      {
        pdu: () => assert.fail('no control PDU expected'),
        pdv: () => {},
        error: (e) => assert.fail(e.message),
      },
      peerMax,
    );
    // decode PDU by PDU to check the one-PDV-per-PDU layout and each length
    const all = Buffer.concat(bytes);
    framer.push(all);
    let pos = 0;
    while (pos < all.length) {
      const len = all.readUInt32BE(pos + 2);
      const pdu = decodePdu(all.subarray(pos, pos + 6 + len));
      assert.equal(pdu.type, 'P-DATA-TF');
      if (pdu.type === 'P-DATA-TF') {
        assert.equal(pdu.pdvs.length, 1);
        const pdv = pdu.pdvs[0]!;
        assert.equal(pdv.contextId, 7);
        assert.equal(pdv.isCommand, isCommand);
        pdus.push({ length: len, control: (pdv.isCommand ? 1 : 0) | (pdv.isLast ? 2 : 0), data: Buffer.from(pdv.data) });
      }
      pos += 6 + len;
    }
    return pdus;
  }

  const data = Buffer.alloc(50_001);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;

  function check(pdus: { length: number; control: number; data: Buffer }[], peerMax: number, expected: Buffer) {
    assert.ok(pdus.length >= 1);
    for (const [i, p] of pdus.entries()) {
      if (peerMax > 0) assert.ok(p.length <= peerMax, `PDU ${i} of ${p.length} bytes exceeds ${peerMax}`);
      assert.equal((p.control & 2) !== 0, i === pdus.length - 1, `last-fragment bit on PDU ${i} of ${pdus.length}`);
    }
    assert.ok(Buffer.concat(pdus.map((p) => p.data)).equals(expected));
  }

  for (const peerMax of [16352, 16384, 4097, 0]) {
    test(`a Uint8Array cut for a peer maximum of ${peerMax}`, async () => {
      const pdus = await sendAndRead(data, peerMax);
      check(pdus, peerMax, data);
      if (peerMax > 0) assert.equal(pdus.length, Math.ceil(data.length / (peerMax - 6)));
    });
  }

  for (const sizes of [[1], [16345], [16346], [16347], [7, 40000, 3], [50_001]]) {
    test(`a stream of chunks of ${sizes.join('/')} bytes, peer maximum 16352`, async () => {
      async function* chunks() {
        let pos = 0;
        let i = 0;
        while (pos < data.length) {
          const n = sizes[i++ % sizes.length]!;
          yield data.subarray(pos, pos + n);
          pos += n;
        }
      }
      const pdus = await sendAndRead(chunks(), 16352);
      check(pdus, 16352, data);
      // full fragments, except the last
      for (const p of pdus.slice(0, -1)) assert.equal(p.data.length, 16346);
    });
  }

  test('a data set of exactly one fragment is one PDU, flagged last', async () => {
    const exact = data.subarray(0, 16346);
    async function* one() {
      yield exact;
    }
    for (const src of [exact, one()]) {
      const pdus = await sendAndRead(src, 16352);
      assert.equal(pdus.length, 1);
      check(pdus, 16352, exact);
    }
  });

  test('an empty data set is one empty PDV flagged last', async () => {
    async function* none() {
      /* nothing */
    }
    for (const src of [new Uint8Array(0), none()]) {
      const pdus = await sendAndRead(src, 16352, true);
      assert.deepEqual(
        pdus.map((p) => [p.control, p.data.length]),
        [[3, 0]],
      );
    }
  });

  test('a stream that yields strings is refused', async () => {
    async function* text() {
      yield 'abc' as unknown as Uint8Array;
    }
    await assert.rejects(sendAndRead(text(), 16352), /must yield bytes/);
  });
});
