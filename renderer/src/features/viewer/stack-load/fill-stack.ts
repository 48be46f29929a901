/**
 * Fills a pane's stack viewport with a series: the middle image first (something to look at
 * while the rest arrives), then the rest, from one streamed request when there are many, the
 * block loaded so far around the middle joining the stack in steps; multi-frame instances open
 * into their frames; the whole stack sorted by slice position at the end, keeping the image,
 * window and zoom on screen. Instances that arrive later (a study opened while it is retrieved)
 * join the same way. What the pane shows of it goes through {@link FillSink}.
 */
import type { Types } from '@cornerstonejs/core';
import type { Engine } from '../engine-loader.js';

/** What the filling tells the pane. */
export interface FillSink {
  /** Images loaded (or failed) so far. */
  loaded(count: number): void;
  /** The images that could not be shown, by imageId ('' = the whole series), with the reason. */
  failures(byId: Map<string, string>): void;
  /** The first image is on screen (or could not be). */
  firstShown(): void;
  /** The stack is sorted and in place: its imageIds. */
  sorted(ids: string[]): void;
  /** Whether every instance the pane was given has been taken. */
  complete(done: boolean): void;
}

/** The ids from the middle of the list outwards (the middle itself left out: it is loaded first). */
export function middleOut(ids: readonly string[]): string[] {
  const mid = Math.floor(ids.length / 2);
  const out: string[] = [];
  for (let d = 1; out.length < ids.length - 1; d++) {
    if (mid + d < ids.length) out.push(ids[mid + d]!);
    if (mid - d >= 0) out.push(ids[mid - d]!);
  }
  return out;
}

/** Below this many images a series is loaded a request per image; above, in one streamed request. */
const STREAM_FROM = 8;

/** Starts filling `vp` from `ids()` (read again at each `grow`); `stop` ends it. */
export function fillStack(engine: Engine, vp: Types.IStackViewport, ids: () => string[], sink: FillSink): { grow(): void; stop(): void; isSorted(): boolean } {
  let cancelled = false;
  let sortedYet = false;
  const aborted = new AbortController();
  const seen = new Set<string>();
  const fails = new Map<string, string>();
  let good: string[] = [];
  let done = 0;
  // the count on screen follows at most ten times a second: a render of the pane per image
  // kept the page's thread from the images themselves
  let shownCount: ReturnType<typeof setTimeout> | undefined;
  const count = (): void => {
    done += 1;
    shownCount ??= setTimeout(() => {
      shownCount = undefined;
      if (!cancelled) sink.loaded(done);
    }, 100);
  };
  /** Puts the sorted stack in place, keeping the image, window and zoom on screen. */
  const place = async (): Promise<void> => {
    const sorted = engine.sortBySlice(good);
    const current = vp.getImageIds();
    if (sorted.length === 0 || (sorted.length === current.length && sorted.every((id, i) => id === current[i]))) return;
    const shown = vp.getCurrentImageId();
    const at = shown !== undefined && sorted.includes(shown) ? sorted.indexOf(shown) : Math.floor(sorted.length / 2);
    // the window and inversion only: the canvas path refuses any VOI LUT function, even the one it reports
    const { voiRange, invert } = vp.getProperties();
    const keep = current.length ? { properties: { voiRange, invert }, camera: vp.getCamera() } : undefined;
    await vp.setStack(sorted, at);
    if (cancelled) return;
    if (keep) {
      vp.setProperties(keep.properties);
      vp.setCamera(keep.camera);
    }
    vp.render();
  };
  /** Loads the ids not seen yet, then sorts the stack again and tells the pane. */
  const take = async (first: boolean): Promise<void> => {
    const fresh = ids().filter((id) => !seen.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) seen.add(id);
    sink.complete(false);
    if (first) {
      const middle = fresh[Math.floor(fresh.length / 2)]!;
      const failed = await engine.loadAll([middle]);
      if (cancelled) return;
      count();
      if (!failed.size) {
        await vp.setStack([middle], 0);
        if (cancelled) return;
        vp.render();
        good = engine.frameIds(middle, engine.framesOf(middle));
      }
      for (const [id, why] of failed) fails.set(id, why);
      sink.firstShown();
    }
    const rest = first ? middleOut(fresh) : fresh;
    // the loaded block joins the stack every `step` images (the first open only: later arrivals join at the end)
    const step = Math.max(16, Math.ceil(rest.length / 4));
    const loadedOk: string[] = good.length ? [fresh[Math.floor(fresh.length / 2)]!] : [];
    let placing = Promise.resolve();
    const progress = (_: number, id: string, ok: boolean): void => {
      if (cancelled) return;
      count();
      if (!first || !ok) return;
      loadedOk.push(id);
      if (loadedOk.length % step !== 0 || loadedOk.length >= rest.length) return;
      const block = [...loadedOk];
      placing = placing
        .then(async () => {
          if (cancelled || sortedYet) return;
          good = block.filter((x) => engine.framesOf(x) === 1);
          await place();
        })
        .catch(() => undefined);
    };
    // a whole series in one streamed request; a few late arrivals one request each
    const failed = first && rest.length >= STREAM_FROM ? await engine.loadSeries(rest, progress, aborted.signal) : await engine.loadAll(rest, progress);
    for (const [id, why] of failed) fails.set(id, why);
    await placing;
    if (cancelled) return;
    sink.loaded(done);
    const given = ids();
    if (fails.size === seen.size) {
      // nothing to show (a report, a plan): the placeholders say why
      sink.failures(new Map(fails));
      sink.complete(seen.size >= given.length);
      return;
    }
    // multi-frame instances open into their frames (loaded on demand); the stack keeps the given order
    const all = given.filter((id) => seen.has(id) && !fails.has(id));
    good = all.flatMap((id) => engine.frameIds(id, engine.framesOf(id)));
    await place();
    if (cancelled) return;
    sortedYet = true;
    sink.failures(new Map(fails));
    sink.sorted(vp.getImageIds());
    sink.complete(seen.size >= given.length);
  };
  let busy: Promise<void> = Promise.resolve();
  const run = (first: boolean): void => {
    busy = busy
      .then(() => take(first))
      .catch((err: unknown) => {
        if (cancelled) return;
        console.warn(`The series ${ids()[0] ?? ''} could not be shown:`, err);
        sink.failures(new Map([['', `the series could not be shown: ${engine.reasonOf(err)}`]]));
        sink.complete(true);
      });
  };
  if (ids().length === 0) sink.complete(true);
  else run(true);
  return {
    grow: () => run(false),
    stop: () => {
      cancelled = true;
      aborted.abort();
      clearTimeout(shownCount);
    },
    isSorted: () => sortedYet,
  };
}
