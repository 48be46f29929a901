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
 * cornerstone3D is imported lazily (engine-loader.ts), so the other screens do not carry it.
 *
 * The screen composes its parts: the open (use-open-study.ts), the prior shown
 * (use-prior-choice.ts), the studies in the panes (use-panes.ts), the toolbar's state
 * (use-pane-tools.ts), the comparison bar's links and memory (use-comparison.ts), and what
 * they show (ViewerBar.tsx, ViewerTools.tsx, ViewerColumn.tsx).
 */
import { useState, type ReactElement } from 'react';
import { PrefetchStatus } from '../../app/PrefetchStatus.js';
import { RemotePriorsPanel } from './RemotePriorsPanel.js';
import { linkText } from './sync.js';
import { useComparison } from './use-comparison.js';
import { useEngine } from './use-engine.js';
import { MAX_PANES } from './use-link.js';
import { useOpenStudy } from './use-open-study.js';
import { usePaneTools } from './use-pane-tools.js';
import { usePanes } from './use-panes.js';
import { usePriorChoice } from './use-prior-choice.js';
import { usePriorsPrefetch } from './use-priors-prefetch.js';
import { useRemotePriors } from './use-remote-priors.js';
import { useSeriesMatch } from './use-series-match.js';
import { type OpenStudy, useViewerStudies } from './use-viewer-studies.js';
import { ViewerBar } from './ViewerBar.js';
import { ViewerColumn } from './ViewerColumn.js';
import { LAYOUTS, ViewerTools } from './ViewerTools.js';

/** The Viewer screen. */
export function ViewerScreen({ active }: { active: boolean }): ReactElement {
  const [engine, setEngine] = useEngine();
  const [error, setError] = useState<string | undefined>();
  const { studies, arriving, load, choose, follow, reset, imageIdsOf } = useViewerStudies(setError);
  const [opened, setOpened] = useState<string | undefined>();
  /** Studies whose pane has its first image on screen: their thumbnails may load now. */
  const [firstShown, setFirstShown] = useState<ReadonlySet<string>>(new Set());
  const tools = usePaneTools(engine);
  const { layout, cine } = tools;
  const { link, ...comparison } = useComparison(engine);
  const priors = usePriorChoice({ opened, studies, load, layout, setLayout: tools.setLayout });
  const { priorUid, choices } = priors;
  const panes = usePanes({ layout, opened, priorUid, choices, studies, load });
  const seriesMatch = useSeriesMatch(engine, panes, imageIdsOf, choose);
  const openedStudy = opened ? studies.get(opened) : undefined;
  const { remote, retrieving, ask: askPacs, retrieve, reset: resetRemote } = useRemotePriors(openedStudy?.study, priors.reload, setError);
  const prefetch = usePriorsPrefetch(openedStudy?.study, priors.reload);
  const { waiting, nodes } = useOpenStudy({
    engine,
    setEngine,
    tool: tools.tool,
    load,
    follow,
    restart: (uid) => {
      reset();
      seriesMatch.reset();
      setFirstShown(new Set());
      resetRemote();
      priors.clear();
      tools.restart();
      setOpened(uid);
    },
    choosePriors: priors.choose,
    setError,
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
  const slot = Math.min(tools.activeSlot, panes.length - 1);
  const control = () => link.controls[slot]!.current;
  const activeName = slot === 0 ? 'Current study' : 'Prior study';
  const linkLine = link.how
    .slice(1)
    .map((h, i) => (h ? `${panes.length > 2 ? `prior ${i + 1} ` : ''}${linkText(h)}` : ''))
    .filter(Boolean)
    .join('; ');
  const column = (open: OpenStudy, i: number): ReactElement => {
    const uid = open.study.StudyInstanceUID;
    const matched = i > 0 ? seriesMatch.choices.get(uid) : undefined;
    return (
      <ViewerColumn
        key={`${i}:${uid}`}
        engine={engine}
        open={open}
        index={i}
        active={slot === i}
        growing={arriving.has(uid)}
        {...(matched ? { matched } : {})}
        // a prior waits for its series to be matched to the current one (not yet begun counts too)
        matching={i > 0 && !!panes[0]?.chosen && (!matched || matched.pending)}
        thumbnailsReady={!open.chosen || firstShown.has(uid)}
        control={link.controls[i]}
        events={link.events[i]}
        {...(cine !== undefined && slot === i ? { cineFps: cine } : {})}
        onChooseSeries={(s) => (i > 0 ? seriesMatch.pick(uid, s) : void choose(uid, s))}
        middleImageId={async (s) => {
          const ids = await imageIdsOf(uid, s);
          return ids?.[Math.floor(ids.length / 2)];
        }}
        onFirstShown={() => setFirstShown((f) => (f.has(uid) ? f : new Set(f).add(uid)))}
        onActivate={() => tools.setActiveSlot(i)}
      />
    );
  };
  return (
    <div className="viewer" data-active={active} data-layout={layout}>
      {error && <p role="alert">{error}</p>}
      <ViewerBar
        choices={choices}
        priorUid={priorUid}
        onPrior={(uid) => void priors.show(uid)}
        linkScroll={comparison.linkScroll}
        onLinkScroll={comparison.changeLinkScroll}
        linkLine={linkLine}
        linkVoi={comparison.linkVoi}
        onLinkVoi={comparison.setLinkVoi}
        cacheMb={comparison.cacheMb}
        onCacheMb={comparison.changeCacheMb}
        onPrefetch={prefetch.run}
        prefetchBusy={prefetch.action.busy}
        nodes={nodes}
        onAsk={(node) => void askPacs(node)}
      />
      <ViewerTools
        layout={layout}
        onLayout={tools.setLayout}
        tool={tools.tool}
        onTool={tools.chooseTool}
        {...(panes[slot]?.chosen?.Modality ? { modality: panes[slot]!.chosen!.Modality } : {})}
        activeName={activeName}
        onPreset={(w, c) => control()?.preset(w, c)}
        onInvert={() => control()?.invert()}
        onReset={() => control()?.reset()}
        playing={cine !== undefined}
        onCine={tools.toggleCine}
        fps={tools.fps}
        onFps={tools.changeFps}
      />
      <PrefetchStatus action={prefetch.action} patient={openedStudy?.study.PatientName ?? openedStudy?.study.PatientID ?? ''} />
      {remote && <RemotePriorsPanel remote={remote} retrieving={retrieving} onRetrieve={(node, row) => void retrieve(node, row)} />}
      <div className={`viewer-grid viewer-grid-${Math.min(panes.length, LAYOUTS.find((l) => l.layout === layout)!.panes)}`}>
        {panes.slice(0, MAX_PANES).map(column)}
      </div>
    </div>
  );
}
