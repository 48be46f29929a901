/**
 * The decoders of compressed Pixel Data, run in worker threads so that a decompression never
 * blocks the event loop that serves the associations: the WebAssembly codecs the viewer uses
 * (CharLS for JPEG-LS, libjpeg-turbo for 8-bit JPEG, OpenJPEG for JPEG 2000, OpenJPH for HTJ2K),
 * cornerstone's JavaScript decoder for lossless JPEG, and RLE (PS3.5 Annex G) and deflate here. A worker decodes one frame at a time; a pool of them serves every association.
 *
 * The worker's code is a string run with `eval`, its modules resolved by this (main) thread, so
 * that it starts the same way from the sources, the compiled tree and the bundled command.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** What a frame is, as the decoders need it. */
export interface FrameInfo {
  rows: number;
  columns: number;
  bitsAllocated: number;
  samplesPerPixel: number;
  pixelRepresentation: number;
}

/** A decoded frame: native sample bytes (little endian), and how its colour is now laid out. */
export interface DecodedFrame {
  bytes: Uint8Array;
  /** Set when decoding changed the colour model (YBR → RGB). */
  photometric?: string;
  /** 1 when the samples are colour-by-plane, 0 colour-by-pixel. */
  planar: 0 | 1;
}

const requireModule = createRequire(import.meta.url);

/** The modules a worker loads, resolved here; a package that is not installed leaves its syntaxes undecoded. */
function modules(): Record<string, string> {
  const out: Record<string, string> = {};
  const at = (name: string, id: string) => {
    try {
      out[name] = requireModule.resolve(id);
    } catch {
      /* not installed: no decoder for it */
    }
  };
  at('charls', '@cornerstonejs/codec-charls/decodewasmjs');
  at('charlsEncoder', '@cornerstonejs/codec-charls/wasmjs');
  at('jpeg8', '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs');
  at('openjpeg', '@cornerstonejs/codec-openjpeg/decodewasmjs');
  at('openjph', '@cornerstonejs/codec-openjph/wasmjs');
  at('lossless', '@cornerstonejs/jpeg-lossless-decoder-js');
  return out;
}

/** Which module decodes each transfer syntax. */
const MODULE_OF: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.80': 'charls',
  '1.2.840.10008.1.2.4.81': 'charls',
  '1.2.840.10008.1.2.4.90': 'openjpeg',
  '1.2.840.10008.1.2.4.91': 'openjpeg',
  '1.2.840.10008.1.2.4.201': 'openjph',
  '1.2.840.10008.1.2.4.202': 'openjph',
  '1.2.840.10008.1.2.4.203': 'openjph',
  '1.2.840.10008.1.2.4.57': 'lossless',
  '1.2.840.10008.1.2.4.70': 'lossless',
  // JPEG Extended (12-bit, .51) is left out: the only 12-bit decoder at hand (pdf.js's, in the
  // viewer's loader) shifts every sample by about 15 against DCMTK and GDCM, and a receiver is
  // better refused than sent altered pixels
  '1.2.840.10008.1.2.4.50': 'jpeg8',
};

