/**
 * What one cached instance becomes in an export: the bytes of its file (file meta information
 * and data set) as a stream, with the data set's elements before Pixel Data for the DICOMDIR and
 * the result. Four cases:
 * - as stored, no DICOMDIR, identified: the stored file, byte for byte;
 * - for a DICOMDIR (PS3.11 STD-GEN-CD: Explicit VR Little Endian): a file stored so is copied
 *   byte for byte too; another is converted by the outgoing transcoder (native syntaxes, deflate,
 *   and the compressed syntaxes it can decode; lossy originals keep Lossy Image Compression 01);
 * - de-identified: its header rewritten (deidentify.ts) around Pixel Data passed on untouched, in
 *   Explicit VR Little Endian — or, without a DICOMDIR, in its stored compressed syntax, which
 *   keeps the pixels exactly as they are rather than decompressing them for nothing.
 * An instance that cannot be written is answered with the reason, and is left out. A file on a
 * medium also gets the DICOMDIR keys it lacks (for a de-identified one, those the profile emptied:
 * Study Date, Time and ID), so that the files agree with their directory records.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { encodingOf } from '../../../shared/dicom/codec.js';
import { type DataSet, getStrings } from '../../../shared/dicom/dataset.js';
import { TransferSyntaxUid, uidName } from '../../../shared/dicom/uids.js';
import type { InstanceSource } from '../../dimse/handlers.js';
import { buildFileMetaInformation } from '../../cache/file-meta.js';
import { refusalOf } from './burned-in.js';
import { fillRecordKeys } from './dicomdir-records.js';
import type { MediaNumbers } from './file-ids.js';
import { deidentify, deidentifyTrailer, type DeidentifyContext } from './deidentify.js';
import { openRewrite } from './rewrite-stream.js';
import { SOP_INSTANCE_UID } from '../../../shared/dicom/tags.js';

const ELE = TransferSyntaxUid.ExplicitVRLittleEndian;

/** The outgoing transcoder as an export uses it (services/transcode OutgoingTranscoder fits). */
export interface ExportTranscoder {
  convert(instance: InstanceSource, transferSyntaxUid: string): Promise<Readable | { reason: string }>;
}

/** An instance ready to be written. */
export interface InstanceOutput {
  /** The elements before Pixel Data as written (de-identified when asked). */
  header: DataSet;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** The whole file: preamble, file meta information, data set. */
  parts: AsyncIterable<Uint8Array>;
  /** De-identified although its pixels may show burned-in text (allowed by the export). */
  burnedIn?: boolean;
}

/** An instance that cannot be written, and why (the end of "… is left out because …"); `burnedIn` when for burned-in text only. */
export class LeftOutError extends Error {
  constructor(
    readonly reason: string,
    readonly burnedIn = false,
  ) {
    super(reason);
    this.name = 'LeftOutError';
  }
}

async function* concat(...sources: (Uint8Array | AsyncIterable<Uint8Array>)[]): AsyncGenerator<Uint8Array> {
  for (const s of sources) {
    if (s instanceof Uint8Array) yield s;
    else yield* s;
  }
}

/** The stored file's bytes before its data set (preamble and file meta information). */
async function storedMeta(instance: InstanceSource): Promise<Uint8Array> {
  const fh = await open(instance.path, 'r');
  try {
    const b = Buffer.alloc(instance.dataSetOffset);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    if (bytesRead !== b.length) throw new LeftOutError(`its file ${instance.path} is shorter than its file meta information`);
    return b;
  } finally {
    await fh.close();
  }
}

/** The stored data set, from just after the file meta information. */
function storedDataSet(instance: InstanceSource): Readable {
  return createReadStream(instance.path, { start: instance.dataSetOffset, highWaterMark: 1 << 20 });
}

/** The instance's data set in Explicit VR Little Endian: as stored when it is, else through the transcoder. */
async function inExplicitLittle(instance: InstanceSource, transcoder: ExportTranscoder): Promise<Readable> {
  if (instance.transferSyntaxUid === ELE) return storedDataSet(instance);
  const converted = await transcoder.convert(instance, ELE);
  if ('reason' in converted) {
    throw new LeftOutError(
      `stored in ${uidName(instance.transferSyntaxUid)}, it cannot be written in Explicit VR Little Endian: ${converted.reason.replace(/\.$/, '')}`,
    );
  }
  return converted;
}

