/**
 * Our STOW-RS (PS3.18 §10.5) into the local cache: POST /studies or /studies/{study} with a
 * multipart/related; type="application/dicom" body, each part a PS3.10 file streamed into the
 * cache's store path as it arrives (part-store.ts: the checks, quota and free space of our C-STORE
 * SCP). The answer is the Store Instances Response Module (§10.5.3, Table 10.5.3-1): 200 when every
 * instance was stored, 202 when some were, 409 when none was, each refused instance in the Failed
 * SOP Sequence with its Failure Reason (the C-STORE status of PS3.4 B.2.3: A700 out of resources,
 * A900, C000, 0117…) and the first reason in words in a Warning header.
 */
import { jsonOf } from '../../../shared/dicom/json-model.js';
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { Status } from '../../../shared/dicom/status.js';
import type { Cache } from '../../cache/index.js';
import { MultipartError, parseMediaType, parseMultipart } from './multipart.js';
import { storePart, type PartStored } from './part-store.js';
import { webRefusal, type WebAnswer } from './qido-answer.js';
import { isUid } from './wado.js';

const RETRIEVE_URL = 0x00081190;
const FAILED_SOP_SEQUENCE = 0x00081198;
const REFERENCED_SOP_SEQUENCE = 0x00081199;
const REFERENCED_SOP_CLASS_UID = 0x00081150;
const REFERENCED_SOP_INSTANCE_UID = 0x00081155;
const FAILURE_REASON = 0x00081197;
/** Most parts of one request (a bound on the loop; a study of 100,000 instances is sent in several). */
const MAX_PARTS = 100_000;

/** The Failure Reasons (0008,1197) our STOW-RS answers, and when (the conformance statement lists them). */
export const STOW_FAILURE_REASONS: readonly (readonly [number, string])[] = [
  [
    Status.OutOfResources,
    'no room: the cache size limit (quotaBytes) or the free space kept (minFreeBytes) is reached and no study can be evicted, the disk is full, or the index cannot be written now',
  ],
  [
    Status.DataSetDoesNotMatchSOPClass,
    'the instance belongs to another study than the one the path names, its Study or Series Instance UID is not a UID, a DICOMDIR, or it differs from the instance already stored under its UID',
  ],
  [Status.CannotUnderstand, 'the part is not a PS3.10 file (no preamble and DICM prefix), cannot be read, or is not application/dicom'],
  [Status.InvalidObjectInstance, 'the SOP Instance UID is not a valid UID (PS3.5 9.1)'],
];

/** What a STOW-RS request needs from the server. */
export interface StowContext {
  cache: Cache;
  /** Recorded as the source of the stored instances. */
  sourceAeTitle: string;
  /** The base URL of our DICOMweb service (RetrieveURL of what was stored). */
  baseUrl?: string;
  /** Told about each instance stored. */
  onStored?: (stored: PartStored) => void;
}

const STOW_PATH = /^\/studies(?:\/([^/]+))?\/?$/;

/** Whether a path (relative to the root) is a STOW-RS resource. */
export function isStowPath(path: string): boolean {
  return STOW_PATH.test(path);
}

function uiItem(cls: string | undefined, uid: string | undefined): DataSet {
  const item: DataSet = new Map();
  if (cls) item.set(REFERENCED_SOP_CLASS_UID, { vr: 'UI', value: [cls] });
  if (uid) item.set(REFERENCED_SOP_INSTANCE_UID, { vr: 'UI', value: [uid] });
  return item;
}

