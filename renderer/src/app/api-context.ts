/**
 * The transport as React context, and the small hooks the screens use to call entries and to
 * listen to events.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ApiError, ApiEvent, EntryName, RequestOf, ResponseOf } from '../../../shared/api/contract.js';
import type { Transport } from '../transport/index.js';

/** The transport of this window; provided once by main.tsx. */
export const TransportContext = createContext<Transport | undefined>(undefined);

/** The transport; throws when used outside the provider (a programming error). */
export function useTransport(): Transport {
  const t = useContext(TransportContext);
  if (!t) throw new Error('useTransport outside TransportContext');
  return t;
}

/** Calls `listener` for every pushed event while the component lives (the latest listener wins). */
export function useApiEvents(listener: (event: ApiEvent) => void): void {
  const transport = useTransport();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => transport.subscribe((e) => ref.current(e)), [transport]);
}

/** The state of a loading call. */
export interface Loaded<T> {
  value?: T;
  error?: ApiError;
  loading: boolean;
  /** Calls the entry again. */
  reload(): void;
}

/**
 * Calls an entry when the component mounts (and when `reload` is called or `key` changes).
 * `request` is read at call time; pass a `key` that changes when it does.
 */
export function useLoad<K extends EntryName>(entry: K, request: RequestOf<K>, key = ''): Loaded<ResponseOf<K>> {
  const transport = useTransport();
  const [state, setState] = useState<{ value?: ResponseOf<K>; error?: ApiError; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const requestRef = useRef(request);
  requestRef.current = request;
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    void transport.call(entry, requestRef.current).then((r) => {
      if (!live) return;
      setState(r.ok ? { value: r.value, loading: false } : { error: r.error, loading: false });
    });
    return () => {
      live = false;
    };
  }, [transport, entry, key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