/** The worker: plain JavaScript, one message per frame. */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const zlib = require('node:zlib');
const M = workerData.modules;
const loaded = {};
async function wasm(name, factoryName) {
  if (!loaded[name]) {
    const factory = require(M[name]);
    // print and printErr: OpenJPEG reports each header it reads on stdout
    loaded[name] = (typeof factory === 'function' ? factory : factory.default)({
      locateFile: (f) => path.join(path.dirname(M[name]), f), print: () => {}, printErr: () => {},
    });
  }
  return loaded[name];
}
function copy(view) { const out = new Uint8Array(view.length); out.set(view); return out; }
async function viaDecoder(name, cls, frame) {
  const codec = await wasm(name);
  const decoder = new codec[cls]();
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const interleave = typeof decoder.getInterleaveMode === 'function' ? decoder.getInterleaveMode() : 1;
    return { bytes: copy(decoder.getDecodedBuffer()), components: info.componentCount, interleave };
  } finally {
    if (typeof decoder.delete === 'function') decoder.delete();
  }
}
function rle(frame, info) {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = dv.getUint32(0, true);
  const bytesPerSample = info.bitsAllocated / 8;
  const pixels = info.rows * info.columns;
  if (segments !== bytesPerSample * info.samplesPerPixel) throw new Error('RLE frame has ' + segments + ' segments, expected ' + bytesPerSample * info.samplesPerPixel);
  const out = new Uint8Array(pixels * bytesPerSample * info.samplesPerPixel);
  for (let s = 0; s < segments; s++) {
    const start = dv.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? dv.getUint32(8 + 4 * s, true) : frame.length;
    // segment s: sample plane floor(s / bytesPerSample), byte (bytesPerSample - 1 - s % bytesPerSample) of each little-endian sample
    const plane = Math.floor(s / bytesPerSample);
    const byte = bytesPerSample - 1 - (s % bytesPerSample);
    let at = plane * pixels * bytesPerSample + byte;
    const stop = (plane + 1) * pixels * bytesPerSample;
    for (let i = start; i < end && at < stop;) {
      const n = (frame[i++] << 24) >> 24;
      if (n >= 0) {
        for (let k = 0; k <= n && i < end && at < stop; k++) { out[at] = frame[i++]; at += bytesPerSample; }
      } else if (n !== -128) {
        const v = frame[i++];
        for (let k = 0; k < 1 - n && at < stop; k++) { out[at] = v; at += bytesPerSample; }
      }
    }
  }
  return out;
}
function interleave(planes, info) {
  const bytesPerSample = info.bitsAllocated / 8;
  const pixels = info.rows * info.columns;
  const out = new Uint8Array(planes.length);
  for (let c = 0; c < info.samplesPerPixel; c++) {
    for (let p = 0; p < pixels; p++) {
      for (let k = 0; k < bytesPerSample; k++) out[(p * info.samplesPerPixel + c) * bytesPerSample + k] = planes[(c * pixels + p) * bytesPerSample + k];
    }
  }
  return out;
}
async function decode(syntax, frame, info) {
  switch (syntax) {
    case '1.2.840.10008.1.2.5': {
      // RLE keeps each sample in a plane of its own (PS3.5 G.2); they go out colour-by-pixel, as DCMTK's dcmdrle writes them
      const planes = rle(frame, info);
      return { bytes: info.samplesPerPixel > 1 ? interleave(planes, info) : planes, planar: 0 };
    }
    case '1.2.840.10008.1.2.8.1':
      return { bytes: copy(zlib.inflateRawSync(frame)), planar: info.planar };
    case '1.2.840.10008.1.2.1.98':
      // Encapsulated Uncompressed (PS3.5 A.4.11): each frame's native bytes in a fragment
      return { bytes: copy(frame), planar: info.planar };
    case '1.2.840.10008.1.2.4.80': case '1.2.840.10008.1.2.4.81': {
      const r = await viaDecoder('charls', 'JpegLSDecoder', frame);
      return { bytes: r.bytes, planar: r.components > 1 && r.interleave === 0 ? 1 : 0 };
    }
    case '1.2.840.10008.1.2.4.90': case '1.2.840.10008.1.2.4.91': {
      const r = await viaDecoder('openjpeg', 'J2KDecoder', frame);
      return { bytes: r.bytes, planar: 0, ...(r.components === 3 ? { photometric: 'RGB' } : {}) };
    }
    case '1.2.840.10008.1.2.4.201': case '1.2.840.10008.1.2.4.202': case '1.2.840.10008.1.2.4.203': {
      const r = await viaDecoder('openjph', 'HTJ2KDecoder', frame);
      return { bytes: r.bytes, planar: 0, ...(r.components === 3 ? { photometric: 'RGB' } : {}) };
    }
    case '1.2.840.10008.1.2.4.57': case '1.2.840.10008.1.2.4.70': {
      const { Decoder } = require(M.lossless);
      const out = new Decoder().decode(frame.buffer, frame.byteOffset, frame.length, info.bitsAllocated <= 8 ? 1 : 2);
      return { bytes: copy(new Uint8Array(out.buffer, out.byteOffset, out.byteLength)), planar: 0 };
    }
    case '1.2.840.10008.1.2.4.50': {
      if (info.bitsAllocated > 8) throw new Error('JPEG Baseline holds 8-bit samples, this frame says ' + info.bitsAllocated);
      const r = await viaDecoder('jpeg8', 'JPEGDecoder', frame);
      return { bytes: r.bytes, planar: 0, ...(r.components === 3 ? { photometric: 'RGB' } : {}) };
    }
    default:
      throw new Error('no decoder for transfer syntax ' + syntax);
  }
}
// RLE Lossless (PS3.5 G.3.1): one segment per byte of each sample, most significant first;
// PackBits runs of 2 to 128 equal bytes, literals of 1 to 128; each segment of even length
function rleEncode(frame, info) {
  const bytesPerSample = info.bitsAllocated / 8;
  const pixels = info.rows * info.columns;
  const segments = [];
  for (let plane = 0; plane < info.samplesPerPixel; plane++) {
    for (let b = bytesPerSample - 1; b >= 0; b--) {
      const out = [];
      const at = (i) => frame[(i * info.samplesPerPixel + plane) * bytesPerSample + b];
      for (let row = 0; row < info.rows; row++) {
        // runs never cross a row (G.3.1)
        const end = (row + 1) * info.columns;
        let i = row * info.columns;
        while (i < end) {
          let run = 1;
          while (i + run < end && run < 128 && at(i + run) === at(i)) run++;
          if (run >= 2) { out.push(257 - run, at(i)); i += run; continue; }
          let lit = 1;
          while (i + lit < end && lit < 128 && !(i + lit + 1 < end && at(i + lit) === at(i + lit + 1))) lit++;
          out.push(lit - 1);
          for (let k = 0; k < lit; k++) out.push(at(i + k));
          i += lit;
        }
      }
      if (out.length % 2) out.push(0x80); // a no-op byte pads the segment to even length
      segments.push(out);
    }
  }
  if (segments.length > 15) throw new Error('RLE holds at most 15 segments, this frame needs ' + segments.length);
  const total = 64 + segments.reduce((n, seg) => n + seg.length, 0);
  const result = new Uint8Array(total);
  const dv = new DataView(result.buffer);
  dv.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((seg, k) => { dv.setUint32(4 + 4 * k, offset, true); result.set(seg, offset); offset += seg.length; });
  return result;
}
async function encode(kind, frame, info) {
  if (kind === 'rle') return { bytes: rleEncode(frame, info) };
  if (kind === 'jpeg-ls') {
    const codec = await wasm('charlsEncoder');
    const encoder = new codec.JpegLSEncoder();
    try {
      encoder.getDecodedBuffer({ width: info.columns, height: info.rows, bitsPerSample: info.bitsPerSample, componentCount: info.samplesPerPixel, isSigned: false }).set(frame);
      encoder.setNearLossless(0);
      encoder.encode();
      return { bytes: copy(encoder.getEncodedBuffer()) };
    } finally {
      if (typeof encoder.delete === 'function') encoder.delete();
    }
  }
  throw new Error('no encoder ' + kind);
}
parentPort.on('message', (m) => {
  (m.encode ? encode(m.encode, m.frame, m.info) : decode(m.syntax, m.frame, m.info)).then(
    (r) => parentPort.postMessage({ id: m.id, ...r }, [r.bytes.buffer]),
    (e) => parentPort.postMessage({ id: m.id, error: String(e && e.message || e) }),
  );
});
`;

/** The transfer syntaxes the workers decode (RLE, deflate and encapsulated uncompressed need no module). */
export function decodedSyntaxes(): ReadonlySet<string> {
  const mods = modules();
  return new Set([
    '1.2.840.10008.1.2.5',
    '1.2.840.10008.1.2.8.1',
    '1.2.840.10008.1.2.1.98',
    ...Object.entries(MODULE_OF)
      .filter(([, m]) => mods[m])
      .map(([ts]) => ts),
  ]);
}

interface Job {
  resolve(r: DecodedFrame): void;
  reject(e: Error): void;
}

/** Worker threads decoding frames; started on first use, each ended after a minute without work. */
export class CodecPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private readonly waiting: (() => void)[] = [];
  private readonly jobs = new Map<number, Job>();
  private readonly timers = new Map<Worker, NodeJS.Timeout>();
  private next = 0;
  private mods: Record<string, string> | undefined;

  constructor(private readonly size = Math.max(1, availableParallelism() - 1)) {}

  /** Decodes one frame in a worker. */
  async decode(syntax: string, frame: Uint8Array, info: FrameInfo & { planar: 0 | 1 }): Promise<DecodedFrame> {
    const worker = await this.take();
    const id = ++this.next;
    try {
      return await new Promise<DecodedFrame>((resolve, reject) => {
        this.jobs.set(id, { resolve, reject });
        const copy = Uint8Array.prototype.slice.call(frame); // a copy even of a Buffer (whose slice() shares memory): its buffer is transferred
        worker.postMessage({ id, syntax, frame: copy, info }, [copy.buffer]);
      });
    } finally {
      this.jobs.delete(id);
      this.give(worker);
    }
  }

  /**
   * Compresses one frame losslessly in a worker: 'jpeg-ls' (ISO 14495-1, with `bitsPerSample`
   * significant bits per sample) or 'rle' (PS3.5 Annex G); the samples colour-by-pixel.
   */
  async encode(kind: 'jpeg-ls' | 'rle', frame: Uint8Array, info: FrameInfo & { bitsPerSample: number }): Promise<Uint8Array> {
    if (kind === 'jpeg-ls' && !(this.mods ??= modules()).charlsEncoder) throw new Error('the JPEG-LS encoder (@cornerstonejs/codec-charls) is not installed');
    const worker = await this.take();
    const id = ++this.next;
    try {
      const r = await new Promise<DecodedFrame>((resolve, reject) => {
        this.jobs.set(id, { resolve, reject });
        const copy = Uint8Array.prototype.slice.call(frame); // a copy even of a Buffer (whose slice() shares memory): its buffer is transferred
        worker.postMessage({ id, encode: kind, frame: copy, info }, [copy.buffer]);
      });
      return r.bytes;
    } finally {
      this.jobs.delete(id);
      this.give(worker);
    }
  }

  /** Ends every worker (tests; the process ends them anyway). */
  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.all([...this.idle, ...this.busy].map((w) => w.terminate()));
    this.idle.length = 0;
    this.busy.clear();
  }

  private async take(): Promise<Worker> {
    while (true) {
      const w = this.idle.pop();
      if (w) {
        clearTimeout(this.timers.get(w));
        this.busy.add(w);
        return w;
      }
      if (this.busy.size < this.size) {
        const fresh = this.spawn();
        this.busy.add(fresh);
        return fresh;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private give(w: Worker): void {
    if (!this.busy.delete(w)) return;
    this.idle.push(w);
    this.timers.set(
      w,
      setTimeout(() => {
        const i = this.idle.indexOf(w);
        if (i >= 0) {
          this.idle.splice(i, 1);
          void w.terminate();
        }
      }, 60_000).unref(),
    );
    this.waiting.shift()?.();
  }

  private spawn(): Worker {
    this.mods ??= modules();
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { modules: this.mods } });
    w.unref();
    w.on('message', (m: { id: number; error?: string } & DecodedFrame) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      if (m.error !== undefined) job.reject(new Error(m.error));
      else job.resolve({ bytes: m.bytes, planar: m.planar, ...(m.photometric ? { photometric: m.photometric } : {}) });
    });
    w.on('error', (err) => {
      for (const job of this.jobs.values()) job.reject(err);
      this.busy.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
    });
    return w;
  }
}
