/**
 * The studies in the viewer's panes: the opened one and its priors as the layout shows them,
 * newest first (the newer is "Current"), read as the layout asks for them and held in the cache
 * while they are shown.
 */
import { useEffect } from 'react';
import { morePriors, type PriorChoice, readingOrder } from './prior-order.js';
import { useHold } from './use-hold.js';
import type { OpenStudy } from './use-viewer-studies.js';
import type { Layout } from './ViewerTools.js';

export interface PanesDeps {
  layout: Layout;
  opened: string | undefined;
  /** The prior chosen ('' for none). */
  priorUid: string;
  choices: readonly PriorChoice[];
  studies: ReadonlyMap<string, OpenStudy>;
  load(uid: string): Promise<OpenStudy | undefined>;
}

export function usePanes({ layout, opened, priorUid, choices, studies, load }: PanesDeps): OpenStudy[] {
  const loaded = paneStudies(layout, opened, priorUid, choices)
    .map((uid) => studies.get(uid))
    .filter((o): o is OpenStudy => !!o);
  const panes = loaded[0] && loaded[0].study.StudyInstanceUID === opened ? readingOrder(loaded[0], loaded.slice(1)) : [];
  const shown = panes.map((p) => p.study.StudyInstanceUID);
  // what is shown stays in the cache (the current study's hold also covers its patient's priors)
  useHold(shown[0]);
  useHold(shown[1]);
  useHold(shown[2]);
  useHold(shown[3]);

  // the 2×2 layout shows more priors: read those not read yet
  useEffect(() => {
    // (the opened study is read by the open itself)
    for (const uid of paneStudies(layout, opened, priorUid, choices)) if (uid !== opened && !studies.has(uid)) void load(uid);
  }, [layout, opened, priorUid, choices, studies, load]);

  return panes;
}

/** The studies a layout shows: the opened one, the chosen prior, and in 2×2 the next priors. */
function paneStudies(layout: Layout, opened: string | undefined, prior: string, choices: readonly PriorChoice[]): string[] {
  if (!opened) return [];
  if (layout === '1x1' || !prior) return layout === '2x2' ? [opened, ...morePriors(choices, undefined, 3)] : [opened];
  if (layout === '1x2') return [opened, prior];
  return [opened, prior, ...morePriors(choices, prior, 2)];
}
