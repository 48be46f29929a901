/**
 * Whether a stored file holds its whole data set. The header is parsed only up to Pixel Data,
 * so a file cut short inside the pixels (a dropped sender, a truncated copy on a CD) would look
 * complete. This walks the elements from there to the end of the file, reading only their
 * headers (PS3.5 §7.1: tag, VR, length; §A.4: the items of encapsulated Pixel Data), and says
 * where the data set ends early. A few small reads per instance, served from the first bytes of
 * the file when the caller has them in memory (the receive path does: an uncompressed image is
 * then checked without opening its file); deflated data sets are not walked (their end is only
 * known after inflating all of them).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { encodingOf } from '../../shared/dicom/codec.js';
import { formatTag } from '../../shared/dicom/dataset.js';
import type { InstanceHeader } from './header.js';
import { ITEM, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from '../../shared/dicom/vr-layout.js';

/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

/**
 * Why the file at `path` (of `fileSize` bytes) ends before its data set does, or undefined when
 * it is whole. `head`, when given, holds the file's first bytes.
 */
export function findTruncation(path: string, header: InstanceHeader, fileSize: number, head?: Uint8Array): string | undefined {
  if (header.truncated) return `the file ends inside the data set, before Pixel Data (${fileSize} bytes)`;
  if (header.restOffset === undefined) return undefined;
  const { explicitVR, littleEndian } = encodingOf(header.transferSyntaxUid);
  let fd: number | undefined;
  const buf = Buffer.alloc(12);
  const read = (at: number, n: number): boolean => {
    if (at + n > fileSize) return false;
    if (head && at + n <= head.length) {
      buf.set(head.subarray(at, at + n));
      return true;
    }
    fd ??= openSync(path, 'r');
    return readSync(fd, buf, 0, n, at) === n;
  };
  const u16 = (at: number) => (littleEndian ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  try {
    let pos = header.restOffset;
    while (pos < fileSize) {
      if (!read(pos, 8)) return `the file ends at byte ${fileSize} inside an element header`;
      const tag = ((u16(0) << 16) | u16(2)) >>> 0;
      let length: number;
      let headerLength = 8;
      if (explicitVR && tag >>> 16 !== 0xfffe) {
        const vr = String.fromCharCode(buf[4]!, buf[5]!);
        if (LONG_VRS.has(vr)) {
          if (!read(pos, 12)) return `the file ends at byte ${fileSize} inside the header of ${formatTag(tag)}`;
          length = u32(8);
          headerLength = 12;
        } else {
          length = u16(6);
        }
      } else {
        length = u32(4);
      }
      pos += headerLength;
      if (length !== UNDEFINED_LENGTH) {
        if (pos + length > fileSize) {
          return `the file ends at byte ${fileSize}, inside ${formatTag(tag)} which announces ${length} bytes from byte ${pos}`;
        }
        pos += length;
        continue;
      }
      if (tag !== 0x7fe00010) return undefined; // an undefined-length sequence after Pixel Data: not walked
      // Encapsulated Pixel Data (PS3.5 A.4): items, always little endian, up to the sequence delimiter
      for (;;) {
        if (!read(pos, 8)) {
          return `the file ends at byte ${fileSize} inside the encapsulated Pixel Data, before its sequence delimiter`;
        }
        const itemTag = ((buf.readUInt16LE(0) << 16) | buf.readUInt16LE(2)) >>> 0;
        const itemLength = buf.readUInt32LE(4);
        pos += 8;
        if (itemTag === SEQUENCE_DELIMITATION) break;
        if (itemTag !== ITEM) return `the encapsulated Pixel Data holds ${formatTag(itemTag)} at byte ${pos - 8} where an item was expected`;
        if (itemLength === UNDEFINED_LENGTH || pos + itemLength > fileSize) {
          return `the file ends at byte ${fileSize}, inside a Pixel Data fragment of ${itemLength} bytes from byte ${pos}`;
        }
        pos += itemLength;
      }
    }
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
