/**
 * The series of an expanded study (SERIES-level C-FIND on demand, or the cache): number,
 * modality, description, date, instances, the per-series cache badge, and a Retrieve button
 * per series (or for the series ticked).
 */
import { useState } from 'react';
import { formatDicomDate } from '../../lib/format.js';
import { cacheAriaLabel } from './study-rows.js';
import type { Expansion } from './ResultsTable.js';

/** Column widths in px (undefined: the description takes the rest): fixed, so nothing moves. */
const SERIES_COLS: readonly (number | undefined)[] = [32, 48, 60, undefined, 100, 84, 84, 96];

export function SeriesList({ expansion, onRetrieve }: { expansion: Expansion; onRetrieve(uids: string[]): void }) {
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  if (expansion.loading) return <p className="muted">Asking for the series…</p>;
  if (expansion.error)
    return (
      <p className="error-line" role="alert">
        {expansion.error.message}
      </p>
    );
  const rows = expansion.rows ?? [];
  if (rows.length === 0) return <p className="muted">No series.</p>;
  const toggle = (uid: string): void =>
    setTicked((t) => {
      const n = new Set(t);
      if (n.has(uid)) n.delete(uid);
      else n.add(uid);
      return n;
    });
  return (
    <div className="series-list">
      <table className="series-table">
        <colgroup>
          {SERIES_COLS.map((w, i) => (
            <col key={i} style={w ? { width: `${w}px` } : undefined} />
          ))}
        </colgroup>
        <thead>
          {/* Nested in .results-table, whose header cells have no padding: give these some. */}
          <tr className="series-head" style={{ whiteSpace: 'nowrap' }}>
            <th scope="col" className="tick">
              <span className="sr-only">Select</span>
            </th>
            <th scope="col">#</th>
            <th scope="col">Mod.</th>
            <th scope="col">Series description</th>
            <th scope="col">Date</th>
            <th scope="col" className="num" style={{ paddingRight: 8 }}>
              Instances
            </th>
            <th scope="col" style={{ paddingLeft: 8 }}>
              Cache
            </th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s, i) => {
            const uid = s.SeriesInstanceUID ?? '';
            const state = expansion.cache?.[uid];
            const name = `series ${s.SeriesNumber ?? i + 1}${s.SeriesDescription ? ` ${s.SeriesDescription}` : ''}`;
            return (
              <tr key={uid || i} aria-selected={ticked.has(uid)}>
                <td className="tick">
                  {uid && <input type="checkbox" aria-label={`Select ${name}`} checked={ticked.has(uid)} onChange={() => toggle(uid)} />}
                </td>
                <td>{s.SeriesNumber ?? ''}</td>
                <td>{s.Modality ?? ''}</td>
                <td title={s.SeriesDescription}>{s.SeriesDescription ?? ''}</td>
                <td>{formatDicomDate(s.SeriesDate)}</td>
                <td className="num">{s.NumberOfSeriesRelatedInstances ?? ''}</td>
                <td style={{ paddingLeft: 8 }}>
                  {state && (
                    <span className={`badge badge-${state}`} role="img" aria-label={cacheAriaLabel(state)} title={cacheAriaLabel(state)}>
                      {state === 'none' ? '·' : state}
                    </span>
                  )}
                </td>
                <td>
                  {uid && expansion.cache && (
                    <button type="button" className="link-button" aria-label={`Retrieve ${name}`} onClick={() => onRetrieve([uid])}>
                      Retrieve
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {ticked.size > 0 && expansion.cache && (
        <button type="button" onClick={() => onRetrieve([...ticked])}>
          Retrieve {ticked.size} series
        </button>
      )}
    </div>
  );
}
