/**
 * The DICOM image loader's decoding worker, answering with its pixels transferred instead of
 * copied: the loader's worker returns each decoded frame by structured clone, a copy of every
 * image on the page's thread (and one more in the worker), which the page's thread paid for a
 * whole stack. Its answers go out through this worker's postMessage, which adds the frame's
 * pixel buffer to the transfer list; the decoding itself is the loader's.
 */
import 'priors-dicom-image-loader/decodeImageFrameWorker.js';
import pageArrayType from 'priors-dicom-image-loader/shared/getPixelDataTypeFromMinMax.js';

const scope = self as unknown as { postMessage(message: unknown, transfer?: Transferable[]): void };
const post = scope.postMessage.bind(scope);

/** A decoded frame as the worker answers it. */
interface DecodedFrame {
  pixelData?: unknown;
  smallestPixelValue?: number;
  largestPixelValue?: number;
}

/**
 * Readies a comlink answer (`{ id, type: 'RAW', value: imageFrame }`) to move: the frame's pixel
 * buffer is transferred, and when the pixels already are the typed array the page would copy
 * them into, they go as their bare buffer, which the page wraps without copying.
 */
function movable(message: unknown): ArrayBuffer | undefined {
  const frame = (message as { value?: DecodedFrame } | null)?.value;
  const pixels = frame?.pixelData;
  if (!frame || !ArrayBuffer.isView(pixels) || !(pixels.buffer instanceof ArrayBuffer)) return undefined;
  const whole = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength;
  if (whole && pixels.constructor === pageArrayType(frame.smallestPixelValue, frame.largestPixelValue)) frame.pixelData = pixels.buffer;
  return pixels.buffer;
}

scope.postMessage = (message: unknown, transfer: Transferable[] = []) => {
  const buffer = movable(message);
  post(message, buffer && !transfer.includes(buffer) ? [...transfer, buffer] : transfer);
};
