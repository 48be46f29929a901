/**
 * Encoding and decoding of data sets (PS3.5 §7): implicit/explicit VR, little/big endian,
 * defined and undefined lengths, sequences and items, Specific Character Set for text.
 *
 * The signatures of this module are a contract other modules rely on.
 */
import type { DataElement, DataSet, ElementValue, Tag, VR } from './dataset.js';
import { formatTag } from './dataset.js';
import { vrOf } from './dictionary.js';
import { CHARSET_VRS, decodeLatin1, decodeText } from './charset.js';
import { ITEM, ITEM_DELIMITATION, LONG_VRS, NUMERIC_SIZE, SEQUENCE_DELIMITATION, TEXT_VRS, UNDEFINED_LENGTH } from './vr-layout.js';
import { SPECIFIC_CHARACTER_SET } from './tags.js';

export { encodeDataSet } from './codec-encode.js';

/** How a transfer syntax lays out a data set (PS3.5 §10). */
export interface TransferSyntaxEncoding {
  explicitVR: boolean;
  littleEndian: boolean;
  /** Deflated Explicit VR Little Endian: the data set bytes are raw-deflated (RFC 1951). */
  deflated: boolean;
  /** Pixel data is encapsulated (compressed) in this syntax. */
  encapsulated: boolean;
}

/** Options for {@link decodeDataSet}. */
export interface DecodeOptions {
  /** Stop before the first top-level element whose tag is >= this (e.g. 0x7FE00010 for pixel data). */
  stopAtTag?: Tag;
  /**
   * When true, running out of bytes before `stopAtTag` (or the end) is not an error: the
   * elements complete so far are returned and `truncated` is set on the result.
   */
  allowTruncated?: boolean;
  /** The Specific Character Set to assume when the data set carries none (e.g. from an enclosing data set). */
  defaultCharacterSet?: string[];
  /**
   * Keep only these top-level elements (the Specific Character Set is always read): the others
   * are stepped over by their length without decoding their values, which makes reading the few
   * attributes an index needs from a long header cheap. Malformed or truncated input is still
   * detected as without it.
   */
  only?: ReadonlySet<Tag>;
}

/** What {@link decodeDataSet} returns. */
export interface DecodeResult {
  dataSet: DataSet;
  /** Bytes consumed (up to the stop tag or the end). */
  bytesRead: number;
  /** Set when the input ended inside an element and `allowTruncated` was given. */
  truncated: boolean;
}

/** Thrown for bytes that cannot be a data set in the stated syntax (C000 "cannot understand" upstream). */
export class DicomParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'DicomParseError';
  }
}

/** Implicit VR Little Endian: the encoding of every DIMSE command set (PS3.7 §6.3.1). */
export const IMPLICIT_LITTLE_ENDIAN: TransferSyntaxEncoding = Object.freeze({
  explicitVR: false,
  littleEndian: true,
  deflated: false,
  encapsulated: false,
});
/** Explicit VR Little Endian: the encoding of the Part-10 file meta information (PS3.10 §7.1). */
export const EXPLICIT_LITTLE_ENDIAN: TransferSyntaxEncoding = Object.freeze({
  explicitVR: true,
  littleEndian: true,
  deflated: false,
  encapsulated: false,
});

/** The layout of a transfer syntax UID; unknown UIDs are assumed explicit VR little endian, encapsulated (PS3.5 §10). */
export function encodingOf(transferSyntaxUid: string): TransferSyntaxEncoding {
  const uid = transferSyntaxUid.replace(/[\0 ]+$/, '').trim();
  const ts = (explicitVR: boolean, littleEndian: boolean, deflated: boolean, encapsulated: boolean) => ({ explicitVR, littleEndian, deflated, encapsulated });
  switch (uid) {
    case '1.2.840.10008.1.2':
      return ts(false, true, false, false); // Implicit VR Little Endian (PS3.5 §A.1)
    case '1.2.840.10008.1.2.1':
      return ts(true, true, false, false); // Explicit VR Little Endian (§A.2)
    case '1.2.840.10008.1.2.1.99':
      return ts(true, true, true, false); // Deflated Explicit VR LE (§A.5)
    case '1.2.840.10008.1.2.2':
      return ts(true, false, false, false); // Explicit VR Big Endian (§A.3, retired)
    case '1.2.840.10008.1.2.4.94':
      return ts(true, true, false, false); // JPIP Referenced (§A.6)
    case '1.2.840.10008.1.2.4.95':
      return ts(true, true, true, false); // JPIP Referenced Deflate (§A.7)
    default:
      return ts(true, true, false, true); // encapsulated syntaxes (§A.4)
  }
}

