/**
 * Streaming conversion of a data set between the native transfer syntaxes (PS3.5 §10, A.1–A.3):
 * Implicit VR Little Endian, Explicit VR Little Endian and Explicit VR Big Endian, losslessly.
 * Bytes go in as they come (a file read in chunks) and out as soon as they are converted: values
 * pass through unchanged, or byte-swapped by the size of their VR when the byte order changes,
 * so memory stays flat whatever the size of the data set.
 *
 * - Implicit → explicit: the VR comes from the dictionary (private creators LO, other private and
 *   unknown tags UN; Pixel Data OB when Bits Allocated ≤ 8, else OW, PS3.5 A.2; "US or SS" by
 *   Pixel Representation); a value too long for a VR with a 2-byte length goes out as UN.
 * - Sequences and items always go out with undefined length (PS3.5 §7.5.1), so no enclosing length
 *   has to be known before its content is converted; group lengths (gggg,0000) are dropped, as
 *   their values would no longer hold (they are optional, PS3.5 §7.2).
 * - A public attribute that came as UN gets its dictionary VR back; a public sequence that came as UN
 *   has its items read as Implicit VR Little Endian (PS3.5 §6.2.2) and converted like any other.
 * - An undefined-length element the dictionary does not know as a sequence (a private sequence in
 *   implicit VR, or UN of undefined length in explicit VR) keeps its content byte for byte: PS3.5
 *   §6.2.2 encodes it in Implicit VR Little Endian in every transfer syntax.
 * - Encapsulated Pixel Data cannot be converted here: it must be decompressed first.
 * Pure code: no Node, no DOM.
 */
import type { Tag, VR } from './dataset.js';
import { formatTag } from './dataset.js';
import { vrOf } from './dictionary.js';
import type { TransferSyntaxEncoding } from './codec.js';
import { ITEM, ITEM_DELIMITATION, LONG_VRS, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from './vr-layout.js';
import { BITS_ALLOCATED, PIXEL_DATA, PIXEL_REPRESENTATION } from './tags.js';

/** Tags whose VR is "US or SS" (PS3.6): SS when Pixel Representation is 1 (signed), as DCMTK reads them. */
const US_OR_SS: ReadonlySet<Tag> = new Set([
  0x00280104, 0x00280105, 0x00280106, 0x00280107, 0x00280108, 0x00280109, 0x00280110, 0x00280111, 0x00280120, 0x00280121, 0x00281101, 0x00281102, 0x00281103,
  0x00283002, 0x00409211, 0x00409216, 0x00603004, 0x00603006,
]);
const VRS = new Set<string>([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FL',
  'FD',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
]);

/** Bytes of the unit a value is swapped by when the byte order changes (1 = never swapped). */
function swapUnit(vr: VR): number {
  switch (vr) {
    case 'US':
    case 'SS':
    case 'OW':
    case 'AT':
      return 2;
    case 'UL':
    case 'SL':
    case 'FL':
    case 'OF':
    case 'OL':
      return 4;
    case 'FD':
    case 'OD':
    case 'SV':
    case 'UV':
    case 'OV':
      return 8;
    default:
      return 1;
  }
}

/** Thrown for input that cannot be converted (malformed, truncated, or encapsulated Pixel Data). */
export class TranscodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranscodeError';
  }
}

interface Container {
  kind: 'sequence' | 'item' | 'raw-sequence' | 'raw-item';
  /** Bytes of input left in a defined-length container; undefined = ends with a delimitation item. */
  remaining: number | undefined;
  /** Its content is Implicit VR Little Endian whatever the data set's syntax (a sequence that came as UN, PS3.5 §6.2.2). */
  implicitLE?: boolean;
}

interface ValueState {
  remaining: number;
  unit: number;
  /** Output the value bytes as they are (raw content), or swapped by `unit`. */
  swap: boolean;
  /** Bytes of an incomplete unit carried to the next chunk. */
  carry: number[];
  /** Kept, for Bits Allocated or Pixel Representation. */
  capture?: number[];
  captureInto?: 'bits' | 'representation';
  /** Dropped from the output (a group length). */
  drop: boolean;
}

/** Converts one data set, chunk by chunk, from one native transfer syntax to another. */
export class NativeTranscoder {
  private pending = new Uint8Array(0);
  private readonly stack: Container[] = [];
  private value: ValueState | undefined;
  private bitsAllocated: number | undefined;
  private pixelRepresentation: number | undefined;
  private out: Uint8Array[] = [];
  private readonly swapOrder: boolean;

