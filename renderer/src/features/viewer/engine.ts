/**
 * cornerstone3D behind a small surface: init once (CPU rendering when WebGL is missing, the DICOM
 * image loader with its decoders in web workers, a bounded image cache), one StackViewport per
 * element, the interaction tools. Loaded lazily by ViewerScreen so the rest of the app stays small.
 */
import {
  cache,
  Enums,
  getRenderingEngine,
  imageLoader,
  init as coreInit,
  metaData,
  RenderingEngine,
  setUseCPURendering,
  utilities,
  type Types,
} from '@cornerstonejs/core';
import { init as dicomImageLoaderInit, wadouri } from '@cornerstonejs/dicom-image-loader';
import {
  AngleTool,
  EllipticalROITool,
  Enums as ToolEnums,
  LengthTool,
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  addTool,
  init as toolsInit,
} from '@cornerstonejs/tools';
import { installTransferringDecoders } from './stack-load/decode-workers.js';
import { loadStreamed } from './stack-load/stream-load.js';

const ENGINE_ID = 'priors-viewer';
const TOOL_GROUP = 'priors-stack';
/** Default bound of decoded images kept in memory (bytes). */
export const DEFAULT_CACHE_BYTES = 1024 * 1e6;

let ready: Promise<void> | undefined;
let cpuRendering = false;

/**
 * Whether WebGL is there and drawn by a graphics processor. A software rasterizer (SwiftShader,
 * llvmpipe: a machine without a usable GPU, a virtual desktop) runs vtk's shaders on the
 * processor and draws a stack more slowly than cornerstone's own canvas rendering.
 */
function hasHardwareWebGl(): boolean {
  try {
    const c = document.createElement('canvas');
    const gl = (c.getContext('webgl2') ?? c.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return !/swiftshader|llvmpipe|softpipe|software|basic render driver/i.test(renderer);
  } catch {
    return false;
  }
}

/** Initialises cornerstone once; `cacheBytes` bounds the decoded-image cache. */
export function initEngine(cacheBytes = DEFAULT_CACHE_BYTES): Promise<void> {
  ready ??= (async () => {
    cpuRendering = !hasHardwareWebGl();
    coreInit();
    if (cpuRendering) setUseCPURendering(true);
    // The part-10 data set loader (dataSetCacheManager) rather than 5.x's naturalized-metadata one:
    // the latter loses the frame data of some instances once many studies were opened and then
    // fails every later load of them.
    // one decoding worker per core (the page's own thread parses the data sets meanwhile)
    const decoders = Math.max(1, Math.min(16, navigator.hardwareConcurrency || 2));
    dicomImageLoaderInit({ maxWebWorkers: decoders, useLegacyMetadataProvider: true });
    installTransferringDecoders(decoders);
    // cornerstone's cache also keeps the promise of a failed load and leaves its rejection
    // unhandled; loadAll() already reports that image with its reason, so it is not an error twice.
    window.addEventListener('unhandledrejection', (e) => {
      if (isLoadRejection(e.reason)) e.preventDefault();
    });
    toolsInit();
    for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, LengthTool, AngleTool, EllipticalROITool]) addTool(tool);
    cache.setMaxCacheSize(cacheBytes);
    new RenderingEngine(ENGINE_ID);
  })();
  return ready;
}

/** Changes the bound of the decoded-image cache (bytes); the oldest images go first. */
export function setCacheBytes(bytes: number): void {
  cache.setMaxCacheSize(bytes);
}

/** Bytes the decoded-image cache holds now, and its bound. */
export function cacheUse(): { used: number; max: number } {
  return { used: cache.getCacheSize(), max: cache.getMaxCacheSize() };
}

/**
 * The number of frames of a loaded instance (NumberOfFrames, PS3.3 C.7.6.6), from the data set
 * the loader parsed; 1 when absent.
 */
export function framesOf(imageId: string): number {
  const url = imageId.slice(imageId.indexOf(':') + 1).replace(/&frame=\d+$/, '');
  const dataSet = wadouri.dataSetCacheManager.get(url) as { intString(tag: string): number | undefined } | undefined;
  const n = dataSet?.intString('x00280008');
  return n && n > 1 ? n : 1;
}

