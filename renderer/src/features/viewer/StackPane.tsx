/**
 * One series in a StackViewport. The middle image loads first and shows at once; the rest load
 * in the loader's workers with bounded concurrency, multi-frame instances open into their
 * frames, and the stack is then sorted by slice position (PS3.3 C.7.6.2.1.1), keeping the image,
 * window and zoom on screen. A failed instance shows a placeholder with its reason; the others
 * still display. The overlay gives patient, study date, series, n/N, slice position, WW/WL and
 * zoom; arrows, the wheel and the slider scroll; cine plays at a chosen rate.
 *
 * A pane tells its parent where it is (`onIndex`, `onVoi`, `onStack`) and obeys `control`
 * (go to a slice, set a window): that is all the current/prior link needs.
 */
import { useEffect, useRef, useState, type MutableRefObject, type ReactElement } from 'react';
import { CT_PRESETS, voiRange, windowOf } from './presets.js';
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
  goTo(index: number): void;
  setVoi(range: { lower: number; upper: number }): void;
}

/** What a pane reports; `bySync` marks a change the parent itself asked for. */
export interface PaneEvents {
  onStack?(stack: LinkedStack & { index: number }): void;
  onIndex?(index: number, bySync: boolean): void;
  onVoi?(range: { lower: number; upper: number }, bySync: boolean): void;
}

interface Overlay { patient: string; date: string; index: number; count: number; slice: string; ww: number; wl: number; zoom: number }

