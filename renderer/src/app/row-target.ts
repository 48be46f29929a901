/** Which row an arrow key focuses (pure; used by row-keys.ts). */
import { listAction, moveIndex } from '../lib/keyboard.js';

const MOVES = ['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End'];

/** The row to focus after a key press, or undefined when the key does not move. */
export function rowTarget(key: string, current: number, count: number): number | undefined {
  if (!MOVES.includes(key)) return undefined;
  const action = listAction({ key });
  if (!action) return undefined;
  const next = moveIndex(current, action, count);
  return next < 0 ? undefined : next;
}