/** Answers a STOW-RS request; the body is read part by part. Never throws for what the body holds. */
export async function answerStow(context: StowContext, path: string, contentType: string | undefined, body: AsyncIterable<Uint8Array>): Promise<WebAnswer> {
  const m = STOW_PATH.exec(path);
  if (!m) return webRefusal(404, 'STOW-RS stores with POST /studies or /studies/{study} (PS3.18 §10.5).');
  const study = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  if (study !== undefined && !isUid(study))
    return webRefusal(400, `The Study Instance UID "${String(study).slice(0, 80)}" of the path is not a valid UID (PS3.5 9.1).`);
  const media = parseMediaType(contentType);
  const type = media.params.type?.toLowerCase();
  if (media.type !== 'multipart/related' || (type !== undefined && type !== 'application/dicom')) {
    return webRefusal(
      415,
      'STOW-RS takes multipart/related; type="application/dicom" (PS3.18 §10.5.1.2): send PS3.10 files as parts (the JSON and XML metadata forms are not offered).',
    );
  }
  const boundary = media.params.boundary;
  if (!boundary) return webRefusal(400, 'The Content-Type of the request lacks its multipart boundary parameter.');
  const stored: DataSet[] = [];
  const failed: DataSet[] = [];
  let firstReason: string | undefined;
  const studies = new Set<string>();
  try {
    let n = 0;
    for await (const part of parseMultipart(body, boundary)) {
      if (++n > MAX_PARTS) return webRefusal(413, `A STOW-RS request holds at most ${MAX_PARTS} instances: send the rest in another request.`);
      const partType = parseMediaType(part.headers['content-type'] ?? 'application/dicom').type;
      if (partType !== 'application/dicom') {
        for await (const _ of part.body) {
          /* skipped */
        }
        const item = uiItem(undefined, undefined);
        item.set(FAILURE_REASON, { vr: 'US', value: [Status.CannotUnderstand] });
        failed.push(item);
        firstReason ??= `a part of type ${partType} is not a DICOM instance (only application/dicom parts are taken)`;
        continue;
      }
      const got = await storePart(context.cache, part.body, {
        sourceAeTitle: context.sourceAeTitle,
        ...(study !== undefined ? { studyInstanceUid: study } : {}),
      });
      if (got.ok) {
        studies.add(got.result.studyInstanceUid);
        const item = uiItem(got.sopClassUid, got.sopInstanceUid);
        if (context.baseUrl)
          item.set(RETRIEVE_URL, {
            vr: 'UR',
            value: [`${context.baseUrl}/studies/${got.result.studyInstanceUid}/series/${got.seriesInstanceUid}/instances/${got.sopInstanceUid}`],
          });
        stored.push(item);
        context.onStored?.(got);
      } else {
        const item = uiItem(got.sopClassUid, got.sopInstanceUid);
        item.set(FAILURE_REASON, { vr: 'US', value: [got.status] });
        failed.push(item);
        firstReason ??= `${got.sopInstanceUid ? `${got.sopInstanceUid}: ` : ''}${got.reason}`;
      }
    }
  } catch (e) {
    if (e instanceof MultipartError) return webRefusal(400, `The request body is not a valid multipart/related body: ${e.message}.`);
    throw e;
  }
  if (stored.length + failed.length === 0) return webRefusal(400, 'The request holds no instance: send one application/dicom part per instance.');
  const answer: DataSet = new Map();
  const only = [...studies];
  if (context.baseUrl && only.length === 1) answer.set(RETRIEVE_URL, { vr: 'UR', value: [`${context.baseUrl}/studies/${only[0]}`] });
  if (failed.length) answer.set(FAILED_SOP_SEQUENCE, { vr: 'SQ', value: failed });
  if (stored.length) answer.set(REFERENCED_SOP_SEQUENCE, { vr: 'SQ', value: stored });
  const text = Buffer.from(JSON.stringify(jsonOf(answer)));
  const headers: Record<string, string> = { 'Content-Type': 'application/dicom+json', 'Content-Length': String(text.length), 'Cache-Control': 'no-store' };
  // RFC 9110 field values are Latin-1: the sentence keeps to ASCII
  if (firstReason)
    headers.Warning = `299 Priors: "${failed.length} of ${failed.length + stored.length} instances not stored; ${firstReason
      .replace(/["\\]/g, "'")
      .replace(/[^ -~]/g, '?')
      .slice(0, 300)}"`;
  return { status: failed.length === 0 ? 200 : stored.length === 0 ? 409 : 202, headers, body: text };
}