/** The imageIds of every frame of an instance (`&frame=N`, 1-based: the loader's convention). */
export function frameIds(imageId: string, frames: number): string[] {
  if (frames <= 1) return [imageId];
  return Array.from({ length: frames }, (_, k) => `${imageId}&frame=${k + 1}`);
}

/** Renders `imageId` into a small canvas (a series thumbnail), with its own VOI. */
export async function renderThumbnail(canvas: HTMLCanvasElement, imageId: string): Promise<void> {
  await utilities.loadImageToCanvas({ canvas, imageId, thumbnail: true, useCPURendering: true });
}

/** Which tool the primary mouse button drives. */
export type PrimaryTool = 'WindowLevel' | 'Pan' | 'Zoom' | 'Length' | 'Angle' | 'EllipticalROI';

const TOOL_NAMES: Record<PrimaryTool, string> = {
  WindowLevel: WindowLevelTool.toolName,
  Pan: PanTool.toolName,
  Zoom: ZoomTool.toolName,
  Length: LengthTool.toolName,
  Angle: AngleTool.toolName,
  EllipticalROI: EllipticalROITool.toolName,
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

let resizeFrame: number | undefined;

/**
 * Fits every viewport to its element again (after a layout change), each image fitted anew (a
 * zoom kept from a wider pane would clip it): once, at the next animation frame. Resizing at once, from a ResizeObserver firing while a
 * study's panes are being replaced, rendered a viewport whose element was being disabled and
 * vtk threw in its render pass.
 */
export function resizeViewports(): void {
  resizeFrame ??= requestAnimationFrame(() => {
    resizeFrame = undefined;
    const engine = getRenderingEngine(ENGINE_ID);
    // a hidden screen gives its elements no size, and the canvas path then draws measurements at
    // NaN; the panes' observers fire again once the screen shows
    if (!engine || engine.getViewports().some((vp) => !vp.element.clientWidth || !vp.element.clientHeight)) return;
    engine.resize(true, false);
  });
}

/**
 * The zoom of a viewport, 1 when the image just fills it, whichever renderer draws it (the canvas
 * path's own zoom is its scale in screen pixels per image pixel, unknown before a first image).
 */
export function zoomOf(vp: Types.IStackViewport): number {
  const z = vp.getZoom();
  if (!cpuRendering) return Number.isFinite(z) ? z : 1;
  const image = vp.getCornerstoneImage?.();
  const canvas = vp.getCanvas?.();
  if (!Number.isFinite(z) || !image || !canvas || !image.columns || !image.rows) return 1;
  const fit = Math.min(canvas.width / image.columns, canvas.height / image.rows);
  return fit > 0 ? z / fit : 1;
}

/** Releases a viewport. */
export function disableStack(viewportId: string): void {
  ToolGroupManager.getToolGroup(TOOL_GROUP)?.removeViewports(ENGINE_ID, viewportId);
  getRenderingEngine(ENGINE_ID)?.disableElement(viewportId);
}

/** Where a slice lies along the normal of its plane (PS3.3 C.7.6.2.1.1), when its header says. */
export function slicePosition(imageId: string): number | undefined {
  const plane = metaData.get('imagePlaneModule', imageId) as { imagePositionPatient?: number[]; rowCosines?: number[]; columnCosines?: number[] } | undefined;
  const p = plane?.imagePositionPatient;
  const r = plane?.rowCosines;
  const c = plane?.columnCosines;
  if (!p || !r || !c || p.length < 3 || r.length < 3 || c.length < 3) return undefined;
  const n = [r[1]! * c[2]! - r[2]! * c[1]!, r[2]! * c[0]! - r[0]! * c[2]!, r[0]! * c[1]! - r[1]! * c[0]!];
  return p[0]! * n[0]! + p[1]! * n[1]! + p[2]! * n[2]!;
}

/**
 * Image Orientation (Patient) and Slice Thickness of an image, loading it first (a series'
 * middle image, which its thumbnail and the stack load anyway); empty when its header lacks them.
 */
export async function headerTraits(imageId: string): Promise<{ orientation?: number[]; sliceThickness?: number }> {
  await imageLoader.loadAndCacheImage(imageId);
  const plane = metaData.get('imagePlaneModule', imageId) as { rowCosines?: number[]; columnCosines?: number[]; sliceThickness?: number } | undefined;
  const r = plane?.rowCosines;
  const c = plane?.columnCosines;
  const t = Number(plane?.sliceThickness);
  return {
    ...(r && c && r.length >= 3 && c.length >= 3 ? { orientation: [...r.slice(0, 3), ...c.slice(0, 3)] } : {}),
    ...(Number.isFinite(t) && t > 0 ? { sliceThickness: t } : {}),
  };
}

/** Whether a slice is axial (normal along the patient's z axis). */
export function isAxial(imageId: string): boolean {
  return planeOf(imageId) === 'axial';
}

/**
 * The plane of a slice from Image Orientation (Patient) (PS3.3 C.7.6.2.1.1): the patient axis its
 * normal lies along (within about 25°), else oblique; undefined when the header does not say.
 */
export function planeOf(imageId: string): 'axial' | 'coronal' | 'sagittal' | 'oblique' | undefined {
  const plane = metaData.get('imagePlaneModule', imageId) as { rowCosines?: number[]; columnCosines?: number[] } | undefined;
  const r = plane?.rowCosines;
  const c = plane?.columnCosines;
  if (!r || !c || r.length < 3 || c.length < 3) return undefined;
  const n = [r[1]! * c[2]! - r[2]! * c[1]!, r[2]! * c[0]! - r[0]! * c[2]!, r[0]! * c[1]! - r[1]! * c[0]!].map(Math.abs);
  if (n[2]! > 0.9) return 'axial';
  if (n[1]! > 0.9) return 'coronal';
  if (n[0]! > 0.9) return 'sagittal';
  return 'oblique';
}

/** The Frame of Reference UID (0020,0052) of a slice: slices sharing one have comparable positions (PS3.3 C.7.4.1.1.1). */
export function frameOfReferenceOf(imageId: string): string | undefined {
  const plane = metaData.get('imagePlaneModule', imageId) as { frameOfReferenceUID?: string } | undefined;
  return plane?.frameOfReferenceUID || undefined;
}

/** Loads every image in the order given (bounded concurrency); returns the failures by imageId. */
export async function loadAll(
  imageIds: string[],
  onProgress?: (done: number, imageId: string, ok: boolean) => void,
  concurrency = 6,
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, imageIds.length) }, async () => {
      while (next < imageIds.length) {
        const id = imageIds[next++]!;
        try {
          await imageLoader.loadAndCacheImage(id);
        } catch (err) {
          failures.set(id, reasonOf(err));
        }
        onProgress?.(++done, id, !failures.has(id));
      }
    }),
  );
  return failures;
}

