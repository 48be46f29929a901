// The upper layer end to end on 127.0.0.1, port 0: our requestor against our acceptor, and a
// scripted raw peer (PDUs written by hand) for the protocol corner cases.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Association,
  AssociationAbortedError,
  AssociationClosedError,
  AssociationRejectedError,
  TimeoutError,
  TransportError,
  type AcceptorOptions,
  type AssociateRequestInfo,
  type AcceptDecision,
  type RequestorOptions,
} from '../../electron/dimse/ul/association.js';
import { encodePdu, type ControlPdu, type Pdu } from '../../electron/dimse/ul/pdu.js';
import { PduFramer } from '../../electron/dimse/ul/framer.js';
import { getNumber, getString, tag, type DataSet } from '../../shared/dicom/dataset.js';
import { freePort } from '../helpers/ports.js';

const VERIFICATION = '1.2.840.10008.1.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const ILE = '1.2.840.10008.1.2';
const ELE = '1.2.840.10008.1.2.1';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

/** A minimal command set: CommandField, MessageID, CommandDataSetType (PS3.7 E.1-1). */
function command(field: number, messageId: number, hasDataSet: boolean, sopClass = VERIFICATION): DataSet {
  return new Map([
    [tag(0, 0x0002), { vr: 'UI', value: [sopClass] }],
    [tag(0, 0x0100), { vr: 'US', value: [field] }],
    [tag(0, 0x0110), { vr: 'US', value: [messageId] }],
    [tag(0, 0x0800), { vr: 'US', value: [hasDataSet ? 0x0000 : 0x0101] }],
  ]) as DataSet;
}

/** Accepts the listed abstract syntaxes with the first proposed of ELE/ILE (3 and 4 otherwise); echoes proposed roles. */
function supporting(abstracts: string[]) {
  return (rq: AssociateRequestInfo): AcceptDecision => ({
    accept: true,
    contexts: rq.contexts.map((pc) => {
      if (!abstracts.includes(pc.abstractSyntax)) return { id: pc.id, abstractSyntax: pc.abstractSyntax, result: 3 };
      const ts = pc.transferSyntaxes.find((t) => t === ELE || t === ILE);
      return ts ? { id: pc.id, abstractSyntax: pc.abstractSyntax, result: 0, transferSyntax: ts } : { id: pc.id, abstractSyntax: pc.abstractSyntax, result: 4 };
    }),
    roles: rq.roles,
  });
}

interface Acceptor {
  port: number;
  server: Server;
  next(): Promise<Association | null>;
  lines: string[];
}
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** Our acceptor on port 0; `next()` is the outcome of the next connection, in order. */
async function startAcceptor(options: Partial<AcceptorOptions> = {}): Promise<Acceptor> {
  const results: Promise<Association | null>[] = [];
  const lines: string[] = [];
  const waiting: ((p: Promise<Association | null>) => void)[] = [];
  const server = createServer((socket) => {
    const p = Association.accept(socket, {
      decide: supporting([VERIFICATION, CT]),
      log: (level, m) => lines.push(`${level} ${m}`),
      ...options,
    });
    const w = waiting.shift();
    if (w) w(p);
    else results.push(p);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    server,
    lines,
    next: () => (results.length ? results.shift()! : new Promise<Promise<Association | null>>((r) => waiting.push(r)).then((p) => p)),
  };
}

function requestOptions(port: number, extra: Partial<RequestorOptions> = {}): RequestorOptions {
  return {
    host: '127.0.0.1',
    port,
    callingAeTitle: 'PRIORS',
    calledAeTitle: 'ARCHIVE',
    contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [ILE] }],
    ...extra,
  };
}

/** A pair: our requestor associated with our acceptor. */
async function pair(reqExtra: Partial<RequestorOptions> = {}, accOptions: Partial<AcceptorOptions> = {}) {
  const acceptor = await startAcceptor(accOptions);
  const [scu, scp] = await Promise.all([Association.request(requestOptions(acceptor.port, reqExtra)), acceptor.next()]);
  assert.ok(scp);
  return { scu, scp, acceptor };
}

