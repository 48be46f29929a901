/**
 * Encoding of data sets (PS3.5 §7): implicit/explicit VR, little/big endian, defined lengths,
 * even-padded values, text in the data set's Specific Character Set. Re-exported by codec.ts,
 * whose signatures are the contract; this module holds the writer.
 *
 * Values are written straight into one growing buffer (small encodings, such as command sets,
 * identifiers and file meta information, reuse one buffer), with no intermediate array per value.
 */
import type { TransferSyntaxEncoding } from './codec.js';
import type { DataElement, DataSet, ElementValue, Tag, VR } from './dataset.js';
import { formatTag } from './dataset.js';
import { CHARSET_VRS, canEncodeText, encodeText } from './charset.js';
import { ITEM, LONG_VRS, NUMERIC_SIZE, TEXT_VRS } from './vr-layout.js';
import { SPECIFIC_CHARACTER_SET } from './tags.js';

/** A growable byte buffer whose length fields can be patched after their content is written. */
class Writer {
  view: DataView;
  length = 0;
  constructor(
    public buf: Uint8Array,
    readonly le: boolean,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  // reserve() may reallocate: take the offset before touching buf or view.
  u16(v: number): void {
    const at = this.reserve(2);
    this.view.setUint16(at, v, this.le);
  }
  u32(v: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, v, this.le);
  }
  tag(t: Tag): void {
    this.u16(t >>> 16);
    this.u16(t & 0xffff);
  }
  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }
  /** Text whose characters are all below 0x80, one byte each. */
  ascii(s: string): void {
    const at = this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[at + i] = s.charCodeAt(i);
  }
  patch32(at: number, v: number): void {
    this.view.setUint32(at, v, this.le);
  }
}

/** Encodings are built in one reused buffer of this size (command sets, identifiers and file meta fit), larger ones grow a copy. */
const SCRATCH_BYTES = 64 * 1024;
let scratch: Uint8Array | undefined;

