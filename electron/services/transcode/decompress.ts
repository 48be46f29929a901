/**
 * Decompression of an instance's encapsulated Pixel Data (PS3.5 A.4) into a native data set in
 * Explicit VR Little Endian, for a receiver that takes none of the compressed syntaxes. The
 * elements before and after Pixel Data are carried byte for byte; only those that describe the
 * pixels change: Photometric Interpretation (YBR → RGB where the decoder converted the colour),
 * Planar Configuration, and Lossy Image Compression, which stays (or becomes) "01" for data that
 * was compressed lossily (PS3.3 C.7.6.1.1.5). Frames are split by the Basic or Extended Offset
 * Table, else one fragment per frame or by JPEG/JPEG 2000 start markers, and decoded in the
 * codec workers (codec-worker.ts).
 */
import { readFile } from 'node:fs/promises';
import { decodeDataSet, encodeDataSet, EXPLICIT_LITTLE_ENDIAN } from '../../../shared/dicom/codec.js';
import { getNumber, getString, getStrings, type DataElement, type Tag } from '../../../shared/dicom/dataset.js';
import { transferSyntax } from '../../../shared/dicom/uids.js';
import type { InstanceSource } from '../../dimse/handlers.js';
import { CodecPool, decodedSyntaxes, type DecodedFrame } from './codec-worker.js';
import type { Decompressor } from './outgoing.js';
import { EXTENDED_OFFSET_TABLE, PIXEL_DATA } from '../../../shared/dicom/tags.js';
import { ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from '../../../shared/dicom/vr-layout.js';

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

/** The method name of Lossy Image Compression Method (0028,2114) for the lossy syntaxes (PS3.3 C.7.6.1.1.5.1). */
const LOSSY_METHOD: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.50': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.51': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.81': 'ISO_14495_1',
  '1.2.840.10008.1.2.4.91': 'ISO_15444_1',
  '1.2.840.10008.1.2.4.203': 'ISO_15444_15',
};

/** Thrown for encapsulated Pixel Data that cannot be read. */
export class DecompressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecompressError';
  }
}

interface Span {
  tag: Tag;
  start: number;
  end: number;
}

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function tagAt(b: Uint8Array, at: number): Tag {
  return ((u16(b, at) << 16) | u16(b, at + 2)) >>> 0;
}

/** Where the element at `at` ends, in Explicit VR Little Endian (undefined lengths walked to their delimiter). */
function elementEnd(b: Uint8Array, at: number, implicit = false): number {
  const tag = tagAt(b, at);
  if (tag >>> 16 === 0xfffe) {
    const length = u32(b, at + 4);
    return length === UNDEFINED_LENGTH ? contentEnd(b, at + 8, ITEM_DELIMITATION, implicit) : at + 8 + length;
  }
  let length: number;
  let header: number;
  let vr = '';
  if (implicit) {
    length = u32(b, at + 4);
    header = 8;
  } else {
    vr = String.fromCharCode(b[at + 4]!, b[at + 5]!);
    if (LONG_VRS.has(vr)) {
      length = u32(b, at + 8);
      header = 12;
    } else {
      length = u16(b, at + 6);
      header = 8;
    }
  }
  if (length !== UNDEFINED_LENGTH) return at + header + length;
  // an undefined-length UN holds Implicit VR Little Endian (PS3.5 §6.2.2)
  return contentEnd(b, at + header, SEQUENCE_DELIMITATION, implicit || vr === 'UN');
}

/** Walks elements from `at` to the delimiter `end` (included); returns the offset after it. */
function contentEnd(b: Uint8Array, at: number, end: Tag, implicit: boolean): number {
  let p = at;
  while (p + 8 <= b.length) {
    if (tagAt(b, p) === end) return p + 8;
    p = elementEnd(b, p, implicit);
  }
  throw new DecompressError('a sequence or item has no end');
}

/** The top-level elements of Explicit VR Little Endian bytes. */
function topLevel(b: Uint8Array, from = 0, to = b.length): Span[] {
  const out: Span[] = [];
  for (let p = from; p < to;) {
    const end = elementEnd(b, p);
    out.push({ tag: tagAt(b, p), start: p, end });
    p = end;
  }
  return out;
}

