/**
 * Cached instances over HTTP in DICOMweb shapes (WADO-URI under /wado, WADO-RS under
 * /dicomweb/; see services/dicomweb/wado-answer.ts), so the viewer's loaders and other DICOMweb viewers
 * read the local cache. Same token rule as /api/: `?token=` or the X-Priors-Token header, else
 * 401. UIDs are validated before any file is touched; refusals are plain-text sentences.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerWado } from '../services/dicomweb/wado-answer.js';
import type { WadoService } from '../services/dicomweb/wado.js';
import { plain } from './static-files.js';

export { isWadoPath } from '../services/dicomweb/wado-answer.js';

const TOKEN_HEADER = 'x-priors-token';

/** Answers a WADO-URI or WADO-RS request; `authorized(token)` is the host's token check. */
export async function serveWado(req: IncomingMessage, res: ServerResponse, url: URL, wado: WadoService,
  authorized: (given: string | undefined) => boolean): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed.');
  const given = url.searchParams.get('token') ?? (req.headers[TOKEN_HEADER] as string | undefined);
  if (!authorized(given ?? undefined)) return plain(res, 401, 'This request lacks the session token: open the address printed by "priors serve --ui".');
  const answer = await answerWado(wado, url, req.headers.accept);
  res.writeHead(answer.status, answer.headers);
  res.end(req.method === 'HEAD' ? undefined : answer.body);
}
