/** Picks the transport the page finds: the Electron preload object, else HTTP + SSE. */
import { HttpTransport, tokenFrom } from './http-transport.js';
import { PreloadTransport, isPriorsPreload } from './preload-transport.js';
import type { Transport } from './transport.js';

export type { ChannelState, EventListener, Transport } from './transport.js';
export { HttpTransport, tokenFrom, type EventSourceLike, type FetchLike, type HttpTransportOptions } from './http-transport.js';
export { PreloadTransport, isPriorsPreload, type PriorsPreload } from './preload-transport.js';

/** The transport for this window. */
export function pickTransport(win: Window & { priors?: unknown }): Transport {
  if (isPriorsPreload(win.priors)) return new PreloadTransport(win.priors);
  return new HttpTransport(tokenFrom(win.location.search));
}
