/**
 * The HTTP side of a DICOMweb node: one client per node with its base URL, authentication
 * (Basic or Bearer, PS3.18 §8.5 leaves the scheme to HTTP) and HTTPS CA, kept-alive connections,
 * a connect timer and an idle timer, and the caller's abort signal.
 *
 * Built on Node's http/https client rather than fetch: request and answer bodies are Node
 * streams with backpressure both ways (a WADO-RS answer is read as it arrives, a STOW-RS body
 * written as files are read), the CA is set per node on its Agent, and a request costs less of
 * this process's CPU than a fetch call. No dependency.
 * Secrets go only into the Authorization header; nothing here logs a header.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { DicomwebSettings } from '../../../shared/config.js';
import type { WebService } from '../../../shared/diagnostics-web.js';
import type { Logger } from '../../dimse/ul/types.js';
import { badAnswerError, errorCode, httpStatusError, httpTransportError } from './errors.js';

/** Timers of a client, in milliseconds (from the configuration's timeouts). */
export interface HttpTimeouts {
  /** TCP (and TLS) connect (default 10 000). */
  connectMs?: number;
  /** Nothing received while an answer is awaited or read (default 60 000; 0 = none), as timeouts.dimseMs for DIMSE. */
  idleMs?: number;
}

/** Options of a {@link DicomwebClient}. */
export interface DicomwebClientOptions {
  timeouts?: HttpTimeouts;
  log?: Logger;
  /** Most connections at once (default 4). */
  maxSockets?: number;
}

/** One request. `path` is relative to the base URL and starts with '/'. */
export interface HttpRequest {
  method?: 'GET' | 'POST';
  path: string;
  query?: URLSearchParams;
  headers?: Record<string, string>;
  /** A body: bytes, or a stream written with backpressure. */
  body?: Buffer | Readable;
  signal?: AbortSignal;
  /** Error statuses answered as answers rather than thrown (a STOW-RS 409 carries its failures, §10.5.3). */
  pass?: readonly number[];
  /** Percent-encode every character of the query outside RFC 3986's unreserved set (see {@link queryString}). */
  strictQuery?: boolean;
}

/** An answer whose status is below 400: read `body` to the end (or destroy it). */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: string;
}

/** Most bytes of an error answer kept for its sentence. */
const ERROR_BODY_BYTES = 4096;

/** A DICOMweb node over HTTP(S). `close()` it when done (it keeps connections alive). */
export class DicomwebClient {
  readonly baseUrl: string;
  private readonly agent: HttpAgent;
  private readonly https: boolean;
  private readonly authorization: string | undefined;
  private readonly authKind: 'basic' | 'bearer' | 'none';

  constructor(
    readonly settings: DicomwebSettings,
    private readonly options: DicomwebClientOptions = {},
  ) {
    this.baseUrl = settings.url.replace(/\/+$/, '');
    this.https = this.baseUrl.startsWith('https:');
    const common = { keepAlive: true, maxSockets: options.maxSockets ?? 4 };
    // the CA file is read when the client is made: a missing file fails here with its path (a disk sentence)
    this.agent = this.https ? new HttpsAgent({ ...common, ...(settings.caFile ? { ca: readFileSync(settings.caFile) } : {}) }) : new HttpAgent(common);
    const auth = settings.auth;
    this.authKind = auth?.kind ?? 'none';
    // RFC 7617: base64 of user ":" password in UTF-8; RFC 6750 §2.1: "Bearer " token
    this.authorization =
      auth?.kind === 'basic'
        ? `Basic ${Buffer.from(`${auth.user}:${auth.password ?? ''}`, 'utf8').toString('base64')}`
        : auth?.kind === 'bearer' && auth.token
          ? `Bearer ${auth.token}`
          : undefined;
  }

  /** The full URL of a path (with its query), as sentences name it. */
  urlOf(path: string, query?: URLSearchParams, strict = false): string {
    const q = query ? queryString(query, strict) : '';
    return `${this.baseUrl}${path}${q ? `?${q}` : ''}`;
  }

