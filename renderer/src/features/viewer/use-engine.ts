/**
 * The viewer's engine once it is loaded: preloaded when the screen has been mounted a moment
 * (engine-loader.ts), or loaded by the first open, whichever comes first.
 */
import { useEffect, useState } from 'react';
import { type Engine, loadEngine } from './engine-loader.js';

/** Until the app has been idle this long, the preload leaves the network and the main thread to the first screen. */
const PRELOAD_AFTER_MS = 1500;

export function useEngine(): [Engine | undefined, (engine: Engine) => void] {
  const [engine, setEngine] = useState<Engine | undefined>();
  useEffect(() => {
    const timer = setTimeout(() => {
      void loadEngine()
        .then(setEngine)
        .catch(() => undefined);
    }, PRELOAD_AFTER_MS);
    return () => clearTimeout(timer);
  }, []);
  return [engine, setEngine];
}
