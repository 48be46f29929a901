/**
 * The series each prior pane shows: the one that best matches the current pane's series
 * (series-match.ts), from the cache's records and the header of each series' middle image
 * (orientation, slice thickness), instead of the prior's largest series. A prior pane waits for
 * the choice (a few headers) rather than loading a stack it would drop; a series the
 * radiologist picks for a prior stays until another study is opened.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SeriesRecord } from '../../../../shared/records.js';
import { IMAGE_LESS } from '../../lib/main-series.js';
import { bestMatch, type SeriesMatch, type SeriesTraits } from './series-match.js';
import type { OpenStudy } from './use-viewer-studies.js';

type Engine = typeof import('./engine.js');

/** A prior pane's series: matched (with why), picked by the radiologist, or still being chosen. */
export interface PriorSeriesChoice {
  pending: boolean;
  byUser: boolean;
  match?: SeriesMatch;
}

/** Most series of one prior whose middle image is read to compare (a study of dozens of series keeps the rest by their records). */
const HEADERS_READ = 16;

export function useSeriesMatch(
  engine: Engine | undefined,
  panes: readonly OpenStudy[],
  imageIdsOf: (study: string, s: SeriesRecord) => Promise<string[] | undefined>,
  choose: (study: string, s: SeriesRecord) => Promise<void>,
) {
  const [choices, setChoices] = useState<ReadonlyMap<string, PriorSeriesChoice>>(new Map());
  const traits = useRef(new Map<string, Promise<SeriesTraits>>());
  const decided = useRef(new Map<string, string>());
  const byUser = useRef(new Set<string>());
  /** Priors whose choice is being made; one cut short (the panes changed) is made again by the next run. */
  const inflight = useRef(new Set<string>());

  const traitsOf = useCallback(
    (study: string, s: SeriesRecord, readHeader: boolean): Promise<SeriesTraits> => {
      const key = s.SeriesInstanceUID;
      const held = traits.current.get(key);
      if (held) return held;
      const base: SeriesTraits = {
        SeriesInstanceUID: s.SeriesInstanceUID,
        images: s.NumberOfSeriesRelatedInstances,
        ...(s.Modality ? { Modality: s.Modality } : {}),
        ...(s.BodyPartExamined ? { BodyPartExamined: s.BodyPartExamined } : {}),
        ...(s.SeriesDescription ? { SeriesDescription: s.SeriesDescription } : {}),
      };
      if (!engine || !readHeader || IMAGE_LESS.has((s.Modality ?? '').toUpperCase())) return Promise.resolve(base);
      const p = (async () => {
        const ids = await imageIdsOf(study, s);
        const middle = ids?.[Math.floor(ids.length / 2)];
        if (!middle) return base;
        // an image that cannot be read compares by its records alone
        return { ...base, ...(await engine.headerTraits(middle).catch(() => ({}))) };
      })();
      traits.current.set(key, p);
      return p;
    },
    [engine, imageIdsOf],
  );

  const current = panes[0];
  const currentSeries = current?.chosen ? current.series.find((s) => s.SeriesInstanceUID === current.chosen!.SeriesInstanceUID) : undefined;
  const priors = panes.slice(1);
  const priorKey = priors.map((p) => p.study.StudyInstanceUID).join(',');

  useEffect(() => {
    if (!current || !currentSeries || !engine) return;
    let cancelled = false;
    for (const prior of priors) {
      const uid = prior.study.StudyInstanceUID;
      const key = `${currentSeries.SeriesInstanceUID}|${uid}`;
      if (byUser.current.has(uid) || decided.current.get(uid) === key) continue;
      decided.current.set(uid, key);
      inflight.current.add(uid);
      setChoices((m) => new Map(m).set(uid, { pending: true, byUser: false }));
      void (async () => {
        const mine = await traitsOf(current.study.StudyInstanceUID, currentSeries, true);
        const theirs = await Promise.all(prior.series.map((s, i) => traitsOf(uid, s, i < HEADERS_READ)));
        const match = bestMatch(mine, theirs);
        if (cancelled || byUser.current.has(uid)) return;
        const record = match && prior.series.find((s) => s.SeriesInstanceUID === match.series.SeriesInstanceUID);
        if (record && record.SeriesInstanceUID !== prior.chosen?.SeriesInstanceUID) await choose(uid, record);
        if (cancelled) return;
        inflight.current.delete(uid);
        setChoices((m) => new Map(m).set(uid, { pending: false, byUser: false, ...(match ? { match } : {}) }));
      })().catch(() => {
        // the prior keeps the series it opened on
        if (cancelled) return;
        inflight.current.delete(uid);
        setChoices((m) => new Map(m).set(uid, { pending: false, byUser: false }));
      });
    }
    return () => {
      cancelled = true;
      for (const uid of inflight.current) decided.current.delete(uid);
      inflight.current.clear();
    };
    // keyed by the series on screen and the priors shown, not by every refresh of their records
  }, [engine, current?.study.StudyInstanceUID, currentSeries?.SeriesInstanceUID, priorKey, traitsOf, choose]);

  /** The radiologist picks a prior's series: shown, and kept over any match. */
  const pick = useCallback(
    (study: string, s: SeriesRecord) => {
      byUser.current.add(study);
      setChoices((m) => new Map(m).set(study, { pending: false, byUser: true }));
      void choose(study, s);
    },
    [choose],
  );

  /** Forgets every choice (another study opened). */
  const reset = useCallback(() => {
    decided.current.clear();
    inflight.current.clear();
    byUser.current.clear();
    setChoices(new Map());
  }, []);

  return { choices, pick, reset };
}