const ALL_VRS: VR[] = [
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
];
/** Two VR characters as one number → the VR. */
const VR_BY_CODE = new Map<number, VR>(ALL_VRS.map((vr) => [(vr.charCodeAt(0) << 8) | vr.charCodeAt(1), vr]));
const SINGLE_VALUE = new Set<VR>(['LT', 'ST', 'UT', 'UR']);
/** VRs whose leading spaces are insignificant too (PS3.5 Table 6.2-1). */
const TRIM_LEADING = new Set<VR>(['AE', 'CS', 'DS', 'IS', 'LO', 'SH', 'UI', 'DA', 'TM', 'DT', 'AS']);

/** Raised inside the decoder when the input ends inside an element. */
class Truncated extends Error {}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

class Decoder {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(pos: number, n: number): void {
    if (pos + n > this.bytes.length) throw new Truncated();
  }

  u16(pos: number, le: boolean): number {
    return this.view.getUint16(pos, le);
  }

  u32(pos: number, le: boolean): number {
    return this.view.getUint32(pos, le);
  }

  tagAt(pos: number, le: boolean): Tag {
    return ((this.view.getUint16(pos, le) << 16) | this.view.getUint16(pos + 2, le)) >>> 0;
  }

  vrAt(pos: number): VR | undefined {
    return VR_BY_CODE.get((this.bytes[pos]! << 8) | this.bytes[pos + 1]!);
  }

  /**
   * Whether the element at `pos` is in explicit VR, as the first element of a data set tells
   * (the check DCMTK and pydicom make: some writers label implicit data explicit, or the reverse).
   */
  explicitAt(pos: number, end: number, expected: boolean, le: boolean): boolean {
    if (pos + 8 > end) return expected;
    const t = this.tagAt(pos, le);
    if (t === ITEM_DELIMITATION || t === SEQUENCE_DELIMITATION || t === ITEM) return expected;
    return this.vrAt(pos + 4) !== undefined;
  }

  /** Reads elements from `pos` up to `end`, or to an item delimiter when `untilDelimiter`. */
  dataSet(
    pos: number,
    end: number,
    explicit: boolean,
    le: boolean,
    charset: string[],
    untilDelimiter: boolean,
    top?: { stopAtTag?: Tag; allowTruncated: boolean; only?: ReadonlySet<Tag> | undefined },
  ): { ds: DataSet; pos: number; truncated: boolean } {
    const ds: DataSet = new Map();
    explicit = this.explicitAt(pos, end, explicit, le);
    while (pos < end) {
      const start = pos;
      try {
        this.need(pos, 4);
        const t = this.tagAt(pos, le);
        if (top?.stopAtTag !== undefined && t >= top.stopAtTag) return { ds, pos, truncated: false };
        this.need(pos, 8);
        if (t === ITEM_DELIMITATION) {
          pos += 8;
          if (untilDelimiter) return { ds, pos, truncated: false };
          continue; // a stray delimiter in a defined-length item: tolerated, as DCMTK does
        }
        if (t === SEQUENCE_DELIMITATION && !untilDelimiter) {
          pos += 8;
          continue;
        }
        if (t >>> 16 === 0xfffe) throw new DicomParseError(`Unexpected ${formatTag(t)} in a data set`, pos);
        if (top?.only && t !== SPECIFIC_CHARACTER_SET && !top.only.has(t)) {
          const next = this.skip(pos, t, explicit, le, charset);
          if (next > end) throw new DicomParseError(`${formatTag(t)} overruns its enclosing item`, pos);
          pos = next;
          continue;
        }
        const [el, next] = this.element(pos, t, explicit, le, charset);
        if (next > end) throw new DicomParseError(`${formatTag(t)} overruns its enclosing item`, pos);
        pos = next;
        ds.set(t, el);
        if (t === SPECIFIC_CHARACTER_SET) charset = el.value as string[];
      } catch (e) {
        if (!(e instanceof Truncated) || !top) throw e;
        if (!top.allowTruncated) throw new DicomParseError('Unexpected end of data inside an element', start);
        return { ds, pos: start, truncated: true };
      }
    }
    if (untilDelimiter) throw new Truncated();
    return { ds, pos, truncated: false };
  }

