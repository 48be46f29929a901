// A scripted DICOM peer over a raw TCP socket, for protocol corner cases (after pynetdicom's
// tests/parrot.py): it sends whatever bytes a test builds (valid PDUs through
// electron/dimse/ul/pdu.ts, or garbage) and reads back whole PDUs, undecoded when they do not
// decode. Every wait is bounded; `destroy()` drops the connection at once.
import { connect, type Socket } from 'node:net';
import { decodeDataSet, encodeDataSet, encodingOf, IMPLICIT_LITTLE_ENDIAN } from '../../shared/dicom/codec.js';
import { getNumber, getString, type DataSet } from '../../shared/dicom/dataset.js';
import { echoRq, storeRq } from '../../electron/dimse/command.js';
import { encodeCommand } from '../../electron/dimse/ul/messages.js';
import {
  decodePdu,
  encodePdu,
  type AssociateAcPdu,
  type Pdu,
  type Pdv,
  type PresentationContextProposal,
  type UserInformation,
} from '../../electron/dimse/ul/pdu.js';

export const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
export const VERIFICATION = '1.2.840.10008.1.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** One PDU read from the wire: its type code, its bytes, and the decoded PDU when it decodes. */
export interface RawPdu {
  typeCode: number;
  bytes: Buffer;
  pdu?: Pdu;
}

/** What ended a wait for a PDU. */
export type ReadOutcome = RawPdu | { closed: true } | { timeout: true };

