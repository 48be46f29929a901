/**
 * One series in a StackViewport: loads every instance (decoded in the loader's workers), sorts by
 * slice position, shows the overlay, and answers the keyboard (arrows scroll). A failed instance
 * shows a placeholder with its reason; the others still display.
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import { CT_PRESETS, voiRange, windowOf } from './presets.js';

type Engine = typeof import('./engine.js');

/** What the pane shows. */
export interface PaneSeries {
  SeriesInstanceUID: string;
  SeriesDescription?: string;
  Modality?: string;
  imageIds: string[];
}

interface Overlay { patient: string; date: string; index: number; count: number; slice: string; ww: number; wl: number; zoom: number }

/** A stack viewport with its overlay and controls. */
export function StackPane({ engine, viewportId, series, label }: { engine: Engine; viewportId: string; series: PaneSeries; label: string }): ReactElement {
  const element = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState(0);
  const [failures, setFailures] = useState<Map<string, string>>(new Map());
  const [overlay, setOverlay] = useState<Overlay | undefined>();
  const [stackIds, setStackIds] = useState<string[]>([]);
  const [fps, setFps] = useState(10);
  const [playing, setPlaying] = useState(false);

  const viewport = () => element.current ? engineViewport(engine, viewportId) : undefined;

  useEffect(() => {
    const el = element.current!;
    let cancelled = false;
    const vp = engine.enableStack(viewportId, el);
    const update = (): void => {
      const ids = vp.getImageIds();
      const index = vp.getCurrentImageIdIndex();
      const id = ids[index];
      if (!id) return;
      const patient = engine.metaData.get('patientModule', id) as { patientName?: string | { Alphabetic?: string } } | undefined;
      const study = engine.metaData.get('generalStudyModule', id) as { studyDate?: string } | undefined;
      const voi = vp.getProperties().voiRange;
      const w = voi ? windowOf(voi) : { width: 0, center: 0 };
      const pos = engine.slicePosition(id);
      const name = typeof patient?.patientName === 'string' ? patient.patientName : patient?.patientName?.Alphabetic ?? '';
      setOverlay({
        patient: name.replace(/\^/g, ' ').trim(), date: study?.studyDate ?? '', index: index + 1, count: ids.length,
        slice: pos === undefined ? '' : pos.toFixed(1), ww: Math.round(w.width), wl: Math.round(w.center), zoom: vp.getZoom(),
      });
    };
    el.addEventListener(engine.Enums.Events.IMAGE_RENDERED, update);
    void (async () => {
      const fails = await engine.loadAll(series.imageIds, (n) => { if (!cancelled) setLoaded(n); });
      if (cancelled) return;
      const good = engine.sortBySlice(series.imageIds.filter((id) => !fails.has(id)));
      setFailures(fails);
      setStackIds(good);
      if (good.length > 0) {
        await vp.setStack(good, Math.floor(good.length / 2));
        vp.render();
      }
    })();
    return () => {
      cancelled = true;
      el.removeEventListener(engine.Enums.Events.IMAGE_RENDERED, update);
      engine.disableStack(viewportId);
    };
  }, [engine, viewportId, series]);

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
    <div className="viewer-pane" aria-label={label} role="group" data-loaded={loaded} data-total={total} data-shown={stackIds.length}>
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
        style={{ position: 'relative', width: '100%', height: '60vh', background: '#000' }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowRight') { scroll(1); e.preventDefault(); }
          if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') { scroll(-1); e.preventDefault(); }
        }}
        onContextMenu={(e) => e.preventDefault()}
      />
      {stackIds.length > 1 && vp && (
        <input type="range" aria-label={`${label} slice`} min={1} max={stackIds.length} value={overlay?.index ?? 1}
          onChange={(e) => void vp.setImageIdIndex(Number(e.target.value) - 1)} />
      )}
      <p className="viewer-overlay" data-index={overlay?.index ?? 0} aria-live="off">
        {overlay ? `${overlay.patient} · ${overlay.date} · ${series.SeriesDescription ?? ''} · ${overlay.index}/${overlay.count}`
          + `${overlay.slice ? ` · pos ${overlay.slice}` : ''} · WW ${overlay.ww} WL ${overlay.wl} · zoom ${overlay.zoom.toFixed(2)}` : `Loading ${loaded}/${total}…`}
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
