/**
 * Splits a TCP byte stream into PDUs (PS3.8 §9.3). Control PDUs (everything but P-DATA-TF)
 * are small and delivered whole, decoded. P-DATA-TF PDUs are never buffered: each PDV item
 * (PS3.8 §9.3.5.1) is delivered as it arrives, in pieces that are views of the received
 * chunks (no copy). A P-DATA-TF longer than the Maximum Length we announced (PS3.8 D.1) is
 * an error, as are unknown PDU types and PDV items that do not fit their PDU.
 */
import { AbortReason, PduError } from './errors.js';
import { decodePduBody, type ControlPdu } from './pdu.js';
import { readU32 } from './bytes.js';

/** Where the framer delivers what it reads. */
export interface FramerSink {
  /** A whole control PDU (A-ASSOCIATE-*, A-RELEASE-*, A-ABORT). */
  pdu(pdu: ControlPdu): void;
  /**
   * A piece of a PDV: `control` is the message control header (bit 0 command, bit 1 last
   * fragment, PS3.8 E.2); `end` is true on the PDV's final piece (an empty PDV has one piece).
   * `bytes` is a view of the received chunk, valid until `chunkEnd`: copy what is kept longer.
   */
  pdv(contextId: number, control: number, bytes: Uint8Array, end: boolean): void;
  /** Every piece of the current chunk was delivered: the chunk's memory is reused after this. */
  chunkEnd?(): void;
  /** The stream broke the protocol; the framer delivers nothing more. */
  error(err: PduError): void;
}

/** Largest control PDU accepted (an A-ASSOCIATE-RQ with hundreds of contexts is far below it). */
export const MAX_CONTROL_PDU_LENGTH = 1 << 20;
const EMPTY = new Uint8Array(0);

const enum State {
  PduHeader,
  ControlBody,
  PdvHeader,
  PdvData,
  Dead,
}

/** The streaming PDU reader. Feed it with `push(chunk)`. */
export class PduFramer {
  private state = State.PduHeader;
  /** Partial 6-byte header (PDU header or PDV item header) when it straddles chunks. */
  private readonly head = Buffer.alloc(6);
  private headFill = 0;
  private control: Buffer | null = null;
  private controlFill = 0;
  private pduRemaining = 0;
  private pdvRemaining = 0;
  private pdvContext = 0;
  private pdvControl = 0;
  private held = false;
  private pending: Buffer | null = null;
  /** Delivery stops after the current unit (yieldChunk). */
  private yielding = false;
  /** The rest of a chunk left unread by yieldChunk, still borrowed: the link reads nothing until continueChunk. */
  private rest: Buffer | null = null;
  /** Told when delivery stopped with a borrowed rest (the link pauses reading, then calls continueChunk). */
  onYield: (() => void) | undefined;

  /**
   * @param sink receives PDUs, PDV pieces and errors
   * @param maxPduLength the Maximum Length we announced: the longest P-DATA-TF accepted (0 = unlimited)
   */
  constructor(
    private sink: FramerSink,
    public maxPduLength: number,
  ) {}

  /** Replaces the sink (negotiation hands the stream to the established association). */
  setSink(sink: FramerSink): void {
    this.sink = sink;
  }

  /** Stops delivering after the current unit; bytes still to read are kept until `release()`. */
  hold(): void {
    this.held = true;
  }

  /** Resumes delivery, starting with the bytes kept while held. */
  release(): void {
    this.held = false;
    const rest = this.pending;
    this.pending = null;
    if (rest) this.push(rest);
  }

  /**
   * Stops delivering after the current unit and keeps the rest of the chunk, uncopied, until
   * continueChunk(): what was just delivered (a C-STORE-RQ) gets a turn to take its data set
   * directly before the data set's pieces come. The chunk's memory stays valid because the link
   * reads nothing meanwhile ({@link onYield}).
   */
  yieldChunk(): void {
    this.yielding = true;
  }

  /** Whether a yielded chunk's rest waits for continueChunk(). */
  get yielded(): boolean {
    return this.rest !== null;
  }

  /** Delivers the rest of a yielded chunk (which may yield again). */
  continueChunk(): void {
    const rest = this.rest;
    this.rest = null;
    if (rest) this.deliverChunk(rest);
  }

  /** True after an error: the stream is no longer read. */
  /** Whether a PDU has begun to arrive and is not complete (a peer that stops here is stuck mid-PDU). */
  get midPdu(): boolean {
    return this.headFill > 0 || this.state !== State.PduHeader;
  }

  get dead(): boolean {
    return (this.state as State) === State.Dead;
  }

  /** Reads one received chunk, borrowed until this returns (PDV pieces are views of it, see above). */
  push(chunk: Buffer): void {
    if (this.dead) return;
    if (this.held || this.pending) {
      this.pending = Buffer.concat(this.pending ? [this.pending, chunk] : [chunk]);
      return;
    }
    if (this.rest) {
      this.rest = Buffer.concat([this.rest, chunk]); // not expected: the link waits for continueChunk
      return;
    }
    this.deliverChunk(chunk);
  }

  private deliverChunk(chunk: Buffer): void {
    this.read(chunk);
    if (this.dead) return;
    if (this.rest) this.onYield?.();
    else this.sink.chunkEnd?.();
  }