/** A hand-driven peer on a raw socket: writes PDUs, reads what comes back. */
class RawPeer {
  readonly received: (ControlPdu | { pdv: number; control: number; length: number })[] = [];
  readonly ended: Promise<void>;
  private wake: (() => void) | undefined;
  constructor(readonly socket: Socket) {
    const framer = new PduFramer(
      {
        pdu: (p) => {
          this.received.push(p);
          this.wake?.();
        },
        pdv: (pdv, control, bytes, end) => {
          if (end) {
            this.received.push({ pdv, control, length: bytes.length });
            this.wake?.();
          }
        },
        error: (e) => {
          throw e;
        },
      },
      0,
    );
    socket.on('data', (c: Buffer) => framer.push(c));
    socket.on('error', () => {});
    this.ended = new Promise((r) =>
      socket.once('close', () => {
        r();
        this.wake?.();
      }),
    );
  }
  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => resolve(new RawPeer(s)));
      s.once('error', reject);
    });
  }
  send(pdu: Pdu | Buffer): void {
    this.socket.write(Buffer.isBuffer(pdu) ? pdu : encodePdu(pdu));
  }
  /** The next PDU received (bounded wait). */
  async next(timeoutMs = 5000): Promise<ControlPdu | { pdv: number; control: number; length: number } | 'closed'> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length === 0) {
      if (this.socket.destroyed || this.socket.readableEnded) return 'closed';
      if (Date.now() > deadline) throw new Error('nothing received');
      await Promise.race([
        new Promise<void>((r) => {
          this.wake = r;
        }),
        sleep(50),
      ]);
    }
    return this.received.shift()!;
  }
}

function rawRequest(extra: Partial<Extract<Pdu, { type: 'A-ASSOCIATE-RQ' }>> = {}): Pdu {
  return {
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: 1,
    calledAeTitle: 'ARCHIVE',
    callingAeTitle: 'RAW',
    applicationContext: '1.2.840.10008.3.1.1.1',
    contexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [ILE] }],
    userInfo: { maxLength: 16384, implementationClassUid: '1.2.3.4', roles: [], other: [] },
    ...extra,
  };
}