  /** One element at `pos` (its tag already read): returns it and the offset after it. */
  element(pos: number, t: Tag, explicit: boolean, le: boolean, charset: string[]): [DataElement, number] {
    let vr: VR;
    let length: number;
    let header: number;
    const explicitVr = explicit ? this.vrAt(pos + 4) : undefined;
    if (explicitVr) {
      vr = explicitVr;
      if (LONG_VRS.has(vr)) {
        this.need(pos, 12);
        length = this.u32(pos + 8, le);
        header = 12;
      } else {
        length = this.u16(pos + 6, le);
        header = 8;
      }
    } else {
      if (explicit) throw new DicomParseError(`${formatTag(t)} has no valid VR`, pos);
      vr = vrOf(t);
      length = this.u32(pos + 4, le);
      header = 8;
    }
    const valueStart = pos + header;
    if (length === UNDEFINED_LENGTH) {
      if (vr === 'UN') {
        // PS3.5 §6.2.2: UN of undefined length is a sequence in Implicit VR Little Endian.
        const [items, next] = this.sequence(valueStart, undefined, false, true, charset);
        return [{ vr: 'SQ', value: items }, next];
      }
      if (vr === 'SQ' || (!explicit && t !== 0x7fe00010 && vr !== 'OB' && vr !== 'OW')) {
        const [items, next] = this.sequence(valueStart, undefined, explicit, le, charset);
        return [{ vr: 'SQ', value: items }, next];
      }
      return this.encapsulated(valueStart, vr, le);
    }
    const valueEnd = valueStart + length;
    this.need(valueStart, length);
    if (vr === 'SQ') {
      const [items] = this.sequence(valueStart, valueEnd, explicit, le, charset);
      return [{ vr, value: items }, valueEnd];
    }
    const raw = this.bytes.subarray(valueStart, valueEnd);
    if (vr === 'UN' && explicit) {
      const known = vrOf(t);
      if (known !== 'UN') return [this.fromUn(raw, known, le, charset), valueEnd];
    }
    return [{ vr, value: convert(raw, vr, le, charset, this.view, valueStart) }, valueEnd];
  }

  /**
   * The offset after the element at `pos`, its value not decoded: a defined length is stepped
   * over (after checking the bytes are there); a sequence or an undefined length is read, to
   * find its end and check it as {@link element} would.
   */
  skip(pos: number, t: Tag, explicit: boolean, le: boolean, charset: string[]): number {
    const vr = explicit ? this.vrAt(pos + 4) : undefined;
    if (explicit && !vr) throw new DicomParseError(`${formatTag(t)} has no valid VR`, pos);
    let length: number;
    let header = 8;
    if (vr && LONG_VRS.has(vr)) {
      this.need(pos, 12);
      length = this.u32(pos + 8, le);
      header = 12;
    } else {
      length = vr ? this.u16(pos + 6, le) : this.u32(pos + 4, le);
    }
    if (length === UNDEFINED_LENGTH || vr === 'SQ' || (!vr && vrOf(t) === 'SQ')) return this.element(pos, t, explicit, le, charset)[1];
    this.need(pos + header, length);
    return pos + header + length;
  }

  /** A defined-length UN whose tag the dictionary knows, read with the dictionary's VR (PS3.5 §6.2.2). */
  fromUn(raw: Uint8Array, vr: VR, le: boolean, charset: string[]): DataElement {
    try {
      if (vr === 'SQ') return { vr, value: new Decoder(raw).sequence(0, raw.length, false, true, charset)[0] };
      return { vr, value: convert(raw, vr, le, charset) };
    } catch {
      return { vr: 'UN', value: raw };
    }
  }

  /** Items of a sequence, up to `end` or (undefined length) the sequence delimiter. */
  sequence(pos: number, end: number | undefined, explicit: boolean, le: boolean, charset: string[]): [DataSet[], number] {
    const items: DataSet[] = [];
    while (end === undefined || pos < end) {
      this.need(pos, 8);
      const t = this.tagAt(pos, le);
      const length = this.u32(pos + 4, le);
      if (t === SEQUENCE_DELIMITATION) {
        pos += 8;
        if (end === undefined) return [items, pos];
        continue;
      }
      if (t !== ITEM) throw new DicomParseError(`Expected an item (FFFE,E000) in a sequence, found ${formatTag(t)}`, pos);
      if (length === UNDEFINED_LENGTH) {
        const r = this.dataSet(pos + 8, end ?? this.bytes.length, explicit, le, charset, true);
        items.push(r.ds);
        pos = r.pos;
      } else {
        const itemEnd = pos + 8 + length;
        this.need(pos + 8, length);
        if (end !== undefined && itemEnd > end) throw new DicomParseError('Item overruns its sequence', pos);
        items.push(this.dataSet(pos + 8, itemEnd, explicit, le, charset, false).ds);
        pos = itemEnd;
      }
    }
    return [items, pos];
  }

