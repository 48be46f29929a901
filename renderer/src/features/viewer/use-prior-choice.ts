/**
 * Which prior stands beside the current study: the relevant earlier studies the prefetch rules
 * list (`viewer.priors`, the picker's choices) and the one shown — the newest relevant one when
 * a study opens, unless the open names another; any other from the picker.
 */
import { useCallback, useState } from 'react';
import { useTransport } from '../../app/api-context.js';
import { choicesOf, defaultPrior, type PriorChoice } from './prior-order.js';
import type { OpenStudy } from './use-viewer-studies.js';
import type { Layout } from './ViewerTools.js';

export interface PriorChoiceDeps {
  /** The study opened, whose priors these are. */
  opened: string | undefined;
  studies: ReadonlyMap<string, OpenStudy>;
  load(uid: string): Promise<OpenStudy | undefined>;
  layout: Layout;
  setLayout(layout: Layout): void;
}

export function usePriorChoice({ opened, studies, load, layout, setLayout }: PriorChoiceDeps) {
  const transport = useTransport();
  /** The prior shown ('' for none). */
  const [priorUid, setPriorUid] = useState('');
  const [choices, setChoices] = useState<PriorChoice[]>([]);

  const fetchPriors = useCallback(
    async (uid: string): Promise<PriorChoice[]> => {
      const r = await transport.call('viewer.priors', { StudyInstanceUID: uid });
      return r.ok ? choicesOf(r.value.priors) : [];
    },
    [transport],
  );
  /** Lists the priors again (one has arrived: retrieved from a PACS or prefetched). */
  const reload = useCallback(() => {
    if (opened) void fetchPriors(opened).then(setChoices);
  }, [opened, fetchPriors]);

  /** Shows a prior from the picker; one layout pane alone makes room for it. */
  const show = useCallback(
    async (uid: string) => {
      if (uid && !studies.has(uid)) await load(uid);
      setPriorUid(uid);
      if (uid && layout === '1x1') setLayout('1x2');
    },
    [studies, load, layout, setLayout],
  );

  /** Another study opens: no prior until its own are listed. */
  const clear = useCallback(() => {
    setPriorUid('');
    setChoices([]);
  }, []);

  /**
   * Lists the opened study's priors and shows the one `requested`, or else the default one.
   * False when another open has made this one stale before the list was taken.
   */
  const choose = useCallback(
    async (uid: string, requested: string | undefined, stale: () => boolean): Promise<boolean> => {
      const list = await fetchPriors(uid);
      const study = await transport.call('cache.studies', { StudyInstanceUID: uid });
      const wanted = requested ?? defaultPrior(list, study.ok ? study.value.studies[0]?.StudyDate : undefined);
      if (stale()) return false;
      setChoices(list);
      if (wanted) {
        await load(wanted);
        if (!stale()) setPriorUid(wanted);
      }
      return true;
    },
    [fetchPriors, transport, load],
  );

  return { priorUid, choices, reload, show, clear, choose };
}