describe('negotiation', () => {
  test('accepts supported contexts, rejects unknown abstract syntaxes (3) and unsupported transfer syntaxes (4)', async () => {
    const { scu, scp, acceptor } = await pair(
      {
        contexts: [
          { abstractSyntax: VERIFICATION, transferSyntaxes: [ILE] },
          { abstractSyntax: CT, transferSyntaxes: [JPEG_BASELINE, ELE, ILE] },
          { abstractSyntax: MR, transferSyntaxes: [ELE] },
          { abstractSyntax: CT, transferSyntaxes: [JPEG_BASELINE] },
        ],
        maxPduLength: 32768,
      },
      { maxPduLength: 20000 },
    );
    const expected = [
      { id: 1, abstractSyntax: VERIFICATION, transferSyntax: ILE, scuRole: true, scpRole: false },
      { id: 3, abstractSyntax: CT, transferSyntax: ELE, scuRole: true, scpRole: false },
    ];
    assert.deepEqual(scu.contexts, expected);
    assert.deepEqual(scp.contexts, expected);
    assert.equal(scu.role, 'requestor');
    assert.equal(scp.role, 'acceptor');
    assert.equal(scu.peerMaxPduLength, 20000);
    assert.equal(scp.peerMaxPduLength, 32768);
    assert.equal(scp.request.callingAeTitle, 'PRIORS');
    assert.equal(scp.request.calledAeTitle, 'ARCHIVE');
    assert.equal(scp.request.contexts.length, 4);
    assert.equal(scp.request.peerAddress, '127.0.0.1');
    assert.equal(scu.peerImplementationClassUid, '1.2.826.0.1.3680043.10.1439.1');
    assert.equal(scp.peerImplementationVersionName, 'PRIORS_010');
    assert.equal(scu.findContext(CT, [ILE, ELE])?.id, 3);
    assert.equal(scu.findContext(MR), undefined);
    assert.notEqual(scu.id, scp.id);
    await scu.release();
    await scp.closed;
    assert.ok(
      acceptor.lines.some((l) =>
        /open \(acceptor\): PRIORS -> ARCHIVE from 127\.0\.0\.1:\d+, 2 of 4 contexts accepted: Verification SOP Class, CT Image Storage/.test(l),
      ),
      acceptor.lines.join('\n'),
    );
    assert.ok(
      acceptor.lines.some((l) => /closed after [\d.]+ s: released by peer/.test(l)),
      acceptor.lines.join('\n'),
    );
  });

  test('role selection: proposed roles are granted only as far as proposed (PS3.7 D.3.3.4)', async () => {
    const { scu, scp } = await pair(
      {
        contexts: [
          { abstractSyntax: CT, transferSyntaxes: [ELE] },
          { abstractSyntax: VERIFICATION, transferSyntaxes: [ILE] },
        ],
        roles: [
          { abstractSyntax: CT, scuRole: false, scpRole: true },
          { abstractSyntax: VERIFICATION, scuRole: true, scpRole: true },
        ],
      },
      {
        decide: (rq) => ({
          ...(supporting([VERIFICATION, CT])(rq) as Extract<AcceptDecision, { accept: true }>),
          // grants SCU for CT although not proposed; answers nothing for Verification
          roles: [{ abstractSyntax: CT, scuRole: true, scpRole: true }],
        }),
      },
    );
    const roles = (a: Association) => a.contexts.map((c) => [c.abstractSyntax, c.scuRole, c.scpRole]);
    assert.deepEqual(roles(scu), [
      [CT, false, true],
      [VERIFICATION, true, false],
    ]);
    assert.deepEqual(roles(scp), roles(scu));
    assert.deepEqual(scp.request.roles, [
      { abstractSyntax: CT, scuRole: false, scpRole: true },
      { abstractSyntax: VERIFICATION, scuRole: true, scpRole: true },
    ]);
    await scu.release();
  });

  test('rejection with result, source and reason', async () => {
    const acceptor = await startAcceptor({ decide: () => ({ accept: false, result: 1, source: 1, reason: 7 }) });
    const [err, scp] = await Promise.all([
      Association.request(requestOptions(acceptor.port)).then(
        () => undefined,
        (e: unknown) => e,
      ),
      acceptor.next(),
    ]);
    assert.equal(scp, null);
    assert.ok(err instanceof AssociationRejectedError);
    assert.deepEqual([err.result, err.source, err.reason], [1, 1, 7]);
    assert.match(err.message, /rejected-permanent by DICOM UL service-user: called-AE-title-not-recognized/);
  });

  test('a throwing decide() becomes a transient rejection, an unknown application context a permanent one', async () => {
    const acceptor = await startAcceptor({
      decide: () => {
        throw new Error('boom');
      },
    });
    const [err] = await Promise.all([Association.request(requestOptions(acceptor.port)).catch((e: unknown) => e), acceptor.next()]);
    assert.ok(err instanceof AssociationRejectedError);
    assert.deepEqual([err.result, err.source, err.reason], [2, 1, 1]);
    assert.ok(acceptor.lines.some((l) => l.startsWith('error') && l.includes('boom')));

    const raw = await RawPeer.connect(acceptor.port);
    raw.send(rawRequest({ applicationContext: '1.2.3' }));
    assert.deepEqual(await raw.next(), { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 2 });
    assert.equal(await acceptor.next(), null);
  });

  test('AE titles are checked before connecting; a closed port is ECONNREFUSED', async () => {
    await assert.rejects(Association.request(requestOptions(1, { calledAeTitle: 'X'.repeat(17) })), RangeError);
    const port = await freePort();
    await assert.rejects(Association.request(requestOptions(port)), (e: unknown) => e instanceof TransportError && e.code === 'ECONNREFUSED');
  });
});

