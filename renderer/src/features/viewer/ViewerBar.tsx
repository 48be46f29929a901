/**
 * The viewer's comparison bar: which prior stands beside the current study, whether scrolling
 * and the window are linked (and how scrolling is), the memory kept for decoded images, the
 * prefetch of this patient's priors, and asking a PACS for more.
 */
import type { ReactElement } from 'react';
import type { RemoteNode } from '../../../../shared/config.js';
import { CACHE_CHOICES } from './engine-loader.js';
import type { PriorChoice } from './prior-order.js';
import { PriorPicker } from './PriorPicker.js';

export interface ViewerBarProps {
  choices: PriorChoice[];
  priorUid: string;
  onPrior(uid: string): void;
  linkScroll: boolean;
  onLinkScroll(on: boolean): void;
  /** How scrolling is linked, in words ('' when it is not). */
  linkLine: string;
  linkVoi: boolean;
  onLinkVoi(on: boolean): void;
  cacheMb: number;
  onCacheMb(mb: number): void;
  onPrefetch(): void;
  prefetchBusy: boolean;
  /** The archives that may hold priors. */
  nodes: RemoteNode[];
  onAsk(node: string): void;
}

export function ViewerBar(p: ViewerBarProps): ReactElement {
  return (
    <div className="viewer-bar" role="toolbar" aria-label="Comparison">
      <PriorPicker choices={p.choices} value={p.priorUid} onChange={p.onPrior} />
      <label>
        <input type="checkbox" checked={p.linkScroll} onChange={(e) => p.onLinkScroll(e.target.checked)} /> Link scrolling
      </label>
      {p.linkScroll && p.linkLine && (
        <span className="viewer-link" aria-label="Scroll link">
          {p.linkLine}
        </span>
      )}
      <label>
        <input type="checkbox" checked={p.linkVoi} onChange={(e) => p.onLinkVoi(e.target.checked)} /> Link window
      </label>
      <label title="Decoded images kept in memory; the least recently used go first">
        Memory{' '}
        <select aria-label="Image memory" value={p.cacheMb} onChange={(e) => p.onCacheMb(Number(e.target.value))}>
          {CACHE_CHOICES.map((mb) => (
            <option key={mb} value={mb}>
              {mb >= 1024 ? `${mb / 1024} GB` : `${mb} MB`}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        onClick={p.onPrefetch}
        disabled={p.prefetchBusy}
        title="Run the prefetch rules for this study: its patient's relevant earlier studies are retrieved"
      >
        Prefetch priors
      </button>
      {p.nodes.length > 0 && (
        <span className="viewer-pacs">
          Priors on the PACS:{' '}
          {p.nodes.map((n) => (
            <button key={n.name} type="button" onClick={() => p.onAsk(n.name)}>
              Ask {n.name}
            </button>
          ))}
        </span>
      )}
    </div>
  );
}
