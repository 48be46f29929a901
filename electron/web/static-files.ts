/**
 * The built renderer (renderer/dist) served to a browser: files only from inside that folder,
 * index.html for `/` and for client-side routes, with a strict Content-Security-Policy and
 * nosniff on every answer.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { contentTypeOf } from './content-types.js';

/**
 * The CSP of the UI: nothing but this origin; no inline script, no framing, no plugins.
 * 'wasm-unsafe-eval' lets the viewer compile its WebAssembly image decoders (JPEG, JPEG-LS,
 * JPEG 2000, HTJ2K) in the page and its workers; it allows no JavaScript eval.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent with every answer of the host. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // the token is in the page's URL: never send it on as a Referer
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** Answers a GET for `pathname` from `root`; 404 when there is no such file. */
export async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<void> {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return plain(res, 400, 'Bad path.');
  }
  if (decoded.includes('\0')) return plain(res, 400, 'Bad path.');
  // client-side routes (no extension) get the app itself
  const wanted = decoded === '/' || extname(decoded) === '' ? '/index.html' : decoded;
  const file = resolve(join(base, normalize(wanted)));
  if (file !== base && !file.startsWith(base + sep)) return plain(res, 404, 'Not found.');
  try {
    const info = await stat(file);
    if (!info.isFile()) return plain(res, 404, 'Not found.');
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': contentTypeOf(file),
      'Content-Length': body.length,
      'Cache-Control': wanted === '/index.html' ? 'no-store' : 'no-cache',
    });
    res.end(body);
  } catch {
    if (wanted === '/index.html') return plain(res, 404, 'The UI is not built yet: build the renderer into renderer/dist, then reload.');
    plain(res, 404, 'Not found.');
  }
}

/** A short text answer. */
export function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
