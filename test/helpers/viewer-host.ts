// The viewer's world for e2e tests and the viewer benchmark: a cache holding the given files,
// the app core over it, the web host serving the built renderer and WADO, and helpers to open
// a study in a page and read a pane's state and pixels. Page functions are plain functions
// (the page's CSP refuses string evaluation).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { defaultConfig } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { AppCore } from '../../electron/app/core.js';
import { ConfigStore } from '../../electron/services/config/config-store.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { DicomwebServer } from '../../electron/services/dicomweb/server.js';
import { startWebHost, type WebHost } from '../../electron/web/host.js';
import { REPO_ROOT } from './priors-cli.js';
import { tempDir } from './tmp.js';
import type { Doc } from './ui-steps.js';

export const RENDERER_STATIC = join(REPO_ROOT, 'renderer', 'dist');

/** Why the viewer cannot be driven here, or false. */
export function viewerSkipReason(): string | false {
  if (!existsSync('/usr/bin/chromium')) return 'no /usr/bin/chromium';
  if (!existsSync(join(RENDERER_STATIC, 'index.html'))) return 'renderer not built (npx vite build renderer)';
  return false;
}

export interface ViewerHost {
  cache: Cache;
  web: WebHost;
  /** The host's own SCP: storescu may send into it while a page shows the study. */
  scp: { aeTitle: string; host: string; port: number };
  close(): Promise<void>;
}

/** A cache over `files` (imported), served with the renderer and WADO on 127.0.0.1. */
export async function startViewerHost(files: string[], o: { aeTitle?: string } = {}): Promise<ViewerHost> {
  const dataDir = tempDir('priors-viewer');
  const cache = await Cache.open(dataDir);
  if (files.length) await cache.importPaths(files);
  const activity = new ActivityLog();
  const config = { ...defaultConfig(), local: { ...defaultConfig().local, aeTitle: o.aeTitle ?? 'PRIORSVIEW', port: 0, bindAddress: '127.0.0.1' } };
  const store = new ConfigStore(dataDir);
  await store.save(config);
  const server: ServeHandle = await startServer({ config, cache, log: activity.logger, nodes: async () => (await store.load()).nodes });
  const core = new AppCore({ store, cache, activity, server });
  const web = await startWebHost({
    api: core,
    staticDir: RENDERER_STATIC,
    dicomweb: new DicomwebServer({ cache, aeTitle: 'PRIORS', caseInsensitivePN: true }),
  });
  return {
    cache,
    web,
    scp: { aeTitle: server.aeTitle, host: server.host, port: server.port },
    close: async () => {
      await web.close();
      core.close();
      await server.close();
      await cache.close();
    },
  };
}

/**
 * Loads the app at `url` and waits until the viewer listens for the open-study event. It starts
 * listening in an effect, after the first render, which can come after the page's load event: an
 * event dispatched before would be lost (Search and Local cache dispatch it on a click, later).
 */
export async function gotoViewer(page: Page, url: string): Promise<void> {
  await page.addInitScript(() => {
    const w = globalThis as unknown as { addEventListener: (...args: unknown[]) => void; priorsOpenStudyListeners?: number };
    const add = w.addEventListener;
    w.addEventListener = function (this: unknown, ...args: unknown[]) {
      if (args[0] === 'priors:open-study') w.priorsOpenStudyListeners = (w.priorsOpenStudyListeners ?? 0) + 1;
      return add.apply(this, args);
    };
  });
  await page.goto(url);
  await page.waitForFunction(() => ((globalThis as unknown as { priorsOpenStudyListeners?: number }).priorsOpenStudyListeners ?? 0) > 0, undefined, {
    timeout: 30_000,
  });
}

/** Dispatches the open-study event the Search and Local cache screens dispatch (`arriving`: the study may still be coming in). */
export async function openStudy(page: Page, StudyInstanceUID: string, more: { arriving?: boolean } = {}): Promise<void> {
  await page.evaluate(
    (detail) => {
      const w = globalThis as unknown as { dispatchEvent(e: unknown): void; CustomEvent: new (type: string, init: unknown) => unknown };
      w.dispatchEvent(new w.CustomEvent('priors:open-study', { detail }));
    },
    { StudyInstanceUID, ...more },
  );
}

