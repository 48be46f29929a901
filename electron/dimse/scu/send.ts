/**
 * Sending one stored instance as a C-STORE-RQ (PS3.7 §9.1.1, §9.3.1): the data set bytes are
 * streamed from the Part-10 file unchanged (or converted on the way, for a receiver that takes
 * none of the stored syntax), then the C-STORE-RSP is awaited.
 * Shared by the Storage SCU, the C-MOVE SCP (sub-association) and the C-GET SCP (same association).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Status } from '../../../shared/dicom/status.js';
import { CommandField, commandName, storeRq } from '../command.js';
import { drain, errorMessage, type DimseChannel, type DimseMessage } from '../channel.js';
import type { InstanceSource, Transcoder } from '../handlers.js';
import { uidName } from '../../../shared/dicom/uids.js';

/** The outcome of one C-STORE sub-operation or request. */
export interface SendOutcome {
  status: number;
  errorComment?: string;
  /** Why it failed on our side without a C-STORE-RQ being sent (e.g. the file is unreadable). */
  reason?: string;
}

/**
 * Waits for the response to a request: given its Message ID and the promise of the request
 * being sent, resolves with the response message.
 */
export type ResponseWaiter = (messageId: number, sent: Promise<void>) => Promise<DimseMessage>;

/**
 * A {@link ResponseWaiter} for an association nobody else reads: after the request went out,
 * reads messages until the C-STORE-RSP answering it (others are drained and logged).
 */
export function directResponses(channel: DimseChannel, onUnexpected?: (msg: DimseMessage) => void): ResponseWaiter {
  return async (messageId, sent) => {
    await sent;
    while (true) {
      const msg = await channel.receive();
      if (!msg) throw new Error(`the peer closed association ${channel.association.id} before answering C-STORE ${messageId}`);
      if (msg.cmd.commandField === CommandField.C_STORE_RSP && msg.cmd.messageIdBeingRespondedTo === messageId) {
        await drain(msg.dataSet);
        return msg;
      }
      await drain(msg.dataSet);
      onUnexpected?.(msg);
    }
  };
}

/**
 * Data sets up to this size are read in one read and sent from memory; larger ones are streamed
 * in 1 MiB reads, so memory stays flat whatever the size.
 */
const READ_WHOLE_MAX = 8 * 1024 * 1024;
/**
 * Data sets up to this size (a CT or MR image) are read with synchronous calls: from a local
 * disk that takes less time than the three thread-pool round trips of an asynchronous read.
 */
const READ_SYNC_MAX = 2 * 1024 * 1024;
const STREAM_CHUNK = 1024 * 1024;

/** Extra fields of a C-STORE-RQ sent as a C-MOVE sub-operation (PS3.7 §9.3.1.1). */
export interface SendOptions {
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
  priority?: number;
}

/** An instance's data set ready to send (in memory, or opened as a stream), or why it cannot be. */
export type LoadedDataSet = Uint8Array | Readable | SendOutcome;

function unreadable(instance: InstanceSource, err: unknown): SendOutcome {
  return { status: Status.ProcessingFailure, reason: `cannot read ${instance.path}: ${errorMessage(err)}` };
}

function cutShort(instance: InstanceSource, bytesRead: number, length: number): SendOutcome {
  return {
    status: Status.ProcessingFailure,
    reason: `${instance.path} holds ${bytesRead} bytes of its ${length}-byte data set (cut short since it was stored)`,
  };
}

/**
 * Reads an instance's data set: whole into memory up to {@link READ_WHOLE_MAX} (synchronously up
 * to {@link READ_SYNC_MAX}), else opened as a stream of 1 MiB reads. A file that cannot be read,
 * or holds less than its data set, gives the 0110 (Processing failure) outcome to report instead
 * of sending.
 */
async function loadDataSet(instance: InstanceSource): Promise<LoadedDataSet> {
  if (instance.dataSetLength > 0 && instance.dataSetLength <= READ_SYNC_MAX) return loadDataSetSync(instance);
  let handle;
  try {
    handle = await open(instance.path, 'r');
  } catch (err) {
    return unreadable(instance, err);
  }
  try {
    const length = instance.dataSetLength > 0 ? instance.dataSetLength : (await handle.stat()).size - instance.dataSetOffset;
    if (length > READ_WHOLE_MAX) {
      return handle.createReadStream({ start: instance.dataSetOffset, end: instance.dataSetOffset + length - 1, autoClose: true, highWaterMark: STREAM_CHUNK });
    }
    const bytes = Buffer.allocUnsafe(Math.max(0, length));
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, instance.dataSetOffset);
    await handle.close();
    return bytesRead < bytes.length ? cutShort(instance, bytesRead, bytes.length) : bytes;
  } catch (err) {
    await handle.close().catch(() => undefined);
    return unreadable(instance, err);
  }
}

