/**
 * One application/dicom part (a WADO-RS answer's, a STOW-RS request's) into the cache, through
 * the cache's store path (temp file → header → room made → rename → index) byte for byte as
 * delivered, Part-10 header as sent, streamed to disk: never held whole. The checks are those of
 * our C-STORE SCP (services/local-scp/handlers.ts): the index must be writable, the SOP Instance
 * UID a UID (PS3.5 §9.1), the study and series UIDs UIDs, room within the quota and the free space
 * kept; a refusal is a DICOM status (PS3.4 B.2.3) with a reason.
 */
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Status } from '../../../shared/dicom/status.js';
import { validateUid } from '../../../shared/dicom/uids.js';
import type { StoreResult } from '../../../shared/records.js';
import { type Cache, CacheError, isOutOfSpace } from '../../cache/index.js';

/** A part stored. */
export interface PartStored {
  ok: true;
  result: StoreResult;
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  transferSyntaxUid: string;
}

/** A part refused: the status of PS3.4 B.2.3 (Failure Reason of a STOW-RS answer) and why. */
export interface PartRefused {
  ok: false;
  status: number;
  reason: string;
  sopClassUid?: string;
  sopInstanceUid?: string;
}

/** Options of {@link storePart}. */
export interface PartOptions {
  /** Recorded as the instances' source (the node's name, or the caller of our STOW-RS). */
  sourceAeTitle: string;
  /** The study the request names (STOW-RS to /studies/{uid}): another study's instance is refused (A900). */
  studyInstanceUid?: string;
}

const NO_ROOM: Record<string, string> = {
  EQUOTA: 'the cache size limit is reached and no study can be evicted',
  EFREESPACE: 'the disk is below the free space kept and no study can be evicted',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
};

function strip(s: string | undefined): string {
  return (s ?? '').replace(/[\0 ]+$/, '').trim();
}

/** Drains a body that will not be stored (the next part follows it). */
async function drain(body: Readable): Promise<void> {
  for await (const _ of body) {
    /* dropped */
  }
}

/** Stores one Part-10 part; never throws for what the part holds (a refusal instead), only for a failing source. */
export async function storePart(cache: Cache, body: Readable, options: PartOptions): Promise<PartStored | PartRefused> {
  const refusal = cache.storeRefusal();
  if (refusal) {
    await drain(body);
    if (isOutOfSpace(refusal)) cache.noteOutOfSpace(refusal, options.sourceAeTitle);
    return { ok: false, status: Status.OutOfResources, reason: `the index of this workstation cannot be written now (${refusal.code}); retry later` };
  }
  let writer;
  try {
    writer = cache.createTempWriter({});
  } catch (e) {
    await drain(body);
    if (isOutOfSpace(e)) return outOfSpace(cache, e, options);
    throw e;
  }
  try {
    await pipeline(body, writer.stream);
  } catch (e) {
    await writer.discard().catch(() => undefined);
    if (isOutOfSpace(e)) return outOfSpace(cache, e, options);
    throw e;
  }
  let header;
  try {
    header = await writer.header();
  } catch (e) {
    await writer.discard().catch(() => undefined);
    if (isOutOfSpace(e)) return outOfSpace(cache, e, options);
    return { ok: false, status: Status.CannotUnderstand, reason: `the part is not a readable DICOM instance: ${(e as Error).message}` };
  }
  const { instance, series, study } = header.fields;
  const ids = {
    ...(instance.SOPClassUID ? { sopClassUid: strip(instance.SOPClassUID) } : {}),
    ...(instance.SOPInstanceUID ? { sopInstanceUid: strip(instance.SOPInstanceUID) } : {}),
  };
  const refuse = async (status: number, reason: string): Promise<PartRefused> => {
    await writer.discard().catch(() => undefined);
    return { ok: false, status, reason, ...ids };
  };
  // PS3.18 §8.6.1.2: an application/dicom part is a PS3.10 file, meta information included
  if (!header.part10) return refuse(Status.CannotUnderstand, 'the part is not a DICOM Part-10 file (no preamble and DICM prefix)');
  if (header.isDicomdir) return refuse(Status.DataSetDoesNotMatchSOPClass, 'a DICOMDIR is not an instance');
  const bad = validateUid(strip(instance.SOPInstanceUID));
  if (bad) return refuse(Status.InvalidObjectInstance, `SOP Instance UID: ${bad}`);
  if (options.studyInstanceUid !== undefined && strip(study.StudyInstanceUID) !== options.studyInstanceUid) {
    return refuse(
      Status.DataSetDoesNotMatchSOPClass,
      `the instance belongs to study ${strip(study.StudyInstanceUID) || '(none)'}, not to study ${options.studyInstanceUid} of the request`,
    );
  }
  try {
    const result = await writer.commit({ header, sourceAeTitle: options.sourceAeTitle });
    return {
      ok: true,
      result,
      sopClassUid: strip(instance.SOPClassUID),
      sopInstanceUid: result.sopInstanceUid,
      seriesInstanceUid: strip(series.SeriesInstanceUID),
      transferSyntaxUid: header.transferSyntaxUid,
    };
  } catch (e) {
    await writer.discard().catch(() => undefined);
    if (isOutOfSpace(e)) return outOfSpace(cache, e, options, ids);
    if (e instanceof CacheError && (e.code === 'EUID' || e.code === 'EMISMATCH'))
      return { ok: false, status: Status.DataSetDoesNotMatchSOPClass, reason: e.message, ...ids };
    if (e instanceof CacheError && e.code === 'EINVALID') return { ok: false, status: Status.CannotUnderstand, reason: e.message, ...ids };
    if (e instanceof CacheError)
      return { ok: false, status: Status.OutOfResources, reason: `the index of this workstation cannot be written now (${e.code}); retry later`, ...ids };
    throw e;
  }
}

function outOfSpace(cache: Cache, e: unknown, options: PartOptions, ids: { sopClassUid?: string; sopInstanceUid?: string } = {}): PartRefused {
  cache.noteOutOfSpace(e, options.sourceAeTitle);
  const code = (e as { code: string }).code;
  return {
    ok: false,
    status: Status.OutOfResources,
    reason: `no room in the cache of this workstation: ${NO_ROOM[code] ?? `out of disk space (${code})`}`,
    ...ids,
  };
}
