/**
 * What the parent may do to a pane (StackPane.tsx), over its stack viewport: go to a slice, set a
 * window or a preset, invert, reset, scroll. A change the parent asks for is marked in
 * `expected`, so the pane reports it as the parent's own (a sync) and it is not echoed back.
 */
import type { Types } from '@cornerstonejs/core';
import { voiRange } from './presets.js';

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

/** The changes the pane expects to see come back from the viewport as the parent's. */
export interface Expected {
  index: number;
  voi: boolean;
}

/** The control of a pane's viewport. */
export function paneControl(vp: Types.IStackViewport, expected: Expected): PaneControl {
  return {
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
}