/** Reads a data set of at most {@link READ_SYNC_MAX} bytes synchronously, into `into` when given (large enough) or a new buffer. */
function loadDataSetSync(instance: InstanceSource, into?: Buffer): LoadedDataSet {
  let fd;
  try {
    fd = openSync(instance.path, 'r');
  } catch (err) {
    return unreadable(instance, err);
  }
  try {
    const bytes = into ? into.subarray(0, instance.dataSetLength) : Buffer.allocUnsafe(instance.dataSetLength);
    const bytesRead = readSync(fd, bytes, 0, bytes.length, instance.dataSetOffset);
    return bytesRead < bytes.length ? cutShort(instance, bytesRead, bytes.length) : bytes;
  } catch (err) {
    return unreadable(instance, err);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the next instance's data set while the peer stores the current one: {@link sendInstance}
 * takes the current instance's data set from here, if it was read ahead, and starts reading the
 * next once the current request is with the kernel. Only data sets sent from memory are read
 * ahead (a larger one is opened when its turn comes, so no file stays open), one at a time, and
 * only of instances the association can carry.
 *
 * A data set read synchronously goes into one buffer kept for the whole run, when the
 * association has handed every byte queued so far to the kernel (`written`): the PDVs sent are
 * views of that buffer, so it is rewritten only when no write still refers to it. Otherwise a
 * new buffer is taken. Reading a 512 KiB image into a new buffer costs about 540 µs here, most
 * of it faulting in the buffer's fresh pages; into the kept one, under 100 µs.
 */
export class ReadAhead {
  private held: { instance: InstanceSource; data: Promise<LoadedDataSet> } | undefined;
  private kept: Buffer | undefined;
  private converting: { instance: InstanceSource; result: Promise<Readable | { reason: string }> } | undefined;

  /**
   * @param plan how an instance goes out on this association: as stored, converted to
   *   `convertTo`, or not at all (undefined: no context for it)
   * @param written whether the association has no write in flight or queued: then no PDV refers
   *   to the kept buffer any longer ({@link Association.allWritten})
   * @param transcoder what converts the instances that are not sent as stored
   */
  constructor(
    private readonly plan: (instance: InstanceSource) => { convertTo?: string } | undefined,
    private readonly written: () => boolean,
    private readonly transcoder?: Transcoder,
  ) {}

  /** After an instance is sent: reads the next one, if it goes out as stored or is converted in memory. */
  start(instance: InstanceSource | undefined): void {
    this.held =
      instance && instance.dataSetLength > 0 && instance.dataSetLength <= READ_WHOLE_MAX && this.readsWhole(instance)
        ? { instance, data: this.load(instance) }
        : undefined;
  }

  /** The data set read ahead for this instance, if it was; either way nothing is held after. */
  take(instance: InstanceSource): Promise<LoadedDataSet> | undefined {
    const held = this.held;
    this.held = undefined;
    return held?.instance === instance ? held.data : undefined;
  }

  /**
   * Before an instance is sent: the next one, if it must be decompressed, starts decoding in the
   * codec workers now, so that its decoding overlaps this one's sending.
   */
  startConversion(instance: InstanceSource | undefined): void {
    const to = instance && this.plan(instance)?.convertTo;
    if (!instance || !to || !this.transcoder || this.transcoder.convertsInMemory(instance.transferSyntaxUid)) return;
    if (this.converting?.instance === instance) return;
    this.dropConversion();
    this.converting = { instance, result: this.transcoder.convert(instance, to).catch((err: unknown) => ({ reason: errorMessage(err) })) };
  }

  /** The conversion started early for this instance, if it was. */
  takeConversion(instance: InstanceSource): Promise<Readable | { reason: string }> | undefined {
    if (this.converting?.instance !== instance) return undefined;
    const { result } = this.converting;
    this.converting = undefined;
    return result;
  }

  private dropConversion(): void {
    const dropped = this.converting;
    this.converting = undefined;
    void dropped?.result.then((r) => {
      if ('destroy' in r) r.destroy();
    });
  }

  /** Sent as stored, or converted in memory (native syntaxes): read whole. */
  private readsWhole(instance: InstanceSource): boolean {
    const c = this.plan(instance);
    return c !== undefined && (!c.convertTo || this.transcoder?.convertsInMemory(instance.transferSyntaxUid) === true);
  }

  private load(instance: InstanceSource): Promise<LoadedDataSet> {
    const length = instance.dataSetLength;
    if (length > READ_SYNC_MAX || !this.written()) return loadDataSet(instance);
    if (!this.kept || this.kept.length < length) this.kept = Buffer.allocUnsafeSlow(Math.min(READ_SYNC_MAX, Math.max(length, 2 * (this.kept?.length ?? 0))));
    return Promise.resolve(loadDataSetSync(instance, this.kept));
  }
}

/** A {@link ReadAhead} and the instance to send after this one. */
export interface SendAhead {
  ahead: ReadAhead;
  next: InstanceSource | undefined;
}

/** A conversion on the way out: the data set goes out in `to`, converted by `transcoder`. */
export interface Conversion {
  transcoder: Transcoder;
  to: string;
}

/**
 * Sends `instance` on `contextId` and returns the status of the C-STORE-RSP. The context carries
 * the instance's own transfer syntax, or `conversion.to`, into which the data set is then
 * converted as it streams out. A file that cannot be opened (or converted) fails with 0110
 * (Processing failure) without sending anything; association failures reject. With
 * `readAhead`, the data set comes from it when it was read ahead, and the next one is read while
 * the peer answers.
 */
export async function sendInstance(
  channel: DimseChannel,
  contextId: number,
  instance: InstanceSource,
  awaitResponse: ResponseWaiter,
  extra: SendOptions = {},
  readAhead?: SendAhead,
  conversion?: Conversion,
): Promise<SendOutcome> {
  if (conversion) {
    const held = readAhead?.ahead.take(instance);
    if (
      held ||
      (conversion.transcoder.convertsInMemory(instance.transferSyntaxUid) && instance.dataSetLength > 0 && instance.dataSetLength <= READ_WHOLE_MAX)
    ) {
      const source = await (held ?? loadDataSet(instance));
      if (!(source instanceof Uint8Array) && 'status' in source) return source; // not sent: why
      if (source instanceof Uint8Array) {
        let bytes;
        try {
          bytes = conversion.transcoder.convertBytes(source, instance.transferSyntaxUid, conversion.to);
        } catch (err) {
          return {
            status: Status.ProcessingFailure,
            reason: `cannot convert ${instance.sopInstanceUid} from ${uidName(instance.transferSyntaxUid)} to ${uidName(conversion.to)}: ${errorMessage(err)}`,
          };
        }
        return sendBytes(channel, contextId, instance, awaitResponse, extra, bytes, readAhead);
      }
      source.destroy(); // opened as a stream after all (the file grew): converted as a stream below
    }
    const early = readAhead?.ahead.takeConversion(instance);
    readAhead?.ahead.startConversion(readAhead.next);
    let converted;
    try {
      converted = await (early ?? conversion.transcoder.convert(instance, conversion.to));
    } catch (err) {
      converted = { reason: errorMessage(err) };
    }
    if (!('pipe' in converted)) {
      return {
        status: Status.ProcessingFailure,
        reason: `cannot convert ${instance.sopInstanceUid} from ${uidName(instance.transferSyntaxUid)} to ${uidName(conversion.to)}: ${converted.reason}`,
      };
    }
    return sendBytes(channel, contextId, instance, awaitResponse, extra, converted, readAhead);
  }
  const source = await (readAhead?.ahead.take(instance) ?? loadDataSet(instance));
  if (!(source instanceof Uint8Array) && 'status' in source) return source; // not sent: why
  return sendBytes(channel, contextId, instance, awaitResponse, extra, source, readAhead);
}

/** The C-STORE-RQ of an instance whose data set is in memory or opened as a stream, and its response. */
async function sendBytes(
  channel: DimseChannel,
  contextId: number,
  instance: InstanceSource,
  awaitResponse: ResponseWaiter,
  extra: SendOptions,
  stream: Uint8Array | Readable,
  readAhead: SendAhead | undefined,
): Promise<SendOutcome> {
  const messageId = channel.nextMessageId();
  const command = storeRq({
    messageId,
    affectedSopClassUid: instance.sopClassUid,
    affectedSopInstanceUid: instance.sopInstanceUid,
    ...(extra.priority !== undefined ? { priority: extra.priority } : {}),
    ...(extra.moveOriginatorAeTitle ? { moveOriginatorAeTitle: extra.moveOriginatorAeTitle } : {}),
    ...(extra.moveOriginatorMessageId !== undefined ? { moveOriginatorMessageId: extra.moveOriginatorMessageId } : {}),
  });
  const sent = channel.send(contextId, command, stream);
  const answered = awaitResponse(messageId, sent);
  try {
    await sent;
  } catch (err) {
    answered.catch(() => undefined);
    if (!(stream instanceof Uint8Array)) stream.destroy();
    throw err;
  }
  if (readAhead) {
    channel.flush(); // the request goes out before the sender turns to reading the next
    readAhead.ahead.start(readAhead.next);
  }
  const rsp = await answered;
  if (rsp.cmd.commandField !== CommandField.C_STORE_RSP) {
    throw new Error(`expected a C-STORE-RSP to message ${messageId}, got ${commandName(rsp.cmd.commandField)}`);
  }
  const outcome: SendOutcome = { status: rsp.cmd.status ?? Status.UnableToProcess };
  if (rsp.cmd.errorComment) outcome.errorComment = rsp.cmd.errorComment;
  return outcome;
}
