/**
 * Which prior stands beside the current study: the relevant earlier studies the prefetch rules
 * list (`viewer.priors`, the picker's choices) and the one shown — the newest relevant one when
 * a study opens, unless the open names another; any other from the picker. A prior that arrives
 * while the study is open (prefetched on the current study's arrival, sent by a PACS) joins the
 * picker, and shows itself when no prior is shown and none was picked: the radiologist who opens
 * a study the moment it arrives sees its prior as soon as the prior's first images are in.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApiEvents, useTransport } from '../../app/api-context.js';
import { keyedThrottle } from '../../lib/throttle.js';
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

/** Arrivals of other studies are looked at once a second at most. */
const ARRIVAL_MS = 1000;

export function usePriorChoice({ opened, studies, load, layout, setLayout }: PriorChoiceDeps) {
  const transport = useTransport();
  /** The prior shown ('' for none). */
  const [priorUid, setPriorUid] = useState('');
  const [choices, setChoices] = useState<PriorChoice[]>([]);
  /** What the arrival listener reads: the study opened, the prior shown, the choices, whether the radiologist picked. */
  const now = useRef({ opened, priorUid, choices, picked: false });
  now.current.opened = opened;
  now.current.priorUid = priorUid;
  now.current.choices = choices;

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
      now.current.picked = true;
      if (uid && !studies.has(uid)) await load(uid);
      setPriorUid(uid);
      if (uid && layout === '1x1') setLayout('1x2');
    },
    [studies, load, layout, setLayout],
  );

  /** Another study opens: no prior until its own are listed. */
  const clear = useCallback(() => {
    now.current.picked = false;
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

  // another study arrived: if it is a prior of the opened one it joins the picker, and shows itself
  // when no prior is shown and none was picked (the first arrival at once, later ones at most once a second)
  const [looks] = useState(() => keyedThrottle(ARRIVAL_MS));
  useEffect(() => () => looks.clear(), [opened, looks]);
  useApiEvents((e) => {
    // stored by our SCP (a C-MOVE, a push), or by a C-GET's own association (its job's progress)
    const arrived = e.type === 'study.arrived' ? e.StudyInstanceUID : e.type === 'job.progress' ? e.job.StudyInstanceUID : undefined;
    if (!arrived || !opened || arrived === opened) return;
    if (now.current.choices.some((c) => c.study.StudyInstanceUID === arrived)) return;
    const uid = opened;
    const untouched = (): boolean => uid === now.current.opened && !now.current.priorUid && !now.current.picked;
    looks.schedule(uid, () => {
      if (!untouched()) return reload();
      void choose(uid, undefined, () => !untouched()).then((settled) => {
        if (!settled && uid === now.current.opened) reload();
      });
    });
  });

  return { priorUid, choices, reload, show, clear, choose };
}
