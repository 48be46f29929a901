/**
 * The link between the viewer's panes (sync.ts does the arithmetic): where each pane's stack is,
 * the indices when the link was made, and what a pane's scrolling or window does to the others.
 * When a stack is ready, the other panes are aligned to the current one (slot 0) at once — by
 * position when the two allow it — so they correspond from the first image shown.
 */
import { type MutableRefObject, useCallback, useMemo, useRef, useState } from 'react';
import type { PaneControl, PaneEvents } from './StackPane.js';
import { type LinkedStack, type LinkHow, linkHow, syncedIndex } from './sync.js';

export const MAX_PANES = 4;

export function useLink(linkScroll: boolean, linkVoi: boolean) {
  const controls = useRef<MutableRefObject<PaneControl | undefined>[]>(Array.from({ length: MAX_PANES }, () => ({ current: undefined })));
  const stacks = useRef<(LinkedStack | undefined)[]>([]);
  const at = useRef<number[]>([]);
  const anchor = useRef<number[]>([]);
  /** How each pane is linked to the current one (slot 0), for the screen. */
  const [how, setHow] = useState<(LinkHow | undefined)[]>([]);

  const relink = useCallback(() => {
    anchor.current = [...at.current];
    const first = stacks.current[0];
    setHow(stacks.current.map((s, i) => (i === 0 || !first || !s ? undefined : linkHow(first, s))));
  }, []);

  /** Moves every other ready pane to the slice matching `from`'s. */
  const follow = useCallback((from: number, index: number) => {
    const source = stacks.current[from];
    if (!source) return;
    stacks.current.forEach((target, i) => {
      if (i === from || !target) return;
      const next = syncedIndex(source, target, index, { from: anchor.current[from] ?? index, to: anchor.current[i] ?? at.current[i] ?? 0 });
      at.current[i] = next;
      controls.current[i]!.current?.goTo(next);
    });
  }, []);

  /** Aligns the panes to the current one (after a stack changed), then takes the new anchor. */
  const align = useCallback(() => {
    const first = stacks.current[0];
    if (linkScroll && first) {
      stacks.current.forEach((target, i) => {
        if (i === 0 || !target) return;
        const how = linkHow(first, target);
        if (how === 'index') return; // by index the panes keep where they are
        const next = syncedIndex(first, target, at.current[0] ?? 0, { from: 0, to: 0 });
        at.current[i] = next;
        controls.current[i]!.current?.goTo(next);
      });
    }
    relink();
  }, [linkScroll, relink]);

  const events = useCallback(
    (slot: number): PaneEvents => ({
      onStack: (stack) => {
        stacks.current[slot] = stack;
        at.current[slot] = stack.index;
        align();
      },
      onIndex: (index, bySync) => {
        at.current[slot] = index;
        if (bySync || !linkScroll) return;
        follow(slot, index);
      },
      onVoi: (range, bySync) => {
        if (bySync || !linkVoi) return;
        controls.current.forEach((c, i) => {
          if (i !== slot) c.current?.setVoi(range);
        });
      },
      // its stack goes with it (the slot's next pane reports its own)
      onClose: () => {
        stacks.current[slot] = undefined;
        relink();
      },
    }),
    [align, follow, linkScroll, linkVoi, relink],
  );

  const eventsBySlot = useMemo(() => Array.from({ length: MAX_PANES }, (_, i) => events(i)), [events]);
  return { controls: controls.current, events: eventsBySlot, how, relink, align };
}
