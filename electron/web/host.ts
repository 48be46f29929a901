/**
 * The web host: the API contract (shared/api/contract.ts) over HTTP for a browser on this machine.
 * Bound to loopback only; every /api/ request carries the session token (`?token=` or the
 * `X-Priors-Token` header) or gets 401. `POST /api/<entry>` with a JSON body answers with the
 * entry's Result as JSON; `GET /api/events` is the push channel (Server-Sent Events); /dicom-web/
 * is our DICOMweb service and /wado WADO-URI (electron/web/dicomweb.ts, the same token, also as
 * `Authorization: Bearer`); anything else is a static file of the built renderer.
 */
import { createReadStream, statSync } from 'node:fs';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiEvent, Result } from '../../shared/api/contract.js';
import { apiError } from '../../shared/errors.js';
import { openEventStream } from './events.js';
import { plain, SECURITY_HEADERS, serveStatic } from './static-files.js';
import { isWadoPath, serveDicomweb } from './dicomweb.js';
import type { DicomwebServer } from '../services/dicomweb/server.js';

/** What the host serves: the app core's dispatcher and event stream. */
export interface WebApi {
  invoke(name: string, payload: unknown): Promise<Result<unknown>>;
  subscribe(listener: (e: ApiEvent) => void): () => void;
  /** The file `GET /api/download/<name>` sends (a saved diagnostics bundle), or undefined. */
  downloadPath?(name: string): string | undefined;
}

/** Options of {@link startWebHost}. */
export interface WebHostOptions {
  api: WebApi;
  /** A loopback address (default 127.0.0.1); anything else is refused. */
  host?: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** The built renderer (renderer/dist); absent = the API alone (a `priors serve` without --ui). */
  staticDir?: string;
  /** The session token (default: 32 random bytes, hex). */
  token?: string;
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** The DICOMweb service (QIDO-RS, WADO-RS, STOW-RS at /dicom-web/, WADO-URI at /wado); absent = not served. */
  dicomweb?: DicomwebServer;
}

/** A running host. */
export interface WebHost {
  host: string;
  port: number;
  token: string;
  /** The address to open, token included. */
  url: string;
  close(): Promise<void>;
}

/** Thrown for a host that would not be loopback only. */
export class WebHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const TOKEN_HEADER = 'x-priors-token';

/** Whether an address is loopback (the only kind the host binds to). */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether a request's token is the session token (compared in constant time). */
export function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the host; rejects for a non-loopback address or when the port cannot be bound. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new WebHostError(`The web UI listens on this machine only: use 127.0.0.1 (or ::1), not ${host}`);
  const token = options.token ?? randomBytes(32).toString('hex');
  const limit = options.maxBodyBytes ?? 1 << 20;
  const streams = new Set<() => void>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    // DNS rebinding: a page of another site resolving to 127.0.0.1 still names its own host
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    if (!isLoopback(hostHeader)) return plain(res, 421, 'This server answers only to a loopback address.');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (options.dicomweb && isWadoPath(url.pathname)) return serveDicomweb(req, res, url, options.dicomweb, (given) => sameToken(given, token));
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed.');
      if (!options.staticDir) return plain(res, 404, 'This Priors serves its API only: start it with "priors serve --ui" for the UI.');
      return serveStatic(options.staticDir, url.pathname, res);
    }
    const given = url.searchParams.get('token') ?? (req.headers[TOKEN_HEADER] as string | undefined);
    if (!sameToken(given ?? undefined, token)) {
      return json(res, 401, {
        ok: false,
        error: apiError('unauthorized', 'This request lacks the session token: open the address printed by "priors serve --ui".'),
      });
    }
    const name = url.pathname.slice('/api/'.length);
    if (name.startsWith('download/')) {
      if (req.method !== 'GET') return plain(res, 405, 'Method not allowed.');
      const file = safeDecode(name.slice('download/'.length));
      const path = file !== undefined ? options.api.downloadPath?.(file) : undefined;
      if (!path) return plain(res, 404, 'No such file to download: save the diagnostics again.');
      res.writeHead(200, {
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="${file}"`,
        'Content-Length': statSync(path).size,
        'Cache-Control': 'no-store',
      });
      createReadStream(path)
        .on('error', () => res.destroy())
        .pipe(res);
      return;
    }
    if (name === 'events') {
      if (req.method !== 'GET') return plain(res, 405, 'Method not allowed.');
      const close: () => void = openEventStream(req, res, options.api, () => streams.delete(close));
      streams.add(close);
      return;
    }
    if (req.method !== 'POST') return json(res, 405, { ok: false, error: apiError('invalid-payload', 'API entries are called with POST and a JSON body.') });
    const body = await readBody(req, limit);
    if (body === undefined) return json(res, 413, { ok: false, error: apiError('payload-too-large', `The request body exceeds ${limit} bytes.`) });
    let payload: unknown;
    try {
      payload = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      return json(res, 400, { ok: false, error: apiError('invalid-payload', 'The request body is not valid JSON.') });
    }
    const result = await options.api.invoke(name, payload);
    json(res, !result.ok && result.error.code === 'unknown-entry' ? 404 : 200, result);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { ok: false, error: apiError('unexpected', `The web host failed: ${(err as Error).message}.`) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    token,
    url: `http://${shown}:${port}/?token=${token}`,
    close: async () => {
      for (const close of [...streams]) close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
