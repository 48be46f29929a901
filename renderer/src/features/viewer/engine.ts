/**
 * cornerstone3D behind a small surface: init once (CPU rendering when WebGL is missing, the DICOM
 * image loader with its decoders in web workers, a bounded image cache), one StackViewport per
 * element, the interaction tools. Loaded lazily by ViewerScreen so the rest of the app stays small.
 */
import {
  cache, Enums, getRenderingEngine, imageLoader, init as coreInit, metaData, RenderingEngine, setUseCPURendering,
  type Types,
} from '@cornerstonejs/core';
import { init as dicomImageLoaderInit } from '@cornerstonejs/dicom-image-loader';
import {
  AngleTool, EllipticalROITool, Enums as ToolEnums, LengthTool, PanTool, StackScrollTool, ToolGroupManager,
  WindowLevelTool, ZoomTool, addTool, init as toolsInit,
} from '@cornerstonejs/tools';

const ENGINE_ID = 'priors-viewer';
const TOOL_GROUP = 'priors-stack';
/** Default bound of decoded images kept in memory (bytes). */
export const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;

let ready: Promise<void> | undefined;

function hasWebGl(): boolean {
  try {
    const c = document.createElement('canvas');
    return Boolean(c.getContext('webgl2') ?? c.getContext('webgl'));
  } catch {
    return false;
  }
}

/** Initialises cornerstone once; `cacheBytes` bounds the decoded-image cache. */
export function initEngine(cacheBytes = DEFAULT_CACHE_BYTES): Promise<void> {
  ready ??= (async () => {
    const cpu = !hasWebGl();
    coreInit();
    if (cpu) setUseCPURendering(true);
    dicomImageLoaderInit({ maxWebWorkers: Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)) });
    toolsInit();
    for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, LengthTool, AngleTool, EllipticalROITool]) addTool(tool);
    cache.setMaxCacheSize(cacheBytes);
    new RenderingEngine(ENGINE_ID);
  })();
  return ready;
}

/** Which tool the primary mouse button drives. */
export type PrimaryTool = 'WindowLevel' | 'Pan' | 'Zoom' | 'Length' | 'Angle' | 'EllipticalROI';

const TOOL_NAMES: Record<PrimaryTool, string> = {
  WindowLevel: WindowLevelTool.toolName, Pan: PanTool.toolName, Zoom: ZoomTool.toolName,
  Length: LengthTool.toolName, Angle: AngleTool.toolName, EllipticalROI: EllipticalROITool.toolName,
};

function toolGroup() {
  let group = ToolGroupManager.getToolGroup(TOOL_GROUP);
  if (group) return group;
  group = ToolGroupManager.createToolGroup(TOOL_GROUP)!;
  for (const name of Object.values(TOOL_NAMES)) group.addTool(name);
  group.addTool(StackScrollTool.toolName);
  group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
  group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
  group.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
  return group;
}

/** Binds the primary mouse button to `tool` (the others keep their buttons). */
export function setPrimaryTool(tool: PrimaryTool): void {
  const group = toolGroup();
  for (const [key, name] of Object.entries(TOOL_NAMES)) {
    if (key === tool) continue;
    if (key === 'Pan' || key === 'Zoom') {
      group.setToolActive(name, { bindings: [{ mouseButton: key === 'Pan' ? ToolEnums.MouseBindings.Auxiliary : ToolEnums.MouseBindings.Secondary }] });
    } else {
      group.setToolPassive(name);
    }
  }
  group.setToolActive(TOOL_NAMES[tool], { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
}

/** A stack viewport on one element. */
export function enableStack(viewportId: string, element: HTMLDivElement): Types.IStackViewport {
  const engine = getRenderingEngine(ENGINE_ID)!;
  engine.enableElement({ viewportId, type: Enums.ViewportType.STACK, element, defaultOptions: { background: [0, 0, 0] } });
  toolGroup().addViewport(viewportId, ENGINE_ID);
  return engine.getViewport(viewportId) as Types.IStackViewport;
}

/** Releases a viewport. */
export function disableStack(viewportId: string): void {
  ToolGroupManager.getToolGroup(TOOL_GROUP)?.removeViewports(ENGINE_ID, viewportId);
  getRenderingEngine(ENGINE_ID)?.disableElement(viewportId);
}

/** Where a slice lies along the normal of its plane (PS3.3 C.7.6.2.1.1), when its header says. */
export function slicePosition(imageId: string): number | undefined {
  const plane = metaData.get('imagePlaneModule', imageId) as
    { imagePositionPatient?: number[]; rowCosines?: number[]; columnCosines?: number[] } | undefined;
  const p = plane?.imagePositionPatient; const r = plane?.rowCosines; const c = plane?.columnCosines;
  if (!p || !r || !c || p.length < 3 || r.length < 3 || c.length < 3) return undefined;
  const n = [r[1]! * c[2]! - r[2]! * c[1]!, r[2]! * c[0]! - r[0]! * c[2]!, r[0]! * c[1]! - r[1]! * c[0]!];
  return p[0]! * n[0]! + p[1]! * n[1]! + p[2]! * n[2]!;
}

/** Whether a slice is axial (normal along the patient's z axis). */
export function isAxial(imageId: string): boolean {
  const plane = metaData.get('imagePlaneModule', imageId) as { rowCosines?: number[]; columnCosines?: number[] } | undefined;
  const r = plane?.rowCosines; const c = plane?.columnCosines;
  if (!r || !c) return false;
  return Math.abs(r[0]! * c[1]! - r[1]! * c[0]!) > 0.9;
}

/** Loads every image (bounded concurrency); returns the failures by imageId. */
export async function loadAll(imageIds: string[], onProgress?: (done: number) => void, concurrency = 6): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  let next = 0; let done = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, imageIds.length) }, async () => {
    while (next < imageIds.length) {
      const id = imageIds[next++]!;
      try {
        await imageLoader.loadAndCacheImage(id);
      } catch (err) {
        failures.set(id, reasonOf(err));
      }
      onProgress?.(++done);
    }
  }));
  return failures;
}

/** A sentence from whatever the loader rejected with. */
export function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null) {
    const e = err as { error?: unknown; message?: unknown };
    if (typeof e.message === 'string') return e.message;
    if (e.error instanceof Error) return e.error.message;
    if (typeof e.error === 'string') return e.error;
  }
  return String(err);
}

/** Sorts imageIds by slice position along the normal, else keeps the given (InstanceNumber) order. */
export function sortBySlice(imageIds: string[]): string[] {
  const pos = imageIds.map((id) => slicePosition(id));
  if (pos.some((p) => p === undefined)) return imageIds;
  return imageIds.map((id, i) => ({ id, p: pos[i]!, i })).sort((a, b) => a.p - b.p || a.i - b.i).map((x) => x.id);
}

export { Enums, metaData };

/** The stack viewport of an id, when enabled. */
export function viewportOf(viewportId: string): Types.IStackViewport | undefined {
  return getRenderingEngine(ENGINE_ID)?.getViewport(viewportId) as Types.IStackViewport | undefined;
}