/** A stack viewport with its overlay and controls. */
export function StackPane({ engine, viewportId, series, label, control, events }: {
  engine: Engine; viewportId: string; series: PaneSeries; label: string;
  control?: MutableRefObject<PaneControl | undefined>; events?: PaneEvents;
}): ReactElement {
  const element = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState(0);
  const [failures, setFailures] = useState<Map<string, string>>(new Map());
  const [overlay, setOverlay] = useState<Overlay | undefined>();
  const [stackIds, setStackIds] = useState<string[]>([]);
  const [complete, setComplete] = useState(false);
  const [fps, setFps] = useState(10);
  const [playing, setPlaying] = useState(false);
  const eventsRef = useRef(events);
  eventsRef.current = events;

  const viewport = () => element.current ? engineViewport(engine, viewportId) : undefined;

  useEffect(() => {
    const el = element.current!;
    let cancelled = false;
    // changes asked by the parent (sync) are reported as such, so they are not echoed back
    const expected = { index: -1, voi: false };
    const vp = engine.enableStack(viewportId, el);
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
      const name = typeof patient?.patientName === 'string' ? patient.patientName : patient?.patientName?.Alphabetic ?? '';
      setOverlay({
        patient: name.replace(/\^/g, ' ').trim(), date: studyDateOf(study?.studyDate), index: index + 1, count: ids.length,
        slice: pos === undefined ? '' : pos.toFixed(1), ww: Math.round(w.width), wl: Math.round(w.center), zoom: vp.getZoom(),
      });
    };
    const onNewImage = (): void => {
      const index = vp.getCurrentImageIdIndex();
      const bySync = index === expected.index;
      expected.index = -1;
      eventsRef.current?.onIndex?.(index, bySync);
    };
    const onVoi = (e: Event): void => {
      const range = (e as CustomEvent<{ range?: { lower: number; upper: number } }>).detail?.range;
      if (!range) return;
      const bySync = expected.voi;
      expected.voi = false;
      eventsRef.current?.onVoi?.(range, bySync);
    };
    // the grid changes when a prior opens or closes: the canvas follows its element
    const resized = new ResizeObserver(() => engine.resizeViewports());
    resized.observe(el);
    el.addEventListener(engine.Enums.Events.IMAGE_RENDERED, update);
    el.addEventListener(engine.Enums.Events.STACK_NEW_IMAGE, onNewImage);
    el.addEventListener(engine.Enums.Events.VOI_MODIFIED, onVoi);
    if (control) {
      control.current = {
        goTo: (index) => {
          const n = vp.getImageIds().length;
          const i = Math.max(0, Math.min(n - 1, index));
          if (n === 0 || i === vp.getCurrentImageIdIndex()) return;
          expected.index = i;
          void vp.setImageIdIndex(i);
        },
        setVoi: (range) => {
          expected.voi = true;
          vp.setProperties({ voiRange: range });
          vp.render();
        },
      };
    }
    void (async () => {
      const ids = series.imageIds;
      if (ids.length === 0) { setComplete(true); return; }
      // the middle image first: something to look at while the rest arrives
      const middle = Math.floor(ids.length / 2);
      const first = await engine.loadAll([ids[middle]!]);
      if (cancelled) return;
      let done = 1;
      setLoaded(done);
      if (!first.size) {
        await vp.setStack(ids, middle);
        if (cancelled) return;
        vp.render();
      }
      const rest = ids.filter((_, i) => i !== middle);
      const fails = new Map([...first, ...await engine.loadAll(rest, () => { if (!cancelled) setLoaded(++done); })]);
      if (cancelled) return;
      // multi-frame instances open into their frames (loaded on demand)
      const good = ids.filter((id) => !fails.has(id)).flatMap((id) => engine.frameIds(id, engine.framesOf(id)));
      const sorted = good.length === ids.length ? engine.sortBySlice(good) : good;
      setFailures(fails);
      setStackIds(sorted);
      if (sorted.length > 0 && (sorted.length !== ids.length || sorted.some((id, i) => id !== ids[i]) || first.size)) {
        const shown = vp.getCurrentImageId();
        const at = shown !== undefined && sorted.includes(shown) ? sorted.indexOf(shown) : Math.floor(sorted.length / 2);
        const keep = first.size ? undefined : { properties: vp.getProperties(), camera: vp.getCamera() };
        await vp.setStack(sorted, at);
        if (cancelled) return;
        if (keep) {
          vp.setProperties(keep.properties);
          vp.setCamera(keep.camera);
        }
        vp.render();
      }
      const positions = sorted.map((id) => engine.slicePosition(id));
      setComplete(true);
      eventsRef.current?.onStack?.({ positions, axial: sorted.length > 0 && engine.isAxial(sorted[0]!), index: vp.getCurrentImageIdIndex() });
    })().catch((err: unknown) => {
      if (!cancelled) setFailures(new Map([['', `the series could not be shown: ${engine.reasonOf(err)}`]]));
    });
    return () => {
      cancelled = true;
      resized.disconnect();
      if (control) control.current = undefined;
      el.removeEventListener(engine.Enums.Events.IMAGE_RENDERED, update);
      el.removeEventListener(engine.Enums.Events.STACK_NEW_IMAGE, onNewImage);
      el.removeEventListener(engine.Enums.Events.VOI_MODIFIED, onVoi);
      engine.disableStack(viewportId);
    };
  }, [engine, viewportId, series, control]);

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => scroll(1, true), 1000 / Math.max(1, fps));
    return () => clearInterval(timer);
  });

  function scroll(delta: number, wrap = false): void {
    const vp = viewport();
    if (!vp) return;
    const n = vp.getImageIds().length;
    if (n === 0) return;
    let i = vp.getCurrentImageIdIndex() + delta;
    i = wrap ? (i + n) % n : Math.max(0, Math.min(n - 1, i));
    void vp.setImageIdIndex(i);
  }

  function preset(width: number, center: number): void {
    const vp = viewport();
    vp?.setProperties({ voiRange: voiRange(width, center) });
    vp?.render();
  }

  const vp = viewport();
  const total = series.imageIds.length;
  return (
    <div className="viewer-pane" aria-label={label} role="group" data-loaded={loaded} data-total={total} data-shown={stackIds.length}
      data-complete={complete} data-index={overlay?.index ?? 0}>
      <div className="viewer-toolbar">
        {series.Modality === 'CT' && CT_PRESETS.map((p) => <button key={p.name} type="button" onClick={() => preset(p.width, p.center)}>{p.name}</button>)}
        <button type="button" onClick={() => { const v = viewport(); v?.setProperties({ invert: !v.getProperties().invert }); v?.render(); }}>Invert</button>
        <button type="button" onClick={() => { const v = viewport(); v?.resetProperties(); v?.resetCamera(); v?.render(); }}>Reset</button>
        {(['WindowLevel', 'Pan', 'Zoom', 'Length', 'Angle', 'EllipticalROI'] as const).map((t) =>
          <button key={t} type="button" onClick={() => engine.setPrimaryTool(t)}>{t === 'EllipticalROI' ? 'Ellipse ROI' : t === 'WindowLevel' ? 'W/L' : t}</button>)}
        <button type="button" onClick={() => setPlaying(!playing)}>{playing ? 'Stop' : 'Cine'}</button>
        <label>fps <input type="number" min={1} max={60} value={fps} onChange={(e) => setFps(Number(e.target.value) || 10)} style={{ width: '4em' }} /></label>
      </div>
      <div
        ref={element} className="viewer-canvas" tabIndex={0} aria-label={`${label} image`}
        style={{ position: 'relative', width: '100%', height: 'max(240px, calc(100vh - 330px))', background: '#000' }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowRight') { scroll(1); e.preventDefault(); }
          if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') { scroll(-1); e.preventDefault(); }
          if (e.key === 'PageDown') { scroll(10); e.preventDefault(); }
          if (e.key === 'PageUp') { scroll(-10); e.preventDefault(); }
        }}
        onContextMenu={(e) => e.preventDefault()}
      />
      {stackIds.length > 1 && vp && (
        <input type="range" aria-label={`${label} slice`} min={1} max={stackIds.length} value={overlay?.index ?? 1}
          onChange={(e) => void vp.setImageIdIndex(Number(e.target.value) - 1)} />
      )}
      <p className="viewer-overlay" data-index={overlay?.index ?? 0} aria-live="off">
        {overlay ? `${overlay.patient} · ${overlay.date} · ${series.SeriesDescription ?? ''} · ${overlay.index}/${overlay.count}`
          + `${overlay.slice ? ` · pos ${overlay.slice}` : ''} · WW ${overlay.ww} WL ${overlay.wl} · zoom ${overlay.zoom.toFixed(2)}`
          + `${complete ? '' : ` · loading ${loaded}/${total}`}` : `Loading ${loaded}/${total}…`}
      </p>
      {failures.size > 0 && (
        <ul className="viewer-placeholder" role="status">
          {[...failures.entries()].slice(0, 5).map(([id, why]) => <li key={id}>An image could not be shown: {why}</li>)}
          {failures.size > 5 && <li>…and {failures.size - 5} more.</li>}
        </ul>
      )}
    </div>
  );
}

function engineViewport(engine: Engine, viewportId: string) {
  try {
    return engine.viewportOf(viewportId);
  } catch {
    return undefined;
  }
}
