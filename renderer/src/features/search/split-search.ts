/**
 * Completing a capped answer: a STUDY-level query whose answer looks capped is re-run as two
 * halves of its StudyDate range (PS3.4 C.2.2.2.5 range matching), each half still capped is
 * halved again (depth-first, bounded), and the matches are merged and de-duplicated by
 * StudyInstanceUID. What stays capped (a single day, the depth or query budget reached) is
 * reported. Pure code: the query is run by the caller's function; no DOM, no Node.
 */
import { splitStudyQuery } from './capped.js';

/** What one query answered. */
export interface PartAnswer {
  outcome: 'completed' | 'cancelled' | 'failed';
  /** StudyInstanceUIDs of its matches (matches without one are not merged). */
  uids: readonly string[];
  looksCapped?: { count: number; reason: string } | undefined;
}

/** A part that stayed capped, and why it was not split further. */
export interface CappedPart {
  StudyDate: string;
  count: number;
  reason: string;
  why: 'single-day' | 'depth' | 'budget' | 'not-split';
}

export interface SplitOptions {
  /** Split capped answers (false: run the query once and report it capped). */
  split: boolean;
  today: Date;
  /** Most halvings of one range (default 16: 1900 → today is split to days in 16). */
  maxDepth?: number;
  /** Most queries in all (default 64). */
  maxQueries?: number;
}

/** How a split search ended. */
export interface SplitResult {
  outcome: 'completed' | 'cancelled' | 'failed';
  /** Every StudyInstanceUID seen, once, in arrival order. */
  uids: string[];
  queries: number;
  stillCapped: CappedPart[];
}

/** Runs `keys` through `run`, splitting capped answers by date (see the module comment). */
export async function splitSearch(
  keys: Readonly<Record<string, string>>,
  run: (keys: Record<string, string>) => Promise<PartAnswer>,
  options: SplitOptions,
): Promise<SplitResult> {
  const maxDepth = options.maxDepth ?? 16;
  const maxQueries = options.maxQueries ?? 64;
  const seen = new Set<string>();
  const result: SplitResult = { outcome: 'completed', uids: [], queries: 0, stillCapped: [] };
  // Depth-first: the stack's top is the next part (earlier dates first).
  const stack: { keys: Record<string, string>; depth: number }[] = [{ keys: { ...keys }, depth: 0 }];
  while (stack.length > 0) {
    const part = stack.pop()!;
    result.queries++;
    const answer = await run(part.keys);
    for (const uid of answer.uids) {
      if (uid && !seen.has(uid)) {
        seen.add(uid);
        result.uids.push(uid);
      }
    }
    if (answer.outcome !== 'completed') {
      result.outcome = answer.outcome;
      return result;
    }
    if (!answer.looksCapped) continue;
    const capped = { StudyDate: part.keys.StudyDate ?? '', count: answer.looksCapped.count, reason: answer.looksCapped.reason };
    if (!options.split) {
      result.stillCapped.push({ ...capped, why: 'not-split' });
      continue;
    }
    const halves = splitStudyQuery(part.keys, options.today);
    if (!halves) result.stillCapped.push({ ...capped, why: 'single-day' });
    else if (part.depth >= maxDepth) result.stillCapped.push({ ...capped, why: 'depth' });
    else if (result.queries + stack.length + 2 > maxQueries) result.stillCapped.push({ ...capped, why: 'budget' });
    else stack.push({ keys: halves[1], depth: part.depth + 1 }, { keys: halves[0], depth: part.depth + 1 });
  }
  return result;
}

function showDate(da: string): string {
  const one = (d: string): string => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d);
  return da.includes('-') ? da.split('-').map(one).join(' to ') : one(da);
}

/** One sentence about the parts a split search could not complete; undefined when none. */
export function stillCappedText(parts: readonly CappedPart[], nodeName: string): string | undefined {
  const split = parts.filter((p) => p.why !== 'not-split');
  if (split.length === 0) return undefined;
  const days = split.filter((p) => p.why === 'single-day');
  if (days.length === split.length) {
    const list = days.map((p) => `${showDate(p.StudyDate)} (${p.count} matches)`).join(', ');
    return `Split by date, ${nodeName} still capped its answer for a single day: ${list}. Narrow that day with other criteria (modality, name).`;
  }
  const list = split.map((p) => showDate(p.StudyDate)).join(', ');
  return `Split by date as far as allowed, ${nodeName} still capped its answer for ${list}: narrow the search with other criteria.`;
}
