/**
 * Reads an instance's data set as it streams — in Explicit VR Little Endian layout: Explicit VR
 * Little Endian itself or an encapsulated syntax (PS3.5 A.2, A.4) — decoding only what comes
 * before Pixel Data (the header, which the caller may replace) and what comes after it (the
 * trailer: Digital Signatures, padding, private groups), while Pixel Data itself is passed on
 * byte for byte without being gathered, fragment by fragment when encapsulated. A multi-GB
 * multi-frame instance so costs the memory of its header.
 */
import { DicomParseError, EXPLICIT_LITTLE_ENDIAN, decodeDataSet, encodeDataSet } from '../../../shared/dicom/codec.js';
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { PIXEL_DATA } from '../../../shared/dicom/tags.js';
import { ITEM, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from '../../../shared/dicom/vr-layout.js';

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

/** What the caller does with the two decoded parts; undefined keeps a part's bytes as they are. */
export interface RewriteHooks {
  /** The elements before Pixel Data. */
  header(ds: DataSet): DataSet | undefined;
  /** The elements after Pixel Data (only called when there are some and a hook is given). */
  trailer?(ds: DataSet): DataSet | undefined;
}

/** An opened rewrite: the original header, what will be written for it, and the bytes to write. */
export interface Rewrite {
  original: DataSet;
  header: DataSet;
  body: AsyncIterable<Uint8Array>;
}

/** Bytes from an iterator, taken in pieces of known length without gathering more than asked. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;

  constructor(
    first: Buffer,
    private readonly it: AsyncIterator<Uint8Array>,
  ) {
    if (first.length) {
      this.chunks.push(first);
      this.size = first.length;
    }
  }

  /** Reads until `n` bytes are held; false when the stream ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.size < n && !this.ended) {
      const next = await this.it.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const b = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      if (b.length) {
        this.chunks.push(b);
        this.size += b.length;
      }
    }
    return this.size >= n;
  }

  /** The first `n` held bytes (after a successful {@link fill}), consumed. */
  take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    return all.subarray(0, n);
  }

  /** `n` bytes, passed on as they come (never gathered). */
  async *pass(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.size === 0 && !(await this.fill(1))) throw new DicomParseError(`The data set ends inside ${what}`, 0);
      const head = this.chunks[0]!;
      if (head.length <= left) {
        this.chunks.shift();
        this.size -= head.length;
        left -= head.length;
        yield head;
      } else {
        this.chunks[0] = head.subarray(left);
        this.size -= left;
        yield head.subarray(0, left);
        left = 0;
      }
    }
  }

  /** Everything left, gathered (the trailer is small). */
  async rest(): Promise<Buffer> {
    while (await this.fill(this.size + 1)) {
      /* read on */
    }
    return this.take(this.size);
  }
}

/** Reads until the header is complete; answers its bytes and what followed them. */
async function readHeader(it: AsyncIterator<Uint8Array>): Promise<{ header: DataSet; bytes: Buffer; after: Buffer }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  let tryAt = 0;
  for (;;) {
    if (ended || size >= tryAt) {
      const all = Buffer.concat(chunks, size);
      chunks.splice(0, chunks.length, all);
      const r = decodeDataSet(all, EXPLICIT_LITTLE_ENDIAN, { stopAtTag: PIXEL_DATA, allowTruncated: true });
      // stopped before an element at or after Pixel Data, or the whole data set read
      if (!r.truncated && (r.bytesRead < all.length || ended))
        return { header: r.dataSet, bytes: all.subarray(0, r.bytesRead), after: all.subarray(r.bytesRead) };
      if (ended) throw new DicomParseError('The data set ends inside an element before Pixel Data', r.bytesRead);
      tryAt = Math.max(size * 2, 64 * 1024);
    }
    const next = await it.next();
    if (next.done) {
      ended = true;
      continue;
    }
    chunks.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
    size += next.value.byteLength;
  }
}

/** Pixel Data and the elements after it, with the trailer handed to the hook. */
async function* tail(queue: ByteQueue, hooks: RewriteHooks): AsyncGenerator<Uint8Array> {
  while (await queue.fill(8)) {
    const head = queue.take(8);
    const tag = ((head.readUInt16LE(0) << 16) | head.readUInt16LE(2)) >>> 0;
    if (tag !== PIXEL_DATA) {
      // the trailer: decoded whole, handed to the hook, written back
      const bytes = Buffer.concat([head, await queue.rest()]);
      const trailer = decodeDataSet(bytes, EXPLICIT_LITTLE_ENDIAN).dataSet;
      const out = hooks.trailer!(trailer);
      if (out === undefined) yield bytes;
      else if (out.size > 0) yield encodeDataSet(out, EXPLICIT_LITTLE_ENDIAN);
      return;
    }
    const vr = head.toString('latin1', 4, 6);
    let length: number;
    if (LONG_VRS.has(vr)) {
      if (!(await queue.fill(4))) throw new DicomParseError('The data set ends inside the header of Pixel Data', 0);
      const len = queue.take(4);
      length = len.readUInt32LE(0);
      yield Buffer.concat([head, len]);
    } else {
      length = head.readUInt16LE(6);
      yield head;
    }
    if (length !== UNDEFINED_LENGTH) {
      yield* queue.pass(length, 'Pixel Data');
      continue;
    }
    // encapsulated (PS3.5 A.4): items up to the sequence delimiter, each passed on as it comes
    for (let items = 0; ; items++) {
      if (!(await queue.fill(8))) throw new DicomParseError('The data set ends inside encapsulated Pixel Data', 0);
      const item = queue.take(8);
      yield item;
      const itemTag = ((item.readUInt16LE(0) << 16) | item.readUInt16LE(2)) >>> 0;
      if (itemTag === SEQUENCE_DELIMITATION) break;
      if (itemTag !== ITEM) throw new DicomParseError(`Encapsulated Pixel Data holds ${itemTag.toString(16)} where an item was expected`, 0);
      yield* queue.pass(item.readUInt32LE(4), `fragment ${items} of Pixel Data`);
    }
  }
}

/**
 * Opens a rewrite of the data set streaming from `source`: reads and decodes its header, asks
 * `hooks.header` for its replacement, and answers the bytes to write, which stream on from
 * `source` as they are read.
 * @throws DicomParseError when the header cannot be read.
 */
export async function openRewrite(source: AsyncIterable<Uint8Array>, hooks: RewriteHooks): Promise<Rewrite> {
  const it = source[Symbol.asyncIterator]();
  let read: Awaited<ReturnType<typeof readHeader>>;
  try {
    read = await readHeader(it);
  } catch (e) {
    await it.return?.();
    throw e;
  }
  const replaced = hooks.header(read.header);
  const headerBytes = replaced === undefined ? read.bytes : encodeDataSet(replaced, EXPLICIT_LITTLE_ENDIAN);
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      yield headerBytes;
      if (!hooks.trailer) {
        // nothing after the header is looked at: the rest streams as it comes
        if (read.after.length) yield read.after;
        for (;;) {
          const next = await it.next();
          if (next.done) return;
          yield next.value;
        }
      }
      yield* tail(new ByteQueue(read.after, it), hooks);
    } finally {
      await it.return?.();
    }
  }
  return { original: read.header, header: replaced ?? read.header, body: body() };
}
