/**
 * The Viewer: opens a cached study on `priors:open-study` (dispatched by Search and Local cache),
 * lists its series, shows the chosen one in a stack viewport, and beside it a prior of the same
 * patient (picker: the patient's other cached studies, newest first). cornerstone3D is imported
 * lazily, on the first open, so the other screens do not carry it.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { SeriesRecord, StudyRecord } from '../../../../shared/records.js';
import { useTransport } from '../../app/api-context.js';
import { wadoUriImageId } from './image-ids.js';
import { StackPane, type PaneSeries } from './StackPane.js';

type Engine = typeof import('./engine.js');

interface OpenStudy { study: StudyRecord; series: SeriesRecord[]; chosen?: PaneSeries }

/** The Viewer screen. */
export function ViewerScreen({ active }: { active: boolean }): ReactElement {
  const transport = useTransport();
  const [engine, setEngine] = useState<Engine | undefined>();
  const [current, setCurrent] = useState<OpenStudy | undefined>();
  const [prior, setPrior] = useState<OpenStudy | undefined>();
  const [others, setOthers] = useState<StudyRecord[]>([]);
  const [error, setError] = useState<string | undefined>();

  async function openStudy(uid: string): Promise<OpenStudy | undefined> {
    const studies = await transport.call('cache.studies', {});
    if (!studies.ok) { setError(studies.error.message); return undefined; }
    const study = studies.value.studies.find((s) => s.StudyInstanceUID === uid);
    if (!study) { setError(`The study ${uid} is not in the local cache.`); return undefined; }
    const series = await transport.call('cache.series', { StudyInstanceUID: uid });
    if (!series.ok) { setError(series.error.message); return undefined; }
    return { study, series: series.value.series };
  }

  async function choose(open: OpenStudy, s: SeriesRecord): Promise<OpenStudy> {
    const got = await transport.call('viewer.instances', { StudyInstanceUID: open.study.StudyInstanceUID, SeriesInstanceUID: s.SeriesInstanceUID });
    if (!got.ok) { setError(got.error.message); return open; }
    const imageIds = got.value.instances.map((i) => wadoUriImageId({ StudyInstanceUID: open.study.StudyInstanceUID, SeriesInstanceUID: s.SeriesInstanceUID, SOPInstanceUID: i.SOPInstanceUID }));
    return { ...open, chosen: { SeriesInstanceUID: s.SeriesInstanceUID, SeriesDescription: s.SeriesDescription, Modality: s.Modality, imageIds } };
  }

  async function firstImageSeries(open: OpenStudy): Promise<OpenStudy> {
    const s = open.series.find((x) => x.Modality !== 'SR' && x.Modality !== 'PR' && x.Modality !== 'KO') ?? open.series[0];
    return s ? choose(open, s) : open;
  }

  useEffect(() => {
    const onOpen = (e: Event): void => {
      const uid = (e as CustomEvent<{ StudyInstanceUID?: string }>).detail?.StudyInstanceUID;
      if (!uid) return;
      setError(undefined);
      void (async () => {
        const eng = engine ?? await import('./engine.js');
        await eng.initEngine();
        setEngine(eng);
        const open = await openStudy(uid);
        if (!open) return;
        setCurrent(await firstImageSeries(open));
        setPrior(undefined);
        const all = await transport.call('cache.studies', { PatientID: open.study.PatientID, IssuerOfPatientID: open.study.IssuerOfPatientID });
        setOthers(all.ok ? all.value.studies.filter((s) => s.StudyInstanceUID !== uid)
          .sort((a, b) => (b.StudyDate ?? '').localeCompare(a.StudyDate ?? '')) : []);
      })().catch((err: unknown) => setError(`The viewer could not start: ${(err as Error).message}`));
    };
    window.addEventListener('priors:open-study', onOpen);
    return () => window.removeEventListener('priors:open-study', onOpen);
  });

  const seriesList = (open: OpenStudy, set: (o: OpenStudy) => void): ReactElement => (
    <ul className="viewer-series" aria-label="Series">
      {open.series.map((s) => (
        <li key={s.SeriesInstanceUID}>
          <button type="button" aria-pressed={open.chosen?.SeriesInstanceUID === s.SeriesInstanceUID}
            onClick={() => void choose(open, s).then(set)}>
            {s.SeriesNumber ?? ''} {s.Modality ?? ''} {s.SeriesDescription ?? ''} ({s.NumberOfSeriesRelatedInstances})
          </button>
        </li>
      ))}
    </ul>
  );

  if (!current || !engine) {
    return <div className="viewer" data-active={active}>{error ? <p role="alert">{error}</p> : <p>Open a study from Search or Local cache (O).</p>}</div>;
  }
  return (
    <div className="viewer" data-active={active} style={{ display: 'grid', gridTemplateColumns: prior ? '1fr 1fr' : '1fr', gap: '8px' }}>
      {error && <p role="alert">{error}</p>}
      <div>
        <h2>{current.study.PatientName ?? ''} · {current.study.StudyDate ?? ''} · {current.study.StudyDescription ?? ''}</h2>
        {seriesList(current, setCurrent)}
        <label>Prior{' '}
          <select value={prior?.study.StudyInstanceUID ?? ''} onChange={(e) => {
            const uid = e.target.value;
            if (!uid) { setPrior(undefined); return; }
            void openStudy(uid).then(async (o) => { if (o) setPrior(await firstImageSeries(o)); });
          }}>
            <option value="">None</option>
            {others.map((s) => <option key={s.StudyInstanceUID} value={s.StudyInstanceUID}>{s.StudyDate ?? ''} {s.StudyDescription ?? ''}</option>)}
          </select>
        </label>
        {current.chosen && <StackPane key={current.chosen.SeriesInstanceUID} engine={engine} viewportId="current" series={current.chosen} label="Current study" />}
      </div>
      {prior && (
        <div>
          <h2>Prior · {prior.study.StudyDate ?? ''} · {prior.study.StudyDescription ?? ''}</h2>
          {seriesList(prior, setPrior)}
          {prior.chosen && <StackPane key={prior.chosen.SeriesInstanceUID} engine={engine} viewportId="prior" series={prior.chosen} label="Prior study" />}
        </div>
      )}
    </div>
  );
}