describe('messages', () => {
  test('C-ECHO-like exchange, both directions, and several queued messages before release', async () => {
    const { scu, scp } = await pair();
    await scu.sendMessage(1, command(0x0030, 7, false));
    const rq = await scp.receiveMessage();
    assert.ok(rq);
    assert.equal(getNumber(rq.command, tag(0, 0x0100)), 0x0030);
    assert.equal(getString(rq.command, tag(0, 0x0002)), VERIFICATION);
    assert.equal(getNumber(rq.command, tag(0, 0x0000)), 8 + 18 + 3 * (8 + 2), 'CommandGroupLength computed by the sender');
    assert.equal(rq.dataSet, null);
    assert.deepEqual([rq.contextId, rq.abstractSyntax, rq.transferSyntax], [1, VERIFICATION, ILE]);
    await scp.sendMessage(1, command(0x8030, 7, false));
    assert.equal(getNumber((await scu.receiveMessage())!.command, tag(0, 0x0100)), 0x8030);
    for (let i = 1; i <= 3; i++) await scu.sendMessage(1, command(0x0030, i, false));
    const release = scu.release();
    for (let i = 1; i <= 3; i++) assert.equal(getNumber((await scp.receiveMessage())!.command, tag(0, 0x0110)), i);
    assert.equal(await scp.receiveMessage(), null);
    await release;
    assert.deepEqual(await scu.closed, { how: 'released', by: 'us' });
    assert.deepEqual(await scp.closed, { how: 'released', by: 'peer' });
    assert.equal(scu.isOpen, false);
    await assert.rejects(scu.sendMessage(1, command(0x0030, 9, false)), /released by us/);
  });

  test('data sets of odd sizes from Uint8Array, Readable-like iterables and the acceptor side, sent concurrently in order', async () => {
    const { scu, scp } = await pair({ contexts: [{ abstractSyntax: CT, transferSyntaxes: [ELE] }] }, { maxPduLength: 4096 });
    const sizes = [0, 1, 4089, 4090, 4091, 100_001];
    const blobs = sizes.map((n, k) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + k) & 0xff)));
    async function* pieces(b: Buffer) {
      for (let i = 0; i < b.length; i += 777) yield b.subarray(i, i + 777);
    }
    const sends = blobs.map((b, k) => scu.sendMessage(1, command(0x0001, k, true, CT), k % 2 ? pieces(b) : b));
    for (const [k, b] of blobs.entries()) {
      const m = (await scp.receiveMessage())!;
      assert.equal(getNumber(m.command, tag(0, 0x0110)), k);
      const got: Buffer[] = [];
      for await (const c of m.dataSet!) got.push(c as Buffer);
      assert.ok(Buffer.concat(got).equals(b), `data set ${k} of ${b.length} bytes`);
    }
    await Promise.all(sends);
    await scp.sendMessage(1, command(0x8001, 1, true, CT), blobs[5]!);
    const back = (await scu.receiveMessage())!;
    const got: Buffer[] = [];
    for await (const c of back.dataSet!) got.push(c as Buffer);
    assert.ok(Buffer.concat(got).equals(blobs[5]!));
    await scu.release();
  });

  test('a 50 MB data set streams through with bounded buffering', async () => {
    const { scu, scp } = await pair({ contexts: [{ abstractSyntax: CT, transferSyntaxes: [ELE] }] });
    const total = 50 * 1024 * 1024;
    const chunk = 64 * 1024;
    let produced = 0;
    let consumed = 0;
    let maxLead = 0;
    const sent = createHash('sha1');
    async function* source() {
      for (let i = 0; produced < total; i++) {
        const b = Buffer.alloc(chunk, i & 0xff);
        b.writeUInt32BE(i, 0);
        sent.update(b);
        produced += b.length;
        yield b;
      }
    }
    const before = process.memoryUsage().rss;
    const sending = scu.sendMessage(1, command(0x0001, 1, true, CT), source());
    const m = (await scp.receiveMessage())!;
    const received = createHash('sha1');
    let n = 0;
    for await (const c of m.dataSet!) {
      received.update(c as Buffer);
      consumed += (c as Buffer).length;
      maxLead = Math.max(maxLead, produced - consumed);
      if (++n % 64 === 0) await sleep(1); // a slow consumer: the sender must wait for it
    }
    await sending;
    assert.equal(consumed, total);
    assert.equal(received.digest('hex'), sent.digest('hex'));
    // what is in flight: the stream's buffer, socket buffers of both sides and the kernel's
    assert.ok(maxLead < 16 * 1024 * 1024, `sender ran ${maxLead} bytes ahead of the consumer`);
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'resident memory stayed bounded');
    await scu.release();
  });

  test('sendMessage checks the context and CommandDataSetType', async () => {
    const { scu } = await pair();
    await assert.rejects(scu.sendMessage(3, command(0x0030, 1, false)), /context 3 was not accepted/);
    await assert.rejects(scu.sendMessage(1, command(0x0030, 1, true)), /announces a data set/);
    await assert.rejects(scu.sendMessage(1, command(0x0030, 1, false), new Uint8Array(2)), /says no data set/);
    assert.ok(scu.isOpen);
    await scu.release();
  });

  test('a data source that fails mid-way aborts the association; the receiver sees the stream error', async () => {
    const { scu, scp } = await pair({ contexts: [{ abstractSyntax: CT, transferSyntaxes: [ELE] }] });
    async function* failing() {
      yield Buffer.alloc(100_000);
      throw new Error('disk gone');
    }
    const sending = scu.sendMessage(1, command(0x0001, 1, true, CT), failing());
    const m = (await scp.receiveMessage())!;
    await assert.rejects(sending, /disk gone/);
    await assert.rejects(
      (async () => {
        for await (const _ of m.dataSet!) {
          /* drain */
        }
      })(),
      AssociationAbortedError,
    );
    assert.deepEqual(await scp.closed, { how: 'aborted', by: 'peer', source: 0, reason: 0 });
  });
});

