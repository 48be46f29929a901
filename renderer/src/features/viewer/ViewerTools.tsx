/**
 * The viewer's one toolbar, for every pane: the layout (1×1, 1×2, 2×2), the tool the primary
 * mouse button drives (pressed while it is the one), and what acts on the active pane —
 * window presets (CT), invert, reset and cine.
 */
import type { ReactElement } from 'react';
import type { PrimaryTool } from './engine.js';
import { CT_PRESETS } from './presets.js';

/** How many panes, and how they are laid out. */
export type Layout = '1x1' | '1x2' | '2x2';

export const LAYOUTS: readonly { layout: Layout; label: string; title: string; panes: number }[] = [
  { layout: '1x1', label: '1×1', title: 'The current study alone', panes: 1 },
  { layout: '1x2', label: '1×2', title: 'The current study beside a prior', panes: 2 },
  { layout: '2x2', label: '2×2', title: 'The current study and up to three priors', panes: 4 },
];

const TOOLS: readonly { tool: PrimaryTool; label: string }[] = [
  { tool: 'WindowLevel', label: 'W/L' },
  { tool: 'Pan', label: 'Pan' },
  { tool: 'Zoom', label: 'Zoom' },
  { tool: 'Length', label: 'Length' },
  { tool: 'Angle', label: 'Angle' },
  { tool: 'EllipticalROI', label: 'Ellipse ROI' },
];

export interface ViewerToolsProps {
  layout: Layout;
  onLayout(layout: Layout): void;
  tool: PrimaryTool;
  onTool(tool: PrimaryTool): void;
  /** The active pane's modality (CT offers the CT window presets). */
  modality?: string;
  /** The active pane's name ("Current study", "Prior study"), for the buttons' titles. */
  activeName: string;
  onPreset(width: number, center: number): void;
  onInvert(): void;
  onReset(): void;
  playing: boolean;
  onCine(): void;
  fps: number;
  onFps(fps: number): void;
}

export function ViewerTools(p: ViewerToolsProps): ReactElement {
  return (
    <div className="viewer-bar viewer-tools" role="toolbar" aria-label="Viewer tools">
      <span className="tool-group" role="group" aria-label="Layout">
        {LAYOUTS.map((l) => (
          <button key={l.layout} type="button" aria-pressed={p.layout === l.layout} title={l.title} onClick={() => p.onLayout(l.layout)}>
            {l.label}
          </button>
        ))}
      </span>
      <span className="tool-group" role="group" aria-label="Mouse tool">
        {TOOLS.map((t) => (
          <button key={t.tool} type="button" aria-pressed={p.tool === t.tool} data-tool={t.tool} onClick={() => p.onTool(t.tool)}>
            {t.label}
          </button>
        ))}
      </span>
      <span className="tool-group" role="group" aria-label="Active pane" title={`Acts on the ${p.activeName.toLowerCase()} (click a pane to choose it)`}>
        {p.modality === 'CT' &&
          CT_PRESETS.map((preset) => (
            <button key={preset.name} type="button" onClick={() => p.onPreset(preset.width, preset.center)}>
              {preset.name}
            </button>
          ))}
        <button type="button" onClick={p.onInvert}>
          Invert
        </button>
        <button type="button" onClick={p.onReset}>
          Reset
        </button>
        <button type="button" aria-pressed={p.playing} onClick={p.onCine}>
          {p.playing ? 'Stop' : 'Cine'}
        </button>
        <label className="fps">
          fps <input type="number" min={1} max={60} value={p.fps} onChange={(e) => p.onFps(Number(e.target.value) || 10)} />
        </label>
      </span>
    </div>
  );
}