/**
 * Loads a series' images from one streamed WADO-RS request (stack-load/stream-load.ts), falling
 * back to {@link loadAll} for what it does not bring; the same answer as loadAll.
 */
export function loadSeries(
  imageIds: string[],
  onProgress?: (done: number, imageId: string, ok: boolean) => void,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  return loadStreamed(imageIds, loadAll, reasonOf, onProgress, signal);
}

/** The shape the DICOM image loader rejects with: `{ error, dataSet? }`. */
function isLoadRejection(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && !(reason instanceof Error) && 'error' in reason;
}

/** The loader's messages a radiologist would not understand, and what they mean. */
const PLAIN_REASONS: readonly [RegExp, string][] = [
  [/pixel data is missing/i, 'it holds no image (no Pixel Data): a report, plan or waveform'],
  [/unsupported pixel format for RLE/i, 'its RLE pixel format (more than 16 bits per sample) is not supported by the decoder'],
  [/no decoder for transfer syntax|unknown transfer syntax|transfer syntax .* not supported/i, 'its transfer syntax has no decoder here'],
];

/** A sentence from whatever the loader rejected with. */
export function reasonOf(err: unknown): string {
  const raw = rawReason(err);
  const plain = PLAIN_REASONS.find(([re]) => re.test(raw));
  return plain ? plain[1] : `the decoder failed (${raw})`;
}

function rawReason(err: unknown): string {
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
  return imageIds
    .map((id, i) => ({ id, p: pos[i]!, i }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((x) => x.id);
}

export { Enums, metaData };

/** The stack viewport of an id, when enabled. */
export function viewportOf(viewportId: string): Types.IStackViewport | undefined {
  return getRenderingEngine(ENGINE_ID)?.getViewport(viewportId) as Types.IStackViewport | undefined;
}
