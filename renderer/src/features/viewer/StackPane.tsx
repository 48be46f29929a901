/**
 * One series in a StackViewport, with its slider and overlay. What it shows is filled by
 * stack-load/fill-stack.ts (the middle image first, the rest streamed, the stack sorted by slice
 * position); a failed instance shows a placeholder with its reason, the others still display. The
 * overlay gives n/N (once the order is known), slice position, WW/WL, zoom, patient, study date
 * and series; arrows, the wheel and the slider scroll; cine plays when the parent says so.
 *
 * A pane tells its parent where it is (`onIndex`, `onVoi`, `onStack`) and obeys `control` (go to
 * a slice, set a window or a preset, invert, reset): the one toolbar of the viewer and the link
 * between panes need no more. A pointer or focus in the pane makes it the active one.
 */
import { useEffect, useRef, useState, type MutableRefObject, type ReactElement } from 'react';
import { windowOf } from './presets.js';
import type { LinkedStack } from './sync.js';
import { studyDateOf } from './overlay.js';
import { paneControl, type PaneControl } from './pane-control.js';
import { fillStack } from './stack-load/fill-stack.js';

export type { PaneControl };

type Engine = typeof import('./engine.js');

/** What the pane shows. */
export interface PaneSeries {
  SeriesInstanceUID: string;
  SeriesDescription?: string;
  Modality?: string;
  imageIds: string[];
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
  /** How many of the series' instances the stack had taken when its filling last ended (-1 while it runs). */
  const [covered, setCovered] = useState(-1);
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
    let sorted = (): boolean => false;
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
        index: sorted() ? index + 1 : 0,
        count: ids.length,
        slice: pos === undefined ? '' : pos.toFixed(1),
        ww: Math.round(w.width),
        wl: Math.round(w.center),
        zoom: engine.zoomOf(vp),
      });
    };
    // the stack put in place again (more instances arrived, sorted) keeps its image at another
    // index: not a scroll, so the linked panes do not move; onStack tells them the new index
    let shownImage: string | undefined;
    const onNewImage = (): void => {
      const index = vp.getCurrentImageIdIndex();
      const bySync = index === expected.index;
      expected.index = -1;
      update();
      const image = vp.getCurrentImageId();
      const moved = image !== shownImage;
      shownImage = image;
      if (sorted() && moved) eventsRef.current?.onIndex?.(index, bySync);
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
    const own = paneControl(vp, expected);
    controlRef.current = own;
    if (control) control.current = own;

    const filler = fillStack(engine, vp, () => idsRef.current, {
      loaded: (n) => !cancelled && setLoaded(n),
      failures: (f) => !cancelled && setFailures(f),
      firstShown: () => eventsRef.current?.onFirstShown?.(),
      complete: (c) => !cancelled && setCovered(c ? idsRef.current.length : -1),
      sorted: (ids) => {
        setStackIds(ids);
        setOrdered(true);
        update();
        const firstId = ids[0];
        eventsRef.current?.onStack?.({
          positions: ids.map((id) => engine.slicePosition(id)),
          axial: !!firstId && engine.isAxial(firstId),
          index: vp.getCurrentImageIdIndex(),
          ...(firstId && engine.planeOf(firstId) ? { plane: engine.planeOf(firstId)! } : {}),
          ...(firstId && engine.frameOfReferenceOf(firstId) ? { frameOfReference: engine.frameOfReferenceOf(firstId)! } : {}),
        });
      },
    });
    growRef.current = filler.grow;
    sorted = filler.isSorted;
    return () => {
      cancelled = true;
      filler.stop();
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
  // instances that arrived since the filling ended make the stack incomplete at once, before the filling takes them
  const complete = covered >= 0 && covered >= total;
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
