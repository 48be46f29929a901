/**
 * The sink an incoming instance is streamed into: a temp file written with few system calls.
 *
 * The network delivers a data set as many PDV slices (about 16 KiB each). Writing each through
 * fs.WriteStream costs one thread-pool round trip per slice and pauses the socket at every
 * 16 KiB high-water mark, which made the receive path latency-bound. This writer instead
 * gathers slices up to {@link FLUSH_BYTES} and hands them to one writev; its write callback
 * waits for that writev, so backpressure still reaches the socket and memory stays bounded
 * (at most FLUSH_BYTES pending per instance, whatever the instance's size). It also keeps the
 * first {@link HEAD_BYTES} in memory so the header can be parsed without reading the file back,
 * and its final step is fdatasync: the bytes are on disk before the caller renames the file.
 */
import { Writable } from 'node:stream';
import { closeSync, fdatasync, openSync, writev } from 'node:fs';

/** Bytes gathered before one writev (and the most held per instance). */
export const FLUSH_BYTES = 1024 * 1024;
/** Bytes of the start of the file kept for parsing the header. */
export const HEAD_BYTES = 256 * 1024;

/** A Writable over a new file (created with O_EXCL): writev batches, head kept, fdatasync at the end. */
export class InstanceWriter extends Writable {
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private headParts: Uint8Array[] = [];
  private headLength = 0;
  /** Bytes handed to the file so far (after the final flush: the file size). */
  written = 0;

  constructor(readonly path: string) {
    super({ highWaterMark: FLUSH_BYTES, decodeStrings: false });
    this.fd = openSync(path, 'wx');
  }

  /** The first bytes of the file (up to HEAD_BYTES; all of it when smaller). */
  head(): Uint8Array {
    if (this.headParts.length > 1) this.headParts = [Buffer.concat(this.headParts, this.headLength)];
    return this.headParts[0] ?? new Uint8Array(0);
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk);
    if (this.pendingBytes >= FLUSH_BYTES) this.flush(callback);
    else callback();
  }

  override _writev(chunks: { chunk: Uint8Array }[], callback: (error?: Error | null) => void): void {
    for (const { chunk } of chunks) this.take(chunk);
    if (this.pendingBytes >= FLUSH_BYTES) this.flush(callback);
    else callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flush((error) => {
      if (error || this.fd === undefined) return callback(error);
      fdatasync(this.fd, (e) => callback(e));
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    let closeError: Error | null = null;
    if (this.fd !== undefined) {
      try { closeSync(this.fd); } catch (e) { closeError = e as Error; }
      this.fd = undefined;
    }
    this.pending = [];
    callback(error ?? closeError);
  }

  private take(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.headLength < HEAD_BYTES) {
      // copy: the chunk may be a slice of a socket buffer that is reused for the next read
      const part = new Uint8Array(Math.min(chunk.length, HEAD_BYTES - this.headLength));
      part.set(chunk.subarray(0, part.length));
      this.headParts.push(part);
      this.headLength += part.length;
    }
  }

  /** Writes everything pending at the current end of the file (looping over short writes). */
  private flush(callback: (error?: Error | null) => void): void {
    if (this.pendingBytes === 0 || this.fd === undefined) return callback();
    const buffers = this.pending.map((c) => (Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.length)));
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const fd = this.fd;
    const step = (bufs: Buffer[], remaining: number): void => {
      writev(fd, bufs, this.written, (error, n) => {
        if (error) return callback(error);
        this.written += n;
        if (n >= remaining) return callback();
        step(skip(bufs, n), remaining - n);
      });
    };
    step(buffers, total);
  }
}

/** The buffers after the first n bytes. */
function skip(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (n >= b.length) { n -= b.length; continue; }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}