  private read(chunk: Buffer): void {
    let pos = 0;
    const n = chunk.length;
    while (pos < n && !this.held && !this.dead && !this.yielding) {
      switch (this.state) {
        case State.PduHeader:
        case State.PdvHeader: {
          let h: Buffer;
          let at: number;
          if (this.headFill === 0 && n - pos >= 6) {
            h = chunk;
            at = pos;
            pos += 6;
          } else {
            const take = Math.min(6 - this.headFill, n - pos);
            chunk.copy(this.head, this.headFill, pos, pos + take);
            this.headFill += take;
            pos += take;
            if (this.headFill < 6) continue;
            this.headFill = 0;
            h = this.head;
            at = 0;
          }
          if (this.state === State.PduHeader) this.onPduHeader(h[at]!, readU32(h, at + 2));
          else this.onPdvHeader(readU32(h, at), h[at + 4]!, h[at + 5]!);
          break;
        }
        case State.ControlBody: {
          const buf = this.control!;
          const take = Math.min(buf.length - this.controlFill, n - pos);
          chunk.copy(buf, this.controlFill, pos, pos + take);
          this.controlFill += take;
          pos += take;
          if (this.controlFill === buf.length) this.onControlBody(buf);
          break;
        }
        case State.PdvData: {
          const take = Math.min(this.pdvRemaining, n - pos);
          this.pdvRemaining -= take;
          const done = this.pdvRemaining === 0;
          const piece = chunk.subarray(pos, pos + take);
          pos += take;
          if (done) {
            this.afterPdv();
            if (this.dead) break;
          }
          this.sink.pdv(this.pdvContext, this.pdvControl, piece, done);
          break;
        }
      }
    }
    if (this.yielding) {
      this.yielding = false;
      if (pos < n && !this.held && !this.dead) this.rest = chunk.subarray(pos);
    }
    if (pos < n && this.held && !this.dead) this.pending = Buffer.from(chunk.subarray(pos));
  }

  private fail(message: string, reason: number): void {
    this.state = State.Dead;
    this.control = null;
    this.pending = null;
    this.rest = null;
    this.sink.error(new PduError(message, reason));
  }

  private onPduHeader(type: number, length: number): void {
    if (type === 0x04) {
      // PS3.8 D.1: the Maximum Length bounds the variable field of a P-DATA-TF
      if (this.maxPduLength > 0 && length > this.maxPduLength) {
        this.fail(`P-DATA-TF of ${length} bytes exceeds the maximum length of ${this.maxPduLength} we announced`, AbortReason.InvalidPduParameterValue);
        return;
      }
      if (length < 6) {
        this.fail(`P-DATA-TF of ${length} bytes cannot hold a PDV item`, AbortReason.InvalidPduParameterValue);
        return;
      }
      this.pduRemaining = length;
      this.state = State.PdvHeader;
      return;
    }
    if (type < 0x01 || type > 0x07) {
      this.fail(`unrecognized PDU type 0x${type.toString(16).padStart(2, '0')}`, AbortReason.UnrecognizedPdu);
      return;
    }
    if (length > MAX_CONTROL_PDU_LENGTH) {
      this.fail(`PDU type 0x0${type} of ${length} bytes is larger than ${MAX_CONTROL_PDU_LENGTH}`, AbortReason.InvalidPduParameterValue);
      return;
    }
    const buf = Buffer.allocUnsafe(6 + length);
    buf[0] = type;
    buf[1] = 0;
    buf.writeUInt32BE(length, 2);
    this.control = buf;
    this.controlFill = 6;
    this.state = State.ControlBody;
    if (length === 0) this.onControlBody(buf);
  }

  private onControlBody(buf: Buffer): void {
    this.control = null;
    this.state = State.PduHeader;
    let pdu: ControlPdu;
    try {
      pdu = decodePduBody(buf[0]!, buf.subarray(6)) as ControlPdu;
    } catch (err) {
      if (err instanceof PduError) this.fail(err.message, err.reason);
      else this.fail(`undecodable PDU: ${(err as Error).message}`, AbortReason.InvalidPduParameterValue);
      return;
    }
    this.sink.pdu(pdu);
  }

  private onPdvHeader(itemLength: number, contextId: number, control: number): void {
    if (itemLength < 2 || itemLength + 4 > this.pduRemaining) {
      this.fail(`PDV item length ${itemLength} does not fit the ${this.pduRemaining} bytes left in its P-DATA-TF`, AbortReason.InvalidPduParameterValue);
      return;
    }
    this.pduRemaining -= itemLength + 4;
    this.pdvContext = contextId;
    this.pdvControl = control;
    this.pdvRemaining = itemLength - 2;
    if (this.pdvRemaining > 0) {
      this.state = State.PdvData;
      return;
    }
    this.afterPdv();
    if (!this.dead) this.sink.pdv(contextId, control, EMPTY, true);
  }

  /** After the last byte of a PDV item: next item of the same PDU, or the next PDU. */
  private afterPdv(): void {
    if (this.pduRemaining === 0) this.state = State.PduHeader;
    else if (this.pduRemaining < 6) this.fail(`${this.pduRemaining} stray bytes after the last PDV item of a P-DATA-TF`, AbortReason.InvalidPduParameterValue);
    else this.state = State.PdvHeader;
  }
}