  /** Encapsulated pixel data (PS3.5 §A.4): the fragment items as raw bytes, delimiter excluded. */
  encapsulated(valueStart: number, vr: VR, le: boolean): [DataElement, number] {
    let pos = valueStart;
    for (;;) {
      this.need(pos, 8);
      const t = this.tagAt(pos, le);
      if (t === SEQUENCE_DELIMITATION) {
        return [{ vr, value: this.bytes.subarray(valueStart, pos) }, pos + 8];
      }
      if (t !== ITEM) throw new DicomParseError(`Expected a fragment item in encapsulated data, found ${formatTag(t)}`, pos);
      const length = this.u32(pos + 4, le);
      if (length === UNDEFINED_LENGTH) throw new DicomParseError('Fragment of undefined length', pos);
      this.need(pos + 8, length);
      pos += 8 + length;
    }
  }
}

function trimValue(s: string, vr: VR): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0)) end--;
  let start = 0;
  if (TRIM_LEADING.has(vr)) while (start < end && s.charCodeAt(start) === 0x20) start++;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

type NumberReader = (view: DataView, at: number, le: boolean) => number;
const NUMBER_READERS: Partial<Record<VR, NumberReader>> = {
  US: (v, p, le) => v.getUint16(p, le),
  SS: (v, p, le) => v.getInt16(p, le),
  UL: (v, p, le) => v.getUint32(p, le),
  SL: (v, p, le) => v.getInt32(p, le),
  FL: (v, p, le) => v.getFloat32(p, le),
  FD: (v, p, le) => v.getFloat64(p, le),
  AT: (v, p, le) => ((v.getUint16(p, le) << 16) | v.getUint16(p + 2, le)) >>> 0,
};

/**
 * Converts a value field to the {@link ElementValue} of its VR (see dataset.ts). `view` and
 * `at` locate `raw` for numeric reads without a DataView per element.
 */
function convert(raw: Uint8Array, vr: VR, le: boolean, charset: string[], view?: DataView, at = 0): ElementValue {
  if (TEXT_VRS.has(vr)) {
    if (raw.length === 0) return [];
    const text = CHARSET_VRS.has(vr) ? decodeText(raw, charset, vr) : decodeLatin1(raw);
    if (SINGLE_VALUE.has(vr) || text.indexOf('\\') < 0) {
      const v = trimValue(text, vr);
      return v === '' ? [] : [v];
    }
    return text.split('\\').map((s) => trimValue(s, vr));
  }
  const size = NUMERIC_SIZE[vr];
  if (size === undefined) return raw; // OB, OD, OF, OL, OV, OW, UN
  if (!view) view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = Math.floor(raw.length / size);
  if (vr === 'SV' || vr === 'UV') {
    const out: bigint[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = vr === 'SV' ? view.getBigInt64(at + i * 8, le) : view.getBigUint64(at + i * 8, le);
    return out;
  }
  const read = NUMBER_READERS[vr]!;
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = read(view, at + i * size, le);
  return out;
}

/**
 * Decodes a data set (not deflated: inflate first). Implicit VR takes VRs from the dictionary
 * (UN when unknown). Text is decoded with the data set's own Specific Character Set (0008,0005).
 * Throws {@link DicomParseError} on malformed input.
 *
 * Bulk values (OB, OW, UN, pixel data…) are views into `bytes`, not copies. Encapsulated pixel
 * data is returned as its fragment items (Basic Offset Table first), delimiter excluded.
 * A defined-length UN whose tag the dictionary knows is read with the dictionary's VR.
 */
export function decodeDataSet(bytes: Uint8Array, ts: TransferSyntaxEncoding, options: DecodeOptions = {}): DecodeResult {
  const decoder = new Decoder(bytes);
  const top = { stopAtTag: options.stopAtTag, allowTruncated: options.allowTruncated ?? false, only: options.only };
  try {
    const r = decoder.dataSet(0, bytes.length, ts.explicitVR, ts.littleEndian, options.defaultCharacterSet ?? [], false, top);
    return { dataSet: r.ds, bytesRead: r.pos, truncated: r.truncated };
  } catch (e) {
    if (e instanceof DicomParseError) throw e;
    if (e instanceof Truncated) throw new DicomParseError('Malformed data set: unexpected end of data', 0);
    if (e instanceof RangeError) throw new DicomParseError(`Malformed data set: ${e.message}`, 0);
    throw e;
  }
}
