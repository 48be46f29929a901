/**
 * The answer to a WADO-URI or WADO-RS request, independent of the transport: the web host
 * (electron/web/dicomweb.ts) writes it to an HTTP response and the desktop app's custom protocol
 * (electron/shell/protocol.ts) to a fetch Response, so both serve the same bytes.
 *   /wado?requestType=WADO&studyUID=&seriesUID=&objectUID=&contentType=application/dicom
 *       — WADO-URI (PS3.18 9), the Part-10 file as stored;
 *   /dicom-web/studies/{study}[/series/{series}[/instances/{instance}]]
 *       — WADO-RS Retrieve (PS3.18 10.4), multipart/related; type="application/dicom", each part
 *         streamed from its file as stored (never the whole study in memory);
 *   /dicom-web/studies/{study}[/series/{series}[/instances/{instance}]]/metadata
 *       — the same instances as application/dicom+json (PS3.18 F.2), bulk data left out.
 */
import { randomBytes } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { Transcoder } from '../../dimse/handlers.js';
import { decodeDataSet, encodingOf } from '../../../shared/dicom/codec.js';
import { jsonOf, type JsonDataSet } from '../../../shared/dicom/json-model.js';
import { buildFileMetaInformation } from '../../cache/file-meta.js';
import { readInstanceHeader } from '../../cache/header.js';
import { closeDelimiter, partHead } from './multipart.js';
import type { WebAnswer } from './qido-answer.js';
import type { WadoFailure, WadoInstance, WadoService } from './wado.js';

/** What to send back: status, headers and body (a sentence for a refusal; a stream for a multipart answer). */
export type WadoAnswer = WebAnswer;

/** The root of our DICOMweb service on the web host and the desktop scheme. */
export const DICOMWEB_ROOT = '/dicom-web';

const RS_PATH = /^\/studies\/([^/]+)(?:\/series\/([^/]+)(?:\/instances\/([^/]+))?)?(\/metadata)?\/?$/;
const PIXEL_DATA = 0x7fe00010;

/** Whether a request path is one {@link answerWado} answers. */
export function isWadoPath(pathname: string): boolean {
  return pathname === '/wado' || pathname.startsWith(`${DICOMWEB_ROOT}/`);
}

/** A plain-text refusal. */
export function wadoRefusal(status: number, message: string): WadoAnswer {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, body: Buffer.from(message) };
}

const fail = (f: WadoFailure): WadoAnswer => wadoRefusal(f.status, f.message);

// PS3.18 9.1.2.1.6 — contentType: application/dicom only (no rendering, no transcoding).
function acceptsDicomUri(contentType: string | null): boolean {
  if (contentType === null || contentType === '') return true;
  return contentType.split(',').some((t) => ['application/dicom', '*/*', 'application/*'].includes(t.split(';')[0]!.trim().toLowerCase()));
}

/**
 * PS3.18 8.7.3 — Accept of a WADO-RS Retrieve: multipart/related with type application/dicom;
 * the transfer syntax asked must be the stored one (`*`, or none, as most servers answer: as stored).
 * Returns the transfer syntax asked for, '*' for any, or undefined when nothing acceptable is offered.
 */
function acceptedSyntax(accept: string | undefined | null): string | undefined {
  if (accept === undefined || accept === null || accept.trim() === '') return '*';
  for (const part of accept.split(',')) {
    const media = part.split(';')[0]!.trim().toLowerCase();
    if (media === '*/*' || media === 'multipart/*') return '*';
    if (media !== 'multipart/related') continue;
    const type = /type\s*=\s*"?([^";]+)"?/i.exec(part)?.[1]?.toLowerCase();
    if (type !== undefined && type !== 'application/dicom') continue;
    return /transfer-syntax\s*=\s*"?([^";]+)"?/i.exec(part)?.[1]?.trim() ?? '*';
  }
  return undefined;
}

