/**
 * The Viewer: opens a cached study on `priors:open-study` (dispatched by Search, Local cache
 * and Transfers), shows its series as thumbnails and the chosen one in a stack viewport, and
 * beside it a prior of the same patient: the picker lists the patient's other cached studies,
 * those a prefetch rule chose first, then the others, newest first, and can ask a PACS for the
 * ones not here yet and retrieve them; "Prefetch priors" runs the rules for the open study and
 * the picker takes in what they bring as their retrieves end. Scrolling of
 * the two panes is linked (by slice position when both are axial, else by index; see
 * sync.ts) and so, optionally, is the window. cornerstone3D is imported lazily, on the first
 * open, so the other screens do not carry it.
 */
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { useHold } from './use-hold.js';
import { isArchive, type RemoteNode } from '../../../../shared/config.js';
import type { SeriesRecord, StudyRecord } from '../../../../shared/records.js';
import { useTransport } from '../../app/api-context.js';
import { PrefetchStatus } from '../../app/PrefetchStatus.js';
import { formatDicomDate } from '../../lib/format.js';
import { wadoUriImageId } from './image-ids.js';
import { defaultPrior, orderPriors, type PriorChoice } from './prior-order.js';
import { PriorPicker } from './PriorPicker.js';
import { RemotePriorsPanel } from './RemotePriorsPanel.js';
import { SeriesStrip } from './SeriesStrip.js';
import { StackPane, type PaneControl, type PaneEvents, type PaneSeries } from './StackPane.js';
import { syncedIndex, linkMode, type LinkedStack } from './sync.js';
import { usePriorsPrefetch } from './use-priors-prefetch.js';
import { useRemotePriors } from './use-remote-priors.js';

type Engine = typeof import('./engine.js');

interface OpenStudy { study: StudyRecord; series: SeriesRecord[]; chosen?: PaneSeries }
type Side = 'current' | 'prior';

const IMAGE_LESS = new Set(['SR', 'PR', 'KO', 'RTPLAN', 'RTSTRUCT', 'REG', 'DOC']);

/**
 * cornerstone3D, loaded and initialised once the app has been idle for a moment (a few MB of
 * code and the codecs' workers): opening the first study then costs only its images.
 * `data-viewer-ready` on the root element says when it is there.
 */
let preloaded: Promise<Engine> | undefined;
function loadEngine(): Promise<Engine> {
  preloaded ??= import('./engine.js').then(async (eng) => {
    await eng.initEngine(cacheMegabytes() * 1e6);
    document.documentElement.dataset.viewerReady = 'true';
    return eng;
  });
  return preloaded;
}

/** The bound of decoded images kept in memory, chosen in the viewer's bar (this browser remembers it). */
const CACHE_KEY = 'priors.viewer.cacheMB';
const CACHE_CHOICES = [256, 512, 1024, 2048, 4096];
function cacheMegabytes(): number {
  const v = Number(globalThis.localStorage?.getItem(CACHE_KEY));
  return CACHE_CHOICES.includes(v) ? v : 1024;
}

