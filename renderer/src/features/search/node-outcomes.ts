/**
 * Each node's outcome over the queries of one search of several nodes (a search is one query
 * per modality, more when a capped answer is split by date). Pure code: no DOM.
 */
import type { NodeSearchOutcome } from '../../../../shared/search.js';

const OUTCOME_RANK: Record<NodeSearchOutcome['outcome'], number> = { failed: 3, capped: 2, cancelled: 1, completed: 0 };

/** The outcomes so far with one more query's: per node, the worse end (a failure stays shown), the matches and times added up. */
export function withNodeOutcomes(held: readonly NodeSearchOutcome[] | undefined, next: readonly NodeSearchOutcome[]): NodeSearchOutcome[] {
  const out = [...(held ?? [])];
  for (const n of next) {
    const i = out.findIndex((o) => o.node === n.node);
    if (i < 0) out.push(n);
    else {
      const held = out[i]!;
      const ms = held.ms !== undefined || n.ms !== undefined ? { ms: (held.ms ?? 0) + (n.ms ?? 0) } : {};
      out[i] = { ...(OUTCOME_RANK[n.outcome] > OUTCOME_RANK[held.outcome] ? n : held), matches: held.matches + n.matches, ...ms };
    }
  }
  return out;
}

/** A node's time as people read it: `240 ms`, `3.1 s`. */
export function formatSearchTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What a node answered, for the line of nodes that did: `pacs (12 in 240 ms)`. */
export function answeredText(o: NodeSearchOutcome): string {
  const time = formatSearchTime(o.ms);
  return `${o.node} (${o.matches}${time ? ` in ${time}` : ''})`;
}
