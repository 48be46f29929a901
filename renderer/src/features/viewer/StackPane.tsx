/**
 * One series in a StackViewport. The middle image loads first and shows at once; the rest load
 * in the loader's workers with bounded concurrency, from the middle of the stack outwards, and
 * the block loaded so far around the middle joins the stack in steps (scrolling near the middle
 * works while the ends load); multi-frame instances open into their frames, and the whole stack
 * is then sorted by slice position (PS3.3 C.7.6.2.1.1), keeping the image, window and zoom on
 * screen. Instances that arrive later (a study opened while it is retrieved)
 * join the stack the same way. A failed instance shows a placeholder with its reason; the others
 * still display. The overlay gives n/N (once the order is known), slice position, WW/WL, zoom,
 * patient, study date and series; arrows, the wheel and the slider scroll; cine plays when the
 * parent says so.
 *
 * A pane tells its parent where it is (`onIndex`, `onVoi`, `onStack`) and obeys `control` (go to
 * a slice, set a window or a preset, invert, reset): the one toolbar of the viewer and the link
 * between panes need no more. A pointer or focus in the pane makes it the active one.
 */
import { useEffect, useRef, useState, type MutableRefObject, type ReactElement } from 'react';
import { voiRange, windowOf } from './presets.js';
import type { LinkedStack } from './sync.js';
import { studyDateOf } from './overlay.js';

type Engine = typeof import('./engine.js');

/** What the pane shows. */
export interface PaneSeries {
  SeriesInstanceUID: string;
  SeriesDescription?: string;
  Modality?: string;
  imageIds: string[];
}

/** What the parent may do to a pane. */
export interface PaneControl {
  /** Shows slice `index`; reported as the parent's own change (a sync) unless `byUser`. */
  goTo(index: number, byUser?: boolean): void;
  setVoi(range: { lower: number; upper: number }): void;
  preset(width: number, center: number): void;
  invert(): void;
  reset(): void;
  /** Moves by `delta` slices (wrapping for cine). */
  scroll(delta: number, wrap?: boolean): void;
}

/** What a pane reports; `bySync` marks a change the parent itself asked for. */
export interface PaneEvents {
  onStack?(stack: LinkedStack & { index: number }): void;
  onIndex?(index: number, bySync: boolean): void;
  onVoi?(range: { lower: number; upper: number }, bySync: boolean): void;
  /** The pane closed (another series or study replaces it). */
  onClose?(): void;
  /** The first image is on screen (or could not be): the pane's urgent work is done. */
  onFirstShown?(): void;
}

/** The ids from the middle of the list outwards (the middle itself left out: it is loaded first). */
function middleOut(ids: readonly string[]): string[] {
  const mid = Math.floor(ids.length / 2);
  const out: string[] = [];
  for (let d = 1; out.length < ids.length - 1; d++) {
    if (mid + d < ids.length) out.push(ids[mid + d]!);
    if (mid - d >= 0) out.push(ids[mid - d]!);
  }
  return out;
}

interface Overlay {
  patient: string;
  date: string;
  index: number;
  count: number;
  slice: string;
  ww: number;
  wl: number;
  zoom: number;
}

