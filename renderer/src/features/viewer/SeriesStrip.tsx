/**
 * The series of a study as thumbnails: each rendered once from its middle instance and kept
 * for the session (by SeriesInstanceUID), so going back to a study costs nothing; drawn once
 * the pane's first image is on screen. A series
 * whose image cannot be decoded shows its modality and description on a plain tile.
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { SeriesRecord } from '../../../../shared/records.js';

type Engine = typeof import('./engine.js');

/** Thumbnails already rendered, as data URLs (undefined: tried and failed). */
const rendered = new Map<string, string | undefined>();
const SIZE = 96;

function Thumb({
  engine,
  series,
  imageId,
  ready,
}: {
  engine: Engine;
  series: SeriesRecord;
  imageId: () => Promise<string | undefined>;
  ready: boolean;
}): ReactElement {
  const key = series.SeriesInstanceUID;
  const [url, setUrl] = useState<string | undefined>(rendered.get(key));
  const [failed, setFailed] = useState(rendered.has(key) && rendered.get(key) === undefined);
  const canvas = useRef<HTMLCanvasElement>(null);
  const source = useRef(imageId);
  source.current = imageId;
  useEffect(() => {
    if (rendered.has(key) || !ready) return;
    let cancelled = false;
    void (async () => {
      const id = await source.current();
      if (!id || !canvas.current) throw new Error('no image');
      await engine.renderThumbnail(canvas.current, id);
      const data = canvas.current.toDataURL('image/png');
      rendered.set(key, data);
      if (!cancelled) setUrl(data);
    })().catch(() => {
      rendered.set(key, undefined);
      if (!cancelled) setFailed(true);
    });
    return () => {
      cancelled = true;
    };
  }, [engine, key, ready]);
  if (url) return <img src={url} alt="" width={SIZE} height={SIZE} />;
  return failed ? <span className="viewer-thumb-none">{series.Modality ?? '?'}</span> : <canvas ref={canvas} width={SIZE} height={SIZE} />;
}

/** The series of one study, as buttons with thumbnails (a column beside the pane); the chosen one is pressed. */
export function SeriesStrip({
  engine,
  series,
  chosen,
  label,
  onChoose,
  middleImageId,
  ready = true,
}: {
  engine: Engine;
  series: SeriesRecord[];
  chosen?: string;
  label: string;
  /** False while the pane's first image loads: the thumbnails wait rather than compete with it. */
  ready?: boolean;
  onChoose(s: SeriesRecord): void;
  /** The imageId of a series' middle instance, for its thumbnail. */
  middleImageId(s: SeriesRecord): Promise<string | undefined>;
}): ReactElement {
  return (
    <ul className="viewer-series" aria-label={label}>
      {series.map((s) => (
        <li key={s.SeriesInstanceUID}>
          <button
            type="button"
            aria-pressed={chosen === s.SeriesInstanceUID}
            onClick={() => onChoose(s)}
            title={`${s.SeriesNumber ?? ''} ${s.Modality ?? ''} ${s.SeriesDescription ?? ''}`.trim()}
          >
            <Thumb engine={engine} series={s} imageId={() => middleImageId(s)} ready={ready} />
            <span className="viewer-series-label">
              {s.SeriesNumber ?? ''} {s.Modality ?? ''} {s.SeriesDescription ?? ''} ({s.NumberOfSeriesRelatedInstances})
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
