/**
 * Synchronised scrolling of two stacks (current beside prior), without cornerstone or a DOM.
 *
 * By position when both stacks are axial and every slice has a position along the normal
 * (ImagePositionPatient · (row × column cosines), PS3.3 C.7.6.2.1.1): the offset between the
 * two stacks is fixed when the link is made (the slices shown then correspond), and a move of
 * one stack by N mm moves the other to its slice nearest the same N mm away. Otherwise by index:
 * a move of N slices moves the other N slices, clamped to its ends.
 */

/** One stack as the link sees it. */
export interface LinkedStack {
  /** Position of each slice along the normal, in stack order; undefined when unknown. */
  positions: readonly (number | undefined)[];
  axial: boolean;
}

/** The two stacks' indices when the link was made. */
export interface LinkAnchor {
  from: number;
  to: number;
}

/** Whether two stacks can be linked by position. */
export function linkByPosition(a: LinkedStack, b: LinkedStack): boolean {
  const known = (s: LinkedStack) => s.positions.length > 0 && s.positions.every((p) => p !== undefined);
  return a.axial && b.axial && known(a) && known(b);
}

/** The index of the slice whose position is nearest `target` (the first of equals). */
export function nearestSlice(positions: readonly (number | undefined)[], target: number): number {
  let best = 0;
  let bestDistance = Infinity;
  positions.forEach((p, i) => {
    if (p === undefined) return;
    const d = Math.abs(p - target);
    if (d < bestDistance) { best = i; bestDistance = d; }
  });
  return best;
}

/**
 * Where the other stack goes when `from` shows `index`: by position when both allow it, else by
 * index; `anchor` holds both indices at the moment of linking.
 */
export function syncedIndex(from: LinkedStack, to: LinkedStack, index: number, anchor: LinkAnchor): number {
  const count = to.positions.length;
  if (count === 0) return 0;
  if (linkByPosition(from, to)) {
    const offset = to.positions[anchor.to]! - from.positions[anchor.from]!;
    return nearestSlice(to.positions, from.positions[index]! + offset);
  }
  return Math.max(0, Math.min(count - 1, anchor.to + (index - anchor.from)));
}

/** "by position" or "by index": what the link does, for its label. */
export function linkMode(a: LinkedStack, b: LinkedStack): 'position' | 'index' {
  return linkByPosition(a, b) ? 'position' : 'index';
}
