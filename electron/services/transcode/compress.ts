/**
 * Lossless compression of what arrives, for a cache that should take less disk: a native data
 * set whose Pixel Data is grey (one sample) of 8 or 16 bits becomes JPEG-LS Lossless (PS3.5
 * A.4.3) or RLE Lossless (A.4.2, Annex G), its other elements byte for byte. Every frame is
 * decoded again before the result is used: it is kept only when the pixels are bit-for-bit the
 * received ones, so compression never alters an image. Colour, floating-point or odd pixel
 * data are stored as received.
 */
import { inflateRawSync } from 'node:zlib';
import type { ArrivalCompression } from '../../../shared/config.js';
import { decodeDataSet, encodingOf } from '../../../shared/dicom/codec.js';
import { getNumber, getString, type Tag } from '../../../shared/dicom/dataset.js';
import { transcodeNative } from '../../../shared/dicom/transcode-native.js';
import { TransferSyntaxUid } from '../../../shared/dicom/uids.js';
import { CodecPool } from './codec-worker.js';
import { PIXEL_DATA } from '../../../shared/dicom/tags.js';

/** The transfer syntax each compression stores in. */
export const ARRIVAL_SYNTAX: Readonly<Record<ArrivalCompression, string>> = {
  'jpeg-ls-lossless': TransferSyntaxUid.JPEGLSLossless,
  'rle-lossless': TransferSyntaxUid.RLELossless,
};

const FLOAT_PIXEL_DATA: readonly Tag[] = [0x7fe00008, 0x7fe00009];
const ELE = TransferSyntaxUid.ExplicitVRLittleEndian;

/** The compressed data set (Explicit VR Little Endian outside Pixel Data), or why it stays as received. */
export type Compressed = { transferSyntaxUid: string; dataSet: Uint8Array } | { skipped: string };

/** Compresses received data sets in the codec workers. */
export class ArrivalCompressor {
  constructor(private readonly pool: CodecPool = new CodecPool()) {}

  /** `dataSet` in `transferSyntaxUid` (a native or deflated one), compressed with `kind`, or why not. */
  async compress(dataSet: Uint8Array, transferSyntaxUid: string, kind: ArrivalCompression): Promise<Compressed> {
    const from = encodingOf(transferSyntaxUid);
    if (from.encapsulated) return { skipped: 'it arrived compressed' };
    // one byte order and explicit VRs around the pixels: the syntax the compressed ones are built on
    const native = from.deflated ? inflateRawSync(dataSet) : dataSet;
    const b = transferSyntaxUid === ELE ? native : transcodeNative(native, { ...from, deflated: false }, encodingOf(ELE));
    const { dataSet: head, bytesRead } = decodeDataSet(b, encodingOf(ELE), { stopAtTag: PIXEL_DATA });
    if (FLOAT_PIXEL_DATA.some((t) => head.has(t))) return { skipped: 'its pixel data is floating point' };
    if (bytesRead + 12 > b.length || tagAt(b, bytesRead) !== PIXEL_DATA) return { skipped: 'it has no Pixel Data' };
    const samples = getNumber(head, 0x00280002) ?? 1;
    const bitsAllocated = getNumber(head, 0x00280100) ?? 0;
    const rows = getNumber(head, 0x00280010) ?? 0;
    const columns = getNumber(head, 0x00280011) ?? 0;
    const frames = Math.max(1, Math.trunc(Number(getString(head, 0x00280008) ?? '1')) || 1);
    if (samples !== 1) return { skipped: 'it is in colour' };
    if (bitsAllocated !== 8 && bitsAllocated !== 16) return { skipped: `it has ${bitsAllocated}-bit samples` };
    const frameBytes = rows * columns * (bitsAllocated / 8);
    const length = u32(b, bytesRead + 8);
    if (frameBytes === 0 || length !== frameBytes * frames + ((frameBytes * frames) % 2))
      return { skipped: 'its Pixel Data length does not match its rows, columns and frames' };
    const pixels = b.subarray(bytesRead + 12, bytesRead + 12 + frameBytes * frames);
    const info = { rows, columns, bitsAllocated, samplesPerPixel: 1, pixelRepresentation: getNumber(head, 0x00280103) ?? 0 };
    const frameList = Array.from({ length: frames }, (_, k) => pixels.subarray(k * frameBytes, (k + 1) * frameBytes));
    const codec = kind === 'jpeg-ls-lossless' ? 'jpeg-ls' : 'rle';
    const to = ARRIVAL_SYNTAX[kind];
    const encoded = await Promise.all(
      frameList.map((f) => this.pool.encode(codec, f, { ...info, bitsPerSample: significantBits(f, bitsAllocated, getNumber(head, 0x00280101)) })),
    );
    // what a reader will get back, checked now: kept only when bit for bit the received pixels
    const decoded = await Promise.all(encoded.map((e) => this.pool.decode(to, e, { ...info, planar: 0 })));
    for (const [k, d] of decoded.entries()) {
      if (!equalBytes(d.bytes.subarray(0, frameBytes), frameList[k]!) || d.bytes.length < frameBytes)
        return { skipped: `frame ${k + 1} did not decode to the received pixels` };
    }
    return { transferSyntaxUid: to, dataSet: encapsulate(b.subarray(0, bytesRead), encoded, b.subarray(bytesRead + 12 + length)) };
  }

  /** Ends the codec workers. */
  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * The bits a frame's samples need: Bits Stored, or more when a sample uses bits above it (a
 * sign-extended negative value, an overlay in the high bits): JPEG-LS keeps exactly that many.
 */
function significantBits(frame: Uint8Array, bitsAllocated: number, bitsStored: number | undefined): number {
  if (bitsAllocated === 8) return 8;
  let max = 0;
  for (let i = 0; i + 1 < frame.length; i += 2) max |= frame[i]! | (frame[i + 1]! << 8);
  const used = max === 0 ? 1 : 32 - Math.clz32(max);
  // at least 9: 16-bit samples are read and written as two bytes each
  return Math.min(16, Math.max(9, bitsStored ?? 16, used));
}

/** The elements before Pixel Data, encapsulated Pixel Data (a Basic Offset Table, one fragment per frame, PS3.5 A.4), and what followed. */
function encapsulate(before: Uint8Array, frames: Uint8Array[], after: Uint8Array): Uint8Array {
  const even = frames.map((f) => (f.length % 2 ? concat([f, new Uint8Array(1)]) : f));
  const offsets = new Uint8Array(4 * even.length);
  let offset = 0;
  even.forEach((f, k) => {
    new DataView(offsets.buffer).setUint32(4 * k, offset, true);
    offset += 8 + f.length;
  });
  const parts: Uint8Array[] = [before, Uint8Array.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]), item(offsets.length), offsets];
  for (const f of even) parts.push(item(f.length), f);
  parts.push(Uint8Array.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]), after);
  return concat(parts);
}

function item(length: number): Uint8Array {
  const b = Uint8Array.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
  new DataView(b.buffer).setUint32(4, length, true);
  return b;
}

function tagAt(b: Uint8Array, at: number): Tag {
  return (((b[at]! | (b[at + 1]! << 8)) << 16) | (b[at + 2]! | (b[at + 3]! << 8))) >>> 0;
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
