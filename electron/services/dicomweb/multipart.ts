/**
 * multipart/related (RFC 2387 over the multipart syntax of RFC 2046 §5.1.1), as WADO-RS answers
 * and STOW-RS requests carry DICOM instances (PS3.18 §8.6.1.2): read as a stream, part by part,
 * each part's body handed on as it arrives, never gathered. The delimiter is searched across
 * chunk edges with a carry of fewer bytes than the delimiter; the preamble and the epilogue are
 * skipped; a part's headers are bounded.
 *
 * Also the writing side: the head of a part and the close delimiter.
 */
import { Readable } from 'node:stream';

/** One part: its headers (names in lower case) and its body, to read to the end before the next part comes. */
export interface MultipartPart {
  headers: Record<string, string>;
  body: Readable;
}

/** A multipart body that breaks the syntax; the message says how. */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** Most bytes of one part's headers. */
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The source as a pull reader of Buffers, with a push-back. */
class ByteReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private readonly back: Buffer[] = [];

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  async next(): Promise<Buffer | undefined> {
    const b = this.back.pop();
    if (b) return b;
    for (;;) {
      const r = await this.it.next();
      if (r.done) return undefined;
      const v = r.value;
      if (v.length === 0) continue;
      return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.length);
    }
  }

  unshift(b: Buffer): void {
    if (b.length) this.back.push(b);
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** A media type and its parameters (RFC 9110 §8.3.1): `multipart/related; type="application/dicom"; boundary=x`. */
export function parseMediaType(header: string | undefined): { type: string; params: Record<string, string> } {
  const text = header ?? '';
  const semi = text.indexOf(';');
  const type = (semi < 0 ? text : text.slice(0, semi)).trim().toLowerCase();
  const params: Record<string, string> = {};
  const re = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  return { type, params };
}

/**
 * The parts of a multipart body with this boundary, in order. Read each part's body to the end
 * (or leave it: it is skipped when the next part is asked for). Throws {@link MultipartError}
 * when the body does not hold the boundary, ends inside a part, or a part's headers are too long.
 */
export async function* parseMultipart(source: AsyncIterable<Uint8Array>, boundary: string): AsyncGenerator<MultipartPart> {
  // RFC 2046 allows 70 characters; longer ones are read too (Orthanc's DICOMweb plugin sends 73)
  if (!/^[ -~]{1,200}$/.test(boundary) || boundary.endsWith(' '))
    throw new MultipartError(`the boundary ${JSON.stringify(boundary.slice(0, 80))} is not valid (RFC 2046: 1 to 70 printable characters)`);
  const reader = new ByteReader(source);
  // RFC 2046: the delimiter is CRLF "--" boundary; the first one may open the body without the CRLF
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  reader.unshift(CRLF);
  try {
    if (!(await skipPast(reader, delimiter))) throw new MultipartError('the body holds no part: its boundary never appears');
    for (let index = 0; ; index++) {
      const head = await readHead(reader);
      if (head === 'end') return;
      let ended = false;
      const body = Readable.from(
        partBody(reader, delimiter, () => {
          ended = true;
        }),
        { objectMode: false, highWaterMark: 256 * 1024 },
      );
      yield { headers: head, body };
      if (!ended) {
        if (body.destroyed && !body.readableEnded) throw new MultipartError(`part ${index + 1} was abandoned while being read`);
        for await (const _ of body) {
          /* skip what the consumer left */
        }
      }
    }
  } finally {
    await reader.close();
  }
}

/** Reads past the first delimiter (the preamble is dropped); false when the body ends first. */
async function skipPast(reader: ByteReader, delimiter: Buffer): Promise<boolean> {
  let carry: Buffer = Buffer.alloc(0);
  for (;;) {
    const chunk = await reader.next();
    if (!chunk) return false;
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const i = buf.indexOf(delimiter);
    if (i >= 0) {
      reader.unshift(buf.subarray(i + delimiter.length));
      return true;
    }
    carry = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
  }
}

/**
 * After a delimiter: "--" closes the body (the epilogue is dropped), else transport padding,
 * CRLF and the part's header lines up to an empty line.
 */
async function readHead(reader: ByteReader): Promise<Record<string, string> | 'end'> {
  let buf: Buffer = Buffer.alloc(0);
  for (;;) {
    if (buf.length >= 2 && buf[0] === 0x2d && buf[1] === 0x2d) {
      while (await reader.next()) {
        /* the epilogue */
      }
      return 'end';
    }
    const end = buf.indexOf(HEADER_END);
    if (end >= 0) {
      reader.unshift(buf.subarray(end + HEADER_END.length));
      return parseHeaders(buf.subarray(0, end + 2).toString('latin1'));
    }
    if (buf.length > MAX_HEADER_BYTES) throw new MultipartError(`a part's headers exceed ${MAX_HEADER_BYTES} bytes`);
    const chunk = await reader.next();
    if (!chunk) throw new MultipartError('the body ends without its close delimiter');
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
  }
}

/** The header lines after the delimiter line (its transport padding and CRLF). */
function parseHeaders(text: string): Record<string, string> {
  const lines = text.split('\r\n');
  if (lines[0]!.trim() !== '') throw new MultipartError(`unexpected text after a boundary: ${JSON.stringify(lines[0]!.slice(0, 40))}`);
  const headers: Record<string, string> = {};
  let last: string | undefined;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && last) {
      headers[last] += ` ${line.trim()}`;
      continue;
    } // folded (RFC 5322 §2.2.3)
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`a part header is not "Name: value": ${JSON.stringify(line.slice(0, 40))}`);
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * The bytes of one part up to the next delimiter, as they come. The last bytes of a chunk that
 * may begin a delimiter are held back (a view, not a copy) and only the seam with the next chunk
 * is searched again, so a chunk is never copied: a retrieve of many instances makes no garbage
 * per byte.
 */
