/**
 * The state of the viewer's toolbar (ViewerTools.tsx): the layout, the active pane it acts on,
 * the primary mouse tool, and cine with its rate.
 */
import { useCallback, useState } from 'react';
import type { Engine } from './engine-loader.js';
import type { PrimaryTool } from './engine.js';
import type { Layout } from './ViewerTools.js';

export function usePaneTools(engine: Engine | undefined) {
  const [layout, setLayout] = useState<Layout>('1x2');
  const [activeSlot, setActiveSlot] = useState(0);
  const [tool, setTool] = useState<PrimaryTool>('WindowLevel');
  const [cine, setCine] = useState<number | undefined>();
  const [fps, setFps] = useState(10);

  const chooseTool = useCallback(
    (t: PrimaryTool) => {
      engine?.setPrimaryTool(t);
      setTool(t);
    },
    [engine],
  );
  const toggleCine = useCallback(() => setCine((c) => (c === undefined ? fps : undefined)), [fps]);
  /** A new rate applies at once when cine runs. */
  const changeFps = useCallback((f: number) => {
    setFps(f);
    setCine((c) => (c === undefined ? c : f));
  }, []);
  /** Another study opened: the current study's pane is active and cine stops (layout, tool and rate stay). */
  const restart = useCallback(() => {
    setActiveSlot(0);
    setCine(undefined);
  }, []);

  return { layout, setLayout, activeSlot, setActiveSlot, tool, chooseTool, cine, toggleCine, fps, changeFps, restart };
}
