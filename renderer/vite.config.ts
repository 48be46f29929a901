// Builds the renderer (React + TypeScript) into renderer/dist: `vite build renderer`.
// Relative asset paths, so the same build loads from the HTTP host (electron/web) and from a
// custom protocol or file URL in Electron. No inline scripts: the window's CSP forbids them.
// The viewer (features/viewer/engine.ts, loaded lazily) brings cornerstone3D: its decoders run
// in module workers and load .wasm files as assets.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * cornerstone tools' measurement labels (drawingSvg/drawTextBox.js) set a `style` attribute,
 * which the window's CSP (style-src 'self', no inline styles) refuses, logging an error for
 * each label drawn. The same declarations set through the CSSOM (`style.cssText`) are not
 * inline markup and are allowed: the line is rewritten at build time, and the build stops if
 * a new version of the library no longer has it.
 */
function cspSafeTextBoxes(): Plugin {
  const from = "textElement.setAttribute('style', combinedStyle);";
  return {
    name: 'priors-csp-safe-text-boxes',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('/drawingSvg/drawTextBox.js')) return null;
      if (!code.includes(from)) this.error(`${id} no longer sets its text style with "${from}": check it for inline styles the CSP refuses`);
      return { code: code.replace(from, 'textElement.style.cssText = combinedStyle;'), map: null };
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [react(), cspSafeTextBoxes()],
  resolve: {
    // vtk.js → xmlbuilder2 extends Node's EventEmitter at load time: a small browser shim
    alias: {
      events: decodeURIComponent(new URL('./src/viewer-shims/events.ts', import.meta.url).pathname),
      // modules of the DICOM image loader its package does not export (its decoding worker, the
      // rule of the typed array a frame becomes): our worker wraps them (stack-load/decode.worker.ts)
      'priors-dicom-image-loader': decodeURIComponent(new URL('../node_modules/@cornerstonejs/dicom-image-loader/dist/esm', import.meta.url).pathname),
    },
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
