/**
 * Transfer syntax conversion of what leaves Priors (outgoing.ts), with the decoders of compressed
 * Pixel Data this build has (decompress.ts).
 */
import { PixelDecompressor } from './decompress.js';
import { OutgoingTranscoder } from './outgoing.js';
import { ArrivalCompressor } from './compress.js';

export { OutgoingTranscoder, type Decompressor } from './outgoing.js';
export { PixelDecompressor } from './decompress.js';
export { ArrivalCompressor, ARRIVAL_SYNTAX } from './compress.js';

let shared: OutgoingTranscoder | undefined;

/** The transcoder given to our SCP and the Storage SCU: one per process, its codec workers started on first use. */
export function outgoingTranscoder(): OutgoingTranscoder {
  shared ??= new OutgoingTranscoder(new PixelDecompressor());
  return shared;
}

let compressor: ArrivalCompressor | undefined;

/** The compressor of what arrives: one per process, its codec workers started on first use. */
export function arrivalCompressor(): ArrivalCompressor {
  compressor ??= new ArrivalCompressor();
  return compressor;
}
