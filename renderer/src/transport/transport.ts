/**
 * The renderer's one door to the main process: a call per API entry (shared/api/contract.ts) answering
 * Result data, and the pushed events. Two implementations: the Electron preload object
 * (`window.priors`) and HTTP + SSE against electron/web. Screens only see this interface.
 */
import type { ApiEvent, EntryName, RequestOf, ResponseOf, Result } from '../../../shared/api/contract.js';

/** Receives every pushed event. */
export type EventListener = (event: ApiEvent) => void;

/** The state of the push channel, shown in the status bar. */
export type ChannelState = 'connecting' | 'open' | 'closed';

/** What the screens talk to. */
export interface Transport {
  /** 'electron' (preload) or 'http' (browser mode). */
  readonly kind: 'electron' | 'http';
  /** Calls one entry. Never throws: transport failures come back as Result errors too. */
  call<K extends EntryName>(entry: K, request: RequestOf<K>): Promise<Result<ResponseOf<K>>>;
  /** Listens to pushed events; answers the function that stops listening. */
  subscribe(listener: EventListener): () => void;
  /** Listens to the push channel's state; answers the function that stops listening. */
  onChannelState(listener: (state: ChannelState) => void): () => void;
}

/** A Result error made here (the request never got an answer from the main process). */
export function transportError<T>(code: 'unavailable' | 'unauthorized' | 'unexpected', message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

/** A set of listeners with a safe emit (one failing listener does not stop the others). */
export class Listeners<T> {
  readonly #set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.#set.add(listener);
    return () => {
      this.#set.delete(listener);
    };
  }

  emit(value: T): void {
    for (const l of [...this.#set]) {
      try {
        l(value);
      } catch (e) {
        console.error('event listener failed', e);
      }
    }
  }

  get size(): number {
    return this.#set.size;
  }
}