/** The fragments of encapsulated Pixel Data starting at `at` (its element header), and where it ends. */
function fragmentsOf(b: Uint8Array, at: number): { offsets: number[]; fragments: { start: number; end: number }[]; end: number } {
  let p = at + 12;
  if (tagAt(b, p) !== ITEM) throw new DecompressError('encapsulated Pixel Data does not start with the Basic Offset Table item');
  const botLength = u32(b, p + 4);
  const offsets: number[] = [];
  for (let k = 0; k < botLength; k += 4) offsets.push(u32(b, p + 8 + k));
  p += 8 + botLength;
  const fragments: { start: number; end: number }[] = [];
  while (p + 8 <= b.length) {
    const tag = tagAt(b, p);
    if (tag === SEQUENCE_DELIMITATION) return { offsets, fragments, end: p + 8 };
    if (tag !== ITEM) throw new DecompressError(`a fragment of Pixel Data is not an item (${tag.toString(16)})`);
    const length = u32(b, p + 4);
    if (p + 8 + length > b.length) throw new DecompressError('a fragment of Pixel Data runs past the end of the file');
    fragments.push({ start: p + 8, end: p + 8 + length });
    p += 8 + length;
  }
  throw new DecompressError('encapsulated Pixel Data has no Sequence Delimitation Item');
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The compressed bytes of each frame (PS3.5 A.4: offset tables, or one fragment per frame, or start markers). */
export function splitFrames(b: Uint8Array, frags: ReturnType<typeof fragmentsOf>, frames: number, extended?: number[]): Uint8Array[] {
  const pieces = frags.fragments.map((f) => b.subarray(f.start, f.end));
  if (frames <= 1) return [concat(pieces)];
  const table = extended?.length ? extended : frags.offsets;
  if (table.length === frames) {
    // offsets count from the first fragment's item tag
    const base = (frags.fragments[0]?.start ?? 0) - 8;
    const starts = frags.fragments.map((f) => f.start - 8 - base);
    return table.map((o, k) => concat(pieces.filter((_, i) => starts[i]! >= o && (k + 1 >= table.length || starts[i]! < table[k + 1]!))));
  }
  if (pieces.length === frames) return pieces;
  // a new frame starts with a JPEG SOI (FFD8) or a JPEG 2000 SOC (FF4F) marker
  const out: Uint8Array[][] = [];
  for (const p of pieces) {
    const starts = p[0] === 0xff && (p[1] === 0xd8 || p[1] === 0x4f);
    if (starts || out.length === 0) out.push([p]);
    else out[out.length - 1]!.push(p);
  }
  if (out.length !== frames) throw new DecompressError(`cannot tell the ${frames} frames apart among ${pieces.length} fragments`);
  return out.map(concat);
}

/** One element in Explicit VR Little Endian. */
function encodeElement(tag: Tag, element: DataElement): Uint8Array {
  return encodeDataSet(new Map([[tag, element]]), EXPLICIT_LITTLE_ENDIAN);
}

/** Decompresses with the codec workers. */
export class PixelDecompressor implements Decompressor {
  private syntaxes: ReadonlySet<string> | undefined;

  constructor(private readonly pool: CodecPool = new CodecPool()) {}

  decodes(transferSyntaxUid: string): boolean {
    this.syntaxes ??= decodedSyntaxes();
    return this.syntaxes.has(transferSyntaxUid);
  }

  async decompress(instance: InstanceSource): Promise<Uint8Array> {
    const file = await readFile(instance.path);
    const b = new Uint8Array(file.buffer, file.byteOffset + instance.dataSetOffset, file.byteLength - instance.dataSetOffset);
    const { dataSet: head, bytesRead } = decodeDataSet(b, EXPLICIT_LITTLE_ENDIAN, { stopAtTag: PIXEL_DATA });
    if (bytesRead + 12 > b.length || tagAt(b, bytesRead) !== PIXEL_DATA) throw new DecompressError('the instance has no Pixel Data');
    if (u32(b, bytesRead + 8) !== UNDEFINED_LENGTH) throw new DecompressError('Pixel Data is not encapsulated');
    const frags = fragmentsOf(b, bytesRead);
    const num = (t: Tag, d: number) => getNumber(head, t) ?? d;
    const info = {
      rows: num(0x00280010, 0),
      columns: num(0x00280011, 0),
      bitsAllocated: num(0x00280100, 8),
      samplesPerPixel: num(0x00280002, 1),
      pixelRepresentation: num(0x00280103, 0),
      planar: (num(0x00280006, 0) === 1 ? 1 : 0) as 0 | 1,
    };
    const frames = Math.max(1, Math.trunc(Number(getString(head, 0x00280008) ?? '1')) || 1);
    const extendedElement = head.get(EXTENDED_OFFSET_TABLE);
    const extended = extendedElement?.value instanceof Uint8Array ? readOffsets64(extendedElement.value) : undefined;
    const compressed = splitFrames(b, frags, frames, extended);
    const decoded: DecodedFrame[] = await Promise.all(compressed.map((f) => this.pool.decode(instance.transferSyntaxUid, f, info)));
    const frameBytes = info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8);
    for (const [k, d] of decoded.entries()) {
      if (d.bytes.length < frameBytes) throw new DecompressError(`frame ${k + 1} decoded to ${d.bytes.length} bytes, ${frameBytes} expected`);
    }
    const pixels = concat(decoded.map((d) => (d.bytes.length > frameBytes ? d.bytes.subarray(0, frameBytes) : d.bytes)));

    // the elements before Pixel Data, byte for byte, but those that describe the pixels now
    const edits = new Map<Tag, DataElement>();
    const colour = decoded[0];
    if (info.samplesPerPixel > 1) {
      edits.set(0x00280006, { vr: 'US', value: [colour?.planar ?? 0] });
      if (colour?.photometric) edits.set(0x00280004, { vr: 'CS', value: [colour.photometric] });
    }
    const method = LOSSY_METHOD[instance.transferSyntaxUid];
    if (method) {
      edits.set(0x00282110, { vr: 'CS', value: ['01'] });
      if (getStrings(head, 0x00282114).length === 0) edits.set(0x00282114, { vr: 'CS', value: [method] });
    }
    const parts: Uint8Array[] = [];
    const spans = topLevel(b, 0, bytesRead).filter((s) => s.tag !== EXTENDED_OFFSET_TABLE && s.tag !== 0x7fe00002 && (s.tag & 0xffff) !== 0);
    const pending = [...edits.keys()].sort((x, y) => x - y);
    for (const s of spans) {
      while (pending.length && pending[0]! < s.tag) {
        const t = pending.shift()!;
        parts.push(encodeElement(t, edits.get(t)!));
      }
      if (pending[0] === s.tag) {
        pending.shift();
        parts.push(encodeElement(s.tag, edits.get(s.tag)!));
        continue;
      }
      parts.push(b.subarray(s.start, s.end));
    }
    for (const t of pending) parts.push(encodeElement(t, edits.get(t)!));
    const even = pixels.length % 2 ? concat([pixels, new Uint8Array(1)]) : pixels;
    const header = new Uint8Array(12);
    header.set([0xe0, 0x7f, 0x10, 0x00]);
    header.set(info.bitsAllocated > 8 ? [0x4f, 0x57] : [0x4f, 0x42], 4); // OW, or OB for 8-bit samples (PS3.5 A.2)
    new DataView(header.buffer).setUint32(8, even.length, true);
    parts.push(header, even, b.subarray(frags.end));
    return concat(parts);
  }

  /** Ends the codec workers. */
  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The Extended Offset Table (7FE0,0001): 64-bit offsets. */
function readOffsets64(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let at = 0; at + 8 <= bytes.length; at += 8) out.push(Number(dv.getBigUint64(at, true)));
  return out;
}

/** Whether a transfer syntax compresses lossily (its decompressed data keeps Lossy Image Compression "01"). */
export function isLossy(transferSyntaxUid: string): boolean {
  return transferSyntax(transferSyntaxUid)?.lossy ?? false;
}