/** A raw TCP connection to a DICOM peer. */
export class RawPeer {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;
  /** Resolves when the socket is closed (by either side). */
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('error', () => {
      /* a reset by the peer is an outcome the tests read through `closed` */
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** Opens a connection to host:port (rejects after timeoutMs, default 5 s). */
  static connect(host: string, port: number, timeoutMs = 5000): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RawPeer(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Whether the socket has closed. */
  get isClosed(): boolean {
    return this.ended;
  }

  /** Writes bytes; resolves when they are handed to the kernel (or at once if the socket is gone). */
  send(bytes: Uint8Array): Promise<void> {
    if (this.ended || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** Reads the next whole PDU, or says the socket closed or nothing came within timeoutMs. */
  async readPdu(timeoutMs = 5000): Promise<ReadOutcome> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      if (this.buffer.length >= 6) {
        const length = this.buffer.readUInt32BE(2);
        if (this.buffer.length >= 6 + length) {
          const bytes = this.buffer.subarray(0, 6 + length);
          this.buffer = this.buffer.subarray(6 + length);
          const out: RawPdu = { typeCode: bytes[0]!, bytes: Buffer.from(bytes) };
          try {
            out.pdu = decodePdu(bytes);
          } catch {
            /* left undecoded */
          }
          return out;
        }
      }
      if (this.ended) return { closed: true };
      const left = deadline - Date.now();
      if (left <= 0) return { timeout: true };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until the socket closes; true if it did within timeoutMs. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return r;
  }

  /** Drops the connection at once (TCP reset/close without A-RELEASE or A-ABORT). */
  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Reads PDUs until one DIMSE command set has arrived whole (PS3.8 E.2: the command PDV with
   * the last-fragment bit) and decodes it. Returns undefined if a non-P-DATA PDU comes, the
   * socket closes or time runs out; `other` then says what came instead.
   */
  async readCommand(timeoutMs = 10000): Promise<{ command?: DataSet; contextId?: number; other?: ReadOutcome }> {
    const deadline = Date.now() + timeoutMs;
    const parts: Uint8Array[] = [];
    while (true) {
      const r = await this.readPdu(Math.max(0, deadline - Date.now()));
      if (!('typeCode' in r) || r.pdu?.type !== 'P-DATA-TF') return { other: r };
      for (const pdv of r.pdu.pdvs) {
        if (!pdv.isCommand) continue;
        parts.push(pdv.data);
        if (pdv.isLast) {
          const command = decodeDataSet(Buffer.concat(parts), IMPLICIT_LITTLE_ENDIAN).dataSet;
          return { command, contextId: pdv.contextId };
        }
      }
    }
  }
}

/** A-ASSOCIATE-RQ fields; contexts default to Verification in Implicit VR Little Endian. */
export interface AssociateOptions {
  calledAeTitle: string;
  callingAeTitle?: string;
  contexts?: PresentationContextProposal[];
  /** Maximum Length we announce (default 16384). */
  maxPduLength?: number;
  /** Replaces fields of the User Information item (e.g. `other` to append raw sub-items). */
  userInfo?: Partial<UserInformation>;
}

/** Encodes an A-ASSOCIATE-RQ (PS3.8 §9.3.2) with electron/dimse's encoder. */
export function associateRq(o: AssociateOptions): Buffer {
  return encodePdu({
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: 1,
    calledAeTitle: o.calledAeTitle,
    callingAeTitle: o.callingAeTitle ?? 'RAWPEER',
    applicationContext: APPLICATION_CONTEXT,
    contexts: o.contexts ?? [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
    userInfo: { maxLength: o.maxPduLength ?? 16384, implementationClassUid: '1.2.826.0.1.3680043.10.1.99', roles: [], other: [], ...o.userInfo },
  });
}

/** A P-DATA-TF holding the given PDVs. */
export function pData(pdvs: Pdv[]): Buffer {
  return encodePdu({ type: 'P-DATA-TF', pdvs });
}

/** A PDU header (PS3.8 §9.3.1: type, reserved, 32-bit big-endian length) in front of `body`. */
export function rawPdu(typeCode: number, body: Uint8Array, announcedLength = body.length): Buffer {
  const head = Buffer.alloc(6);
  head[0] = typeCode;
  head.writeUInt32BE(announcedLength >>> 0, 2);
  return Buffer.concat([head, body]);
}

/** A-RELEASE-RQ (PS3.8 §9.3.6). */
export function releaseRq(): Buffer {
  return encodePdu({ type: 'A-RELEASE-RQ' });
}

/** Connects and negotiates; throws unless an A-ASSOCIATE-AC comes back. */
export async function openAssociation(host: string, port: number, o: AssociateOptions): Promise<{ peer: RawPeer; ac: AssociateAcPdu }> {
  const peer = await RawPeer.connect(host, port);
  await peer.send(associateRq(o));
  const r = await peer.readPdu(10000);
  if (!('typeCode' in r) || r.pdu?.type !== 'A-ASSOCIATE-AC') {
    peer.destroy();
    throw new Error(`expected A-ASSOCIATE-AC, got ${'typeCode' in r ? (r.pdu?.type ?? `type 0x${r.typeCode.toString(16)}`) : JSON.stringify(r)}`);
  }
  return { peer, ac: r.pdu };
}

/** The command set of a DIMSE message as P-DATA-TF bytes (one PDV, command, last). */
export function commandPdu(contextId: number, command: DataSet): Buffer {
  return pData([{ contextId, isCommand: true, isLast: true, data: encodeCommand(command) }]);
}

/** Data set bytes as P-DATA-TF PDUs of at most `fragment` bytes each, the last one flagged. */
export function dataPdus(contextId: number, data: Uint8Array, fragment = 16000): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length || at === 0; at += fragment) {
    const end = Math.min(data.length, at + fragment);
    out.push(pData([{ contextId, isCommand: false, isLast: end >= data.length, data: data.subarray(at, end) }]));
    if (end >= data.length) break;
  }
  return out;
}

/** C-ECHO over an open raw association; returns the response Status (0000,0900). */
export async function rawEcho(peer: RawPeer, contextId: number, messageId = 1): Promise<number | undefined> {
  await peer.send(commandPdu(contextId, echoRq({ messageId })));
  const r = await peer.readCommand();
  return r.command ? getNumber(r.command, 0x00000900) : undefined;
}

/** A C-STORE-RQ command set (PS3.7 §9.3.1.1) announcing a data set. */
export function storeCommand(o: { sopClassUid: string; sopInstanceUid: string; messageId?: number }): DataSet {
  return storeRq({ messageId: o.messageId ?? 1, affectedSopClassUid: o.sopClassUid, affectedSopInstanceUid: o.sopInstanceUid });
}

/** The result of {@link rawStore}: the C-STORE-RSP status and Error Comment, or what came instead. */
export interface RawStoreResult {
  status?: number;
  errorComment?: string;
  other?: ReadOutcome;
}

/**
 * Sends a C-STORE-RQ (command announcing `sopInstanceUid`) and the data set bytes (already in
 * the context's transfer syntax) in PDVs of at most `fragment` bytes (default 16000), then
 * reads the C-STORE-RSP.
 */
export async function rawStore(
  peer: RawPeer,
  contextId: number,
  o: { sopClassUid: string; sopInstanceUid: string; dataSet: Uint8Array; messageId?: number; fragment?: number },
): Promise<RawStoreResult> {
  await peer.send(commandPdu(contextId, storeCommand(o)));
  for (const pdu of dataPdus(contextId, o.dataSet, o.fragment)) await peer.send(pdu);
  const r = await peer.readCommand(30000);
  if (!r.command) return r.other ? { other: r.other } : {};
  const out: RawStoreResult = {};
  const status = getNumber(r.command, 0x00000900);
  if (status !== undefined) out.status = status;
  const comment = getString(r.command, 0x00000902);
  if (comment !== undefined) out.errorComment = comment;
  return out;
}

/** Encodes a data set in a transfer syntax (for building C-STORE data sets by hand). */
export function encodeIn(ds: DataSet, transferSyntaxUid: string): Uint8Array {
  return encodeDataSet(ds, encodingOf(transferSyntaxUid));
}
