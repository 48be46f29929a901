/**
 * The keyboard of the results lists: Enter searches (in the form), arrows move, Space expands,
 * R retrieves, O opens, P prefetches the patient's priors, Esc cancels. Pure mapping from a key press to an action, so it can be
 * tested without a DOM.
 */

/** What a key press asks for. */
export type ListAction =
  | { kind: 'move'; delta: number }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'expand' }
  | { kind: 'retrieve' }
  | { kind: 'open' }
  /** Prefetch the priors of the row's patient. */
  | { kind: 'prefetch' }
  | { kind: 'cancel' }
  | { kind: 'select-toggle' };

/** The parts of a KeyboardEvent this needs. */
export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
  /** The press happened in a text field (letters then type, they are not commands). */
  inTextField?: boolean;
}

/** Rows moved by PageUp / PageDown. */
export const PAGE_ROWS = 10;

/** The action of a key press in a list, or undefined when the key is not a list command. */
export function listAction(press: KeyPress): ListAction | undefined {
  if (press.key === 'Escape') return { kind: 'cancel' };
  if (press.inTextField || press.ctrlKey || press.metaKey || press.altKey) return undefined;
  switch (press.key) {
    case 'ArrowDown':
      return { kind: 'move', delta: 1 };
    case 'ArrowUp':
      return { kind: 'move', delta: -1 };
    case 'PageDown':
      return { kind: 'move', delta: PAGE_ROWS };
    case 'PageUp':
      return { kind: 'move', delta: -PAGE_ROWS };
    case 'Home':
      return { kind: 'first' };
    case 'End':
      return { kind: 'last' };
    case ' ':
      return press.shiftKey ? { kind: 'select-toggle' } : { kind: 'expand' };
    case 'r':
    case 'R':
      return { kind: 'retrieve' };
    case 'o':
    case 'O':
    case 'Enter':
      return { kind: 'open' };
    case 'p':
    case 'P':
      return { kind: 'prefetch' };
    default:
      return undefined;
  }
}

/** The row index after a move, kept inside `[0, count)`; -1 when the list is empty. */
export function moveIndex(current: number, action: ListAction, count: number): number {
  if (count === 0) return -1;
  switch (action.kind) {
    case 'first':
      return 0;
    case 'last':
      return count - 1;
    case 'move':
      return Math.min(count - 1, Math.max(0, (current < 0 ? (action.delta > 0 ? -1 : count) : current) + action.delta));
    default:
      return Math.min(current, count - 1);
  }
}
