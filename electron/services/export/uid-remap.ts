/**
 * Replacement UIDs for de-identification (PS3.15 E.1-1 action U): the same original UID gives the
 * same new UID everywhere in one export (every file, every sequence item), so references between
 * the exported instances still resolve; a new export gives other UIDs. Each new UID is of the
 * 2.25 form (PS3.5 §B.2: the decimal value of a 128-bit number) made from an HMAC-SHA-256 of the
 * original under a random secret of the export that is never written: without it the mapping
 * cannot be reversed, nor repeated by someone holding the original UIDs.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Maps original UIDs to new ones, consistently, for one export. */
export class UidRemapper {
  private readonly secret: Buffer;
  private readonly seen = new Map<string, string>();

  /** `secret` is for tests; an export takes the default, 32 random bytes. */
  constructor(secret: Uint8Array = randomBytes(32)) {
    this.secret = Buffer.from(secret);
  }

  /** The new UID of `uid` (trailing NUL or space padding ignored); '' stays ''. */
  remap(uid: string): string {
    const original = uid.replace(/[\0 ]+$/, '').trim();
    if (original === '') return '';
    let mapped = this.seen.get(original);
    if (!mapped) {
      const digest = createHmac('sha256', this.secret).update(original, 'latin1').digest();
      // 128 bits, with the variant/version bits of a random UUID (ISO/IEC 9834-8), as PS3.5 §B.2 describes
      digest[6] = (digest[6]! & 0x0f) | 0x40;
      digest[8] = (digest[8]! & 0x3f) | 0x80;
      mapped = `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString(10)}`;
      this.seen.set(original, mapped);
    }
    return mapped;
  }

  /** How many distinct UIDs were replaced so far. */
  get size(): number {
    return this.seen.size;
  }
}
