/**
 * A WADO-RS answer (multipart/related, PS3.18 8.6.1.2 over RFC 2046 §5.1.1) split into its parts
 * as the bytes arrive, in the browser: a part with a Content-Length is copied once into a buffer
 * of its exact size, the others are found by their delimiter. Each body comes out as a
 * Uint8Array over a whole ArrayBuffer of its own, so a worker can transfer it without a copy.
 * No DOM, no Node: a worker and the unit tests run it alike.
 */

/** One part: its headers (names in lower case) and its body. */
export interface SplitPart {
  headers: Record<string, string>;
  body: Uint8Array;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF_CRLF = [13, 10, 13, 10];

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** Where `needle` first occurs in `hay` from `from`, or -1. */
function indexOf(hay: Uint8Array, needle: ArrayLike<number>, from = 0): number {
  const first = needle[0]!;
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

function concat(list: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(list.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of list) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** The boundary of a multipart Content-Type, or undefined when it names none. */
export function boundaryOf(contentType: string | null): string | undefined {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** Splits one multipart body: give it each chunk as it comes, then call {@link end}. */
export class MultipartSplitter {
  private readonly dashBoundary: Uint8Array;
  private readonly delimiter: Uint8Array;
  private state: 'preamble' | 'after-delimiter' | 'headers' | 'sized' | 'unsized' | 'done' = 'preamble';
  private pending: Uint8Array = new Uint8Array(0);
  private headers: Record<string, string> = {};
  private body: Uint8Array = new Uint8Array(0);
  private filled = 0;
  /** Bytes of an unsized part already known to hold no delimiter. */
  private unsized: Uint8Array[] = [];

  constructor(boundary: string) {
    if (!boundary || boundary.length > 70) throw new Error(`the multipart boundary "${boundary}" is not valid (1–70 characters, RFC 2046)`);
    this.dashBoundary = ascii(`--${boundary}`);
    this.delimiter = ascii(`\r\n--${boundary}`);
  }

  /** Takes the next chunk; answers the parts it completed. */
  push(chunk: Uint8Array): SplitPart[] {
    if (this.state === 'done') return [];
    this.pending = this.pending.length ? concat([this.pending, chunk]) : chunk;
    const out: SplitPart[] = [];
    for (let part = this.step(); part !== 'more'; part = this.step()) if (part) out.push(part);
    return out;
  }

  /** The body ended: throws when the close delimiter was not reached. */
  end(): void {
    if (this.state !== 'done') throw new Error('the multipart answer ended before its last part was complete');
  }

  /** One step of the machine: a part, nothing yet ('more': wait for bytes), or undefined (go on). */
  private step(): SplitPart | 'more' | undefined {
    const p = this.pending;
    switch (this.state) {
      case 'preamble': {
        // the first delimiter may open the body or follow a preamble line
        const at = indexOf(p, this.dashBoundary);
        if (at === -1) {
          this.pending = p.subarray(Math.max(0, p.length - this.dashBoundary.length + 1));
          return 'more';
        }
        this.pending = p.subarray(at + this.dashBoundary.length);
        this.state = 'after-delimiter';
        return undefined;
      }
      case 'after-delimiter': {
        // "--" closes the body; else transport padding, then CRLF before the next part's headers
        let i = 0;
        if (p.length < 2) return 'more';
        if (p[0] === 45 && p[1] === 45) {
          this.state = 'done';
          this.pending = new Uint8Array(0);
          return undefined;
        }
        while (i < p.length && (p[i] === 32 || p[i] === 9)) i++;
        if (p.length < i + 2) return 'more';
        if (p[i] !== 13 || p[i + 1] !== 10) throw new Error('the multipart answer has bytes after a delimiter where a line end belongs');
        this.pending = p.subarray(i + 2);
        this.state = 'headers';
        return undefined;
      }
      case 'headers': {
        const empty = p.length >= 2 && p[0] === 13 && p[1] === 10;
        const end = empty ? -2 : indexOf(p, CRLF_CRLF);
        if (end === -1) {
          if (p.length > MAX_HEADER_BYTES) throw new Error(`a part's headers exceed ${MAX_HEADER_BYTES} bytes`);
          return 'more';
        }
        this.headers = {};
        const text = String.fromCharCode(...p.subarray(0, Math.max(0, end)));
        for (const line of text.split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) this.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        this.pending = p.subarray(end + 4);
        const length = Number(this.headers['content-length']);
        if (/^\d+$/.test(this.headers['content-length'] ?? '') && Number.isSafeInteger(length)) {
          this.body = new Uint8Array(length);
          this.filled = 0;
          this.state = 'sized';
        } else {
          this.unsized = [];
          this.state = 'unsized';
        }
        return undefined;
      }
      case 'sized': {
        const take = Math.min(this.body.length - this.filled, p.length);
        this.body.set(p.subarray(0, take), this.filled);
        this.filled += take;
        this.pending = p.subarray(take);
        if (this.filled < this.body.length) return 'more';
        // the delimiter must follow at once, or the length was wrong
        if (this.pending.length < this.delimiter.length) return 'more';
        if (indexOf(this.pending.subarray(0, this.delimiter.length), this.delimiter) !== 0)
          throw new Error(`a part's Content-Length (${this.body.length}) does not match its body`);
        this.pending = this.pending.subarray(this.delimiter.length);
        this.state = 'after-delimiter';
        return { headers: this.headers, body: this.body };
      }
      case 'unsized': {
        const at = indexOf(p, this.delimiter);
        if (at === -1) {
          // keep a tail that may hold the start of the delimiter; the rest is body
          const keep = Math.min(p.length, this.delimiter.length - 1);
          if (p.length > keep) this.unsized.push(p.slice(0, p.length - keep));
          this.pending = p.subarray(p.length - keep);
          return 'more';
        }
        const body = concat([...this.unsized, p.subarray(0, at)]);
        this.unsized = [];
        this.pending = p.subarray(at + this.delimiter.length);
        this.state = 'after-delimiter';
        return { headers: this.headers, body };
      }
      case 'done':
        return 'more';
    }
  }
}

/**
 * The SOP Instance UID of a PS3.10 file, from its file meta information (Media Storage SOP
 * Instance UID, (0002,0003), always explicit VR little endian); undefined when the bytes are not
 * a PS3.10 file.
 */
export function sopInstanceUidOf(file: Uint8Array): string | undefined {
  if (file.length < 144 || file[128] !== 0x44 || file[129] !== 0x49 || file[130] !== 0x43 || file[131] !== 0x4d) return undefined;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = 132;
  while (at + 8 <= file.length) {
    const group = view.getUint16(at, true);
    const element = view.getUint16(at + 2, true);
    if (group !== 0x0002) return undefined;
    const vr = String.fromCharCode(file[at + 4]!, file[at + 5]!);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV'].includes(vr);
    const length = long ? view.getUint32(at + 8, true) : view.getUint16(at + 6, true);
    const value = at + (long ? 12 : 8);
    if (value + length > file.length) return undefined;
    if (element === 0x0003) {
      return String.fromCharCode(...file.subarray(value, value + length)).replace(/[\0 ]+$/, '') || undefined;
    }
    at = value + length;
  }
  return undefined;
}
