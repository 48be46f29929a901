/**
 * What leaves Priors in a syntax its receiver takes: the Transcoder our SCP (C-MOVE and C-GET
 * sub-operations) and the Storage SCU (`priors send`) are given. A stored file is never changed;
 * the conversion is a stream from the file to the association:
 * - native syntaxes into one another (Implicit/Explicit VR Little Endian, Explicit VR Big Endian)
 *   and Deflated Explicit VR Little Endian inflated, losslessly (shared/dicom/transcode-native.ts);
 * - compressed Pixel Data decompressed, when a decoder for its syntax is given and the receiver's
 *   node does not list the syntax as never to be decompressed.
 */
import { createReadStream } from 'node:fs';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { encodingOf } from '../../../shared/dicom/codec.js';
import { NativeTranscoder, transcodeNative } from '../../../shared/dicom/transcode-native.js';
import { TransferSyntaxUid } from '../../../shared/dicom/uids.js';
import type { InstanceSource, OutgoingPolicy, Transcoder } from '../../dimse/handlers.js';

const ILE = TransferSyntaxUid.ImplicitVRLittleEndian;
const ELE = TransferSyntaxUid.ExplicitVRLittleEndian;
const NATIVE: ReadonlySet<string> = new Set([ILE, ELE, TransferSyntaxUid.ExplicitVRBigEndian]);

/** Decompresses encapsulated Pixel Data into a native data set (see decompress.ts). */
export interface Decompressor {
  /** Whether it can decode this transfer syntax. */
  decodes(transferSyntaxUid: string): boolean;
  /** The instance's data set with its Pixel Data decoded, in Explicit VR Little Endian. */
  decompress(instance: InstanceSource): Promise<Uint8Array>;
}

/** A stream transform through a {@link NativeTranscoder}. */
class NativeTransform extends Transform {
  constructor(private readonly transcoder: NativeTranscoder) {
    super();
  }

  /** One chunk per input chunk: the converter yields a piece per header and value, and a stream pays per chunk. */
  private pushAll(pieces: Uint8Array[]): void {
    if (pieces.length === 1) this.push(pieces[0]);
    else if (pieces.length > 1) this.push(Buffer.concat(pieces));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.pushAll(this.transcoder.push(chunk));
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.pushAll(this.transcoder.end());
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}

/** The outgoing transcoder: native conversions always, decompression with a {@link Decompressor}. */
export class OutgoingTranscoder implements Transcoder {
  constructor(private readonly decompressor?: Decompressor) {}

  alternatives(transferSyntaxUid: string, policy?: OutgoingPolicy): string[] {
    // a C-GET requestor may offer Explicit VR Little Endian alone (DCMTK's getscu does)
    if (transferSyntaxUid === ILE) return [ELE];
    if (transferSyntaxUid === ELE) return [ILE];
    const enc = encodingOf(transferSyntaxUid);
    if (NATIVE.has(transferSyntaxUid) || (enc.deflated && !enc.encapsulated)) return [ELE, ILE];
    if (!this.decompressor?.decodes(transferSyntaxUid)) return [];
    if (policy?.neverDecompress?.includes(transferSyntaxUid)) return [];
    return [ELE, ILE];
  }

  convertsInMemory(transferSyntaxUid: string): boolean {
    const enc = encodingOf(transferSyntaxUid);
    return !enc.encapsulated && (NATIVE.has(transferSyntaxUid) || enc.deflated);
  }

  convertBytes(dataSet: Uint8Array, fromTransferSyntaxUid: string, toTransferSyntaxUid: string): Uint8Array {
    const from = encodingOf(fromTransferSyntaxUid);
    const native = from.deflated ? inflateRawSync(dataSet) : dataSet;
    return transcodeNative(native, { ...from, deflated: false }, encodingOf(toTransferSyntaxUid));
  }

  async convert(instance: InstanceSource, transferSyntaxUid: string): Promise<Readable | { reason: string }> {
    const from = encodingOf(instance.transferSyntaxUid);
    const to = encodingOf(transferSyntaxUid);
    if (to.encapsulated || to.deflated) return { reason: 'only native transfer syntaxes are produced on the way out' };
    if (from.encapsulated) {
      if (!this.decompressor?.decodes(instance.transferSyntaxUid)) return { reason: 'no decoder for this transfer syntax' };
      const decoded = await this.decompressor.decompress(instance);
      return pipeline(Readable.from([decoded]), new NativeTransform(new NativeTranscoder(encodingOf(ELE), to)), () => undefined);
    }
    const file = createReadStream(instance.path, {
      start: instance.dataSetOffset,
      end: instance.dataSetOffset + instance.dataSetLength - 1,
      highWaterMark: Math.min(1 << 20, Math.max(1, instance.dataSetLength)),
    });
    const native = new NativeTransform(new NativeTranscoder({ ...from, deflated: false }, to));
    // a failure anywhere ends the stream with that error, which the association's send reports
    return from.deflated ? pipeline(file, createInflateRaw(), native, () => undefined) : pipeline(file, native, () => undefined);
  }
}