/** The values of a text element as one string, backslash-separated. */
function textOf(value: ElementValue): string {
  if (value.length === 1 && typeof value[0] === 'string') return value[0];
  return (value as unknown[]).map((v) => String(v)).join('\\');
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * Whether every value this data set (its items aside) holds in a VR the Specific Character Set
 * governs can be written in `charset`. Other text VRs are default repertoire only.
 */
function encodable(ds: DataSet, charset: string[]): boolean {
  for (const el of ds.values()) {
    if (!CHARSET_VRS.has(el.vr) || el.value instanceof Uint8Array) continue;
    if (!canEncodeText(textOf(el.value), charset)) return false;
  }
  return true;
}

function writeDataSet(w: Writer, ds: DataSet, explicit: boolean, inherited: string[]): void {
  const own = ds.get(SPECIFIC_CHARACTER_SET);
  let charset = own && Array.isArray(own.value) ? (own.value as unknown[]).map(String) : inherited;
  let override: DataElement | undefined;
  if (!encodable(ds, charset)) {
    // Text the declared set cannot hold is written as UTF-8, declared as such (PS3.3 C.12.1.1.2).
    charset = ['ISO_IR 192'];
    override = { vr: 'CS', value: charset };
  }
  const tags = [...ds.keys()];
  if (override && !own) tags.push(SPECIFIC_CHARACTER_SET);
  tags.sort((a, b) => a - b);
  for (const t of tags) {
    const el = t === SPECIFIC_CHARACTER_SET && override ? override : ds.get(t)!;
    writeElement(w, t, el, explicit, charset);
  }
}

function writeElement(w: Writer, t: Tag, el: DataElement, explicit: boolean, charset: string[]): void {
  const { vr, value } = el;
  w.tag(t);
  if (explicit) {
    const at = w.reserve(2);
    w.buf[at] = vr.charCodeAt(0);
    w.buf[at + 1] = vr.charCodeAt(1);
    if (LONG_VRS.has(vr)) w.u16(0);
  }
  if (vr === 'SQ' && !(value instanceof Uint8Array)) {
    const lengthAt = w.reserve(4);
    for (const item of value as DataSet[]) {
      if (!(item instanceof Map)) throw new Error(`${formatTag(t)}: a sequence item is not a data set`);
      w.tag(ITEM);
      const itemLengthAt = w.reserve(4);
      writeDataSet(w, item, explicit, charset);
      w.patch32(itemLengthAt, w.length - itemLengthAt - 4);
    }
    w.patch32(lengthAt, w.length - lengthAt - 4);
    return;
  }
  if (value instanceof Uint8Array) return writeBytes(w, t, vr, explicit, value);
  if (!Array.isArray(value)) throw new Error(`${formatTag(t)}: value of VR ${vr} is not an array`);
  if (TEXT_VRS.has(vr)) {
    const text = textOf(value);
    if (!isAscii(text)) return writeBytes(w, t, vr, explicit, encodeText(text, vr === 'UI' ? [] : charset));
    // the default repertoire is the same bytes in every character set
    writeLength(w, t, vr, explicit, text.length);
    w.ascii(text);
    return pad(w, vr, text.length);
  }
  const size = NUMERIC_SIZE[vr];
  if (size === undefined) throw new Error(`${formatTag(t)}: VR ${vr} needs its value as bytes (Uint8Array)`);
  const length = value.length * size;
  writeLength(w, t, vr, explicit, length);
  const at = w.reserve(length);
  w.buf.fill(0, at, at + length); // the reused buffer holds old bytes: a hole in the array stays zero
  const { view, le } = w;
  (value as unknown[]).forEach((v, i) => {
    const p = at + i * size;
    if (vr === 'SV') return view.setBigInt64(p, BigInt(v as bigint), le);
    if (vr === 'UV') return view.setBigUint64(p, BigInt(v as bigint), le);
    const n = Number(v);
    if (!Number.isFinite(n) && vr !== 'FL' && vr !== 'FD') throw new Error(`${formatTag(t)}: '${String(v)}' is not a number`);
    switch (vr) {
      case 'US':
        view.setUint16(p, n, le);
        break;
      case 'SS':
        view.setInt16(p, n, le);
        break;
      case 'UL':
        view.setUint32(p, n, le);
        break;
      case 'SL':
        view.setInt32(p, n, le);
        break;
      case 'FL':
        view.setFloat32(p, n, le);
        break;
      case 'FD':
        view.setFloat64(p, n, le);
        break;
      default:
        view.setUint16(p, n >>> 16, le);
        view.setUint16(p + 2, n & 0xffff, le); // AT
    }
  });
}

/** The value length field of `length` bytes padded to even (PS3.5 §7.1.1: 2 bytes for the short explicit VRs, else 4). */
function writeLength(w: Writer, t: Tag, vr: VR, explicit: boolean, length: number): void {
  const padded = length + (length & 1);
  if (explicit && !LONG_VRS.has(vr)) {
    if (padded > 0xffff) throw new Error(`${formatTag(t)}: ${padded} bytes are too long for VR ${vr}`);
    w.u16(padded);
  } else {
    w.u32(padded);
  }
}

/** The padding byte after an odd-length value: NUL for UI and binary VRs, space for text (PS3.5 §6.2). */
function pad(w: Writer, vr: VR, length: number): void {
  if ((length & 1) === 0) return;
  const at = w.reserve(1);
  w.buf[at] = vr === 'UI' || !TEXT_VRS.has(vr) ? 0 : 0x20;
}

function writeBytes(w: Writer, t: Tag, vr: VR, explicit: boolean, value: Uint8Array): void {
  writeLength(w, t, vr, explicit, value.length);
  w.bytes(value);
  pad(w, vr, value.length);
}

/**
 * Encodes a data set in ascending tag order with defined lengths, even-padded values
 * (UI with NUL, others with space; OB/UN with NUL). Text is encoded for the Specific
 * Character Set the data set carries (UTF-8 for ISO_IR 192, ISO 8859 parts, etc.).
 * Group lengths are not added. Does not deflate.
 *
 * Text is written in the default repertoire, ISO_IR 100 or ISO_IR 192. When a data set's
 * text cannot be written in its declared set, that data set (or item) is written in UTF-8
 * and its Specific Character Set is written as `ISO_IR 192`; the input is not modified.
 */
export function encodeDataSet(ds: DataSet, ts: TransferSyntaxEncoding): Uint8Array {
  const buffer = scratch ?? new Uint8Array(SCRATCH_BYTES);
  scratch = undefined; // not shared with a nested call
  try {
    const w = new Writer(buffer, ts.littleEndian);
    writeDataSet(w, ds, ts.explicitVR, []);
    return w.buf.slice(0, w.length);
  } finally {
    scratch = buffer;
  }
}
