/**
 * The desktop app's custom protocol for the viewer's image loaders: `priors-wado://cache/wado?…`
 * (WADO-URI) and `priors-wado://cache/dicom-web/studies/…` (WADO-RS) answer exactly as the web
 * host does (services/dicomweb/wado-answer.ts), from the same cache. No token: only this app's own
 * session can reach the scheme.
 *
 * main.ts: add {@link WADO_SCHEME_PRIVILEGES} to its one `protocol.registerSchemesAsPrivileged`
 * call (before app ready), then `registerWadoProtocol(protocol, new WadoService(cache))` after
 * ready.
 */
import { Readable } from 'node:stream';
import type { CustomScheme, Protocol } from 'electron';
import { answerWado, isWadoPath, wadoRefusal } from '../services/dicomweb/wado-answer.js';
import type { WadoService } from '../services/dicomweb/wado.js';

/** The scheme of cached instances. */
export const WADO_SCHEME = 'priors-wado';

/** Privileges of the scheme: fetch-able from the renderer and its workers, treated as secure. */
export const WADO_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: WADO_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true },
};

/** Serves cached instances on {@link WADO_SCHEME}. */
export function registerWadoProtocol(protocol: Pick<Protocol, 'handle'>, wado: WadoService): void {
  protocol.handle(WADO_SCHEME, async (request) => {
    const url = new URL(request.url);
    const answer =
      request.method !== 'GET' && request.method !== 'HEAD'
        ? wadoRefusal(405, 'Method not allowed.')
        : isWadoPath(url.pathname)
          ? await answerWado(wado, url, request.headers.get('accept'))
          : wadoRefusal(404, 'Not a WADO path.');
    const body = answer.body instanceof Uint8Array ? answer.body : (Readable.toWeb(Readable.from(answer.body)) as ReadableStream<Uint8Array>);
    return new Response(request.method === 'HEAD' ? null : body, { status: answer.status, headers: answer.headers });
  });
}
