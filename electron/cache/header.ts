/**
 * Reading what the index needs from a stored or imported file: the file meta information
 * (PS3.10 §7.1) and the data set up to Pixel Data, from the first bytes of the file only
 * (more are read when the header is longer). Deflated data sets (PS3.5 A.5) are inflated as far
 * as read. Files without preamble or meta (a bare data set, as older software wrote them) are
 * recognized in Implicit VR Little Endian, Explicit VR Little Endian and Explicit VR Big Endian.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants, inflateRawSync } from 'node:zlib';
import { type DataSet, getStrings } from '../../shared/dicom/dataset.js';
import { DicomParseError, decodeDataSet, encodingOf } from '../../shared/dicom/codec.js';
import type { InstanceIndexFields } from '../../shared/records.js';
import { CacheError } from './errors.js';
import { type FileMeta, PREAMBLE_LENGTH, decodeFileMeta, hasPreamble } from './file-meta.js';
import { PIXEL_DATA } from '../../shared/dicom/tags.js';

export { buildFileMetaInformation, type FileMeta, type FileMetaInput } from './file-meta.js';

/** Transfer syntaxes of bare data sets (PS3.5 A.1, A.2, A.3). */
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';
/** Media Storage Directory Storage: a DICOMDIR (PS3.10 §8). */
export const MEDIA_STORAGE_DIRECTORY_STORAGE = '1.2.840.10008.1.3.10';

const DEFAULT_INITIAL_BYTES = 64 * 1024;

/** What {@link readInstanceHeader} returns. */
export interface InstanceHeader {
  /** The attributes the index keeps. */
  fields: InstanceIndexFields;
  /** The data set's transfer syntax: from the meta, or detected for a bare data set. */
  transferSyntaxUid: string;
  /** The file meta information, absent for a bare data set. */
  meta?: FileMeta;
  /** The file has the 128-byte preamble and "DICM" (a Part-10 file). */
  part10: boolean;
  /** Where the data set starts: after preamble and meta, 0 for a bare data set. */
  dataSetOffset: number;
  fileSize: number;
  /** A DICOMDIR (Media Storage Directory Storage), not an instance. */
  isDicomdir: boolean;
  /** The attributes the index keeps ({@link HEADER_TAGS}) as decoded, from before Pixel Data. */
  dataSet: DataSet;
  /**
   * File offset where the parse stopped (the first element at or after Pixel Data), when the
   * data set is not deflated and did not end before it: {@link findTruncation} walks from there.
   */
  restOffset?: number;
  /** The file ended inside an element before Pixel Data. */
  truncated: boolean;
}

/** Options of {@link readInstanceHeader}. */
export interface ReadHeaderOptions {
  /** Bytes read at first (default 64 KiB); multiplied by 4 while the header goes on. */
  initialBytes?: number;
}

const MORE = Symbol('more');

const VR_CODES = new Set([
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

function isVr(b: Uint8Array, at: number): boolean {
  return b.length >= at + 2 && VR_CODES.has(String.fromCharCode(b[at]!, b[at + 1]!));
}

/** The transfer syntax of a bare data set, from its first element, or undefined when it does not look like one. */
export function detectBareDataSet(b: Uint8Array): string | undefined {
  if (b.length < 8) return undefined;
  // A data set starts with a low, even group: 0002 (meta), 0008 (most), up to 0030 at most.
  const plausible = (g: number) => g >= 0x0002 && g <= 0x0030 && g % 2 === 0;
  const le = b[0]! | (b[1]! << 8);
  const be = (b[0]! << 8) | b[1]!;
  if (plausible(le)) return isVr(b, 4) ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
  if (plausible(be) && isVr(b, 4)) return EXPLICIT_VR_BIG_ENDIAN;
  return undefined;
}

/**
 * Reads a file's meta information and data set up to Pixel Data.
 * @throws CacheError EINVALID when the file is not DICOM (or too damaged to read);
 *   file system errors as CacheError with their code.
 */
export async function readInstanceHeader(path: string, options: ReadHeaderOptions = {}): Promise<InstanceHeader> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw cannotOpen(path, e);
  }
  try {
    const size = (await fh.stat()).size;
    for (let want = firstRead(size, options); ; want = Math.min(size, want * 4)) {
      const bytes = new Uint8Array(want);
      const { bytesRead } = await fh.read(bytes, 0, want, 0);
      const header = headerOf(bytes, bytesRead, size, path);
      if (header) return header;
    }
  } finally {
    await fh.close();
  }
}

