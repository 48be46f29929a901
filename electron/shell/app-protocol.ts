/**
 * The renderer's own scheme, `priors-app://ui/…`: the built renderer (renderer/dist) served to
 * the window from a stable, secure origin (module workers, fetch and the CSP's 'self' work as on
 * the web host, which file:// URLs do not give). Only files inside the folder are served;
 * routes without an extension get index.html.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { CustomScheme, Protocol } from 'electron';
import { contentTypeOf } from '../web/content-types.js';
import { CONTENT_SECURITY_POLICY } from '../web/static-files.js';
import { WADO_SCHEME } from './protocol.js';

export const APP_SCHEME = 'priors-app';
/** Where the renderer lives: every IPC call must come from a page under this prefix. */
export const APP_ORIGIN = `${APP_SCHEME}://ui/`;

export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
};

/**
 * The web host's CSP, with the viewer's image scheme added where the page fetches from:
 * protocol handlers' answers bypass session.webRequest, so the header is set here.
 */
export const DESKTOP_CSP = CONTENT_SECURITY_POLICY.replace("connect-src 'self'", `connect-src 'self' ${WADO_SCHEME}:`).replace(
  "img-src 'self'",
  `img-src 'self' ${WADO_SCHEME}:`,
);

/** The file a path of the scheme maps to inside `root`, or undefined when it would leave it. */
export function appFile(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const wanted = decoded === '/' || extname(decoded) === '' ? '/index.html' : decoded;
  const base = resolve(root);
  const file = resolve(join(base, normalize(wanted)));
  return file.startsWith(base + sep) ? file : undefined;
}

/** Serves `root` (renderer/dist) on the scheme. */
export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'ui' ? appFile(root, url.pathname) : undefined;
    if (!file) return new Response('Not found.', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'Content-Type': contentTypeOf(file),
          'Content-Security-Policy': DESKTOP_CSP,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response(file.endsWith('index.html') ? 'The UI is not built: run npm run build.' : 'Not found.', { status: 404 });
    }
  });
}