/** A stack viewport with its slider and overlay. */
export function StackPane({
  engine,
  viewportId,
  series,
  label,
  active,
  control,
  events,
  cineFps,
  onActivate,
}: {
  engine: Engine;
  viewportId: string;
  series: PaneSeries;
  label: string;
  active: boolean;
  control?: MutableRefObject<PaneControl | undefined>;
  events?: PaneEvents;
  /** Frames per second while cine plays; undefined when it does not. */
  cineFps?: number;
  onActivate?(): void;
}): ReactElement {
  const element = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState(0);
  const [failures, setFailures] = useState<Map<string, string>>(new Map());
  const [overlay, setOverlay] = useState<Overlay | undefined>();
  const [stackIds, setStackIds] = useState<string[]>([]);
  const [ordered, setOrdered] = useState(false);
  const [complete, setComplete] = useState(false);
  const eventsRef = useRef(events);
  eventsRef.current = events;
  const idsRef = useRef(series.imageIds);
  idsRef.current = series.imageIds;
  /** Loads what `idsRef` holds that the stack has not seen yet (set by the effect below). */
  const growRef = useRef<(() => void) | undefined>(undefined);
  const controlRef = useRef<PaneControl | undefined>(undefined);

  useEffect(() => {
    const el = element.current!;
    let cancelled = false;
    // changes asked by the parent (sync) are reported as such, so they are not echoed back
    const expected = { index: -1, voi: false };
    const vp = engine.enableStack(viewportId, el);
    // the order is known once every image loaded and the stack was sorted: no n/N before
    let sortedYet = false;
    const update = (): void => {
      const ids = vp.getImageIds();
      const index = vp.getCurrentImageIdIndex();
      const id = ids[index];
      if (!id) return;
      const patient = engine.metaData.get('patientModule', id) as { patientName?: string | { Alphabetic?: string } } | undefined;
      const study = engine.metaData.get('generalStudyModule', id) as { studyDate?: string | { year: number; month: number; day: number } } | undefined;
      const voi = vp.getProperties().voiRange;
      const w = voi ? windowOf(voi) : { width: 0, center: 0 };
      const pos = engine.slicePosition(id);
      const name = typeof patient?.patientName === 'string' ? patient.patientName : (patient?.patientName?.Alphabetic ?? '');
      setOverlay({
        patient: name.replace(/\^/g, ' ').trim(),
        date: studyDateOf(study?.studyDate),
        index: sortedYet ? index + 1 : 0,
        count: ids.length,
        slice: pos === undefined ? '' : pos.toFixed(1),
        ww: Math.round(w.width),
        wl: Math.round(w.center),
        zoom: vp.getZoom(),
      });
    };
    const onNewImage = (): void => {
      const index = vp.getCurrentImageIdIndex();
      const bySync = index === expected.index;
      expected.index = -1;
      update();
      if (sortedYet) eventsRef.current?.onIndex?.(index, bySync);
    };
    const onVoi = (e: Event): void => {
      const range = (e as CustomEvent<{ range?: { lower: number; upper: number } }>).detail?.range;
      if (!range) return;
      const bySync = expected.voi;
      expected.voi = false;
      eventsRef.current?.onVoi?.(range, bySync);
    };
    // the grid changes when a pane opens or closes, or the layout: the canvas follows its element
    const resized = new ResizeObserver(() => engine.resizeViewports());
    resized.observe(el);
    el.addEventListener(engine.Enums.Events.IMAGE_RENDERED, update);
    el.addEventListener(engine.Enums.Events.STACK_NEW_IMAGE, onNewImage);
    el.addEventListener(engine.Enums.Events.VOI_MODIFIED, onVoi);
    const own: PaneControl = {
      goTo: (index, byUser = false) => {
        const n = vp.getImageIds().length;
        const i = Math.max(0, Math.min(n - 1, index));
        if (n === 0 || i === vp.getCurrentImageIdIndex()) return;
        if (!byUser) expected.index = i;
        void vp.setImageIdIndex(i);
      },
      setVoi: (range) => {
        expected.voi = true;
        vp.setProperties({ voiRange: range });
        vp.render();
      },
      preset: (width, center) => {
        vp.setProperties({ voiRange: voiRange(width, center) });
        vp.render();
      },
      invert: () => {
        vp.setProperties({ invert: !vp.getProperties().invert });
        vp.render();
      },
      reset: () => {
        vp.resetProperties();
        vp.resetCamera();
        vp.render();
      },
      scroll: (delta, wrap = false) => {
        const n = vp.getImageIds().length;
        if (n === 0) return;
        let i = vp.getCurrentImageIdIndex() + delta;
        i = wrap ? (i + n) % n : Math.max(0, Math.min(n - 1, i));
        void vp.setImageIdIndex(i);
      },
    };
    controlRef.current = own;
    if (control) control.current = own;

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
        if (!cancelled) setLoaded(done);
      }, 100);
    };
    let busy: Promise<void> = Promise.resolve();
    /** Puts the sorted stack in place, keeping the image, window and zoom on screen. */
    const place = async (): Promise<void> => {
      const sorted = engine.sortBySlice(good);
      const current = vp.getImageIds();
      if (sorted.length === 0 || (sorted.length === current.length && sorted.every((id, i) => id === current[i]))) return;
      const shown = vp.getCurrentImageId();
      const at = shown !== undefined && sorted.includes(shown) ? sorted.indexOf(shown) : Math.floor(sorted.length / 2);
      const keep = current.length ? { properties: vp.getProperties(), camera: vp.getCamera() } : undefined;
      await vp.setStack(sorted, at);
      if (cancelled) return;
      if (keep) {
        vp.setProperties(keep.properties);
        vp.setCamera(keep.camera);
      }
      vp.render();
    };
    /** Loads `ids` (new ones only), then sorts the stack again and tells the parent. */
    const take = async (ids: string[], first: boolean): Promise<void> => {
      const fresh = ids.filter((id) => !seen.has(id));
      if (fresh.length === 0) return;
      for (const id of fresh) seen.add(id);
      setComplete(false);
      if (first) {
        // the middle image first: something to look at while the rest arrives
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
        eventsRef.current?.onFirstShown?.();
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
      for (const [id, why] of await engine.loadAll(rest, progress)) fails.set(id, why);
      await placing;
      if (cancelled) return;
      setLoaded(done);
      if (fails.size === seen.size) {
        // nothing to show (a report, a plan): the placeholders say why
        setFailures(new Map(fails));
        setComplete(seen.size >= idsRef.current.length);
        return;
      }
      // multi-frame instances open into their frames (loaded on demand); the stack keeps the order of idsRef
      const all = idsRef.current.filter((id) => seen.has(id) && !fails.has(id));
      good = all.flatMap((id) => engine.frameIds(id, engine.framesOf(id)));
      await place();
      if (cancelled) return;
      sortedYet = true;
      setFailures(new Map(fails));
      const ids2 = vp.getImageIds();
      setStackIds(ids2);
      setOrdered(true);
      update();
      setComplete(seen.size >= idsRef.current.length);
      const positions = ids2.map((id) => engine.slicePosition(id));
      const firstId = ids2[0];
      eventsRef.current?.onStack?.({
        positions,
        axial: !!firstId && engine.isAxial(firstId),
        index: vp.getCurrentImageIdIndex(),
        ...(firstId && engine.planeOf(firstId) ? { plane: engine.planeOf(firstId)! } : {}),
        ...(firstId && engine.frameOfReferenceOf(firstId) ? { frameOfReference: engine.frameOfReferenceOf(firstId)! } : {}),
      });
    };
    const run = (first: boolean): void => {
      busy = busy
        .then(() => take(idsRef.current, first))
        .catch((err: unknown) => {
          if (cancelled) return;
          setFailures(new Map([['', `the series could not be shown: ${engine.reasonOf(err)}`]]));
          setComplete(true);
        });
    };
    growRef.current = () => run(false);
    if (idsRef.current.length === 0) setComplete(true);
    else run(true);
    return () => {
      cancelled = true;
      clearTimeout(shownCount);
      eventsRef.current?.onClose?.();
      growRef.current = undefined;
      resized.disconnect();
      controlRef.current = undefined;
      if (control) control.current = undefined;
      el.removeEventListener(engine.Enums.Events.IMAGE_RENDERED, update);
      el.removeEventListener(engine.Enums.Events.STACK_NEW_IMAGE, onNewImage);
      el.removeEventListener(engine.Enums.Events.VOI_MODIFIED, onVoi);
      engine.disableStack(viewportId);
    };
  }, [engine, viewportId, series.SeriesInstanceUID, control]);

  // instances that arrived since (a study opened while it is retrieved) join the stack
  useEffect(() => {
    growRef.current?.();
  }, [series.imageIds]);

  useEffect(() => {
    if (!cineFps) return;
    const timer = setInterval(() => controlRef.current?.scroll(1, true), 1000 / Math.max(1, cineFps));
    return () => clearInterval(timer);
  }, [cineFps]);

  const total = series.imageIds.length;
  return (
    <div
      className="viewer-pane"
      aria-label={label}
      role="group"
      data-loaded={loaded}
      data-total={total}
      data-shown={stackIds.length}
      data-complete={complete}
      data-index={ordered ? (overlay?.index ?? 0) : 0}
      data-active={active}
      onPointerDownCapture={onActivate}
      onFocusCapture={onActivate}
    >
      <div
        ref={element}
        className="viewer-canvas"
        tabIndex={0}
        aria-label={`${label} image`}
        onKeyDown={(e) => {
          const c = controlRef.current;
          if (e.key === 'ArrowDown' || e.key === 'ArrowRight') {
            c?.scroll(1);
            e.preventDefault();
          }
          if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') {
            c?.scroll(-1);
            e.preventDefault();
          }
          if (e.key === 'PageDown') {
            c?.scroll(10);
            e.preventDefault();
          }
          if (e.key === 'PageUp') {
            c?.scroll(-10);
            e.preventDefault();
          }
        }}
        onContextMenu={(e) => e.preventDefault()}
      />
      <div className="viewer-pane-foot">
        {stackIds.length > 1 && ordered && (
          <input
            type="range"
            aria-label={`${label} slice`}
            min={1}
            max={stackIds.length}
            value={overlay?.index || 1}
            onChange={(e) => controlRef.current?.goTo(Number(e.target.value) - 1, true)}
          />
        )}
        <p className="viewer-overlay" data-index={overlay?.index ?? 0} aria-live="off">
          {/* what changes while reading first, so a narrow pane cuts the patient and series, not the window */}
          {overlay
            ? `${overlay.index ? `${overlay.index}/${overlay.count}` : `…/${total}`}${overlay.slice ? ` · pos ${overlay.slice}` : ''}` +
              ` · WW ${overlay.ww} WL ${overlay.wl} · zoom ${overlay.zoom.toFixed(2)}${complete ? '' : ` · loading ${loaded}/${total}`}` +
              ` · ${overlay.patient} · ${overlay.date} · ${series.SeriesDescription ?? ''}`
            : `Loading ${loaded}/${total}…`}
        </p>
      </div>
      {failures.size > 0 && (
        <ul className="viewer-placeholder" role="status">
          {[...failures.entries()].slice(0, 5).map(([id, why]) => (
            <li key={id}>An image could not be shown: {why}</li>
          ))}
          {failures.size > 5 && <li>…and {failures.size - 5} more.</li>}
        </ul>
      )}
    </div>
  );
}
