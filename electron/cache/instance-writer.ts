/**
 * The sink an incoming instance is streamed into: a temp file written with few system calls,
 * synchronously, on the thread that receives the data.
 *
 * The network delivers a data set as many PDV slices (about 16 KiB each). Each slice is kept
 * (by reference, not copied) until {@link BATCH_BYTES} have gathered, then they go out in one
 * writev: a 512×512 CT image costs two or three system calls. The writes are synchronous: a
 * write into the page cache is a memory copy of a few tens of microseconds, cheaper than the
 * round trip through the thread pool it would otherwise take, and the stream's callback waits
 * for it, so backpressure still reaches the socket and memory stays bounded whatever the
 * instance's size. (A disk that cannot keep up makes the kernel throttle these writes; the
 * receiving thread then waits as a C++ SCP's would.)
 *
 * When the stream finishes, with `sync` (durability 'instance') the file is fdatasynced through
 * the thread pool before 'finish': the bytes are on disk before the caller renames the file.
 * Without it the descriptor is not closed but kept for {@link takeDescriptor}: the file store
 * hands it to its group sync, which syncs and closes it a little later without opening the file
 * again. Like fs.WriteStream, the file is closed only once no sync is in flight (its descriptor
 * must not be reused under one).
 *
 * The network can also hand the data set's pieces straight to {@link sink}, without the Writable:
 * they are borrowed from the socket's read buffer, so they go out in one writev at the end of
 * each received chunk (an image spans a few), and the head keeps a copy of the first
 * {@link HEAD_COPY_BYTES} of them.
 *
 * The first {@link HEAD_BYTES} are kept (by reference) so that the header can be parsed
 * without reading the file back; 'written' is emitted once every byte is in the file (and the
 * fdatasync is under way), so the header can be parsed meanwhile. Chunks written must therefore
 * not be modified afterwards (socket and file reads never are).
 */
import { Writable } from 'node:stream';
import { closeSync, fdatasync, openSync, writevSync } from 'node:fs';

/** Bytes the stream buffers before it asks its source to wait. */
export const HIGH_WATER_MARK = 1024 * 1024;
/** Bytes gathered before one writev. */
export const BATCH_BYTES = 256 * 1024;
/** Bytes of the start of the file kept for parsing the header. */
export const HEAD_BYTES = 256 * 1024;
/**
 * Bytes of borrowed pieces copied for the head: an image's header is usually far shorter; a longer
 * one is read back from the file (from the page cache), which costs less than copying more of every image.
 */
export const HEAD_COPY_BYTES = 64 * 1024;

/** Where the network writes a data set's pieces directly (see the file comment); the shape of the network's data sink. */
export interface BorrowedSink {
  /** A piece, valid until chunkEnd. */
  write(bytes: Uint8Array): void;
  /** The pieces given so far are about to be overwritten: written now. */
  chunkEnd(): void;
  /** The last piece came: the file is finished as by end(). */
  end(): void;
  /** The data set will not be complete. */
  fail(error: Error): void;
}

type Callback = (error?: Error | null) => void;

/** A Writable over a new file (created with O_EXCL): batched synchronous writev, head kept, fdatasync or descriptor kept at the end. */
export class InstanceWriter extends Writable {
  private fd: number | undefined;
  /** The descriptor kept after the last write (no `sync`), until {@link takeDescriptor}. */
  private kept: number | undefined;
  private headParts: Uint8Array[] = [];
  private headLength = 0;
  private batch: Buffer[] = [];
  private batchLength = 0;
  /** The fdatasync is in flight. */
  private busy = false;
  /** The close to run once the sync in flight has finished (destroyed meanwhile). */
  private afterIo: (() => void) | undefined;
  /** Bytes taken so far (once 'written' is emitted: the file size). */
  size = 0;
  /** Bytes the file holds so far (once the stream has finished: the file size). */
  written = 0;

  constructor(
    readonly path: string,
    private readonly sync = true,
  ) {
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

  /**
   * The open descriptor of the finished file (no `sync`), once: the caller now owns it and must
   * close it. Undefined before the stream has finished, with `sync`, or when already taken.
   */
  takeDescriptor(): number | undefined {
    const fd = this.kept;
    this.kept = undefined;
    return fd;
  }

  /** The data set's pieces from the network, borrowed (see the file comment). */
  readonly sink: BorrowedSink = {
    write: (bytes) => {
      if (this.destroyed || bytes.length === 0) return;
      this.take(bytes, true);
    },
    chunkEnd: () => {
      if (this.destroyed) return;
      const error = this.flushBatch();
      if (error) this.destroy(error);
    },
    end: () => {
      if (this.destroyed) return;
      const error = this.flushBatch();
      if (error) this.destroy(error);
      else this.end();
    },
    fail: (error) => {
      this.destroy(error);
    },
  };

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: Callback): void {
    this.take(chunk);
    callback(this.batchLength >= BATCH_BYTES ? this.flushBatch() : null);
  }

  override _writev(chunks: { chunk: Uint8Array }[], callback: Callback): void {
    for (const c of chunks) this.take(c.chunk);
    callback(this.batchLength >= BATCH_BYTES ? this.flushBatch() : null);
  }

  override _final(callback: Callback): void {
    const error = this.flushBatch();
    if (error) return callback(error);
    const fd = this.fd;
    if (fd !== undefined && this.sync) {
      this.busy = true;
      fdatasync(fd, (e) => {
        this.busy = false;
        callback(e);
        const close = this.afterIo;
        this.afterIo = undefined;
        close?.();
      });
    } else {
      this.kept = fd;
      this.fd = undefined;
      callback();
    }
    this.emit('written');
  }

  override _destroy(error: Error | null, callback: Callback): void {
    const close = () => {
      let closeError: Error | null = null;
      if (this.fd !== undefined) {
        try {
          closeSync(this.fd);
        } catch (e) {
          closeError = e as Error;
        }
        this.fd = undefined;
      }
      callback(error ?? closeError);
    };
    this.batch = [];
    this.batchLength = 0;
    if (this.busy) this.afterIo = close;
    else close();
  }

  private take(chunk: Uint8Array, borrowed = false): void {
    if (chunk.length === 0) return;
    this.keepHead(chunk, borrowed);
    this.batch.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.batchLength += chunk.length;
    this.size += chunk.length;
  }

  /** Writes the gathered chunks in one writev (looping over short writes); the error, if any. */
  private flushBatch(): Error | null {
    const fd = this.fd;
    let buffers = this.batch;
    let length = this.batchLength;
    this.batch = [];
    this.batchLength = 0;
    if (length === 0 || fd === undefined) return null;
    try {
      for (;;) {
        const n = writevSync(fd, buffers, this.written);
        this.written += n;
        length -= n;
        if (length <= 0) return null;
        buffers = skip(buffers, n);
      }
    } catch (e) {
      return e as Error;
    }
  }

  private keepHead(chunk: Uint8Array, borrowed: boolean): void {
    const limit = borrowed ? HEAD_COPY_BYTES : HEAD_BYTES;
    if (this.headLength >= limit) return;
    const part = chunk.length <= limit - this.headLength ? chunk : chunk.subarray(0, limit - this.headLength);
    this.headParts.push(borrowed ? Buffer.from(part) : part);
    this.headLength += part.length;
  }
}

/** The buffers after the first n bytes. */
function skip(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (n >= b.length) {
      n -= b.length;
      continue;
    }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}
