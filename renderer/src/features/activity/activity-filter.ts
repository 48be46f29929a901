/**
 * The Activity screen's list without a DOM: which lines a filter keeps (node = AE title or
 * node name, outcome, free text) and the merge of live lines, newest first, bounded.
 */
import type { ActivityLine } from '../../../../shared/api/contract.js';

/** What the user filters by; empty strings mean "any". */
export interface ActivityFilter {
  /** AE titles that stand for the chosen node (its AE title and name); empty = every node. */
  aeTitles: readonly string[];
  outcome: '' | ActivityLine['outcome'];
  text: string;
}

/** Whether a line passes the filter (text matches message, association and peer, case-insensitively). */
export function keepLine(line: ActivityLine, f: ActivityFilter): boolean {
  if (f.outcome && line.outcome !== f.outcome) return false;
  if (f.aeTitles.length > 0 && !(line.peerAeTitle !== undefined && f.aeTitles.includes(line.peerAeTitle))) return false;
  const text = f.text.trim().toLowerCase();
  if (text) {
    const hay = `${line.message} ${line.association ?? ''} ${line.peerAeTitle ?? ''}`.toLowerCase();
    if (!hay.includes(text)) return false;
  }
  return true;
}

/** Lines newest first (by seq), without duplicates, at most `max`. */
export function mergeLines(current: readonly ActivityLine[], added: readonly ActivityLine[], max: number): ActivityLine[] {
  const seen = new Set<number>();
  const all = [...added, ...current].filter((l) => (seen.has(l.seq) ? false : (seen.add(l.seq), true)));
  return all.sort((a, b) => b.seq - a.seq).slice(0, max);
}
