/**
 * The transport under one association (PS3.8 §9.1: TCP): the socket with TCP_NODELAY, the
 * PDU framer reading it, pausing for backpressure (for several reasons at once), closing
 * gracefully, and opening a connection with the connect timer.
 *
 * A plain TCP socket is read into one buffer of the association's own, reused for every read
 * (Node's `onread`), instead of Node's default of a new 64 KiB buffer for each read handed
 * through the socket's Readable: that path pays an allocation, the first touch of fresh memory
 * and the stream's events for each 64 KiB, and reads no more than that whatever the PDU size
 * (docs/benchmarks.md compares both ways). So what the framer delivers is borrowed: valid
 * until it returns from the chunk (framer.ts says who copies what). TLS sockets keep the default.
 */
import { connect, Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { TimeoutError, TransportError } from './errors.js';
import { tlsModule } from './tls-module.js';
import { PduFramer, type FramerSink } from './framer.js';

/** Wait after end() before the socket is destroyed anyway. */
const CLOSE_GRACE_MS = 2_000;
/**
 * Bytes of an association's read buffer: one read takes what the kernel holds, up to this,
 * whatever the PDU size; the memory is per association and constant.
 */
export const READ_BUFFER_BYTES = 1024 * 1024;

/** A socket's own read buffer and where its reads go (until a link attaches: copies kept in order). */
class OwnReads {
  readonly buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private target: ((chunk: Buffer) => void) | undefined;
  private early: Buffer[] = [];

  /** Node's onread callback; true: go on reading (pausing is the link's, through the socket). */
  readonly onread = (n: number, buf: Uint8Array): boolean => {
    const chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
    if (this.target) this.target(chunk);
    else this.early.push(Buffer.from(chunk));
    return true;
  };

  attach(target: (chunk: Buffer) => void): void {
    this.target = target;
    const early = this.early;
    this.early = [];
    for (const chunk of early) target(chunk);
  }
}

const ownReads = new WeakMap<Socket, OwnReads>();

/**
 * The socket a plain TCP server accepted, read from now on into a buffer of its own (see above).
 * The server must have been created with `pauseOnConnect` (nothing read yet). The accepted
 * socket gives its handle to the returned one and is destroyed without closing it, so that the
 * server's connection count drops: the server's owner tracks and ends the returned socket.
 * Where Node's socket internals are not as expected, the accepted socket is returned as it is.
 */
export function readIntoOwnBuffer(accepted: Socket): Socket {
  const internal = accepted as unknown as { _handle: unknown };
  const handle = internal._handle;
  if (!handle || typeof (handle as { useUserBuffer?: unknown }).useUserBuffer !== 'function') {
    accepted.resume();
    return accepted;
  }
  const reads = new OwnReads();
  const options = { handle, onread: { buffer: reads.buffer, callback: reads.onread } } as unknown as ConstructorParameters<typeof Socket>[0];
  const socket = new Socket(options);
  internal._handle = null;
  accepted.destroy();
  ownReads.set(socket, reads);
  return socket;
}

/**
 * Sends the reads of a socket from {@link readIntoOwnBuffer} or {@link openConnection} to
 * `target`, each chunk borrowed until `target` returns; false for a socket read Node's default way.
 */
export function takeOwnReads(socket: Socket, target: (chunk: Buffer) => void): boolean {
  const reads = ownReads.get(socket);
  if (!reads) return false;
  reads.attach(target);
  socket.resume(); // flowing, so that the peer's FIN ends the socket
  return true;
}

/** A socket read through a PDU framer. */
export class UlLink {
  readonly framer: PduFramer;
  /** Date.now() of the last bytes received (for the DIMSE timer). */
  lastActivity = Date.now();
  /** Called before any received bytes are framed (the association finishes work deferred past its answers). */
  beforeData: (() => void) | undefined;
  /** Called after each received chunk has been framed (the association re-arms its DIMSE timer). */
  afterData: (() => void) | undefined;
  /** The first socket error, if any. */
  socketError: Error | undefined;
  /** True once the socket emitted 'close'. */
  isClosed = false;
  private readonly pauses = new Set<string>();
  private closeHandler: ((error: Error | undefined) => void) | undefined;

  constructor(
    readonly socket: Socket,
    maxPduLength: number,
    sink: FramerSink,
  ) {
    socket.setNoDelay(true);
    this.framer = new PduFramer(sink, maxPduLength);
    // A yielded chunk stays in the read buffer: nothing is read until its rest is delivered, after
    // the microtasks of what was delivered (a store handler takes its data set there).
    this.framer.onYield = () => {
      this.pause('handoff', true);
      setImmediate(() => {
        this.beforeData?.();
        this.framer.continueChunk();
        if (!this.framer.yielded) this.pause('handoff', false);
      });
    };
    const onChunk = (chunk: Buffer) => {
      this.lastActivity = Date.now();
      this.beforeData?.();
      this.framer.push(chunk);
      this.afterData?.();
    };
    if (!takeOwnReads(socket, onChunk)) socket.on('data', onChunk);
    socket.on('error', (err) => {
      this.socketError ??= err;
    });
    socket.on('close', () => this.closedNow());
    // closed before this link was attached (e.g. between connect and negotiation)
    if (socket.destroyed) setImmediate(() => this.closedNow());
  }

  private closedNow(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeHandler?.(this.socketError);
  }

  /** Called once when the socket has closed, with its error if it had one. */
  onClose(handler: (error: Error | undefined) => void): void {
    this.closeHandler = handler;
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  /** Pauses reading while any reason holds. */
  pause(reason: string, paused: boolean): void {
    if (paused) {
      if (this.pauses.size === 0 && !this.isClosed) this.socket.pause();
      this.pauses.add(reason);
    } else if (this.pauses.delete(reason) && this.pauses.size === 0 && !this.isClosed) {
      this.socket.resume();
    }
  }

  /** Whether reading is paused for this reason. */
  isPaused(reason: string): boolean {
    return this.pauses.has(reason);
  }

  /** Writes bytes when the socket is still writable; false otherwise. */
  send(bytes: Uint8Array): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(bytes);
    return true;
  }

  /** Ends our side once queued writes are flushed, then destroys the socket (at the latest after a grace period). */
  close(): void {
    const s = this.socket;
    if (s.destroyed) return;
    const timer = setTimeout(() => s.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    s.once('close', () => clearTimeout(timer));
    s.end(() => s.destroy());
  }

  /** Destroys the socket now, after handing what is still corked (e.g. an A-ABORT) to the kernel. */
  destroy(): void {
    const s = this.socket;
    while (s.writableCorked > 0 && !s.destroyed) s.uncork();
    s.destroy();
  }
}

/** A TransportError from a Node socket error (code kept: ECONNREFUSED, ECONNRESET, ...). */
export function transportError(err: Error | undefined, what: string): TransportError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'ECONNRESET';
  const detail = err ? err.message : 'connection closed by the peer';
  return new TransportError(code, `${what}: ${detail}`, err ? { cause: err } : undefined);
}

/** Opens a TCP connection with the connect timer; rejects with TransportError, TimeoutError('connect') or the signal's reason. */
export function openConnection(host: string, port: number, timeoutMs: number, signal?: AbortSignal, tls?: ConnectionOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const reads = tls ? undefined : new OwnReads();
    const socket = tls
      ? tlsModule()
          .connect({ ...tls, host, port })
          .setNoDelay(true)
      : connect({ host, port, noDelay: true, onread: { buffer: reads!.buffer, callback: reads!.onread } });
    if (reads) ownReads.set(socket, reads);
    const connected = tls ? 'secureConnect' : 'connect'; // TLS: after the handshake (PS3.15 B.1)
    const done = (err?: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off(connected, onConnect);
      // until the link attaches its own listener, a late error must not go unhandled
      socket.on('error', () => {});
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    };
    const onError = (err: Error) => done(transportError(err, `cannot connect to ${host}:${port}`));
    const onConnect = () => done();
    const onAbort = () => done(abortReason(signal!));
    const timer = setTimeout(() => done(new TimeoutError('connect', `no TCP connection to ${host}:${port} within ${timeoutMs} ms`, timeoutMs)), timeoutMs);
    socket.once('error', onError);
    socket.once(connected, onConnect);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error a cancelled operation rejects with: the signal's reason when it is an Error. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error(typeof r === 'string' ? r : 'the operation was aborted');
  e.name = 'AbortError';
  return e;
}