/**
 * {@link readInstanceHeader} with synchronous reads, for callers that read many small headers
 * from local files in a row (a thread-pool round trip per read costs more than the read).
 */
export function readInstanceHeaderSync(path: string, options: ReadHeaderOptions = {}): InstanceHeader {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw cannotOpen(path, e);
  }
  try {
    const size = fstatSync(fd).size;
    for (let want = firstRead(size, options); ; want = Math.min(size, want * 4)) {
      const bytes = new Uint8Array(want);
      const header = headerOf(bytes, readSync(fd, bytes, 0, want, 0), size, path);
      if (header) return header;
    }
  } finally {
    closeSync(fd);
  }
}

function cannotOpen(path: string, e: unknown): CacheError {
  return new CacheError((e as { code?: string }).code ?? 'EIO', `Cannot open ${path}: ${(e as Error).message}`, { cause: e });
}

function firstRead(size: number, options: ReadHeaderOptions): number {
  return Math.min(size, Math.max(1024, options.initialBytes ?? DEFAULT_INITIAL_BYTES));
}

/** The header from the first `bytesRead` bytes of a file, or undefined when more must be read. */
function headerOf(bytes: Uint8Array, bytesRead: number, size: number, path: string): InstanceHeader | undefined {
  const atEnd = bytesRead >= size || bytesRead < bytes.length;
  const r = parseHeader(bytes.subarray(0, bytesRead), atEnd, path);
  return r === MORE ? undefined : { ...r, fileSize: size };
}

/**
 * The header of an instance from its first bytes already in memory (the receive path keeps
 * them, so a received file is not read back): undefined when those bytes end before the header
 * does and the file is longer (`atEnd` false); then {@link readInstanceHeader} reads the file.
 */
export function parseInstanceHeader(head: Uint8Array, fileSize: number, label: string): InstanceHeader | undefined {
  const r = parseHeader(head, head.length >= fileSize, label);
  return r === MORE ? undefined : { ...r, fileSize };
}