  /**
   * Sends a request; resolves with the answer when its status is below 400. An error status
   * becomes a {@link DicomwebError} with the node's own words; no answer (refused, TLS, timed
   * out) a DicomwebError with the error code; an abort the signal's reason.
   */
  request(service: WebService, req: HttpRequest): Promise<HttpAnswer> {
    const url = this.urlOf(req.path, req.query, req.strictQuery);
    // sentences name the resource, not its (long) query
    const shown = this.urlOf(req.path);
    const connectMs = this.options.timeouts?.connectMs ?? 10_000;
    const idleMs = this.options.timeouts?.idleMs ?? 60_000;
    const headers: Record<string, string> = { ...req.headers };
    if (this.authorization) headers.authorization = this.authorization;
    if (Buffer.isBuffer(req.body)) headers['content-length'] = String(req.body.length);
    const started = performance.now();
    return new Promise<HttpAnswer>((resolve, reject) => {
      if (req.signal?.aborted) return reject(req.signal.reason);
      let settled = false;
      const fail = (e: unknown) => {
        if (!settled) {
          settled = true;
          reject(e);
        }
      };
      const send = this.https ? httpsRequest : httpRequest;
      const r = send(url, { method: req.method ?? 'GET', headers, agent: this.agent, ...(req.signal ? { signal: req.signal } : {}) });
      let connectTimer: NodeJS.Timeout | undefined;
      r.on('socket', (socket) => {
        const connecting = (socket as { connecting?: boolean }).connecting;
        if (connecting) {
          connectTimer = setTimeout(() => r.destroy(httpTransportError(service, shown, 'ECONNECT_TIMEOUT', undefined, connectMs)), connectMs);
          socket.once(this.https ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
        }
        if (idleMs > 0) {
          // a kept-alive socket serves many requests: this request's timer goes when it ends
          const onIdle = () => r.destroy(httpTransportError(service, shown, 'ERESPONSE_TIMEOUT', undefined, idleMs));
          socket.setTimeout(idleMs);
          socket.on('timeout', onIdle);
          r.once('close', () => {
            socket.off('timeout', onIdle);
            socket.setTimeout(0);
          });
        }
      });
      r.on('error', (e) => {
        clearTimeout(connectTimer);
        if (e.name === 'AbortError' && req.signal?.aborted) return fail(req.signal.reason);
        if (e.name === 'DicomwebError') return fail(e);
        fail(httpTransportError(service, shown, errorCode(e) ?? 'unknown', e));
      });
      r.on('response', (res) => {
        clearTimeout(connectTimer);
        const status = res.statusCode ?? 0;
        this.options.log?.('debug', `${req.method ?? 'GET'} ${url} → HTTP ${status} in ${Math.round(performance.now() - started)} ms`);
        if (status >= 400 && !req.pass?.includes(status)) {
          void readSome(res, ERROR_BODY_BYTES).then((text) =>
            fail(httpStatusError(service, shown, status, errorDetail(text, res.statusMessage), this.authKind)),
          );
          return;
        }
        settled = true;
        // an answer body that stalls (or an abort) ends the stream with the error
        res.on('error', () => undefined);
        resolve({ status, headers: res.headers, body: res, url: shown });
      });
      if (req.body === undefined) r.end();
      else if (Buffer.isBuffer(req.body)) r.end(req.body);
      else {
        req.body.on('error', (e) => r.destroy(e));
        req.body.pipe(r);
      }
    });
  }

  /** Reads a JSON answer (a QIDO-RS page, a STOW-RS answer); 204 No Content is undefined. */
  async json(service: WebService, answer: HttpAnswer, maxBytes = 64 << 20): Promise<unknown> {
    if (answer.status === 204) {
      answer.body.resume();
      return undefined;
    }
    const text = await readSome(answer.body, maxBytes, true);
    if (text === undefined) throw badAnswerError(service, answer.url, `more than ${maxBytes >> 20} MB of JSON`);
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw badAnswerError(service, answer.url, `text that is not JSON (${answer.headers['content-type'] ?? 'no content type'})`);
    }
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** Characters a query value keeps as they are unless strict: RFC 3986's unreserved and query characters, and '^' and '\\'. */
const QUERY_KEPT = /[A-Za-z0-9\-._~*,:/?@!$'()^\\]/;

/**
 * A query string that percent-encodes only what must be (RFC 3986 §3.4: '%', '&', '=', '+',
 * '#', spaces, controls, non-ASCII as UTF-8). Some servers do not decode query values (Orthanc
 * 1.10's DICOMweb plugin matches "DOE%5EJOHN" literally), so the '^' of person names and the '\\'
 * of value lists go as they are; `strict` encodes everything outside the unreserved set, for a
 * server that refuses them (HTTP 400).
 */
export function queryString(query: URLSearchParams, strict = false): string {
  const enc = (s: string) =>
    strict
      ? encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      : [...s].map((c) => (QUERY_KEPT.test(c) ? c : encodeURIComponent(c))).join('');
  return [...query].map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

/** The body as text, at most `max` bytes (beyond: cut, or undefined when `strict`). */
function readSome(body: Readable, max: number, strict = false): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    body.on('data', (c: Buffer) => {
      if (over) return;
      if (size + c.length > max) {
        over = true;
        chunks.push(c.subarray(0, max - size));
        if (strict) {
          body.destroy();
          resolve(undefined);
        }
        return;
      }
      chunks.push(c);
      size += c.length;
    });
    body.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    body.on('error', (e) => (strict ? reject(e) : resolve(Buffer.concat(chunks).toString('utf8'))));
  });
}

/** The node's words about an error: a JSON Message/Details (Orthanc), else the text, else the status text. */
function errorDetail(text: string | undefined, statusMessage: string | undefined): string | undefined {
  const t = text?.trim();
  if (t) {
    try {
      const j = JSON.parse(t) as Record<string, unknown>;
      const parts = [j.Message, j.Details, j.message, j.error].filter((v): v is string => typeof v === 'string' && v !== '');
      if (parts.length) return [...new Set(parts)].join(': ');
    } catch {
      /* not JSON */
    }
    if (!t.startsWith('<')) return t.slice(0, 200);
  }
  return statusMessage || undefined;
}
