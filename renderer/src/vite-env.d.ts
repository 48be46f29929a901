/// <reference types="vite/client" />

/** The DICOM image loader's decoding worker module (aliased in vite.config.ts); it registers itself with comlink when evaluated in a worker. */
declare module 'priors-dicom-image-loader/decodeImageFrameWorker.js';

/** The typed array the loader makes of a decoded frame, from its smallest and largest values (aliased in vite.config.ts). */
declare module 'priors-dicom-image-loader/shared/getPixelDataTypeFromMinMax.js' {
  export default function getPixelDataTypeFromMinMax(min: number | undefined, max: number | undefined): unknown;
}
