// Builds the renderer (React + TypeScript) into renderer/dist: `vite build renderer`.
// Relative asset paths, so the same build loads from the HTTP host (electron/web) and from a
// custom protocol or file URL in Electron. No inline scripts: the window's CSP forbids them.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app: keep the default chunking, warn only past 1 MB.
    chunkSizeWarningLimit: 1024,
  },
});
