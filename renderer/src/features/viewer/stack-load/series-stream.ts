/**
 * One series fetched whole in a worker (series-stream.worker.ts) from our WADO-RS service: the
 * page gets each instance's PS3.10 bytes, keyed by its SOP Instance UID, as it arrives.
 */

/** What the page asks the worker. */
export interface StreamRequest {
  url: string;
}

/** What the worker answers: an instance, the end, or why it stopped. */
export type StreamMessage = { kind: 'part'; sop: string; buffer: ArrayBuffer } | { kind: 'end' } | { kind: 'error'; message: string };

/**
 * Streams the series at `url` (a WADO-RS series address with its token): `onPart` gets each
 * instance; resolves at the end of the answer, rejects with the reason it broke off; `signal`
 * stops it (resolving).
 */
export function streamSeries(url: string, onPart: (sop: string, buffer: ArrayBuffer) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return resolve();
    const worker = new Worker(new URL('./series-stream.worker.ts', import.meta.url), { type: 'module', name: 'priors-series-stream' });
    const finish = (err?: Error): void => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => finish();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onmessage = (e: MessageEvent<StreamMessage>) => {
      const m = e.data;
      if (m.kind === 'part') onPart(m.sop, m.buffer);
      else if (m.kind === 'end') finish();
      else finish(new Error(m.message));
    };
    worker.onerror = (e) => finish(new Error(`the series worker failed: ${e.message || 'no reason given'}`));
    worker.postMessage({ url } satisfies StreamRequest);
  });
}