/**
 * On a medium, a file lacking keys its directory records need (a Type 1 key missing or empty, a
 * Type 2 one absent, a date in the ACR-NEMA form) gets them, so that it agrees with its records and
 * any File-set Reader or Updater (DCMTK's dcmgpdir) takes it; a file that has them all is kept as is.
 */
function recordKeysHook(instance: InstanceSource, numbers: MediaNumbers): (ds: DataSet) => DataSet | undefined {
  return (ds) => {
    const out: DataSet = new Map(ds);
    return fillRecordKeys(out, instance.sopClassUid, numbers) ? out : undefined;
  };
}

const FIRST: MediaNumbers = { patient: 1, study: 1, series: 1, file: 1 };

/** Options of {@link instanceOutput}. */
export interface InstanceOutputOptions {
  /** A General Purpose medium: Explicit VR Little Endian, and the keys its records need. */
  dicomdir: boolean;
  deid?: DeidentifyContext;
  /** De-identified: include instances that may show burned-in text rather than leave them out. */
  allowBurnedIn?: boolean;
  transcoder: ExportTranscoder;
  /** Where the file is on the medium (the numbers an invented key takes). */
  numbers?: MediaNumbers;
}

/**
 * The output of one instance: `dicomdir` asks for Explicit VR Little Endian; `deid` for
 * de-identification; `header` is read only when a caller needs it (DICOMDIR, de-identification).
 * @throws LeftOutError when the instance cannot be written; file errors as they come.
 */
export async function instanceOutput(instance: InstanceSource, o: InstanceOutputOptions): Promise<InstanceOutput | { copy: true }> {
  if (!o.deid) {
    if (!o.dicomdir) return { copy: true };
    const fill = recordKeysHook(instance, o.numbers ?? FIRST);
    if (instance.transferSyntaxUid === ELE) {
      const meta = await storedMeta(instance);
      const rewrite = await openRewrite(storedDataSet(instance), { header: fill });
      return { header: rewrite.header, sopInstanceUid: instance.sopInstanceUid, transferSyntaxUid: ELE, parts: concat(meta, rewrite.body) };
    }
    const rewrite = await openRewrite(await inExplicitLittle(instance, o.transcoder), { header: fill });
    const meta = buildFileMetaInformation({ sopClassUid: instance.sopClassUid, sopInstanceUid: instance.sopInstanceUid, transferSyntaxUid: ELE });
    return { header: rewrite.header, sopInstanceUid: instance.sopInstanceUid, transferSyntaxUid: ELE, parts: concat(meta, rewrite.body) };
  }
  const ctx = o.deid;
  // compressed and no DICOMDIR: the stored syntax is kept (its layout is Explicit VR Little Endian, PS3.5 A.4)
  const keepStored = !o.dicomdir && encodingOf(instance.transferSyntaxUid).encapsulated && !encodingOf(instance.transferSyntaxUid).deflated;
  const transferSyntaxUid = keepStored ? instance.transferSyntaxUid : ELE;
  const source = keepStored ? storedDataSet(instance) : await inExplicitLittle(instance, o.transcoder);
  let original: DataSet | undefined;
  let burnedIn = false;
  const rewrite = await openRewrite(source, {
    header: (ds) => {
      const refusal = refusalOf(instance.sopClassUid, ds);
      if (refusal && !(refusal.burnedIn && o.allowBurnedIn)) throw new LeftOutError(refusal.reason, refusal.burnedIn);
      burnedIn = refusal?.burnedIn === true;
      original = ds;
      const out = deidentify(ds, ctx);
      // on a medium, the keys its DICOMDIR needs and the profile emptied get dummy values in the file too
      if (o.dicomdir) fillRecordKeys(out, instance.sopClassUid, o.numbers ?? FIRST);
      return out;
    },
    trailer: (ds) => deidentifyTrailer(ds, original!, ctx),
  }).catch((e: unknown) => {
    source.destroy();
    throw e;
  });
  const sopInstanceUid = getStrings(rewrite.header, SOP_INSTANCE_UID)[0] ?? ctx.uids.remap(instance.sopInstanceUid);
  const meta = buildFileMetaInformation({ sopClassUid: instance.sopClassUid, sopInstanceUid, transferSyntaxUid });
  return { header: rewrite.header, sopInstanceUid, transferSyntaxUid, parts: concat(meta, rewrite.body), ...(burnedIn ? { burnedIn } : {}) };
}
