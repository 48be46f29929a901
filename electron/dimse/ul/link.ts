/**
 * The transport under one association (PS3.8 §9.1: TCP): the socket with TCP_NODELAY, the
 * PDU framer reading it, pausing for backpressure (for several reasons at once), closing
 * gracefully, and opening a connection with the connect timer.
 */
import { connect, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { TimeoutError, TransportError } from './errors.js';
import { tlsModule } from './tls-module.js';
import { PduFramer, type FramerSink } from './framer.js';

/** Wait after end() before the socket is destroyed anyway. */
const CLOSE_GRACE_MS = 2_000;

/** A socket read through a PDU framer. */
export class UlLink {
  readonly framer: PduFramer;
  /** Date.now() of the last bytes received (for the DIMSE timer). */
  lastActivity = Date.now();
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
    socket.on('data', (chunk: Buffer) => {
      this.lastActivity = Date.now();
      this.framer.push(chunk);
      this.afterData?.();
    });
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
    const socket = tls
      ? tlsModule()
          .connect({ ...tls, host, port })
          .setNoDelay(true)
      : connect({ host, port, noDelay: true });
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
