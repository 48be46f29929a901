/**
 * Loads a stack from one streamed WADO-RS request instead of a request per instance: each
 * instance's bytes, arriving from the series worker, are handed to the DICOM image loader as the
 * data set of its WADO-URI imageId, so the loader parses and decodes them as if it had fetched
 * them itself (the imageIds, the headers the viewer reads and the cache bound stay the same).
 * Whatever the stream did not bring (it failed, or the instance is not in the answer) is loaded
 * one request at a time afterwards. Part of the viewer's lazily loaded engine.
 */
import { cache, imageLoader } from '@cornerstonejs/core';
import { wadouri } from '@cornerstonejs/dicom-image-loader';
import { seriesRetrieveOf } from '../image-ids.js';
import { streamSeries } from './series-stream.js';

type Progress = (done: number, imageId: string, ok: boolean) => void;
type LoadAll = (imageIds: string[], onProgress?: Progress, concurrency?: number) => Promise<Map<string, string>>;

/** The data set key the WADO-URI loader uses for an imageId (the address without its scheme). */
function dataSetKey(imageId: string): string {
  return imageId.slice(imageId.indexOf(':') + 1);
}

/**
 * Loads `imageIds` (one series) from a single streamed request, at most `concurrency` images
 * being made at once; returns the failures by imageId as `loadAll` does, which also loads
 * whatever the stream did not bring.
 */
export async function loadStreamed(
  imageIds: string[],
  loadAll: LoadAll,
  reasonOf: (err: unknown) => string,
  onProgress?: Progress,
  signal?: AbortSignal,
  concurrency = 6,
): Promise<Map<string, string>> {
  const first = imageIds[0] ? seriesRetrieveOf(imageIds[0]) : undefined;
  if (!first) return loadAll(imageIds, onProgress, concurrency);
  const bySop = new Map<string, string>();
  for (const id of imageIds) {
    const r = seriesRetrieveOf(id);
    if (r) bySop.set(r.sop, id);
  }
  const failures = new Map<string, string>();
  const taken = new Set<string>();
  const ready: { id: string; primed: boolean }[] = [];
  let active = 0;
  let done = 0;
  let wake: (() => void) | undefined;
  const loadOne = async (id: string, primed: boolean): Promise<void> => {
    try {
      await imageLoader.loadAndCacheImage(id);
    } catch (err) {
      failures.set(id, reasonOf(err));
    } finally {
      // the image holds its own reference to the data set now: drop the one priming took
      if (primed) wadouri.dataSetCacheManager.unload(dataSetKey(id));
    }
    onProgress?.(++done, id, !failures.has(id));
  };
  const pump = (): void => {
    while (active < concurrency && ready.length) {
      const { id, primed } = ready.shift()!;
      active += 1;
      void loadOne(id, primed).finally(() => {
        active -= 1;
        pump();
        wake?.();
      });
    }
  };
  let streamError: unknown;
  await streamSeries(
    first.url,
    (sop, buffer) => {
      const id = bySop.get(sop);
      if (!id || taken.has(id) || signal?.aborted) return;
      taken.add(id);
      const key = dataSetKey(id);
      // an image already made (the middle one, a thumbnail) keeps the data set it was made from
      const primed = !cache.getImageLoadObject(id) && !wadouri.dataSetCacheManager.isLoaded(key);
      if (primed) void wadouri.dataSetCacheManager.load(key, () => Promise.resolve(buffer), id).catch(() => undefined);
      ready.push({ id, primed });
      pump();
    },
    signal,
  ).catch((err: unknown) => {
    streamError = err;
  });
  while (active > 0 || ready.length > 0) await new Promise<void>((r) => (wake = r));
  if (signal?.aborted) return failures;
  const rest = imageIds.filter((id) => !taken.has(id));
  if (rest.length) {
    if (streamError) console.warn(`The series stream broke off (${reasonOf(streamError)}): ${rest.length} images load one by one.`);
    const more = await loadAll(rest, (_, id, ok) => onProgress?.(++done, id, ok), concurrency);
    for (const [id, why] of more) failures.set(id, why);
  }
  return failures;
}
