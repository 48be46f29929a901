/**
 * The Viewer: opens a cached study on `priors:open-study` (dispatched by Search, Local cache and
 * Transfers; `arriving` when its retrieve runs: its images show as they come) and puts beside it
 * the prior the prefetch rules choose (`viewer.priors`: the newest relevant earlier study; any
 * other from the picker, or asked from a PACS and retrieved), on the prior's series that matches
 * the current one (use-series-match.ts, said above the pane; another is a click away in its
 * series column). The newer study shown is always
 * "Current". Layouts 1×1, 1×2 and 2×2 (the current study and up to three priors) fill the
 * screen; one toolbar serves every pane and acts on the active one (the last clicked). Scrolling
 * is linked — by table position when the stacks share a frame of reference or are both axial,
 * else by index (sync.ts), the way said on screen — and so, optionally, is the window.
 * cornerstone3D is imported lazily, on the first open, so the other screens do not carry it.
 */
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { useHold } from './use-hold.js';
import { isArchive, type RemoteNode } from '../../../../shared/config.js';
import { useTransport } from '../../app/api-context.js';
import { PrefetchStatus } from '../../app/PrefetchStatus.js';
import { formatDicomDate, formatPersonName } from '../../lib/format.js';
import { choicesOf, defaultPrior, morePriors, type PriorChoice, readingOrder } from './prior-order.js';
import { PriorPicker } from './PriorPicker.js';
import { RemotePriorsPanel } from './RemotePriorsPanel.js';
import { SeriesStrip } from './SeriesStrip.js';
import { StackPane } from './StackPane.js';
import { linkText } from './sync.js';
import { MAX_PANES, useLink } from './use-link.js';
import { usePriorsPrefetch } from './use-priors-prefetch.js';
import { useRemotePriors } from './use-remote-priors.js';
import { matchText } from './series-match.js';
import { useSeriesMatch } from './use-series-match.js';
import { type OpenStudy, useViewerStudies } from './use-viewer-studies.js';
import { type Layout, LAYOUTS, ViewerTools } from './ViewerTools.js';
import type { PrimaryTool } from './engine.js';

type Engine = typeof import('./engine.js');

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

/** What `priors:open-study` carries. */
interface OpenDetail {
  StudyInstanceUID?: string;
  PriorStudyInstanceUID?: string;
  arriving?: boolean;
  SeriesInstanceUID?: string;
}