function parseHeader(bytes: Uint8Array, atEnd: boolean, path: string): Omit<InstanceHeader, 'fileSize'> | typeof MORE {
  const invalid = (why: string) => new CacheError('EINVALID', `${path} is not a DICOM file the cache can read: ${why}`);
  if (!atEnd && bytes.length < PREAMBLE_LENGTH + 8) return MORE;
  const part10 = hasPreamble(bytes);
  const metaStart = part10 ? PREAMBLE_LENGTH : bytes.length >= 6 && bytes[0] === 0x02 && bytes[1] === 0x00 && isVr(bytes, 4) ? 0 : undefined;
  let meta: FileMeta | undefined;
  let offset = 0;
  let ts: string | undefined;
  if (metaStart !== undefined) {
    let m;
    try {
      m = decodeFileMeta(bytes.subarray(metaStart), atEnd);
    } catch (e) {
      if (!atEnd) return MORE;
      throw invalid(`its file meta information is malformed (${(e as Error).message})`);
    }
    if (!m) return MORE;
    meta = m.meta;
    offset = metaStart + m.length;
    // No Transfer Syntax UID in the meta: explicit when the first element has a VR, else implicit.
    ts = meta.transferSyntaxUid ?? (isVr(bytes, offset + 4) ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN);
  } else {
    ts = detectBareDataSet(bytes);
  }
  if (!ts) throw invalid(part10 ? 'its transfer syntax cannot be determined' : 'no DICOM preamble, meta information or data set');
  const encoding = encodingOf(ts);
  let data = bytes.subarray(offset);
  if (encoding.deflated) {
    try {
      data = inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch (e) {
      if (!atEnd) return MORE;
      throw invalid(`its deflated data set cannot be inflated (${(e as Error).message})`);
    }
  }
  let decoded;
  try {
    decoded = decodeDataSet(data, encoding, { stopAtTag: PIXEL_DATA, allowTruncated: true, only: HEADER_TAGS });
  } catch (e) {
    if (!atEnd) return MORE;
    throw invalid(e instanceof DicomParseError ? e.message : String(e));
  }
  const reachedStop = !decoded.truncated && decoded.bytesRead < data.length;
  if (!reachedStop && !atEnd) return MORE;
  const rest = reachedStop && !encoding.deflated ? { restOffset: offset + decoded.bytesRead } : {};
  const ds = decoded.dataSet;
  const isDicomdir = meta?.mediaStorageSopClassUid === MEDIA_STORAGE_DIRECTORY_STORAGE || ds.has(0x00041220);
  const fields = indexFields(ds, meta);
  if (!meta && !isDicomdir && !fields.instance.SOPInstanceUID && !fields.study.StudyInstanceUID) {
    throw invalid('it holds no SOP Instance UID or Study Instance UID');
  }
  return {
    fields,
    transferSyntaxUid: ts,
    ...(meta ? { meta } : {}),
    part10,
    dataSetOffset: offset,
    isDicomdir,
    dataSet: ds,
    ...rest,
    truncated: decoded.truncated,
  };
}

function text(ds: DataSet, t: number): string | undefined {
  const v = getStrings(ds, t);
  if (v.length === 0) return undefined;
  const s = v.join('\\');
  return s.replace(/\\+$/, '') === '' ? undefined : s;
}

function uid(ds: DataSet, t: number): string | undefined {
  return (
    text(ds, t)
      ?.replace(/[\0 ]+$/, '')
      .trim() || undefined
  );
}

/** The attributes a header is read for: those {@link indexFields} takes, and the DICOMDIR's Directory Record Sequence. */
export const HEADER_TAGS: ReadonlySet<number> = new Set([
  0x00100020, 0x00100021, 0x00100010, 0x00100030, 0x00100032, 0x00100040, 0x0020000d, 0x00080020, 0x00080030, 0x00080050, 0x00200010, 0x00080090, 0x00081030,
  0x0020000e, 0x00080060, 0x00200011, 0x0008103e, 0x00180015, 0x00080021, 0x00080031, 0x00080018, 0x00080016, 0x00200013, 0x00041220,
]);

/** The attributes the index keeps, from a decoded data set (SOP Class/Instance UID falling back on the meta's). */
export function indexFields(ds: DataSet, meta?: FileMeta): InstanceIndexFields {
  const opt = <K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> => (v === undefined ? {} : { [k]: v }) as Partial<Record<K, string>>;
  return {
    patient: {
      PatientID: text(ds, 0x00100020) ?? '',
      IssuerOfPatientID: text(ds, 0x00100021) ?? '',
      ...opt('PatientName', text(ds, 0x00100010)),
      ...opt('PatientBirthDate', text(ds, 0x00100030)),
      ...opt('PatientBirthTime', text(ds, 0x00100032)),
      ...opt('PatientSex', text(ds, 0x00100040)),
    },
    study: {
      StudyInstanceUID: uid(ds, 0x0020000d) ?? '',
      ...opt('StudyDate', text(ds, 0x00080020)),
      ...opt('StudyTime', text(ds, 0x00080030)),
      ...opt('AccessionNumber', text(ds, 0x00080050)),
      ...opt('StudyID', text(ds, 0x00200010)),
      ...opt('ReferringPhysicianName', text(ds, 0x00080090)),
      ...opt('StudyDescription', text(ds, 0x00081030)),
    },
    series: {
      SeriesInstanceUID: uid(ds, 0x0020000e) ?? '',
      ...opt('Modality', text(ds, 0x00080060)),
      ...opt('SeriesNumber', text(ds, 0x00200011)),
      ...opt('SeriesDescription', text(ds, 0x0008103e)),
      ...opt('BodyPartExamined', text(ds, 0x00180015)),
      ...opt('SeriesDate', text(ds, 0x00080021)),
      ...opt('SeriesTime', text(ds, 0x00080031)),
    },
    instance: {
      SOPInstanceUID: uid(ds, 0x00080018) ?? meta?.mediaStorageSopInstanceUid ?? '',
      SOPClassUID: uid(ds, 0x00080016) ?? meta?.mediaStorageSopClassUid ?? '',
      ...opt('InstanceNumber', text(ds, 0x00200013)),
    },
  };
}
