/**
 * The Viewer: opens a cached study on `priors:open-study` (dispatched by Search, Local cache
 * and Transfers), shows its series as thumbnails and the chosen one in a stack viewport, and
 * beside it a prior of the same patient: the picker lists the patient's other cached studies,
 * newest first, and can ask a PACS for the ones not here yet and retrieve them. Scrolling of
 * the two panes is linked (by slice position when both are axial, else by index; see
 * sync.ts) and so, optionally, is the window. cornerstone3D is imported lazily, on the first
 * open, so the other screens do not carry it.
 */
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { useHold } from './use-hold.js';
import type { MatchRow } from '../../../../shared/api/contract.js';
import type { RemoteNode } from '../../../../shared/config.js';
import type { SeriesRecord, StudyRecord } from '../../../../shared/records.js';
import { useApiEvents, useTransport } from '../../app/api-context.js';
import { formatDicomDate } from '../../lib/format.js';
import { wadoUriImageId } from './image-ids.js';
import { SeriesStrip } from './SeriesStrip.js';
import { StackPane, type PaneControl, type PaneEvents, type PaneSeries } from './StackPane.js';
import { syncedIndex, linkMode, type LinkedStack } from './sync.js';

type Engine = typeof import('./engine.js');

interface OpenStudy { study: StudyRecord; series: SeriesRecord[]; chosen?: PaneSeries }
type Side = 'current' | 'prior';

/** Studies a PACS holds for the patient that the cache does not (yet). */
interface RemotePriors { node: string; state: 'asking' | 'done' | 'failed'; rows: MatchRow[]; message?: string; searchId?: string }

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
  const [others, setOthers] = useState<StudyRecord[]>([]);
  // what is shown stays in the cache (the current study's hold also covers its patient's priors)
  useHold(current?.study.StudyInstanceUID);
  useHold(prior?.study.StudyInstanceUID);
  const [nodes, setNodes] = useState<RemoteNode[]>([]);
  const [remote, setRemote] = useState<RemotePriors | undefined>();
  const [retrieving, setRetrieving] = useState<ReadonlySet<string>>(new Set());
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
    const list = all.ok ? all.value.studies.filter((s) => s.StudyInstanceUID !== study.StudyInstanceUID)
      .sort((a, b) => (b.StudyDate ?? '').localeCompare(a.StudyDate ?? '')) : [];
    setOthers(list);
    return list;
  }, [transport]);

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
        setRemote(undefined);
        setCurrent(await firstImageSeries(open));
        const list = await loadOthers(open.study);
        // the newest earlier study is the prior a radiologist compares with first
        const wanted = detail?.PriorStudyInstanceUID ?? list.find((s) => (s.StudyDate ?? '') <= (open.study.StudyDate ?? '~'))?.StudyInstanceUID;
        await showPrior(wanted ?? '');
        const n = await transport.call('nodes.list', {});
        setNodes(n.ok ? n.value.nodes : []);
      })().catch((err: unknown) => setError(`The viewer could not start: ${(err as Error).message}`));
    };
    window.addEventListener('priors:open-study', onOpen);
    return () => window.removeEventListener('priors:open-study', onOpen);
  });

  useApiEvents((event) => {
    if (event.type === 'search.match' && remote && event.searchId === remote.searchId) {
      if (event.cache === 'full' || event.row.StudyInstanceUID === current?.study.StudyInstanceUID) return;
      setRemote((r) => r && r.searchId === event.searchId ? { ...r, rows: [...r.rows, event.row] } : r);
    } else if (event.type === 'search.done' && remote && event.searchId === remote.searchId) {
      setRemote((r) => r && { ...r, state: event.outcome === 'failed' ? 'failed' : 'done', ...(event.error ? { message: event.error.message } : {}) });
    } else if (event.type === 'job.finished' && current && event.job.state === 'completed' && retrieving.has(event.job.StudyInstanceUID)) {
      void loadOthers(current.study);
    }
  });

  async function askPacs(node: string): Promise<void> {
    if (!current) return;
    const keys: Record<string, string> = {
      PatientID: current.study.PatientID ?? '', StudyDate: '', StudyDescription: '', ModalitiesInStudy: '',
      NumberOfStudyRelatedInstances: '', PatientName: '',
    };
    if (current.study.IssuerOfPatientID) keys.IssuerOfPatientID = current.study.IssuerOfPatientID;
    const searchId = `viewer-priors-${Date.now()}`;
    setRemote({ node, state: 'asking', rows: [], searchId });
    const r = await transport.call('search.start', { source: { kind: 'node', node }, level: 'STUDY', keys, searchId });
    if (!r.ok) setRemote({ node, state: 'failed', rows: [], message: r.error.message });
  }

  async function retrieve(node: string, row: MatchRow): Promise<void> {
    const uid = row.StudyInstanceUID;
    if (!uid) return;
    const expected = Number(row.NumberOfStudyRelatedInstances);
    const r = await transport.call('transfers.add', {
      node, level: 'STUDY', StudyInstanceUID: uid, label: `Prior ${formatDicomDate(row.StudyDate ?? '')} ${row.StudyDescription ?? ''}`.trim(),
      ...(Number.isFinite(expected) && expected > 0 ? { expected } : {}),
    });
    if (!r.ok) { setError(r.error.message); return; }
    setRetrieving((s) => new Set(s).add(uid));
  }

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
        <label>Prior{' '}
          <select aria-label="Prior study" value={prior?.study.StudyInstanceUID ?? ''} onChange={(e) => void showPrior(e.target.value)}>
            <option value="">None</option>
            {others.map((s) => <option key={s.StudyInstanceUID} value={s.StudyInstanceUID}>{formatDicomDate(s.StudyDate ?? '')} {s.StudyDescription ?? ''} ({s.ModalitiesInStudy.join('/')})</option>)}
          </select>
        </label>
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
        {nodes.length > 0 && (
          <span className="viewer-pacs">
            Priors on the PACS:{' '}
            {nodes.map((n) => <button key={n.name} type="button" onClick={() => void askPacs(n.name)}>Ask {n.name}</button>)}
          </span>
        )}
      </div>
      {remote && (
        <div className="viewer-remote" aria-label="Priors on the PACS" role="region">
          {remote.state === 'asking' && <p className="muted">Asking {remote.node} for this patient's studies…</p>}
          {remote.state === 'failed' && <p className="error-line" role="alert">{remote.message ?? `${remote.node} did not answer.`}</p>}
          {remote.state === 'done' && remote.rows.length === 0 && <p className="muted">{remote.node} has no other study of this patient that is not here already.</p>}
          <ul>
            {remote.rows.map((row) => (
              <li key={row.StudyInstanceUID}>
                {formatDicomDate(row.StudyDate ?? '')} {row.StudyDescription ?? ''} {row.ModalitiesInStudy ?? ''}{' '}
                {retrieving.has(row.StudyInstanceUID ?? '')
                  ? <span className="muted">retrieving (see Transfers)…</span>
                  : <button type="button" onClick={() => void retrieve(remote.node, row)}>Retrieve</button>}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="viewer-grid" style={{ display: 'grid', gridTemplateColumns: prior ? '1fr 1fr' : '1fr', gap: '8px' }}>
        {column('current', current, setCurrent, 'Current')}
        {prior && column('prior', prior, setPrior, 'Prior')}
      </div>
    </div>
  );
}