describe('release and abort', () => {
  test('the acceptor may release', async () => {
    const { scu, scp } = await pair();
    const waiting = scu.receiveMessage();
    await scp.release();
    assert.equal(await waiting, null);
    assert.deepEqual(await scp.closed, { how: 'released', by: 'us' });
    assert.deepEqual(await scu.closed, { how: 'released', by: 'peer' });
  });

  test('a release by the peer in the middle of our data set stops our P-DATA at the A-RELEASE-RP', async () => {
    const { scu, scp } = await pair({ contexts: [{ abstractSyntax: CT, transferSyntaxes: [ELE] }] });
    async function* slow() {
      for (let i = 0; i < 100; i++) {
        yield Buffer.alloc(20_000, i);
        await sleep(5);
      }
    }
    const sending = scu.sendMessage(1, command(0x0001, 1, true, CT), slow());
    const m = (await scp.receiveMessage())!;
    const reading = assert.rejects(
      (async () => {
        for await (const _ of m.dataSet!) {
          /* drain */
        }
      })(),
      AssociationClosedError,
    );
    const sent = assert.rejects(sending, AssociationClosedError);
    await sleep(30);
    await scp.release();
    await sent;
    await reading;
    assert.deepEqual(await scp.closed, { how: 'released', by: 'us' });
    assert.deepEqual(await scu.closed, { how: 'released', by: 'peer' });
  });

  test('release collision: both sides release at once (PS3.8 §7.2.2)', async () => {
    const { scu, scp } = await pair();
    await Promise.all([scu.release(), scp.release()]);
    assert.deepEqual(await scu.closed, { how: 'released', by: 'us' });
    assert.deepEqual(await scp.closed, { how: 'released', by: 'us' });
  });

  test('abort: the peer sees A-ABORT with our source and reason', async () => {
    const { scu, scp } = await pair();
    const waiting = scp.receiveMessage();
    scu.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof AssociationAbortedError && e.source === 0);
    assert.deepEqual(await scu.closed, { how: 'aborted', by: 'us', source: 0, reason: 0 });
    assert.deepEqual(await scp.closed, { how: 'aborted', by: 'peer', source: 0, reason: 0 });
    await scu.release(); // a no-op once closed
  });

  test('a connection that drops is reported with its code', async () => {
    const acceptor = await startAcceptor();
    const raw = await RawPeer.connect(acceptor.port);
    raw.send(rawRequest());
    assert.equal(((await raw.next()) as ControlPdu).type, 'A-ASSOCIATE-AC');
    const scp = (await acceptor.next())!;
    const waiting = scp.receiveMessage();
    raw.socket.destroy();
    await assert.rejects(waiting, TransportError);
    const info = await scp.closed;
    assert.equal(info.how, 'dropped');
  });
});