function acceptsJson(accept: string | undefined | null): boolean {
  if (accept === undefined || accept === null || accept.trim() === '') return true;
  return accept.split(',').some((p) => ['application/dicom+json', 'application/json', '*/*', 'application/*'].includes(p.split(';')[0]!.trim().toLowerCase()));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * One instance as a PS3.10 file behind its part head: the stored file, or file meta built for a data
 * set stored without it. The head carries the part's Content-Length, so a reader takes the body
 * whole without searching it for the delimiter.
 */
async function* part10(inst: WadoInstance, boundary: string, first: boolean): AsyncGenerator<Uint8Array> {
  const meta =
    inst.dataSetOffset === 0
      ? buildFileMetaInformation({ sopClassUid: inst.sopClassUid, sopInstanceUid: inst.sopInstanceUid, transferSyntaxUid: inst.transferSyntaxUid })
      : undefined;
  // the size of the file opened, not of whatever the path names a moment before
  const file = await open(inst.path);
  try {
    const size = (await file.stat()).size + (meta?.length ?? 0);
    yield partHead(boundary, { 'Content-Type': `application/dicom; transfer-syntax=${inst.transferSyntaxUid}`, 'Content-Length': String(size) }, first);
    if (meta) yield meta;
    let sent = meta?.length ?? 0;
    for await (const chunk of file.createReadStream({ highWaterMark: 1 << 20, autoClose: false }) as AsyncIterable<Buffer>) {
      sent += chunk.length;
      yield chunk;
    }
    // a file that changed size under us would break the framing the head announced
    if (sent !== size) throw new Error(`${inst.sopInstanceUid} changed size while it was sent`);
  } finally {
    await file.close();
  }
}

/** One instance converted into `to` by the outgoing transcoder, behind file meta naming it (the stored file untouched). */
async function* converted(inst: WadoInstance, to: string, transcoder: Transcoder): AsyncGenerator<Uint8Array> {
  const size = (await stat(inst.path)).size;
  const got = await transcoder.convert({ ...inst, dataSetLength: size - inst.dataSetOffset }, to);
  if ('reason' in got) throw new Error(`${inst.sopInstanceUid} cannot be converted: ${got.reason}`);
  yield buildFileMetaInformation({ sopClassUid: inst.sopClassUid, sopInstanceUid: inst.sopInstanceUid, transferSyntaxUid: to });
  yield* got as AsyncIterable<Buffer>;
}

/**
 * The multipart body (PS3.18 8.6.1.2 / RFC 2387), one application/dicom part per instance, read file
 * after file; with `to`, instances stored in another syntax are converted into it.
 */
async function* multipartBody(list: readonly WadoInstance[], boundary: string, to?: { syntax: string; transcoder: Transcoder }): AsyncGenerator<Uint8Array> {
  for (const [i, inst] of list.entries()) {
    if (to !== undefined && inst.transferSyntaxUid !== to.syntax) {
      yield partHead(boundary, { 'Content-Type': `application/dicom; transfer-syntax=${to.syntax}` }, i === 0);
      yield* converted(inst, to.syntax, to.transcoder);
    } else {
      yield* part10(inst, boundary, i === 0);
    }
  }
  yield closeDelimiter(boundary, list.length > 0);
}

/** The data set of a stored instance up to Pixel Data, in the JSON model (bulk data left out). */
export async function instanceMetadata(inst: WadoInstance): Promise<JsonDataSet> {
  const header = await readInstanceHeader(inst.path);
  const encoding = encodingOf(header.transferSyntaxUid);
  if (encoding.deflated) return jsonOf(header.dataSet); // the attributes the index keeps
  const end = header.restOffset ?? header.fileSize;
  const fh = await open(inst.path, 'r');
  try {
    const bytes = new Uint8Array(Math.max(0, end - header.dataSetOffset));
    const { bytesRead } = await fh.read(bytes, 0, bytes.length, header.dataSetOffset);
    const ds = decodeDataSet(bytes.subarray(0, bytesRead), encoding, { stopAtTag: PIXEL_DATA, allowTruncated: true }).dataSet;
    return jsonOf(ds);
  } finally {
    await fh.close();
  }
}

/** The instances a WADO-RS path names, or a failure. */
function instancesOf(wado: WadoService, study: string, series: string | undefined, instance: string | undefined): WadoInstance[] | WadoFailure {
  if (instance !== undefined) {
    const one = wado.locate({ StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: instance });
    return one.ok ? [one] : one;
  }
  return series !== undefined ? wado.seriesInstances(study, series) : wado.studyInstances(study);
}

/**
 * Answers a GET of `url` (its pathname one of {@link isWadoPath}); never throws for bad input.
 * With a transcoder, a WADO-RS retrieve naming a transfer syntax gets the instances stored in
 * another one converted into it where the outgoing transcoder can (else 406).
 */
export async function answerWado(wado: WadoService, url: URL, accept?: string | null, transcoder?: Transcoder): Promise<WadoAnswer> {
  if (url.pathname === '/wado') {
    const q = url.searchParams;
    if (q.get('requestType') !== 'WADO') return wadoRefusal(400, 'A WADO-URI request needs requestType=WADO (PS3.18 9.1.2.1.1).');
    if (!acceptsDicomUri(q.get('contentType'))) return wadoRefusal(406, 'Only contentType=application/dicom is served (no rendered images).');
    const got = await wado.read({ StudyInstanceUID: q.get('studyUID'), SeriesInstanceUID: q.get('seriesUID'), SOPInstanceUID: q.get('objectUID') });
    if (!got.ok) return fail(got);
    const ts = q.get('transferSyntax');
    if (ts !== null && ts !== '*' && ts !== got.instance.transferSyntaxUid) {
      return wadoRefusal(406, `The instance is stored as ${got.instance.transferSyntaxUid}; transcoding to ${ts} is not offered.`);
    }
    return {
      status: 200,
      headers: { 'Content-Type': 'application/dicom', 'Content-Length': String(got.bytes.length), 'Cache-Control': 'private, max-age=3600' },
      body: got.bytes,
    };
  }

  const m = RS_PATH.exec(url.pathname.slice(DICOMWEB_ROOT.length));
  if (!m) return wadoRefusal(404, `WADO-RS offers ${DICOMWEB_ROOT}/studies/{study}[/series/{series}[/instances/{instance}]][/metadata].`);
  const [study, series, instance] = [m[1], m[2], m[3]].map((s) => (s === undefined ? undefined : safeDecode(s)));
  const metadata = m[4] !== undefined;
  if (metadata && !acceptsJson(accept)) return wadoRefusal(406, 'Metadata is offered as application/dicom+json only.');
  const syntax = metadata ? '*' : acceptedSyntax(accept);
  if (syntax === undefined) return wadoRefusal(406, 'Only multipart/related; type="application/dicom" is offered (rendered and bulk data are not).');
  const list = instancesOf(wado, study!, series, instance);
  if (!Array.isArray(list)) return fail(list);
  if (metadata) {
    const items: JsonDataSet[] = [];
    for (const inst of list) {
      try {
        items.push(await instanceMetadata(inst));
      } catch (e) {
        const code = (e as { code?: string }).code;
        return wadoRefusal(code === 'ENOENT' ? 404 : 500, `A file of the local cache could not be read (${code ?? (e as Error).message}): run a cache check.`);
      }
    }
    const body = Buffer.from(JSON.stringify(items));
    return {
      status: 200,
      headers: { 'Content-Type': 'application/dicom+json', 'Content-Length': String(body.length), 'Cache-Control': 'private, max-age=3600' },
      body,
    };
  }
  if (syntax !== '*') {
    const other = list.find((i) => i.transferSyntaxUid !== syntax && !(transcoder?.alternatives(i.transferSyntaxUid).includes(syntax) ?? false));
    if (other)
      return wadoRefusal(
        406,
        `Instance ${other.sopInstanceUid} is stored as ${other.transferSyntaxUid} and cannot be converted to ${syntax} here: ask with transfer-syntax=* (as stored).`,
      );
  }
  const boundary = `priors-${randomBytes(12).toString('hex')}`;
  return {
    status: 200,
    headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`, 'Cache-Control': 'private, max-age=3600' },
    body: multipartBody(list, boundary, syntax !== '*' && transcoder ? { syntax, transcoder } : undefined),
  };
}