/** The Viewer screen. */
export function ViewerScreen({ active }: { active: boolean }): ReactElement {
  const transport = useTransport();
  const [engine, setEngine] = useState<Engine | undefined>();
  const [error, setError] = useState<string | undefined>();
  const { studies, arriving, load, choose, follow, reset, imageIdsOf } = useViewerStudies(setError);
  const [opened, setOpened] = useState<string | undefined>();
  const [priorUid, setPriorUid] = useState('');
  const [choices, setChoices] = useState<PriorChoice[]>([]);
  const [waiting, setWaiting] = useState<string | undefined>();
  const [layout, setLayout] = useState<Layout>('1x2');
  const [activeSlot, setActiveSlot] = useState(0);
  const [tool, setTool] = useState<PrimaryTool>('WindowLevel');
  const [cine, setCine] = useState<number | undefined>();
  const [fps, setFps] = useState(10);
  const [nodes, setNodes] = useState<RemoteNode[]>([]);
  const [linkScroll, setLinkScroll] = useState(true);
  const [linkVoi, setLinkVoi] = useState(false);
  const [cacheMb, setCacheMb] = useState(cacheMegabytes);
  /** Studies whose pane has its first image on screen: their thumbnails may load now. */
  const [firstShown, setFirstShown] = useState<ReadonlySet<string>>(new Set());
  const link = useLink(linkScroll, linkVoi);
  const opens = useRef(0);

  const openedStudy = opened ? studies.get(opened) : undefined;
  // the studies in the panes: the opened one and its priors, newest first (the newer is "Current")
  const loaded = paneStudies(layout, opened, priorUid, choices)
    .map((uid) => studies.get(uid))
    .filter((o): o is OpenStudy => !!o);
  const panes = loaded[0] && loaded[0].study.StudyInstanceUID === opened ? readingOrder(loaded[0], loaded.slice(1)) : [];
  const shown = panes.map((p) => p.study.StudyInstanceUID);
  const seriesMatch = useSeriesMatch(engine, panes, imageIdsOf, choose);
  // what is shown stays in the cache (the current study's hold also covers its patient's priors)
  useHold(shown[0]);
  useHold(shown[1]);
  useHold(shown[2]);
  useHold(shown[3]);

  const fetchPriors = useCallback(
    async (uid: string): Promise<PriorChoice[]> => {
      const r = await transport.call('viewer.priors', { StudyInstanceUID: uid });
      return r.ok ? choicesOf(r.value.priors) : [];
    },
    [transport],
  );
  const loadPriors = useCallback(
    async (uid: string): Promise<void> => {
      setChoices(await fetchPriors(uid));
    },
    [fetchPriors],
  );
  const reloadPriors = useCallback(() => {
    if (opened) void loadPriors(opened);
  }, [opened, loadPriors]);
  const { remote, retrieving, ask: askPacs, retrieve, reset: resetRemote } = useRemotePriors(openedStudy?.study, reloadPriors, setError);
  const prefetch = usePriorsPrefetch(openedStudy?.study, reloadPriors);

  const showPrior = useCallback(
    async (uid: string) => {
      if (uid && !studies.has(uid)) await load(uid);
      setPriorUid(uid);
      if (uid && layout === '1x1') setLayout('1x2');
    },
    [studies, load, layout],
  );

  // the 2×2 layout shows more priors: read those not read yet
  useEffect(() => {
    // (the opened study is read by the open itself)
    for (const uid of paneStudies(layout, opened, priorUid, choices)) if (uid !== opened && !studies.has(uid)) void load(uid);
  }, [layout, opened, priorUid, choices, studies, load]);

  useEffect(() => {
    const timer = setTimeout(() => {
      void loadEngine()
        .then(setEngine)
        .catch(() => undefined);
    }, 1500);
    return () => clearTimeout(timer);
  }, []);

  useEffect(() => {
    const onOpen = (e: Event): void => {
      const detail = (e as CustomEvent<OpenDetail>).detail;
      const uid = detail?.StudyInstanceUID;
      if (!uid) return;
      setError(undefined);
      // a study opened meanwhile wins: the rest of this open is dropped
      const mine = ++opens.current;
      const stale = (): boolean => opens.current !== mine;
      void (async () => {
        const eng = engine ?? (await loadEngine());
        if (stale()) return;
        setEngine(eng);
        eng.setPrimaryTool(tool);
        reset();
        seriesMatch.reset();
        setFirstShown(new Set());
        resetRemote();
        setOpened(uid);
        setPriorUid('');
        setChoices([]);
        setActiveSlot(0);
        setCine(undefined);
        const withPriors = async (): Promise<void> => {
          if (stale()) return;
          setWaiting(undefined);
          const list = await fetchPriors(uid);
          const study = await transport.call('cache.studies', { StudyInstanceUID: uid });
          const wanted = detail.PriorStudyInstanceUID ?? defaultPrior(list, study.ok ? study.value.studies[0]?.StudyDate : undefined);
          if (stale()) return;
          setChoices(list);
          if (wanted) {
            await load(wanted);
            if (!stale()) setPriorUid(wanted);
          }
          const n = await transport.call('nodes.list', {});
          if (stale()) return;
          // only archives hold priors (a worklist provider or a modality does not)
          setNodes(n.ok ? n.value.nodes.filter(isArchive) : []);
        };
        if (detail.arriving) follow(uid, () => void withPriors());
        const open = await load(uid, detail.SeriesInstanceUID);
        if (stale()) return;
        // the middle image's request goes out now, while the pane is being made (the pane's own load finds it under way)
        const ids = open?.chosen?.imageIds;
        if (ids?.length) void eng.loadAll([ids[Math.floor(ids.length / 2)]!]);
        if (!open) {
          if (detail.arriving) setWaiting('Retrieving the study: its images show here as they arrive.');
          else setError(`The study ${uid} is not in the local cache.`);
          return;
        }
        await withPriors();
      })().catch((err: unknown) => setError(`The viewer could not start: ${(err as Error).message}`));
    };
    window.addEventListener('priors:open-study', onOpen);
    return () => window.removeEventListener('priors:open-study', onOpen);
  });

  const current = panes[0];
  if (!current || !engine) {
    return (
      <div className="viewer viewer-empty" data-active={active}>
        {error ? (
          <p role="alert">{error}</p>
        ) : waiting ? (
          <p role="status" aria-label="Viewer status">
            {waiting}
          </p>
        ) : (
          <p>Open a study from Search or Local cache (O, or double-click).</p>
        )}
      </div>
    );
  }
  const slot = Math.min(activeSlot, panes.length - 1);
  const control = () => link.controls[slot]!.current;
  const activeName = slot === 0 ? 'Current study' : 'Prior study';
  const linkLine = link.how
    .slice(1)
    .map((h, i) => (h ? `${panes.length > 2 ? `prior ${i + 1} ` : ''}${linkText(h)}` : ''))
    .filter(Boolean)
    .join('; ');
  const column = (open: OpenStudy, i: number): ReactElement => {
    const title = i === 0 ? 'Current' : 'Prior';
    const uid = open.study.StudyInstanceUID;
    const growing = arriving.has(uid);
    const matched = i > 0 ? seriesMatch.choices.get(uid) : undefined;
    // a prior waits for its series to be matched to the current one (not yet begun counts too)
    const matching = i > 0 && !!panes[0]?.chosen && (!matched || matched.pending);
    const chosenRecord = open.series.find((s) => s.SeriesInstanceUID === open.chosen?.SeriesInstanceUID);
    return (
      <div className="viewer-column" key={`${i}:${uid}`} data-study={uid} data-slot={i} data-active={slot === i}>
        {/* one grid row for the title and the series line, so that the strip and the pane keep the rest */}
        <div className="viewer-column-head">
          <h2 title={open.study.StudyInstanceUID}>
            {title} · {formatDicomDate(open.study.StudyDate ?? '')} · {open.study.StudyDescription ?? ''} · {formatPersonName(open.study.PatientName)}
            {growing && (
              <span className="viewer-arriving" role="status">
                {' '}
                · arriving ({open.study.NumberOfStudyRelatedInstances} so far)
              </span>
            )}
          </h2>
          {matched &&
            !matched.pending &&
            chosenRecord &&
            (() => {
              const line = `${`Series ${chosenRecord.SeriesNumber ?? ''} ${chosenRecord.SeriesDescription ?? ''}`.replace(/\s+/g, ' ').trim()}: ${
                matched.byUser ? 'chosen by you.' : matched.match ? matchText(matched.match) : 'the series with the most images.'
              }`;
              // the line is cut to the column's width; the whole reason stays a hover away
              return (
                <p className="viewer-series-match" aria-label={`${title} series choice`} title={line}>
                  {line}
                </p>
              );
            })()}
        </div>
        <SeriesStrip
          engine={engine}
          series={open.series}
          chosen={open.chosen?.SeriesInstanceUID}
          label={`${title} series`}
          ready={!open.chosen || firstShown.has(uid)}
          onChoose={(s) => (i > 0 ? seriesMatch.pick(uid, s) : void choose(uid, s))}
          middleImageId={async (s) => {
            const ids = await imageIdsOf(uid, s);
            return ids?.[Math.floor(ids.length / 2)];
          }}
        />
        {matching && (
          <p className="viewer-series-match" role="status">
            Choosing the series that matches the current one…
          </p>
        )}
        {open.chosen && !matching && (
          <StackPane
            key={`${uid}:${open.chosen.SeriesInstanceUID}`}
            engine={engine}
            viewportId={`pane-${i}`}
            series={open.chosen}
            label={i === 0 ? 'Current study' : 'Prior study'}
            active={slot === i}
            control={link.controls[i]}
            events={{ ...link.events[i], onFirstShown: () => setFirstShown((s) => (s.has(uid) ? s : new Set(s).add(uid))) }}
            {...(cine !== undefined && slot === i ? { cineFps: cine } : {})}
            onActivate={() => setActiveSlot(i)}
          />
        )}
      </div>
    );
  };
  return (
    <div className="viewer" data-active={active} data-layout={layout}>
      {error && <p role="alert">{error}</p>}
      <div className="viewer-bar" role="toolbar" aria-label="Comparison">
        <PriorPicker choices={choices} value={priorUid} onChange={(uid) => void showPrior(uid)} />
        <label>
          <input
            type="checkbox"
            checked={linkScroll}
            onChange={(e) => {
              setLinkScroll(e.target.checked);
              link.align();
            }}
          />{' '}
          Link scrolling
        </label>
        {linkScroll && linkLine && (
          <span className="viewer-link" aria-label="Scroll link">
            {linkLine}
          </span>
        )}
        <label>
          <input type="checkbox" checked={linkVoi} onChange={(e) => setLinkVoi(e.target.checked)} /> Link window
        </label>
        <label title="Decoded images kept in memory; the least recently used go first">
          Memory{' '}
          <select
            aria-label="Image memory"
            value={cacheMb}
            onChange={(e) => {
              const mb = Number(e.target.value);
              setCacheMb(mb);
              try {
                globalThis.localStorage?.setItem(CACHE_KEY, String(mb));
              } catch {
                /* private mode */
              }
              engine.setCacheBytes(mb * 1e6);
            }}
          >
            {CACHE_CHOICES.map((mb) => (
              <option key={mb} value={mb}>
                {mb >= 1024 ? `${mb / 1024} GB` : `${mb} MB`}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={prefetch.run}
          disabled={prefetch.action.busy}
          title="Run the prefetch rules for this study: its patient's relevant earlier studies are retrieved"
        >
          Prefetch priors
        </button>
        {nodes.length > 0 && (
          <span className="viewer-pacs">
            Priors on the PACS:{' '}
            {nodes.map((n) => (
              <button key={n.name} type="button" onClick={() => void askPacs(n.name)}>
                Ask {n.name}
              </button>
            ))}
          </span>
        )}
      </div>
      <ViewerTools
        layout={layout}
        onLayout={setLayout}
        tool={tool}
        onTool={(t) => {
          engine.setPrimaryTool(t);
          setTool(t);
        }}
        {...(panes[slot]?.chosen?.Modality ? { modality: panes[slot]!.chosen!.Modality } : {})}
        activeName={activeName}
        onPreset={(w, c) => control()?.preset(w, c)}
        onInvert={() => control()?.invert()}
        onReset={() => control()?.reset()}
        playing={cine !== undefined}
        onCine={() => setCine(cine === undefined ? fps : undefined)}
        fps={fps}
        onFps={(f) => {
          setFps(f);
          if (cine !== undefined) setCine(f);
        }}
      />
      <PrefetchStatus action={prefetch.action} patient={openedStudy?.study.PatientName ?? openedStudy?.study.PatientID ?? ''} />
      {remote && <RemotePriorsPanel remote={remote} retrieving={retrieving} onRetrieve={(node, row) => void retrieve(node, row)} />}
      <div className={`viewer-grid viewer-grid-${Math.min(panes.length, LAYOUTS.find((l) => l.layout === layout)!.panes)}`}>
        {panes.slice(0, MAX_PANES).map(column)}
      </div>
    </div>
  );
}

/** The studies a layout shows: the opened one, the chosen prior, and in 2×2 the next priors. */
function paneStudies(layout: Layout, opened: string | undefined, prior: string, choices: readonly PriorChoice[]): string[] {
  if (!opened) return [];
  if (layout === '1x1' || !prior) return layout === '2x2' ? [opened, ...morePriors(choices, undefined, 3)] : [opened];
  if (layout === '1x2') return [opened, prior];
  return [opened, prior, ...morePriors(choices, prior, 2)];
}
