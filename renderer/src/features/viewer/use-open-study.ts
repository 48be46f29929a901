/**
 * Opening a study in the viewer on `priors:open-study` (dispatched by Search, Local cache and
 * Transfers): the engine loaded if it is not yet, the previous study's state forgotten, the
 * study read (or followed while its retrieve runs: its images show as they come), its priors
 * listed and one shown, and the archives that may hold more. A study opened meanwhile wins:
 * the rest of an earlier open is dropped.
 */
import { useEffect, useRef, useState } from 'react';
import { isArchive, type RemoteNode } from '../../../../shared/config.js';
import { useTransport } from '../../app/api-context.js';
import { type Engine, loadEngine } from './engine-loader.js';
import type { PrimaryTool } from './engine.js';
import type { OpenStudy } from './use-viewer-studies.js';

/** What `priors:open-study` carries. */
export interface OpenDetail {
  StudyInstanceUID?: string;
  PriorStudyInstanceUID?: string;
  arriving?: boolean;
  SeriesInstanceUID?: string;
}

export interface OpenStudyDeps {
  engine: Engine | undefined;
  setEngine(engine: Engine): void;
  /** The toolbar's primary tool, which the engine takes on each open. */
  tool: PrimaryTool;
  load(uid: string, series?: string): Promise<OpenStudy | undefined>;
  follow(uid: string, onFirst?: (open: OpenStudy) => void): void;
  /** Forgets what the screen shows of the previous study and takes `uid` as the opened one. */
  restart(uid: string): void;
  /** Lists the study's priors and shows one (use-prior-choice.ts); false when the open went stale meanwhile. */
  choosePriors(uid: string, requested: string | undefined, stale: () => boolean): Promise<boolean>;
  setError(message: string | undefined): void;
}

export function useOpenStudy({ engine, setEngine, tool, load, follow, restart, choosePriors, setError }: OpenStudyDeps) {
  const transport = useTransport();
  /** Said while an arriving study has no image yet. */
  const [waiting, setWaiting] = useState<string | undefined>();
  /** The archives that may hold priors, for "Ask". */
  const [nodes, setNodes] = useState<RemoteNode[]>([]);
  const opens = useRef(0);

  useEffect(() => {
    const onOpen = (e: Event): void => {
      const detail = (e as CustomEvent<OpenDetail>).detail;
      const uid = detail?.StudyInstanceUID;
      if (!uid) return;
      setError(undefined);
      const mine = ++opens.current;
      const stale = (): boolean => opens.current !== mine;
      void (async () => {
        const eng = engine ?? (await loadEngine());
        if (stale()) return;
        setEngine(eng);
        eng.setPrimaryTool(tool);
        restart(uid);
        const withPriors = async (): Promise<void> => {
          if (stale()) return;
          setWaiting(undefined);
          if (!(await choosePriors(uid, detail.PriorStudyInstanceUID, stale))) return;
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

  return { waiting, nodes };
}
