/**
 * What every screen shows of prefetch: the tooltip of a "Prefetched" badge, and which of two
 * copies of a run is the newer (a `prefetch.run` event and a call's answer may cross).
 * Pure code: no DOM, no Node.
 */
import type { PrefetchedMark, PrefetchRun } from '../../../shared/prefetch.js';
import { formatDateTime } from './format.js';

/** The badge's tooltip: which rule chose the study, when, and why. */
export function prefetchedTitle(mark: PrefetchedMark): string {
  const rule = mark.rule ? `rule "${mark.rule}"` : 'a prefetch rule';
  return `Prefetched by ${rule} on ${formatDateTime(mark.at)}: ${mark.reason}`;
}

/** Of two copies of one run, the one to keep: `incoming` unless `held` has a higher revision. */
export function newerRun(held: PrefetchRun | undefined, incoming: PrefetchRun): PrefetchRun {
  return held && held.revision > incoming.revision ? held : incoming;
}