async function* partBody(reader: ByteReader, delimiter: Buffer, onEnd: () => void): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  const keepMax = delimiter.length - 1;
  for (;;) {
    let chunk = await reader.next();
    if (!chunk) throw new MultipartError('the body ends in the middle of a part');
    if (carry.length && chunk.length < delimiter.length) {
      // a small chunk: joined to what was held back (cheap), searched as one
      chunk = Buffer.concat([carry, chunk]);
      carry = Buffer.alloc(0);
    }
    if (carry.length) {
      // a delimiter that starts in the held-back bytes ends within the first keepMax bytes of this chunk
      const seam = Buffer.concat([carry, chunk.subarray(0, keepMax)]);
      const j = seam.indexOf(delimiter);
      if (j >= 0 && j < carry.length) {
        if (j > 0) yield carry.subarray(0, j);
        reader.unshift(chunk.subarray(j + delimiter.length - carry.length));
        onEnd();
        return;
      }
      yield carry;
    }
    const i = chunk.indexOf(delimiter);
    if (i >= 0) {
      if (i > 0) yield chunk.subarray(0, i);
      reader.unshift(chunk.subarray(i + delimiter.length));
      onEnd();
      return;
    }
    const keep = Math.min(chunk.length, keepMax);
    if (chunk.length > keep) yield chunk.subarray(0, chunk.length - keep);
    carry = chunk.subarray(chunk.length - keep);
  }
}

/** The head of one part as written (PS3.18 §8.6.1.2): delimiter line and headers. */
export function partHead(boundary: string, headers: Record<string, string>, first: boolean): Buffer {
  const lines = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.from(`${first ? '' : '\r\n'}--${boundary}\r\n${lines}\r\n`, 'latin1');
}

/** The close delimiter ending a multipart body. */
export function closeDelimiter(boundary: string, any: boolean): Buffer {
  return Buffer.from(`${any ? '\r\n' : ''}--${boundary}--\r\n`, 'latin1');
}
