/**
 * The DIMSE message channel over one association: Message IDs, parsed command sets, and the
 * data set helpers shared by the SCU and the SCP.
 */
import type { Readable } from 'node:stream';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DataSet } from '../../shared/dicom/dataset.js';
import { decodeDataSet, encodeDataSet, encodingOf } from '../../shared/dicom/codec.js';
import type { Association, IncomingMessage } from './ul/association.js';
import { DataSetStream } from './ul/messages.js';
import { MessageIdAllocator, parseCommand, type DimseCommand } from './command.js';
import type { AssociationInfo } from './handlers.js';

/** A received message with its command set parsed. */
export interface DimseMessage extends IncomingMessage {
  cmd: DimseCommand;
}

/** Sends and receives the DIMSE messages of one association and hands out its Message IDs. */
export class DimseChannel {
  private readonly ids = new MessageIdAllocator();

  constructor(readonly association: Association) {}

  /** The next Message ID (0000,0110) of this association. */
  nextMessageId(): number {
    return this.ids.next();
  }

  /** Sends one message; the association sends messages one after the other in call order. */
  send(contextId: number, command: DataSet, dataSet?: Uint8Array | Readable | AsyncIterable<Uint8Array>): Promise<void> {
    return this.association.sendMessage(contextId, command, dataSet);
  }

  /** Hands the messages sent in this turn of the event loop to the kernel now (see {@link Association.flush}). */
  flush(): void {
    this.association.flush();
  }

  /** Sends a command followed by a data set encoded in the context's transfer syntax. */
  sendWithDataSet(contextId: number, command: DataSet, dataSet: DataSet): Promise<void> {
    const ctx = this.association.contexts.find((c) => c.id === contextId);
    if (!ctx) return Promise.reject(new Error(`no accepted presentation context ${contextId}`));
    return this.send(contextId, command, encodeForSyntax(dataSet, ctx.transferSyntax));
  }

  /**
   * The next message with its command parsed; null when the association ended normally.
   * A malformed command set aborts the association (PS3.8 §9.2: unrecognized PDU parameter)
   * and rejects.
   */
  async receive(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<DimseMessage | null> {
    const msg = await this.association.receiveMessage(options);
    if (!msg) return null;
    try {
      return { ...msg, cmd: parseCommand(msg.command) };
    } catch (err) {
      this.association.abort(2, 6);
      throw err;
    }
  }
}

/** Reads a stream to its end into one byte array. */
export async function readAll(stream: Readable): Promise<Uint8Array> {
  // a stream destroyed before anyone read it (the association ended) would never end an iteration
  if (stream.destroyed && !stream.readableEnded) throw stream.errored ?? new Error('the data set ended before it was read: the association closed');
  if (stream instanceof DataSetStream && !stream.sink) return gather(stream);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    chunks.push(bytes);
    length += bytes.byteLength;
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** A received data set's bytes in one array, taken from the network without the Readable (a C-FIND identifier is one PDV). */
function gather(stream: DataSetStream): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    stream.divert({
      write: (bytes) => {
        chunks.push(Buffer.from(bytes)); // borrowed from the socket's read buffer
        length += bytes.length;
      },
      end: () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)),
      fail: reject,
    });
  });
}

/** Reads and discards the rest of a stream (a message's data set must be consumed before the next one). */
export async function drain(stream: Readable | null): Promise<void> {
  if (!stream || stream.readableEnded || stream.destroyed) return;
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('error', () => resolve());
    stream.on('close', () => resolve());
    stream.resume();
  });
}

/** Decodes data set bytes received in a transfer syntax (inflating Deflated Explicit VR LE, PS3.5 A.5). */
export function decodeForSyntax(bytes: Uint8Array, transferSyntaxUid: string): DataSet {
  const encoding = encodingOf(transferSyntaxUid);
  const raw = encoding.deflated ? new Uint8Array(inflateRawSync(bytes)) : bytes;
  return decodeDataSet(raw, encoding).dataSet;
}

/** Encodes a data set for a transfer syntax (deflating for Deflated Explicit VR LE, PS3.5 A.5). */
export function encodeForSyntax(ds: DataSet, transferSyntaxUid: string): Uint8Array {
  const encoding = encodingOf(transferSyntaxUid);
  const bytes = encodeDataSet(ds, encoding);
  return encoding.deflated ? new Uint8Array(deflateRawSync(bytes)) : bytes;
}

/** Reads a message's data set (an identifier or a response data set) and decodes it; undefined when there is none. */
export async function readDataSet(msg: IncomingMessage): Promise<DataSet | undefined> {
  if (!msg.dataSet) return undefined;
  return decodeForSyntax(await readAll(msg.dataSet), msg.transferSyntax);
}

/** Who is on the other end of an association, for handlers and logs. */
export function associationInfo(association: Association): AssociationInfo {
  const rq = association.request;
  const info: AssociationInfo = {
    id: association.id,
    callingAeTitle: rq.callingAeTitle,
    calledAeTitle: rq.calledAeTitle,
    peerAddress: rq.peerAddress,
    peerPort: rq.peerPort,
  };
  if (rq.userIdentity) info.userIdentity = { type: rq.userIdentity.type, primary: rq.userIdentity.primary };
  return info;
}

/** An error's message for logs and Error Comments. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
