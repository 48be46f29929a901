/**
 * The context menu of a study row: the actions of its keys, for the mouse (open, or retrieve and
 * open when the study is not fully cached; retrieve; its series; prefetch of its patient's
 * priors; a cached study exported, in the Local cache screen's dialog, or sent to a node). Arrows
 * move between the items, Esc or a click elsewhere closes it.
 */
import { type KeyboardEvent, useEffect, useRef } from 'react';
import type { ListAction } from '../../lib/keyboard.js';
import { EXPORT_STUDY_EVENT, exportStudyDetail } from '../local/cache-view.js';
import type { StudyRow } from './study-rows.js';

/** Asks for the export dialog with this study ticked (the shell shows the Local cache screen, which opens it). */
function exportStudy(StudyInstanceUID: string): void {
  window.dispatchEvent(new CustomEvent(EXPORT_STUDY_EVENT, { detail: exportStudyDetail(StudyInstanceUID) }));
}

/** Where the menu opens and for which row. */
export interface RowMenuAt {
  x: number;
  y: number;
  row: StudyRow;
}

export function RowMenu({
  x,
  y,
  row,
  sendTo = [],
  onAction,
  onSend,
  onClose,
}: RowMenuAt & {
  /** The nodes a cached study may be sent to. */
  sendTo?: readonly string[];
  onAction(action: ListAction): void;
  onSend?(node: string): void;
  onClose(): void;
}) {
  const ref = useRef<HTMLUListElement>(null);
  useEffect(() => {
    ref.current?.querySelector('button')?.focus();
    const away = (e: MouseEvent): void => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    // capture: Esc closes the menu before the screen takes it to cancel a search
    const escape = (e: globalThis.KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener('mousedown', away);
    window.addEventListener('keydown', escape, true);
    return () => {
      window.removeEventListener('mousedown', away);
      window.removeEventListener('keydown', escape, true);
    };
  }, [onClose]);
  const full = row.cache === 'full';
  const items: { label: string; key: string; action: ListAction }[] = [
    { label: full ? 'Open' : 'Retrieve and open', key: 'O', action: { kind: 'open' } },
    ...(full ? [] : [{ label: 'Retrieve', key: 'R', action: { kind: 'retrieve' } as const }]),
    { label: 'Show series', key: 'Space', action: { kind: 'expand' } },
    { label: 'Prefetch priors', key: 'P', action: { kind: 'prefetch' } },
  ];
  const move = (e: KeyboardEvent<HTMLUListElement>): void => {
    // the keys stay in the menu: the table's own arrow keys would move its focused row
    e.stopPropagation();
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const buttons = Array.from(ref.current?.querySelectorAll('button') ?? []);
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    buttons[(at + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
  };
  return (
    <ul
      ref={ref}
      className="row-menu"
      role="menu"
      aria-label={`Actions on ${row.StudyDescription || 'the study'}`}
      style={{ left: x, top: y }}
      onKeyDown={move}
    >
      {items.map((it) => (
        <li key={it.label} role="none">
          <button type="button" role="menuitem" onClick={() => onAction(it.action)}>
            {it.label}
            <kbd>{it.key}</kbd>
          </button>
        </li>
      ))}
      {full && (
        <li role="none">
          <button
            type="button"
            role="menuitem"
            onClick={() => {
              onClose();
              exportStudy(row.StudyInstanceUID);
            }}
          >
            Export…
          </button>
        </li>
      )}
      {full &&
        onSend &&
        sendTo.map((node) => (
          <li key={`send-${node}`} role="none">
            <button type="button" role="menuitem" onClick={() => onSend(node)}>
              Send to {node}
            </button>
          </li>
        ))}
    </ul>
  );
}
