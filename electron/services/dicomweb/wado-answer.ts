/**
 * The answer to a WADO-URI or WADO-RS request, independent of the transport: the web host
 * (electron/web/wado.ts) writes it to an HTTP response and the desktop app's custom protocol
 * (electron/shell/protocol.ts) to a fetch Response, so both serve the same bytes.
 *   /wado?requestType=WADO&studyUID=&seriesUID=&objectUID=&contentType=application/dicom
 *       — WADO-URI (PS3.18 9), the Part-10 file as stored;
 *   /dicomweb/studies/{study}/series/{series}[/instances/{instance}]
 *       — WADO-RS Retrieve (PS3.18 10.4), multipart/related; type="application/dicom".
 */
import { randomBytes } from 'node:crypto';
import type { WadoFailure, WadoService } from './wado.js';

/** What to send back: status, headers and body (a sentence for a refusal). */
export interface WadoAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

const RS_PATH = /^\/dicomweb\/studies\/([^/]+)\/series\/([^/]+)(?:\/instances\/([^/]+))?\/?$/;

/** Whether a request path is one {@link answerWado} answers. */
export function isWadoPath(pathname: string): boolean {
  return pathname === '/wado' || pathname.startsWith('/dicomweb/');
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

// PS3.18 8.7.3 — Accept of a WADO-RS Retrieve: multipart/related with type application/dicom.
function acceptsDicomRs(accept: string | undefined | null): boolean {
  if (accept === undefined || accept === null || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const media = part.split(';')[0]!.trim().toLowerCase();
    if (media === '*/*' || media === 'multipart/*') return true;
    if (media !== 'multipart/related') return false;
    const type = /type\s*=\s*"?([^";]+)"?/i.exec(part)?.[1]?.toLowerCase();
    return type === undefined || type === 'application/dicom';
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Answers a GET of `url` (its pathname one of {@link isWadoPath}); never throws for bad input. */
export async function answerWado(wado: WadoService, url: URL, accept?: string | null): Promise<WadoAnswer> {
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
    return { status: 200, headers: { 'Content-Type': 'application/dicom', 'Content-Length': String(got.bytes.length), 'Cache-Control': 'private, max-age=3600' }, body: got.bytes };
  }

  const m = RS_PATH.exec(url.pathname);
  if (!m) return wadoRefusal(404, 'Only WADO-RS retrieve of a series or an instance is offered: /dicomweb/studies/{study}/series/{series}[/instances/{instance}].');
  if (!acceptsDicomRs(accept)) return wadoRefusal(406, 'Only multipart/related; type="application/dicom" is offered.');
  const [study, series, instance] = [m[1], m[2], m[3]].map((s) => (s === undefined ? undefined : safeDecode(s)));
  const parts: Uint8Array[] = [];
  if (instance !== undefined) {
    const got = await wado.read({ StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: instance });
    if (!got.ok) return fail(got);
    parts.push(got.bytes);
  } else {
    const list = wado.seriesInstances(study, series);
    if (!Array.isArray(list)) return fail(list);
    for (const inst of list) {
      const got = await wado.readPath(inst.path);
      if (!got.ok) return fail(got);
      parts.push(got.bytes);
    }
  }
  // PS3.18 8.6.1.2 / RFC 2387 — multipart/related, one application/dicom part per instance.
  const boundary = `priors-${randomBytes(12).toString('hex')}`;
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\nContent-Length: ${p.length}\r\n\r\n`), p, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(chunks);
  return {
    status: 200,
    headers: {
      'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
      'Content-Length': String(body.length), 'Cache-Control': 'private, max-age=3600',
    },
    body,
  };
}
