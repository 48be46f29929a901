// Builds the renderer (React + TypeScript) into renderer/dist: `vite build renderer`.
// Relative asset paths, so the same build loads from the HTTP host (electron/web) and from a
// custom protocol or file URL in Electron. No inline scripts: the window's CSP forbids them.
// The viewer (features/viewer/engine.ts, loaded lazily) brings cornerstone3D: its decoders run
// in module workers and load .wasm files as assets.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: './',
  plugins: [react()],
  resolve: {
    // vtk.js → xmlbuilder2 extends Node's EventEmitter at load time: a small browser shim
    alias: { events: decodeURIComponent(new URL('./src/viewer-shims/events.ts', import.meta.url).pathname) },
  },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The app stays small; the lazily loaded viewer chunk (cornerstone3D, ~4 MB) is the exception.
    chunkSizeWarningLimit: 5000,
  },
});
