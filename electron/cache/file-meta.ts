/**
 * The DICOM File Format's preamble and File Meta Information (PS3.10 §7.1): written in front of
 * every data set the cache stores from the network or imports without one, and read back.
 */
import { type DataSet, getString, setNumber, setString } from '../../shared/dicom/dataset.js';
import { EXPLICIT_LITTLE_ENDIAN, decodeDataSet, encodeDataSet } from '../../shared/dicom/codec.js';
import { PRIORS_IMPLEMENTATION_CLASS_UID, PRIORS_IMPLEMENTATION_VERSION_NAME } from '../../shared/dicom/uids.js';
import { CacheError } from './errors.js';

/** Tags of the file meta information (PS3.10 Table 7.1-1). */
export const META = {
  FileMetaInformationGroupLength: 0x00020000,
  FileMetaInformationVersion: 0x00020001,
  MediaStorageSOPClassUID: 0x00020002,
  MediaStorageSOPInstanceUID: 0x00020003,
  TransferSyntaxUID: 0x00020010,
  ImplementationClassUID: 0x00020012,
  ImplementationVersionName: 0x00020013,
  SourceApplicationEntityTitle: 0x00020016,
} as const;

/** Length of the preamble plus the "DICM" prefix (PS3.10 §7.1). */
export const PREAMBLE_LENGTH = 132;

/** The file meta information the cache reads from a file. */
export interface FileMeta {
  transferSyntaxUid?: string;
  mediaStorageSopClassUid?: string;
  mediaStorageSopInstanceUid?: string;
  implementationClassUid?: string;
  implementationVersionName?: string;
  sourceAeTitle?: string;
}

/** What {@link buildFileMetaInformation} needs. */
export interface FileMetaInput {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** The AE title the instance came from (Source Application Entity Title, 0002,0016). */
  sourceAeTitle?: string;
}

/**
 * The 128-byte preamble (zeros), "DICM" and the group 0002 elements in Explicit VR Little
 * Endian (PS3.10 §7.1): File Meta Information Group Length, Version 00\01, Media Storage SOP
 * Class and Instance UIDs, Transfer Syntax UID, Priors' Implementation Class UID and Version
 * Name, and the Source Application Entity Title when given.
 * @throws CacheError EINVALID when a UID is empty.
 */
export function buildFileMetaInformation(input: FileMetaInput): Uint8Array {
  for (const [name, v] of [
    ['SOP Class UID', input.sopClassUid],
    ['SOP Instance UID', input.sopInstanceUid],
    ['Transfer Syntax UID', input.transferSyntaxUid],
  ]) {
    if (!v || v.trim() === '') throw new CacheError('EINVALID', `Cannot write file meta information without a ${name} (PS3.10 §7.1)`);
  }
  const body: DataSet = new Map();
  body.set(META.FileMetaInformationVersion, { vr: 'OB', value: new Uint8Array([0x00, 0x01]) });
  setString(body, META.MediaStorageSOPClassUID, 'UI', input.sopClassUid.trim());
  setString(body, META.MediaStorageSOPInstanceUID, 'UI', input.sopInstanceUid.trim());
  setString(body, META.TransferSyntaxUID, 'UI', input.transferSyntaxUid.trim());
  setString(body, META.ImplementationClassUID, 'UI', PRIORS_IMPLEMENTATION_CLASS_UID);
  setString(body, META.ImplementationVersionName, 'SH', PRIORS_IMPLEMENTATION_VERSION_NAME);
  const ae = input.sourceAeTitle?.trim();
  if (ae) setString(body, META.SourceApplicationEntityTitle, 'AE', ae.slice(0, 16));
  const encoded = encodeDataSet(body, EXPLICIT_LITTLE_ENDIAN);
  const groupLength = encodeDataSet(setNumber(new Map(), META.FileMetaInformationGroupLength, 'UL', encoded.length), EXPLICIT_LITTLE_ENDIAN);
  const out = new Uint8Array(PREAMBLE_LENGTH + groupLength.length + encoded.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128); // "DICM"
  out.set(groupLength, PREAMBLE_LENGTH);
  out.set(encoded, PREAMBLE_LENGTH + groupLength.length);
  return out;
}

/** Whether bytes hold the preamble and "DICM" of a Part-10 file. */
export function hasPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= PREAMBLE_LENGTH && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** Explicit VRs with a 4-byte length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

/**
 * The length of the group 0002 elements at the start of `bytes` (Explicit VR Little Endian):
 * up to the first element of another group, whatever the group length says (some writers get
 * it wrong, and some data sets start with a private group 0001). Undefined when the bytes end
 * inside the meta information and `atEnd` is false.
 */
export function fileMetaLength(bytes: Uint8Array, atEnd = false): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  for (;;) {
    if (pos + 8 > bytes.length) return atEnd ? pos : undefined;
    if (view.getUint16(pos, true) !== 0x0002) return pos;
    const vr = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!);
    let next: number;
    if (LONG_VRS.has(vr)) {
      if (pos + 12 > bytes.length) return atEnd ? pos : undefined;
      next = pos + 12 + view.getUint32(pos + 8, true);
    } else {
      next = pos + 8 + view.getUint16(pos + 6, true);
    }
    if (next > bytes.length) return atEnd ? pos : undefined;
    pos = next;
  }
}

/**
 * Decodes the file meta information at the start of `bytes` (see {@link fileMetaLength}).
 * Undefined when the bytes end inside it (read more and retry) unless `atEnd`.
 * @throws DicomParseError when the meta information is malformed.
 */
export function decodeFileMeta(bytes: Uint8Array, atEnd = false): { meta: FileMeta; length: number } | undefined {
  const length = fileMetaLength(bytes, atEnd);
  if (length === undefined) return undefined;
  const ds = decodeDataSet(bytes.subarray(0, length), EXPLICIT_LITTLE_ENDIAN).dataSet;
  const meta: FileMeta = {};
  const put = (k: keyof FileMeta, t: number) => {
    const v = getString(ds, t)?.replace(/\0+$/, '').trim();
    if (v) meta[k] = v;
  };
  put('transferSyntaxUid', META.TransferSyntaxUID);
  put('mediaStorageSopClassUid', META.MediaStorageSOPClassUID);
  put('mediaStorageSopInstanceUid', META.MediaStorageSOPInstanceUID);
  put('implementationClassUid', META.ImplementationClassUID);
  put('implementationVersionName', META.ImplementationVersionName);
  put('sourceAeTitle', META.SourceApplicationEntityTitle);
  return { meta, length };
}
