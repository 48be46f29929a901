/// <reference types="vite/client" />

/** The DICOM image loader's decoding worker module (aliased in vite.config.ts); it registers itself with comlink when evaluated in a worker. */
declare module 'priors-cornerstone-decode-worker';