/** A pane's state as its attributes and overlay say. */
export interface PaneState {
  complete: boolean;
  index: number;
  shown: number;
  total: number;
  loaded: number;
  overlay: string;
  position?: number;
}

function paneSelector(study: string, label: string): string {
  return `[data-study="${study}"] [aria-label="${label}"]`;
}

/** The state of the pane `label` ('Current study' / 'Prior study') showing `study`. */
export async function paneState(page: Page, study: string, label: string): Promise<PaneState | undefined> {
  return page.evaluate(
    (sel) => {
      const document = (globalThis as unknown as { document: Doc }).document;
      const pane = document.querySelector(sel);
      if (!pane) return undefined;
      const overlay = pane.querySelector('.viewer-overlay')?.textContent ?? '';
      const pos = /pos (-?\d+(?:\.\d+)?)/.exec(overlay);
      // no inner named functions here: the test's compiler would wrap them in a helper the page lacks
      return {
        complete: pane.getAttribute('data-complete') === 'true',
        index: Number(pane.getAttribute('data-index') ?? 0),
        shown: Number(pane.getAttribute('data-shown') ?? 0),
        total: Number(pane.getAttribute('data-total') ?? 0),
        loaded: Number(pane.getAttribute('data-loaded') ?? 0),
        overlay,
        ...(pos ? { position: Number(pos[1]) } : {}),
      };
    },
    paneSelector(study, label),
  );
}

/** Waits until the pane has loaded everything and rendered (its overlay shows a window). */
export async function waitPaneReady(page: Page, study: string, label: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (sel) => {
      const document = (globalThis as unknown as { document: Doc }).document;
      const pane = document.querySelector(sel);
      return !!pane && pane.getAttribute('data-complete') === 'true' && /WW -?\d+ WL/.test(pane.querySelector('.viewer-overlay')?.textContent ?? '');
    },
    paneSelector(study, label),
    { timeout },
  );
}

/** Waits until the pane shows the first image (its overlay shows a window), loading or not. */
export async function waitFirstImage(page: Page, study: string, label: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (sel) => {
      const document = (globalThis as unknown as { document: Doc }).document;
      return /WW -?\d+ WL/.test(document.querySelector(sel)?.querySelector('.viewer-overlay')?.textContent ?? '');
    },
    paneSelector(study, label),
    { timeout },
  );
}

/** The pane's canvas against a reference kept in the page: 'keep' stores it, 'compare' measures the difference. */
export async function paneCanvasVs(
  page: Page,
  study: string,
  label: string,
  what: 'keep' | 'compare',
): Promise<{ pixels: number; lit: number; sameSize: boolean; max: number; mean: number }> {
  return page.evaluate(
    ([sel, op]) => {
      interface Canvas2d {
        width: number;
        height: number;
        getContext(kind: '2d'): {
          drawImage(c: unknown, x: number, y: number): void;
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
      }
      const g = globalThis as unknown as {
        document: { querySelector(s: string): { querySelector(s: string): unknown } | null; createElement(tag: 'canvas'): Canvas2d };
        priorsReference?: Uint8Array;
      };
      const canvas = g.document.querySelector(sel)?.querySelector('canvas') as Canvas2d | null;
      if (!canvas) return { pixels: 0, lit: 0, sameSize: false, max: 255, mean: 255 };
      const copy = g.document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d');
      ctx.drawImage(canvas, 0, 0);
      const rgba = ctx.getImageData(0, 0, copy.width, copy.height).data;
      const red = new Uint8Array(rgba.length / 4);
      let lit = 0;
      for (let i = 0; i < red.length; i++) {
        red[i] = rgba[i * 4]!;
        if (red[i]! > 0) lit++;
      }
      if (op === 'keep') {
        g.priorsReference = red;
        return { pixels: red.length, lit, sameSize: true, max: 0, mean: 0 };
      }
      const ref = g.priorsReference;
      if (!ref || ref.length !== red.length) return { pixels: red.length, lit, sameSize: false, max: 255, mean: 255 };
      let sum = 0;
      let max = 0;
      for (let i = 0; i < red.length; i++) {
        const d = Math.abs(red[i]! - ref[i]!);
        sum += d;
        if (d > max) max = d;
      }
      return { pixels: red.length, lit, sameSize: true, max, mean: sum / red.length };
    },
    [`[data-study="${study}"] [aria-label="${label}"]`, what] as const,
  );
}
