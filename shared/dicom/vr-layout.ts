/**
 * How data elements are laid out (PS3.5 §7.1, §7.5): the delimitation tags, the explicit VRs
 * with a 4-byte length field, the text VRs and the size of each numeric VR. Shared by the
 * decoder (codec.ts) and the encoder (codec-encode.ts).
 */
import type { Tag, VR } from './dataset.js';

/** Item (FFFE,E000), Item Delimitation Item and Sequence Delimitation Item (PS3.5 §7.5). */
export const ITEM: Tag = 0xfffee000;
export const ITEM_DELIMITATION: Tag = 0xfffee00d;
export const SEQUENCE_DELIMITATION: Tag = 0xfffee0dd;
/** The Value Length of an undefined-length sequence, item or encapsulated Pixel Data (PS3.5 §7.1.1). */
export const UNDEFINED_LENGTH = 0xffffffff;

/** Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 §7.1.2, Table 7.1-1). */
export const LONG_VRS: ReadonlySet<VR> = new Set<VR>(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
/** VRs whose value is text (PS3.5 Table 6.2-1). */
export const TEXT_VRS: ReadonlySet<VR> = new Set<VR>(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
/** Bytes per value of the numeric VRs (AT: a group and an element number). */
export const NUMERIC_SIZE: Partial<Record<VR, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4, SV: 8, UV: 8 };
