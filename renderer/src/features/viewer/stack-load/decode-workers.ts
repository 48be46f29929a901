/**
 * The DICOM image loader's decoding workers, replaced by ours (decode.worker.ts) behind an
 * endpoint that transfers each frame's pixels to the worker instead of copying them: with the
 * worker's answers transferred too, a frame crosses between the threads without a copy. Only a
 * view over the whole of its buffer is transferred (the loader cuts an uncompressed frame out of
 * its data set into a buffer of its own); a view into a data set, which the viewer still reads
 * headers from, is copied as before.
 */
import { getWebWorkerManager } from '@cornerstonejs/core';

const LOADER_WORKERS = 'dicomImageLoader';

/** The pixels of a comlink call `decodeTask({ pixelData, ... })`, when they can move. */
function movablePixels(message: unknown): ArrayBuffer | undefined {
  const args = (message as { argumentList?: { value?: { pixelData?: unknown } }[] } | null)?.argumentList?.[0]?.value;
  const px = args?.pixelData;
  if (!ArrayBuffer.isView(px) || !(px.buffer instanceof ArrayBuffer)) return undefined;
  return px.byteOffset === 0 && px.byteLength === px.buffer.byteLength ? px.buffer : undefined;
}

/** A worker as comlink sees it, its calls transferring their pixels. */
function transferring(worker: Worker): Worker {
  const endpoint = {
    postMessage(message: unknown, transfer: Transferable[] = []): void {
      const buffer = movablePixels(message);
      worker.postMessage(message, buffer && !transfer.includes(buffer) ? [...transfer, buffer] : transfer);
    },
    addEventListener: worker.addEventListener.bind(worker),
    removeEventListener: worker.removeEventListener.bind(worker),
    terminate: () => worker.terminate(),
  };
  return endpoint as unknown as Worker;
}

/** Puts `count` of our decoding workers in place of the loader's own (after the loader's init). */
export function installTransferringDecoders(count: number): void {
  const manager = getWebWorkerManager();
  manager.terminate(LOADER_WORKERS);
  manager.registerWorker(
    LOADER_WORKERS,
    () => transferring(new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: 'priors-decode' })),
    { maxWorkerInstances: count, overwrite: true },
  );
}
