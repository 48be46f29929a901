/**
 * Arrow keys in the tables and lists of the screens (Transfers, Local cache, Nodes, Activity):
 * rows are the elements marked `data-row` (focusable with tabIndex -1); ArrowUp/ArrowDown,
 * PageUp/PageDown, Home/End move the focus between them; Enter on a row activates its
 * `data-primary` control. Keys typed in a field or on a button other than Enter are left alone.
 */
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';
import { rowTarget } from './row-target.js';

/** The keydown handler to put on a table body or list. */
export function rowKeyDown(e: ReactKeyboardEvent<HTMLElement>): void {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const target = e.target as HTMLElement;
  if (target.closest('input, select, textarea')) return;
  const rows = [...e.currentTarget.querySelectorAll<HTMLElement>('[data-row]')];
  const row = target.closest<HTMLElement>('[data-row]');
  const current = row ? rows.indexOf(row) : -1;
  if (e.key === 'Enter' && row === target) {
    const primary = row.querySelector<HTMLElement>('[data-primary]');
    if (primary) {
      e.preventDefault();
      primary.click();
    }
    return;
  }
  const next = rowTarget(e.key, current, rows.length);
  if (next === undefined) return;
  e.preventDefault();
  rows[next]?.focus();
}
