/**
 * cornerstone3D, loaded and initialised once for the whole app, and the bound of decoded images
 * it keeps, chosen in the viewer's bar.
 */
export type Engine = typeof import('./engine.js');

/**
 * Loads and initialises cornerstone3D (a few MB of code and the codecs' workers) once: the
 * viewer starts it when the app has been idle for a moment, so that opening the first study
 * costs only its images. `data-viewer-ready` on the root element says when it is there.
 */
let preloaded: Promise<Engine> | undefined;
export function loadEngine(): Promise<Engine> {
  preloaded ??= import('./engine.js').then(async (eng) => {
    await eng.initEngine(cacheMegabytes() * 1e6);
    document.documentElement.dataset.viewerReady = 'true';
    return eng;
  });
  return preloaded;
}

/** The bound of decoded images kept in memory, chosen in the viewer's bar (this browser remembers it). */
const CACHE_KEY = 'priors.viewer.cacheMB';
export const CACHE_CHOICES = [256, 512, 1024, 2048, 4096];
export function cacheMegabytes(): number {
  const v = Number(globalThis.localStorage?.getItem(CACHE_KEY));
  return CACHE_CHOICES.includes(v) ? v : 1024;
}

/** Remembers the bound in this browser (a private window may refuse: the choice then lasts this session). */
export function rememberCacheMegabytes(mb: number): void {
  try {
    globalThis.localStorage?.setItem(CACHE_KEY, String(mb));
  } catch {
    /* private mode */
  }
}