/** The Viewer screen. */
export function ViewerScreen({ active }: { active: boolean }): ReactElement {
  const transport = useTransport();
  const [engine, setEngine] = useState<Engine | undefined>();
  const [current, setCurrent] = useState<OpenStudy | undefined>();
  const [prior, setPrior] = useState<OpenStudy | undefined>();
  const [others, setOthers] = useState<PriorChoice[]>([]);
  // what is shown stays in the cache (the current study's hold also covers its patient's priors)
  useHold(current?.study.StudyInstanceUID);
  useHold(prior?.study.StudyInstanceUID);
  const [nodes, setNodes] = useState<RemoteNode[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [linkScroll, setLinkScroll] = useState(true);
  const [linkVoi, setLinkVoi] = useState(false);
  const [mode, setMode] = useState<'position' | 'index' | undefined>();
  const [cacheMb, setCacheMb] = useState(cacheMegabytes);

  // the link between the panes: their stacks, where each is, and the indices when linked
  const controls = { current: useRef<PaneControl | undefined>(undefined), prior: useRef<PaneControl | undefined>(undefined) };
  const stacks = useRef<Partial<Record<Side, LinkedStack>>>({});
  const at = useRef<Record<Side, number>>({ current: 0, prior: 0 });
  const anchor = useRef<{ current: number; prior: number } | undefined>(undefined);
  const relink = useCallback(() => {
    const { current: c, prior: p } = stacks.current;
    anchor.current = c && p ? { ...at.current } : undefined;
    setMode(c && p ? linkMode(c, p) : undefined);
  }, []);

  const paneEvents = (side: Side): PaneEvents => {
    const other: Side = side === 'current' ? 'prior' : 'current';
    return {
      onStack: (stack) => {
        stacks.current[side] = stack;
        at.current[side] = stack.index;
        relink();
      },
      onIndex: (index, bySync) => {
        at.current[side] = index;
        if (bySync || !linkScroll || !anchor.current) return;
        const from = stacks.current[side]; const to = stacks.current[other];
        if (!from || !to) return;
        const target = syncedIndex(from, to, index, { from: anchor.current[side], to: anchor.current[other] });
        at.current[other] = target;
        controls[other].current?.goTo(target);
      },
      onVoi: (range, bySync) => {
        if (!bySync && linkVoi) controls[other].current?.setVoi(range);
      },
    };
  };

  const openStudy = useCallback(async (uid: string): Promise<OpenStudy | undefined> => {
    const [studies, series] = await Promise.all([
      transport.call('cache.studies', { StudyInstanceUID: uid }), transport.call('cache.series', { StudyInstanceUID: uid }),
    ]);
    if (!studies.ok) { setError(studies.error.message); return undefined; }
    const study = studies.value.studies[0];
    if (!study) { setError(`The study ${uid} is not in the local cache.`); return undefined; }
    if (!series.ok) { setError(series.error.message); return undefined; }
    return { study, series: series.value.series };
  }, [transport]);

  const imageIdsOf = useCallback(async (studyUid: string, s: SeriesRecord): Promise<string[] | undefined> => {
    const got = await transport.call('viewer.instances', { StudyInstanceUID: studyUid, SeriesInstanceUID: s.SeriesInstanceUID });
    if (!got.ok) { setError(got.error.message); return undefined; }
    return got.value.instances.map((i) => wadoUriImageId({ StudyInstanceUID: studyUid, SeriesInstanceUID: s.SeriesInstanceUID, SOPInstanceUID: i.SOPInstanceUID }));
  }, [transport]);

  const choose = useCallback(async (open: OpenStudy, s: SeriesRecord): Promise<OpenStudy> => {
    const imageIds = await imageIdsOf(open.study.StudyInstanceUID, s);
    if (!imageIds) return open;
    return { ...open, chosen: { SeriesInstanceUID: s.SeriesInstanceUID, SeriesDescription: s.SeriesDescription, Modality: s.Modality, imageIds } };
  }, [imageIdsOf]);

  const firstImageSeries = useCallback(async (open: OpenStudy): Promise<OpenStudy> => {
    const withImages = open.series.filter((x) => !IMAGE_LESS.has(x.Modality ?? ''));
    // the series with the most images: the main stack rather than a scout
    const s = withImages.sort((a, b) => b.NumberOfSeriesRelatedInstances - a.NumberOfSeriesRelatedInstances)[0] ?? open.series[0];
    return s ? choose(open, s) : open;
  }, [choose]);

  const loadOthers = useCallback(async (study: StudyRecord) => {
    const all = await transport.call('cache.studies', { PatientID: study.PatientID, IssuerOfPatientID: study.IssuerOfPatientID });
    const list = all.ok ? orderPriors(all.value.studies, all.value.prefetched ?? {}, study.StudyInstanceUID) : [];
    setOthers(list);
    return list;
  }, [transport]);
  const reloadOthers = useCallback(() => { if (current) void loadOthers(current.study); }, [current, loadOthers]);
  const { remote, retrieving, ask: askPacs, retrieve, reset: resetRemote } = useRemotePriors(current?.study, reloadOthers, setError);
  const prefetch = usePriorsPrefetch(current?.study, reloadOthers);

  const showPrior = useCallback(async (uid: string) => {
    stacks.current.prior = undefined;
    relink();
    if (!uid) { setPrior(undefined); return; }
    const o = await openStudy(uid);
    if (o) setPrior(await firstImageSeries(o));
  }, [openStudy, firstImageSeries, relink]);

  useEffect(() => {
    const timer = setTimeout(() => { void loadEngine().then(setEngine).catch(() => undefined); }, 1500);
    return () => clearTimeout(timer);
  }, []);

  useEffect(() => {
    const onOpen = (e: Event): void => {
      const detail = (e as CustomEvent<{ StudyInstanceUID?: string; PriorStudyInstanceUID?: string }>).detail;
      const uid = detail?.StudyInstanceUID;
      if (!uid) return;
      setError(undefined);
      void (async () => {
        const eng = engine ?? await loadEngine();
        setEngine(eng);
        const open = await openStudy(uid);
        if (!open) return;
        stacks.current = {};
        relink();
        resetRemote();
        setCurrent(await firstImageSeries(open));
        const list = await loadOthers(open.study);
        const wanted = detail?.PriorStudyInstanceUID ?? defaultPrior(list, open.study.StudyDate);
        await showPrior(wanted ?? '');
        const n = await transport.call('nodes.list', {});
        // only archives hold priors (a worklist provider or a modality does not)
        setNodes(n.ok ? n.value.nodes.filter(isArchive) : []);
      })().catch((err: unknown) => setError(`The viewer could not start: ${(err as Error).message}`));
    };
    window.addEventListener('priors:open-study', onOpen);
    return () => window.removeEventListener('priors:open-study', onOpen);
  });

  if (!current || !engine) {
    return <div className="viewer" data-active={active}>{error ? <p role="alert">{error}</p> : <p>Open a study from Search or Local cache (O).</p>}</div>;
  }
  const column = (side: Side, open: OpenStudy, set: (o: OpenStudy) => void, title: string): ReactElement => (
    <div className="viewer-column" data-study={open.study.StudyInstanceUID}>
      <h2>{title} · {open.study.PatientName ?? ''} · {formatDicomDate(open.study.StudyDate ?? '')} · {open.study.StudyDescription ?? ''}</h2>
      <SeriesStrip engine={engine} series={open.series} chosen={open.chosen?.SeriesInstanceUID} label={`${title} series`}
        onChoose={(s) => { stacks.current[side] = undefined; relink(); void choose(open, s).then(set); }}
        middleImageId={async (s) => { const ids = await imageIdsOf(open.study.StudyInstanceUID, s); return ids?.[Math.floor(ids.length / 2)]; }} />
      {open.chosen && <StackPane key={open.chosen.SeriesInstanceUID} engine={engine} viewportId={side} series={open.chosen}
        label={side === 'current' ? 'Current study' : 'Prior study'} control={controls[side]} events={paneEvents(side)} />}
    </div>
  );
  return (
    <div className="viewer" data-active={active}>
      {error && <p role="alert">{error}</p>}
      <div className="viewer-bar" role="toolbar" aria-label="Comparison">
        <PriorPicker choices={others} value={prior?.study.StudyInstanceUID ?? ''} onChange={(uid) => void showPrior(uid)} />
        <label><input type="checkbox" checked={linkScroll} onChange={(e) => { setLinkScroll(e.target.checked); relink(); }} /> Link scrolling{mode ? ` (by ${mode})` : ''}</label>
        <label><input type="checkbox" checked={linkVoi} onChange={(e) => setLinkVoi(e.target.checked)} /> Link window</label>
        <label title="Decoded images kept in memory; the least recently used go first">Image memory{' '}
          <select aria-label="Image memory" value={cacheMb} onChange={(e) => {
            const mb = Number(e.target.value);
            setCacheMb(mb);
            try { globalThis.localStorage?.setItem(CACHE_KEY, String(mb)); } catch { /* private mode */ }
            engine.setCacheBytes(mb * 1e6);
          }}>
            {CACHE_CHOICES.map((mb) => <option key={mb} value={mb}>{mb >= 1024 ? `${mb / 1024} GB` : `${mb} MB`}</option>)}
          </select>
        </label>
        <button type="button" onClick={prefetch.run} disabled={prefetch.action.busy}
          title="Run the prefetch rules for this study: its patient's relevant earlier studies are retrieved">Prefetch priors</button>
        {nodes.length > 0 && (
          <span className="viewer-pacs">
            Priors on the PACS:{' '}
            {nodes.map((n) => <button key={n.name} type="button" onClick={() => void askPacs(n.name)}>Ask {n.name}</button>)}
          </span>
        )}
      </div>
      <PrefetchStatus action={prefetch.action} patient={current.study.PatientName ?? current.study.PatientID ?? ''} />
      {remote && <RemotePriorsPanel remote={remote} retrieving={retrieving} onRetrieve={(node, row) => void retrieve(node, row)} />}
      <div className="viewer-grid" style={{ display: 'grid', gridTemplateColumns: prior ? '1fr 1fr' : '1fr', gap: '8px' }}>
        {column('current', current, setCurrent, 'Current')}
        {prior && column('prior', prior, setPrior, 'Prior')}
      </div>
    </div>
  );
}
