/**
 * Writes PDUs to the socket. Message fragments go out as P-DATA-TF PDUs of one PDV each
 * (PS3.8 §9.3.5, Annex E), no larger than the peer's Maximum Length (PS3.8 D.1). Data set
 * bytes are never copied: each PDU is a 12-byte header (from a shared slab) followed by
 * views of the caller's buffers. Everything written in one turn of the event loop (a command
 * and its data set, a burst of C-FIND responses) is held under cork and handed to the kernel
 * as one writev in the loop's check phase (setImmediate), or earlier when the writer must wait
 * for drain: one system call instead of one per PDU. After each PDU the writer waits for drain
 * when the socket's buffer is full.
 */
import type { Socket } from 'node:net';

/** The data set bytes of an outgoing message. A Readable is an AsyncIterable of Buffers. */
export type DataSource = Uint8Array | AsyncIterable<Uint8Array>;

/** PDU header (6) + PDV item header (6): PS3.8 §9.3.5 and §9.3.5.1. */
const PDV_PDU_HEADER = 12;
const SLAB_SIZE = 64 * 1024;
/** PDVs up to this many data bytes are copied into one buffer with their header. */
const SMALL_PDU = 2048;
/**
 * Bytes queued on the socket before the writer waits for drain. Waiting at Node's default
 * 16 KiB mark costs a turn of the event loop for every PDU of 16 KiB; 1 MiB keeps the kernel
 * fed and memory per association bounded.
 */
const WRITE_QUEUE_LIMIT = 1024 * 1024;
/** Fragment size when the peer announced no limit (Maximum Length 0). */
const UNLIMITED_FRAGMENT = 1024 * 1024;

/** The data bytes one PDV may carry when the peer receives P-DATA-TF PDUs of at most `peerMaxPduLength`. */
export function maxFragmentLength(peerMaxPduLength: number): number {
  if (peerMaxPduLength === 0) return UNLIMITED_FRAGMENT;
  // PDU variable field = PDV item length field (4) + context id (1) + control header (1) + data
  return Math.max(1, peerMaxPduLength - 6);
}

/** P-DATA-TF header then PDV item header (PS3.8 §9.3.5, §9.3.5.1, E.2) for one PDV of `length` data bytes. */
function writeHeader(h: Buffer, contextId: number, control: number, length: number): void {
  h[0] = 0x04;
  h[1] = 0;
  h.writeUInt32BE(length + 6, 2);
  h.writeUInt32BE(length + 2, 6);
  h[10] = contextId;
  h[11] = control;
}

/** Writes PDUs for one association's socket. */
export class PduWriter {
  private slab = Buffer.allocUnsafe(SLAB_SIZE);
  private slabPos = 0;
  /** Whether our turn-long cork is on (see {@link flush}). */
  private corked = false;

  /**
   * @param socket the association's socket
   * @param closedError the error to raise when the socket is gone (the association's close reason)
   * @param refusal checked before each P-DATA-TF: an error when the association may no longer
   *   carry data (e.g. the peer's A-RELEASE-RQ was answered while a data set was being sent)
   */
  constructor(
    private readonly socket: Socket,
    private readonly closedError: () => Error,
    private readonly refusal: () => Error | undefined = () => undefined,
  ) {}

  /**
   * Whether every byte written so far is with the kernel: nothing corked, queued or in flight,
   * so no buffer handed to {@link sendPart} is referenced by a write any more.
   */
  get allWritten(): boolean {
    return !this.corked && this.socket.writableLength === 0;
  }

