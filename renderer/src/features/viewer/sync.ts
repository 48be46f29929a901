/**
 * Synchronised scrolling of stacks (current beside priors), without cornerstone or a DOM.
 *
 * Each slice's position along the normal of its plane is ImagePositionPatient · (row × column
 * cosines) (PS3.3 C.7.6.2.1.1). Two stacks are linked by position — each slice of one paired
 * with the slice of the other nearest to it, from the first image shown — when they share a
 * Frame of Reference (PS3.3 C.7.4.1.1.1: their positions are in one coordinate system) and lie
 * in the same plane, or when both are axial: then the table positions are compared, and when
 * the two stacks do not overlap at all (another patient coordinate origin) their first slices
 * are paired and the rest follow by distance from them. Otherwise by index: a move of N slices
 * moves the other N slices, from the indices both showed when the link was made.
 */

/** One stack as the link sees it. */
export interface LinkedStack {
  /** Position of each slice along the normal, in stack order; undefined when unknown. */
  positions: readonly (number | undefined)[];
  axial: boolean;
  /** The plane of its slices, when known (same-plane stacks of one frame of reference link by position). */
  plane?: string;
  frameOfReference?: string;
}

/** The two stacks' indices when the link was made (used by the index link). */
export interface LinkAnchor {
  from: number;
  to: number;
}

/** How two stacks are linked. */
export type LinkHow = 'frame-of-reference' | 'table-position' | 'first-slices' | 'index';

const known = (s: LinkedStack): boolean => s.positions.length > 0 && s.positions.every((p) => p !== undefined);

function range(s: LinkedStack): [number, number] {
  const p = s.positions as number[];
  return [Math.min(...p), Math.max(...p)];
}

/** How `a` and `b` are linked (see the file's comment). */
export function linkHow(a: LinkedStack, b: LinkedStack): LinkHow {
  if (!known(a) || !known(b)) return 'index';
  if (a.frameOfReference && a.frameOfReference === b.frameOfReference && a.plane && a.plane === b.plane) return 'frame-of-reference';
  if (!a.axial || !b.axial) return 'index';
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1 ? 'table-position' : 'first-slices';
}

/** Whether two stacks are linked by position. */
export function linkByPosition(a: LinkedStack, b: LinkedStack): boolean {
  return linkHow(a, b) !== 'index';
}

/** The index of the slice whose position is nearest `target` (the first of equals). */
export function nearestSlice(positions: readonly (number | undefined)[], target: number): number {
  let best = 0;
  let bestDistance = Infinity;
  positions.forEach((p, i) => {
    if (p === undefined) return;
    const d = Math.abs(p - target);
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  return best;
}

/**
 * Where the other stack goes when `from` shows `index`: its slice nearest the same position when
 * linked by position, else the same number of slices from the anchor.
 */
export function syncedIndex(from: LinkedStack, to: LinkedStack, index: number, anchor: LinkAnchor): number {
  const count = to.positions.length;
  if (count === 0) return 0;
  const how = linkHow(from, to);
  if (how === 'index') return Math.max(0, Math.min(count - 1, anchor.to + (index - anchor.from)));
  const offset = how === 'first-slices' ? to.positions[0]! - from.positions[0]! : 0;
  return nearestSlice(to.positions, from.positions[index]! + offset);
}

/** "by position" or "by index": what the link does. */
export function linkMode(a: LinkedStack, b: LinkedStack): 'position' | 'index' {
  return linkByPosition(a, b) ? 'position' : 'index';
}

/** How the link works, for the screen ("by table position (same frame of reference)"). */
export function linkText(how: LinkHow): string {
  switch (how) {
    case 'frame-of-reference':
      return 'by table position (same frame of reference)';
    case 'table-position':
      return 'by table position (both axial)';
    case 'first-slices':
      return 'by position from the first slices (both axial, no common table positions)';
    case 'index':
      return 'by slice index (not both axial)';
  }
}