  constructor(
    private readonly from: TransferSyntaxEncoding,
    private readonly to: TransferSyntaxEncoding,
  ) {
    for (const [name, e] of [
      ['source', from],
      ['target', to],
    ] as const) {
      if (e.encapsulated || e.deflated) throw new TranscodeError(`the ${name} transfer syntax is not a native one: decompress or inflate first`);
    }
    this.swapOrder = from.littleEndian !== to.littleEndian;
  }

  /** Converts the next bytes of the data set; returns the converted bytes ready so far. */
  push(chunk: Uint8Array): Uint8Array[] {
    let data = chunk;
    if (this.pending.length) {
      const joined = new Uint8Array(this.pending.length + chunk.length);
      joined.set(this.pending);
      joined.set(chunk, this.pending.length);
      data = joined;
      this.pending = new Uint8Array(0);
    }
    let at = 0;
    while (at < data.length) {
      if (this.value) {
        at += this.copyValue(data, at);
        continue;
      }
      const used = this.header(data, at);
      this.settle();
      if (used === 0) {
        this.pending = data.slice(at);
        break;
      }
      at += used;
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Ends the data set; throws when it ended inside an element or a container. */
  end(): Uint8Array[] {
    if (this.pending.length || this.value) throw new TranscodeError('the data set ends inside an element');
    while (this.stack.length) {
      const top = this.stack[this.stack.length - 1]!;
      if (top.remaining !== 0) throw new TranscodeError(`the data set ends inside an unfinished ${top.kind.replace('raw-', '')}`);
      this.close();
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private u16(data: Uint8Array, at: number, little: boolean): number {
    return little ? data[at]! | (data[at + 1]! << 8) : (data[at]! << 8) | data[at + 1]!;
  }

  private u32(data: Uint8Array, at: number, little: boolean): number {
    return little
      ? (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0
      : ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
  }

  private inRaw(): boolean {
    const top = this.stack[this.stack.length - 1];
    return top !== undefined && top.kind.startsWith('raw');
  }

  /** Whether the innermost container holds Implicit VR Little Endian (inside a sequence that came as UN). */
  private inImplicitLE(): boolean {
    return this.stack[this.stack.length - 1]?.implicitLE === true;
  }

  /** Counts input bytes against every defined-length container. */
  private consumed(n: number): void {
    for (const c of this.stack) {
      if (c.remaining === undefined) continue;
      if (c.remaining < n) throw new TranscodeError(`an element runs past the end of its ${c.kind.replace('raw-', '')}`);
      c.remaining -= n;
    }
  }

  /** Closes the defined-length containers whose content is complete, innermost first. */
  private settle(): void {
    while (!this.value && this.stack.length && this.stack[this.stack.length - 1]!.remaining === 0) this.close();
  }

  /** Ends the innermost container: a delimitation item for a sequence or item we opened with undefined length. */
  private close(): void {
    const c = this.stack.pop()!;
    if (c.kind === 'item') this.emitHeader(ITEM_DELIMITATION, 0);
    else if (c.kind === 'sequence') this.emitHeader(SEQUENCE_DELIMITATION, 0);
    // raw containers copied their own bytes, delimiters included
  }

  /** Reads one element or item header at `at`; returns the bytes used, 0 when more input is needed. */
  private header(data: Uint8Array, at: number): number {
    const raw = this.inRaw();
    const implicitLE = raw || this.inImplicitLE();
    const little = implicitLE ? true : this.from.littleEndian;
    const explicit = implicitLE ? false : this.from.explicitVR;
    if (data.length - at < 8) return 0;
    const tag = ((this.u16(data, at, little) << 16) | this.u16(data, at + 2, little)) >>> 0;
    if (tag >>> 16 === 0xfffe) return this.delimiter(data, at, tag, this.u32(data, at + 4, little), raw);
    let vr: VR;
    let length: number;
    let size: number;
    if (explicit) {
      const text = String.fromCharCode(data[at + 4]!, data[at + 5]!);
      if (!VRS.has(text)) throw new TranscodeError(`${formatTag(tag)} has no valid VR ("${text}")`);
      vr = text as VR;
      if (LONG_VRS.has(vr)) {
        if (data.length - at < 12) return 0;
        length = this.u32(data, at + 8, little);
        size = 12;
      } else {
        length = this.u16(data, at + 6, little);
        size = 8;
      }
    } else {
      vr = vrOf(tag);
      length = this.u32(data, at + 4, little);
      size = 8;
    }
    if (raw) {
      this.out.push(data.slice(at, at + size));
      this.consumed(size);
      if (length === UNDEFINED_LENGTH) this.stack.push({ kind: 'raw-sequence', remaining: undefined });
      else this.startValue(length, 1, false, false);
      return size;
    }
    if (length === UNDEFINED_LENGTH) {
      if (tag === PIXEL_DATA && this.stack.length === 0)
        throw new TranscodeError('Pixel Data is encapsulated (compressed): decompress it before changing the transfer syntax');
      // PS3.5 §6.2.2: an undefined-length UN (or an unknown sequence in implicit VR) holds Implicit VR Little Endian;
      // a sequence the dictionary knows is converted into the target syntax, anything else copied
      const known = vrOf(tag) === 'SQ' || vr === 'SQ';
      this.emitElement(tag, known ? 'SQ' : 'UN', UNDEFINED_LENGTH);
      this.consumed(size);
      const inherit = implicitLE || (explicit && vr === 'UN');
      this.stack.push({ kind: known ? 'sequence' : 'raw-sequence', remaining: undefined, ...(known && inherit ? { implicitLE: true } : {}) });
      return size;
    }
    // a public sequence that came as UN of defined length: its items are Implicit VR Little Endian (PS3.5 §6.2.2)
    const unSequence = explicit && vr === 'UN' && (tag >>> 16) % 2 === 0 && vrOf(tag) === 'SQ';
    if (vr === 'SQ' || (!explicit && vrOf(tag) === 'SQ') || unSequence) {
      this.emitElement(tag, 'SQ', UNDEFINED_LENGTH);
      this.consumed(size);
      this.stack.push({ kind: 'sequence', remaining: length, ...(implicitLE || unSequence ? { implicitLE: true } : {}) });
      return size;
    }
    if (!explicit && tag === PIXEL_DATA && this.stack.length === 0) vr = (this.bitsAllocated ?? 16) <= 8 ? 'OB' : 'OW';
    // a public attribute written as UN (PS3.5 §6.2.2) gets its dictionary VR back: receivers look for the SOP Class UID as UI
    if (explicit && vr === 'UN' && this.from.littleEndian && (tag >>> 16) % 2 === 0) {
      const known = vrOf(tag);
      if (known !== 'UN' && known !== 'SQ') vr = tag === PIXEL_DATA ? ((this.bitsAllocated ?? 16) <= 8 ? 'OB' : 'OW') : known;
    }
    if (!explicit && this.pixelRepresentation === 1 && US_OR_SS.has(tag)) vr = 'SS';
    if (this.to.explicitVR && !LONG_VRS.has(vr) && length > 0xffff) vr = 'UN';
    const groupLength = (tag & 0xffff) === 0;
    if (!groupLength) this.emitElement(tag, vr, length);
    this.consumed(size);
    const unit = (implicitLE ? !this.to.littleEndian : this.swapOrder) && vr !== 'UN' ? swapUnit(vr) : 1;
    const capture = this.stack.length === 0 ? (tag === BITS_ALLOCATED ? 'bits' : tag === PIXEL_REPRESENTATION ? 'representation' : undefined) : undefined;
    this.startValue(length, unit, unit > 1, groupLength, capture);
    return size;
  }

  private delimiter(data: Uint8Array, at: number, tag: Tag, length: number, raw: boolean): number {
    if (raw) {
      this.out.push(data.slice(at, at + 8));
      if (tag === ITEM) {
        this.consumed(8);
        if (length === UNDEFINED_LENGTH) this.stack.push({ kind: 'raw-item', remaining: undefined });
        else this.startValue(length, 1, false, false);
      } else {
        this.popUndefined(tag === ITEM_DELIMITATION ? 'raw-item' : 'raw-sequence', tag);
        this.consumed(8);
      }
      return 8;
    }
    if (tag === ITEM) {
      const top = this.stack[this.stack.length - 1];
      if (!top || top.kind !== 'sequence') throw new TranscodeError('an item outside a sequence');
      this.emitHeader(ITEM, UNDEFINED_LENGTH);
      this.consumed(8);
      this.stack.push({ kind: 'item', remaining: length === UNDEFINED_LENGTH ? undefined : length, ...(top.implicitLE ? { implicitLE: true } : {}) });
    } else if (tag === ITEM_DELIMITATION || tag === SEQUENCE_DELIMITATION) {
      const item = tag === ITEM_DELIMITATION;
      this.popUndefined(item ? 'item' : 'sequence', tag);
      this.emitHeader(tag, 0);
      this.consumed(8);
    } else {
      throw new TranscodeError(`${formatTag(tag)} is not an item or delimitation tag`);
    }
    return 8;
  }

  private popUndefined(kind: Container['kind'], tag: Tag): void {
    const top = this.stack[this.stack.length - 1];
    if (!top || top.kind !== kind || top.remaining !== undefined) throw new TranscodeError(`${formatTag(tag)} closes no open ${kind.replace('raw-', '')}`);
    this.stack.pop();
  }

  private startValue(length: number, unit: number, swap: boolean, drop: boolean, capture?: 'bits' | 'representation'): void {
    if (swap && length % unit !== 0) throw new TranscodeError(`a value of ${length} bytes is not made of ${unit}-byte units`);
    if (length === 0) return;
    this.value = { remaining: length, unit, swap, carry: [], drop, ...(capture ? { capture: [], captureInto: capture } : {}) };
  }

  /** Copies (or swaps) as much of the current value as `data` holds; returns the bytes used. */
  private copyValue(data: Uint8Array, at: number): number {
    const v = this.value!;
    const n = Math.min(v.remaining, data.length - at);
    const piece = data.subarray(at, at + n);
    if (v.capture) v.capture.push(...piece);
    if (!v.drop) {
      if (!v.swap) this.out.push(piece);
      else this.out.push(this.swapped(piece, v));
    }
    v.remaining -= n;
    if (v.remaining === 0) {
      if (v.capture && v.capture.length >= 2) {
        const n = this.from.littleEndian ? v.capture[0]! | (v.capture[1]! << 8) : (v.capture[0]! << 8) | v.capture[1]!;
        if (v.captureInto === 'bits') this.bitsAllocated = n;
        else this.pixelRepresentation = n;
      }
      this.value = undefined;
    }
    this.consumed(n);
    this.settle();
    return n;
  }

  private swapped(piece: Uint8Array, v: ValueState): Uint8Array {
    const all = v.carry.length ? new Uint8Array([...v.carry, ...piece]) : piece;
    const whole = all.length - (all.length % v.unit);
    const out = new Uint8Array(whole);
    const u = v.unit;
    for (let i = 0; i < whole; i += u) for (let k = 0; k < u; k++) out[i + k] = all[i + u - 1 - k]!;
    v.carry = Array.from(all.subarray(whole));
    return out;
  }

  private emitHeader(tag: Tag, length: number): void {
    const b = new Uint8Array(8);
    this.putTag(b, 0, tag);
    this.putU32(b, 4, length);
    this.out.push(b);
  }

  private emitElement(tag: Tag, vr: VR, length: number): void {
    if (!this.to.explicitVR) return this.emitHeader(tag, length);
    const long = LONG_VRS.has(vr);
    const b = new Uint8Array(long ? 12 : 8);
    this.putTag(b, 0, tag);
    b[4] = vr.charCodeAt(0);
    b[5] = vr.charCodeAt(1);
    if (long) this.putU32(b, 8, length);
    else this.putU16(b, 6, length);
    this.out.push(b);
  }

  private putTag(b: Uint8Array, at: number, tag: Tag): void {
    this.putU16(b, at, tag >>> 16);
    this.putU16(b, at + 2, tag & 0xffff);
  }

  private putU16(b: Uint8Array, at: number, v: number): void {
    if (this.to.littleEndian) {
      b[at] = v & 0xff;
      b[at + 1] = v >>> 8;
    } else {
      b[at] = v >>> 8;
      b[at + 1] = v & 0xff;
    }
  }

  private putU32(b: Uint8Array, at: number, v: number): void {
    if (this.to.littleEndian) {
      b[at] = v & 0xff;
      b[at + 1] = (v >>> 8) & 0xff;
      b[at + 2] = (v >>> 16) & 0xff;
      b[at + 3] = v >>> 24;
    } else {
      b[at] = v >>> 24;
      b[at + 1] = (v >>> 16) & 0xff;
      b[at + 2] = (v >>> 8) & 0xff;
      b[at + 3] = v & 0xff;
    }
  }
}

/** Converts a whole data set held in memory (tests, small instances). */
export function transcodeNative(bytes: Uint8Array, from: TransferSyntaxEncoding, to: TransferSyntaxEncoding): Uint8Array {
  const t = new NativeTranscoder(from, to);
  const parts = [...t.push(bytes), ...t.end()];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
