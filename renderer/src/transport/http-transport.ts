/**
 * Browser mode: the API over HTTP on 127.0.0.1 (electron/web). Each entry is
 * `POST /api/<entry>?token=…` with the request as JSON and a Result as answer; events come
 * over Server-Sent Events from `GET /api/events?token=…`. The token is the one in the page's
 * URL (`priors serve --ui` prints it).
 */
import type { ApiEvent, EntryName, RequestOf, ResponseOf, Result } from '../../../shared/api/contract.js';
import { type ChannelState, type EventListener, Listeners, type Transport, transportError } from './transport.js';

/** The event types of the contract, for servers that name their SSE events (the compiler checks the list is whole). */
const EVENT_TYPES = Object.keys({
  'search.match': true,
  'search.done': true,
  'send.progress': true,
  'import.progress': true,
  'export.progress': true,
  log: true,
  'job.added': true,
  'job.progress': true,
  'job.finished': true,
  'prefetch.run': true,
  'study.arrived': true,
} satisfies Record<ApiEvent['type'], true>) as ApiEvent['type'][];

/** The parts of an EventSource (HTML §9.2) this uses; the browser's own is the default. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((e: unknown) => void) | null;
  onmessage: ((e: { data: string }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  addEventListener(type: string, listener: (e: { data: string }) => void): void;
  close(): void;
}

/** EventSource.CLOSED. */
const CLOSED = 2;

/** The answer of a fetch, as far as it is read. */
export interface FetchResponseLike {
  status: number;
  statusText: string;
  json(): Promise<unknown>;
}

/** The parts of fetch this uses. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<FetchResponseLike>;

/** What the transport needs from its environment (the browser's fetch and EventSource by default). */
export interface HttpTransportOptions {
  /** The origin and path the API lives under (default: this page's `/api`). */
  base?: string;
  fetch?: FetchLike;
  openEvents?: (url: string) => EventSourceLike;
}

function browserEventSource(url: string): EventSourceLike {
  const ctor = (globalThis as unknown as { EventSource?: new (url: string) => EventSourceLike }).EventSource;
  if (!ctor) throw new Error('This browser has no EventSource');
  return new ctor(url);
}

/** Reads the session token from a query string (`?token=…`); undefined when absent. */
export function tokenFrom(search: string): string | undefined {
  const token = new URLSearchParams(search).get('token');
  return token ? token : undefined;
}

/** Whether a parsed JSON value has the shape of a Result. */
function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return 'value' in v;
  return v.ok === false && typeof v.error?.code === 'string' && typeof v.error.message === 'string';
}

/** The HTTP + SSE transport. */
export class HttpTransport implements Transport {
  readonly kind = 'http' as const;
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #events = new Listeners<ApiEvent>();
  readonly #states = new Listeners<ChannelState>();
  readonly #fetch: FetchLike;
  readonly #openEvents: NonNullable<HttpTransportOptions['openEvents']>;
  #source: EventSourceLike | undefined;

  constructor(token: string | undefined, options: HttpTransportOptions = {}) {
    this.#token = token;
    this.#base = options.base ?? '/api';
    this.#fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.#openEvents = options.openEvents ?? browserEventSource;
  }

  #url(path: string): string {
    return `${this.#base}/${path}${this.#token ? `?token=${encodeURIComponent(this.#token)}` : ''}`;
  }

  async call<K extends EntryName>(entry: K, request: RequestOf<K>): Promise<Result<ResponseOf<K>>> {
    if (!this.#token) {
      return transportError(
        'unauthorized',
        'This page was opened without its session token: open the address that `priors serve --ui` printed, with its ?token=… part.',
      );
    }
    let response: FetchResponseLike;
    try {
      response = await this.#fetch(this.#url(entry), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
    } catch {
      return transportError('unavailable', 'The Priors server does not answer: check that `priors serve --ui` is still running.');
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (isResult(body)) return body as Result<ResponseOf<K>>;
    if (response.status === 401) {
      return transportError('unauthorized', 'The server refused the session token: open the address that `priors serve --ui` printed last.');
    }
    return transportError('unexpected', `The server answered ${response.status} ${response.statusText} without a result.`);
  }

  subscribe(listener: EventListener): () => void {
    const stop = this.#events.add(listener);
    this.#open();
    return () => {
      stop();
      if (this.#events.size === 0) this.#close();
    };
  }

  onChannelState(listener: (state: ChannelState) => void): () => void {
    return this.#states.add(listener);
  }

  #open(): void {
    if (this.#source || !this.#token) return;
    let source: EventSourceLike;
    try {
      source = this.#openEvents(this.#url('events'));
    } catch {
      this.#states.emit('closed');
      return;
    }
    this.#source = source;
    this.#states.emit('connecting');
    const deliver = (e: { data: string }): void => {
      let event: unknown;
      try {
        event = JSON.parse(e.data);
      } catch {
        return;
      }
      if (typeof event === 'object' && event !== null && typeof (event as { type?: unknown }).type === 'string') {
        this.#events.emit(event as ApiEvent);
      }
    };
    source.onmessage = deliver;
    for (const type of EVENT_TYPES) source.addEventListener(type, deliver);
    source.onopen = () => this.#states.emit('open');
    // EventSource reconnects by itself; CLOSED means it gave up (e.g. 401).
    source.onerror = () => this.#states.emit(source.readyState === CLOSED ? 'closed' : 'connecting');
  }

  #close(): void {
    this.#source?.close();
    this.#source = undefined;
    this.#states.emit('closed');
  }
}
