/**
 * The studies the viewer shows, read from the cache: each with its series and the one chosen
 * (the one asked for, else the series with the most images: the main stack rather than a
 * scout; a prior's is then matched to the current one, use-series-match.ts) as imageIds. A study
 * still arriving (its retrieve running, or opened before it started, or sent to us by a modality
 * or a PACS) is read again as its instances come in, the first arrival at once and then at most
 * once a second, so its panes grow while the radiologist looks.
 */
import { useCallback, useRef, useState } from 'react';
import type { SeriesRecord, StudyRecord } from '../../../../shared/records.js';
import { isFinished } from '../../../../shared/transfers.js';
import { useApiEvents, useTransport } from '../../app/api-context.js';
import { mainSeries } from '../../lib/main-series.js';
import { keyedThrottle } from '../../lib/throttle.js';
import { wadoUriImageId } from './image-ids.js';
import type { PaneSeries } from './StackPane.js';

/** A study as shown: its record, its series, the series in a pane. */
export interface OpenStudy {
  study: StudyRecord;
  series: SeriesRecord[];
  chosen?: PaneSeries;
}

const REFRESH_MS = 1000;

export function useViewerStudies(setError: (message: string | undefined) => void) {
  const transport = useTransport();
  const [studies, setStudies] = useState<ReadonlyMap<string, OpenStudy>>(new Map());
  /** Studies being retrieved: read again as their instances arrive. */
  const [arriving, setArriving] = useState<ReadonlySet<string>>(new Set());
  /** Arriving studies read again: the first arrival at once, then at most once a second per study. */
  const [rereads] = useState(() => keyedThrottle(REFRESH_MS));
  const studiesRef = useRef(studies);
  studiesRef.current = studies;
  /** The series asked for, per study, shown as soon as it is in the cache (a study that arrives with it first). */
  const wanted = useRef(new Map<string, string>());

  const imageIdsOf = useCallback(
    async (studyUid: string, s: SeriesRecord): Promise<string[] | undefined> => {
      const got = await transport.call('viewer.instances', { StudyInstanceUID: studyUid, SeriesInstanceUID: s.SeriesInstanceUID });
      if (!got.ok) {
        setError(got.error.message);
        return undefined;
      }
      return got.value.instances.map((i) =>
        wadoUriImageId({ StudyInstanceUID: studyUid, SeriesInstanceUID: s.SeriesInstanceUID, SOPInstanceUID: i.SOPInstanceUID }),
      );
    },
    [transport, setError],
  );

  /** Reads a study (and the chosen series' imageIds: `keep` one of the series, else the biggest). Undefined when not in the cache. */
  const read = useCallback(
    async (uid: string, keep?: string): Promise<OpenStudy | undefined> => {
      const [found, series] = await Promise.all([
        transport.call('cache.studies', { StudyInstanceUID: uid }),
        transport.call('cache.series', { StudyInstanceUID: uid }),
      ]);
      if (!found.ok) {
        setError(found.error.message);
        return undefined;
      }
      const study = found.value.studies[0];
      if (!study || !series.ok) return undefined;
      const list = series.value.series;
      const asked = keep ?? wanted.current.get(uid);
      const pick = list.find((s) => s.SeriesInstanceUID === asked) ?? mainSeries(list);
      if (!pick) return { study, series: list };
      const imageIds = await imageIdsOf(uid, pick);
      return {
        study,
        series: list,
        ...(imageIds
          ? { chosen: { SeriesInstanceUID: pick.SeriesInstanceUID, SeriesDescription: pick.SeriesDescription, Modality: pick.Modality, imageIds } }
          : {}),
      };
    },
    [transport, imageIdsOf, setError],
  );

  const put = useCallback((open: OpenStudy) => {
    setStudies((m) => new Map(m).set(open.study.StudyInstanceUID, open));
  }, []);

  /** Loads a study into the set (`series` the one to show, when in the cache); undefined when it is not in the cache (yet). */
  const load = useCallback(
    async (uid: string, series?: string): Promise<OpenStudy | undefined> => {
      if (series) wanted.current.set(uid, series);
      const open = await read(uid);
      if (open) put(open);
      return open;
    },
    [read, put],
  );

  /** Shows another series of a study. */
  const choose = useCallback(
    async (uid: string, s: SeriesRecord): Promise<void> => {
      const held = studiesRef.current.get(uid);
      wanted.current.delete(uid);
      const imageIds = await imageIdsOf(uid, s);
      if (!held || !imageIds) return;
      put({ ...held, chosen: { SeriesInstanceUID: s.SeriesInstanceUID, SeriesDescription: s.SeriesDescription, Modality: s.Modality, imageIds } });
    },
    [imageIdsOf, put],
  );

  /** Reads a study again (its chosen series kept), and tells `onFirst` when it appears in the cache. */
  const refresh = useCallback(
    async (uid: string, onFirst?: (open: OpenStudy) => void): Promise<void> => {
      const held = studiesRef.current.get(uid);
      // the series asked for (shown once it arrives, unless another was chosen since), else the one on screen
      const open = await read(uid, wanted.current.get(uid) ?? held?.chosen?.SeriesInstanceUID);
      if (!open) return;
      // the same imageIds: keep the object, so the pane is not told of a change
      if (
        held?.chosen &&
        open.chosen &&
        held.chosen.SeriesInstanceUID === open.chosen.SeriesInstanceUID &&
        held.chosen.imageIds.length === open.chosen.imageIds.length
      )
        open.chosen = held.chosen;
      put(open);
      if (!held) onFirst?.(open);
    },
    [read, put],
  );

  const onFirstRef = useRef<((open: OpenStudy) => void) | undefined>(undefined);
  /** Follows a study's retrieve: read again at most once a second while its jobs run, and at their end. */
  const follow = useCallback((uid: string, onFirst?: (open: OpenStudy) => void) => {
    onFirstRef.current = onFirst;
    setArriving((s) => new Set(s).add(uid));
  }, []);
  useApiEvents((e) => {
    if (e.type !== 'job.progress' && e.type !== 'job.finished' && e.type !== 'job.added' && e.type !== 'study.arrived') return;
    const uid = e.type === 'study.arrived' ? e.StudyInstanceUID : e.job.StudyInstanceUID;
    if (!arriving.has(uid) && !studiesRef.current.has(uid)) return;
    // sent to our SCP by whoever sends it (a modality, a PACS): read again like a retrieve's progress
    const end = e.type !== 'study.arrived' && (e.type === 'job.finished' || isFinished(e.job.state));
    if (end) {
      rereads.cancel(uid);
      setArriving((s) => {
        const n = new Set(s);
        n.delete(uid);
        return n;
      });
      void refresh(uid, onFirstRef.current);
      return;
    }
    rereads.schedule(uid, () => void refresh(uid, onFirstRef.current));
  });

  const reset = useCallback(() => {
    rereads.clear();
    setStudies(new Map());
    setArriving(new Set());
    wanted.current.clear();
  }, [rereads]);

  return { studies, arriving, load, choose, follow, reset, imageIdsOf };
}
