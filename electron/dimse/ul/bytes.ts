/**
 * Byte helpers of the Upper Layer PDUs (PS3.8 §9.3): big-endian integers, item headers,
 * AE titles and UIDs as they appear in A-ASSOCIATE items.
 */
import { PduError } from './errors.js';

/** One item or sub-item: its type and value (PS3.8 §9.3.2: type, reserved, 2-byte length, value). */
export interface RawItem {
  type: number;
  value: Uint8Array;
}

/** Big-endian unsigned 16-bit at offset (PDU fields are big endian, PS3.8 §9.3.1). */
export function readU16(b: Uint8Array, offset: number): number {
  return (b[offset]! << 8) | b[offset + 1]!;
}

/** Big-endian unsigned 32-bit at offset. */
export function readU32(b: Uint8Array, offset: number): number {
  return ((b[offset]! << 24) >>> 0) + ((b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!);
}

/** Splits a run of items (type, reserved, 16-bit length, value) into items; throws PduError when one overruns. */
export function readItems(bytes: Uint8Array, what: string): RawItem[] {
  const items: RawItem[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 4) throw new PduError(`${what}: truncated item header at offset ${pos} (${bytes.length - pos} bytes left)`);
    const type = bytes[pos]!;
    const length = readU16(bytes, pos + 2);
    if (pos + 4 + length > bytes.length) {
      throw new PduError(`${what} 0x${type.toString(16).padStart(2, '0')}: length ${length} overruns its container (${bytes.length - pos - 4} bytes left)`);
    }
    items.push({ type, value: bytes.subarray(pos + 4, pos + 4 + length) });
    pos += 4 + length;
  }
  return items;
}

/** The 4-byte header of an item or sub-item. */
export function itemHeader(type: number, length: number): Buffer {
  if (length > 0xffff) throw new RangeError(`item 0x${type.toString(16)} too long: ${length} bytes (max 65535)`);
  const h = Buffer.allocUnsafe(4);
  h[0] = type;
  h[1] = 0;
  h.writeUInt16BE(length, 2);
  return h;
}

/** An item or sub-item: header then value. */
export function subItem(type: number, value: Uint8Array): Buffer {
  return Buffer.concat([itemHeader(type, value.length), value]);
}

/** ASCII/ISO 646 text as bytes (PS3.8 Annex F: UIDs; PS3.8 §9.3.2: AE titles). */
export function latin1(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

function text(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** A UID from an item value: trailing NUL or space padding removed (PS3.8 Annex F). */
export function trimUid(b: Uint8Array): string {
  return text(b).replace(/[\0 ]+$/, '');
}

/** An AE title (or version name) from bytes: leading and trailing spaces (and NULs) are not significant (PS3.5 §6.2 AE). */
export function decodeAe(b: Uint8Array): string {
  return text(b).replace(/^[\0 ]+|[\0 ]+$/g, '');
}

/** An AE title as the 16 bytes of an A-ASSOCIATE field, space padded; throws RangeError for an invalid title. */
export function encodeAe(ae: string, field: string): Buffer {
  const t = ae.trim();
  // PS3.5 §6.2 AE: 16 characters of the default repertoire, no backslash, no control characters.
  if (t.length === 0 || t.length > 16 || /[^\x20-\x7e]|\\/.test(t)) {
    throw new RangeError(`${field} must be 1 to 16 printable ASCII characters without backslash: "${ae}"`);
  }
  const out = Buffer.alloc(16, 0x20);
  out.write(t, 0, 'latin1');
  return out;
}