  /** Whether bytes can still be written. */
  get writable(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  /** Writes one whole PDU (control PDUs). Throws the close reason when the socket is gone. */
  writePdu(bytes: Uint8Array): void {
    if (!this.writable) throw this.closedError();
    this.corkForTurn();
    this.socket.write(bytes);
  }

  /** Corks the socket until the end of this turn of the event loop (the first write of a turn does). */
  private corkForTurn(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(this.flush);
  }

  /** Hands the PDUs written so far to the kernel (one writev). Idempotent. */
  readonly flush = (): void => {
    if (!this.corked) return;
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  };

  /**
   * Sends one message part (command or data set) as PDVs of at most `maxFragment` bytes,
   * the last one flagged last-fragment (PS3.8 E.2). An empty part is one empty last PDV.
   */
  async sendPart(contextId: number, isCommand: boolean, source: DataSource, maxFragment: number): Promise<void> {
    const cmd = isCommand ? 1 : 0;
    if (source instanceof Uint8Array) {
      let pos = 0;
      const n = source.length;
      do {
        const len = Math.min(maxFragment, n - pos);
        const last = pos + len === n;
        this.writePdv(contextId, cmd | (last ? 2 : 0), [source.subarray(pos, pos + len)], len);
        pos += len;
        if (this.mustWait()) await this.drain();
      } while (pos < n);
      return;
    }
    // A stream: keep what has arrived in `pieces` and send a full fragment whenever more than
    // one fragment's worth is held, so that the final PDV (the one flagged last) is never empty.
    let pieces: Uint8Array[] = [];
    let held = 0;
    for await (const chunk of source) {
      if (!(chunk instanceof Uint8Array)) throw new TypeError('data set stream must yield bytes (Uint8Array/Buffer), not ' + typeof chunk);
      if (chunk.length === 0) continue;
      pieces.push(chunk);
      held += chunk.length;
      while (held > maxFragment) {
        const out: Uint8Array[] = [];
        let need = maxFragment;
        let i = 0;
        while (need > 0) {
          const p = pieces[i]!;
          if (p.length <= need) {
            out.push(p);
            need -= p.length;
            i++;
          } else {
            out.push(p.subarray(0, need));
            pieces[i] = p.subarray(need);
            need = 0;
          }
        }
        pieces = i > 0 ? pieces.slice(i) : pieces;
        held -= maxFragment;
        this.writePdv(contextId, cmd, out, maxFragment);
        if (this.mustWait()) await this.drain();
      }
    }
    this.writePdv(contextId, cmd | 2, pieces, held);
    if (this.mustWait()) await this.drain();
  }

  /** One P-DATA-TF with one PDV: header from the slab, then the pieces, in one writev. */
  private writePdv(contextId: number, control: number, pieces: Uint8Array[], length: number): void {
    if (!this.writable) throw this.closedError();
    const refused = this.refusal();
    if (refused) throw refused;
    if (length <= SMALL_PDU) {
      // a command or a small tail: one buffer and one write() cost less than a writev
      const b = Buffer.allocUnsafe(PDV_PDU_HEADER + length);
      writeHeader(b, contextId, control, length);
      let at = PDV_PDU_HEADER;
      for (const p of pieces) {
        b.set(p, at);
        at += p.length;
      }
      this.corkForTurn();
      this.socket.write(b);
      return;
    }
    if (this.slabPos + PDV_PDU_HEADER > SLAB_SIZE) {
      // a new slab: the old one stays referenced by writes still queued, and is never rewritten
      this.slab = Buffer.allocUnsafe(SLAB_SIZE);
      this.slabPos = 0;
    }
    const h = this.slab.subarray(this.slabPos, this.slabPos + PDV_PDU_HEADER);
    this.slabPos += PDV_PDU_HEADER;
    writeHeader(h, contextId, control, length);
    const s = this.socket;
    this.corkForTurn();
    s.write(h);
    for (const p of pieces) s.write(p);
  }

  /** Whether enough is queued that the writer should wait for the socket to drain. */
  private mustWait(): boolean {
    return this.socket.writableNeedDrain && this.socket.writableLength >= WRITE_QUEUE_LIMIT;
  }

  /** Resolves on 'drain'; rejects with the close reason if the socket closes first. */
  drain(): Promise<void> {
    const s = this.socket;
    if (!this.writable) return Promise.reject(this.closedError());
    this.flush(); // corked bytes never drain
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onClose = () => {
        cleanup();
        reject(this.closedError());
      };
      const cleanup = () => {
        s.off('drain', onDrain);
        s.off('close', onClose);
      };
      s.on('drain', onDrain);
      s.on('close', onClose);
    });
  }
}
