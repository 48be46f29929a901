/**
 * The DICOMweb service of the web host (services/dicomweb/server.ts) at /dicom-web/ (QIDO-RS,
 * WADO-RS, STOW-RS) and WADO-URI at /wado, over HTTP: the same session token as /api/ (`?token=`,
 * `Authorization: Bearer <token>` as DICOMweb clients send it, or the X-Priors-Token header), else
 * 401. Answers are written as they are produced: a WADO-RS multipart body file after file with the
 * response's backpressure, a STOW-RS body read part by part from the request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DicomwebServer } from '../services/dicomweb/server.js';
import { answerWado, DICOMWEB_ROOT } from '../services/dicomweb/wado-answer.js';
import type { WebAnswer } from '../services/dicomweb/qido-answer.js';
import { plain } from './static-files.js';

export { isWadoPath } from '../services/dicomweb/wado-answer.js';

const TOKEN_HEADER = 'x-priors-token';

/** The token a request carries: `?token=`, a Bearer Authorization, or the X-Priors-Token header. */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  return url.searchParams.get('token') ?? bearer ?? (req.headers[TOKEN_HEADER] as string | undefined);
}

async function write(req: IncomingMessage, res: ServerResponse, answer: WebAnswer): Promise<void> {
  res.writeHead(answer.status, answer.headers);
  const { body } = answer;
  if (body instanceof Uint8Array) {
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  if (req.method === 'HEAD') {
    await (body as AsyncGenerator<Uint8Array>).return?.(undefined);
    res.end();
    return;
  }
  try {
    await pipeline(Readable.from(body, { objectMode: false }), res);
  } catch {
    res.destroy(); // a file gone mid-answer, or the client went away: the part cannot be finished
  }
}

/** Answers a request under /dicom-web/ or /wado; `authorized(token)` is the host's token check. */
export async function serveDicomweb(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  server: DicomwebServer,
  authorized: (given: string | undefined) => boolean,
): Promise<void> {
  if (!authorized(requestToken(req, url))) {
    req.resume();
    res.setHeader('WWW-Authenticate', 'Bearer realm="Priors"');
    return plain(
      res,
      401,
      'This request lacks the session token: give it as "Authorization: Bearer <token>" or "?token=", from the address printed by "priors serve" (serve.json).',
    );
  }
  if (url.pathname === '/wado') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed.');
    return write(req, res, await answerWado(server.wado, url, req.headers.accept));
  }
  const host = req.headers.host ?? '127.0.0.1';
  const answer = await server.answer({
    method: req.method ?? 'GET',
    url,
    accept: req.headers.accept,
    contentType: req.headers['content-type'],
    ...(req.method === 'POST' ? { body: req } : {}),
    peerAddress: req.socket.remoteAddress ?? '',
    peerPort: req.socket.remotePort ?? 0,
    baseUrl: `http://${host}${DICOMWEB_ROOT}`,
  });
  if (req.method === 'POST' && !req.readableEnded) req.resume(); // a refusal before the body was read
  return write(req, res, answer);
}