describe('protocol violations from a raw peer', () => {
  async function established(options: Partial<AcceptorOptions> = {}) {
    const acceptor = await startAcceptor(options);
    const raw = await RawPeer.connect(acceptor.port);
    raw.send(rawRequest());
    const ac = await raw.next();
    assert.equal((ac as ControlPdu).type, 'A-ASSOCIATE-AC');
    return { raw, scp: (await acceptor.next())! };
  }

  test('a P-DATA-TF larger than we announced is answered with A-ABORT (2, 6)', async () => {
    const { raw, scp } = await established({ maxPduLength: 4096 });
    raw.send({ type: 'P-DATA-TF', pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: Buffer.alloc(4091) }] });
    assert.deepEqual(await raw.next(), { type: 'A-ABORT', source: 2, reason: 6 });
    assert.deepEqual(await scp.closed, { how: 'aborted', by: 'us', source: 2, reason: 6 });
    await raw.ended;
  });

  test('an unknown PDU type is answered with A-ABORT (2, 1)', async () => {
    const { raw, scp } = await established();
    raw.send(Buffer.from([0x0a, 0, 0, 0, 0, 2, 0, 0]));
    assert.deepEqual(await raw.next(), { type: 'A-ABORT', source: 2, reason: 1 });
    assert.equal((await scp.closed).how, 'aborted');
  });

  test('a second A-ASSOCIATE-RQ is an unexpected PDU (2, 2)', async () => {
    const { raw, scp } = await established();
    raw.send(rawRequest());
    assert.deepEqual(await raw.next(), { type: 'A-ABORT', source: 2, reason: 2 });
    assert.deepEqual(await scp.closed, { how: 'aborted', by: 'us', source: 2, reason: 2 });
  });

  test('a PDV on a context that was not accepted is refused', async () => {
    const { raw, scp } = await established();
    raw.send({ type: 'P-DATA-TF', pdvs: [{ contextId: 5, isCommand: true, isLast: true, data: Buffer.alloc(10) }] });
    assert.equal(((await raw.next()) as ControlPdu).type, 'A-ABORT');
    assert.equal((await scp.closed).how, 'aborted');
  });

  test('a malformed A-ASSOCIATE-RQ is answered with A-ABORT and accept() resolves null', async () => {
    const acceptor = await startAcceptor();
    const raw = await RawPeer.connect(acceptor.port);
    const bytes = encodePdu(rawRequest());
    bytes.writeUInt16BE(0x7fff, 6 + 68 + 2); // application context item overruns the PDU
    raw.send(bytes);
    assert.deepEqual(await raw.next(), { type: 'A-ABORT', source: 2, reason: 6 });
    assert.equal(await acceptor.next(), null);
  });
});

