/**
 * Electron mode: the preload script exposes `window.priors`, one function per API entry
 * (docs/architecture.md, rule 4: no catch-all invoke) and `onEvent` for pushed events. The preload itself
 * (electron/preload/) comes with the Electron shell; this is the shape it must have.
 */
import type { ApiEvent, EntryName, RequestOf, ResponseOf, Result } from '../../../shared/api/contract.js';
import { type ChannelState, type EventListener, type Transport, transportError } from './transport.js';

/** The object the preload exposes as `window.priors`. */
export type PriorsPreload = { [K in EntryName]: (request: RequestOf<K>) => Promise<Result<ResponseOf<K>>> } & {
  /** Listens to pushed events; answers the function that stops listening. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
};

/** Whether `value` looks like the preload object (it has `onEvent` and the search entry). */
export function isPriorsPreload(value: unknown): value is PriorsPreload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.onEvent === 'function' && typeof v['search.start'] === 'function';
}

/** The preload transport. */
export class PreloadTransport implements Transport {
  readonly kind = 'electron' as const;
  readonly #api: PriorsPreload;

  constructor(api: PriorsPreload) {
    this.#api = api;
  }

  async call<K extends EntryName>(entry: K, request: RequestOf<K>): Promise<Result<ResponseOf<K>>> {
    const fn = this.#api[entry] as unknown as ((r: RequestOf<K>) => Promise<Result<ResponseOf<K>>>) | undefined;
    if (typeof fn !== 'function') return transportError('unexpected', `This version of the app does not offer "${entry}".`);
    try {
      return await fn(request);
    } catch (e) {
      return transportError('unexpected', `The call "${entry}" failed in the app shell: ${(e as Error).message}`);
    }
  }

  subscribe(listener: EventListener): () => void {
    return this.#api.onEvent(listener);
  }

  onChannelState(listener: (state: ChannelState) => void): () => void {
    // IPC is always there while the window lives.
    listener('open');
    return () => {};
  }
}
