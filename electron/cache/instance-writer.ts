/**
 * The sink an incoming instance is streamed into: a temp file written with few system calls.
 *
 * The network delivers a data set as many PDV slices (about 16 KiB each). Writing each through
 * fs.WriteStream costs one thread-pool round trip per slice and pauses the socket at every
 * 16 KiB high-water mark, which made the receive path latency-bound. This writer keeps one
 * writev in flight whenever it has bytes: what arrives meanwhile is buffered by the stream and
 * goes out in the next writev, so a burst costs a couple of writes (the first one, with the
 * file meta information, starts at once and overlaps the burst), and a slow sender's slices go
 * out as they come. The write callback waits for the writev, so backpressure reaches the
 * socket and memory stays bounded by the high-water mark whatever the instance's size. With
 * `sync` (durability 'instance') the final step is fdatasync: the bytes are on disk before the
 * caller renames the file; without it the file store syncs them a little later, in a group. Like
 * fs.WriteStream, the file is closed only once no write or sync is in flight (its descriptor
 * must not be reused under one).
 *
 * The first {@link HEAD_BYTES} are kept (by reference, not copied) so that the header can be
 * parsed without reading the file back; 'written' is emitted once every byte is in the file
 * and the fdatasync is under way, so the header can be parsed meanwhile. Chunks written must
 * therefore not be modified afterwards (socket and file reads never are).
 */
import { Writable } from 'node:stream';
import { closeSync, fdatasync, openSync, writev } from 'node:fs';

/** Bytes the stream buffers while a writev runs before it asks its source to wait (a burst of the network fits). */
export const HIGH_WATER_MARK = 1024 * 1024;
/** Bytes of the start of the file kept for parsing the header. */
export const HEAD_BYTES = 256 * 1024;

type Callback = (error?: Error | null) => void;

/** A Writable over a new file (created with O_EXCL): one writev in flight, head kept, fdatasync at the end. */
export class InstanceWriter extends Writable {
  private fd: number | undefined;
  private headParts: Uint8Array[] = [];
  private headLength = 0;
  /** A writev or the fdatasync is in flight. */
  private busy = false;
  /** The close to run once the I/O in flight has finished (destroyed meanwhile). */
  private afterIo: (() => void) | undefined;
  /** Bytes taken so far (once 'written' is emitted: the file size). */
  size = 0;
  /** Bytes the file holds so far (once the stream has finished: the file size). */
  written = 0;

  constructor(readonly path: string, private readonly sync = true) {
    super({ highWaterMark: HIGH_WATER_MARK, decodeStrings: false });
    this.fd = openSync(path, 'wx');
  }

  /**
   * The first bytes of the file in one piece: at least `minLength` of them when the head holds
   * that many (up to HEAD_BYTES; all of the file when it is smaller). Only the parts needed are
   * joined, so asking for a few KiB does not copy the whole head.
   */
  head(minLength = HEAD_BYTES): Uint8Array {
    const parts = this.headParts;
    let n = 0;
    let length = 0;
    while (n < parts.length && length < minLength) length += parts[n++]!.length;
    if (n > 1) parts.splice(0, n, Buffer.concat(parts.slice(0, n), length));
    return parts[0] ?? new Uint8Array(0);
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: Callback): void {
    this.writeChunks([chunk], callback);
  }

  override _writev(chunks: { chunk: Uint8Array }[], callback: Callback): void {
    this.writeChunks(chunks.map((c) => c.chunk), callback);
  }

  override _final(callback: Callback): void {
    const fd = this.fd;
    if (fd === undefined || !this.sync) {
      this.emit('written');
      return callback();
    }
    this.io((done) => fdatasync(fd, done), callback);
    this.emit('written');
  }

  override _destroy(error: Error | null, callback: Callback): void {
    const close = () => {
      let closeError: Error | null = null;
      if (this.fd !== undefined) {
        try { closeSync(this.fd); } catch (e) { closeError = e as Error; }
        this.fd = undefined;
      }
      callback(error ?? closeError);
    };
    if (this.busy) this.afterIo = close;
    else close();
  }

  /** Appends the chunks to the file in one writev (looping over short writes). */
  private writeChunks(chunks: Uint8Array[], callback: Callback): void {
    const buffers: Buffer[] = [];
    let length = 0;
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      this.keepHead(chunk);
      buffers.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      length += chunk.length;
    }
    const fd = this.fd;
    if (length === 0 || fd === undefined) return callback();
    const position = this.size;
    this.size += length;
    this.io((done) => writeAll(fd, buffers, position, length, done), (error) => {
      if (!error) this.written += length;
      callback(error);
    });
  }

  private keepHead(chunk: Uint8Array): void {
    if (this.headLength >= HEAD_BYTES) return;
    const part = chunk.length <= HEAD_BYTES - this.headLength ? chunk : chunk.subarray(0, HEAD_BYTES - this.headLength);
    this.headParts.push(part);
    this.headLength += part.length;
  }

  /** Runs one I/O step; a close requested meanwhile waits for it. */
  private io(step: (done: Callback) => void, callback: Callback): void {
    this.busy = true;
    step((error) => {
      this.busy = false;
      callback(error);
      const close = this.afterIo;
      this.afterIo = undefined;
      close?.();
    });
  }
}

/** Writes all the buffers at `position`, looping over short writes. */
function writeAll(fd: number, buffers: Buffer[], position: number, length: number, done: Callback): void {
  writev(fd, buffers, position, (error, n) => {
    if (error) return done(error);
    if (n >= length) return done();
    writeAll(fd, skip(buffers, n), position + n, length - n, done);
  });
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