describe('timers', () => {
  test('ARTIM: an acceptor gives up on a silent connection', async () => {
    const acceptor = await startAcceptor({ timeouts: { artimMs: 150 } });
    const raw = await RawPeer.connect(acceptor.port);
    const t0 = Date.now();
    assert.equal(await acceptor.next(), null);
    await raw.ended;
    assert.ok(Date.now() - t0 >= 100);
    assert.ok(acceptor.lines.some((l) => /ARTIM/.test(l)));
  });

  test('ARTIM: a requestor gives up on a peer that never answers, and the signal cancels', async () => {
    const server = createServer(() => {
      /* accepts and stays silent */
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await assert.rejects(
      Association.request(requestOptions(port, { timeouts: { artimMs: 150 } })),
      (e: unknown) => e instanceof TimeoutError && e.which === 'artim',
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user cancelled')), 50);
    await assert.rejects(Association.request(requestOptions(port, { signal: controller.signal })), /user cancelled/);
  });

  test('ARTIM: release without A-RELEASE-RP ends in a timeout and an abort', async () => {
    const server = createServer((socket) => {
      const peer = new RawPeer(socket);
      void peer.next().then(() =>
        peer.send({
          type: 'A-ASSOCIATE-AC',
          protocolVersion: 1,
          calledAeTitle: 'ARCHIVE',
          callingAeTitle: 'PRIORS',
          applicationContext: '1.2.840.10008.3.1.1.1',
          contexts: [{ id: 1, result: 0, transferSyntax: ILE }],
          userInfo: { maxLength: 16384, implementationClassUid: '1.2.3', roles: [], other: [] },
        }),
      );
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const scu = await Association.request(requestOptions((server.address() as { port: number }).port, { timeouts: { artimMs: 150 } }));
    assert.equal(scu.contexts.length, 1);
    await assert.rejects(scu.release(), (e: unknown) => e instanceof TimeoutError && e.which === 'artim');
    assert.equal((await scu.closed).how, 'aborted');
  });

  test('DIMSE: nothing received while waiting for a message, or in the middle of a data set', async () => {
    const { scu, scp } = await pair({ contexts: [{ abstractSyntax: CT, transferSyntaxes: [ELE] }] });
    await assert.rejects(scu.receiveMessage({ timeoutMs: 100 }), (e: unknown) => e instanceof TimeoutError && e.which === 'dimse');
    assert.deepEqual(await scp.closed, { how: 'aborted', by: 'peer', source: 0, reason: 0 });

    const second = await pair({ contexts: [{ abstractSyntax: CT, transferSyntaxes: [ELE] }] }, { timeouts: { dimseMs: 150 } });
    let release!: () => void;
    const stall = new Promise<void>((r) => {
      release = r;
    });
    async function* stalling() {
      yield Buffer.alloc(1000);
      await stall; // the sender stops half way
    }
    const sending = second.scu.sendMessage(1, command(0x0001, 1, true, CT), stalling());
    const m = (await second.scp.receiveMessage())!;
    await assert.rejects(
      (async () => {
        for await (const _ of m.dataSet!) {
          /* drain */
        }
      })(),
      (e: unknown) => e instanceof TimeoutError && e.which === 'dimse',
    );
    assert.deepEqual(await second.scu.closed, { how: 'aborted', by: 'peer', source: 0, reason: 0 });
    release();
    await assert.rejects(sending, AssociationAbortedError);
  });

  test('receiveMessage can be cancelled by a signal without ending the association', async () => {
    const { scu, scp } = await pair();
    const controller = new AbortController();
    const waiting = scp.receiveMessage({ signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.ok(scp.isOpen);
    await scu.sendMessage(1, command(0x0030, 1, false));
    assert.ok(await scp.receiveMessage());
    await scu.release();
  });
});
