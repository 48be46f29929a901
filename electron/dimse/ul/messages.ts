/**
 * DIMSE messages over PDVs (PS3.7 §6.3.1, PS3.8 Annex E): encoding the command set with its
 * CommandGroupLength, and reassembling incoming messages from PDV pieces: the command
 * fragments are joined and decoded, the data set fragments are pushed, unchanged, into a
 * Readable whose backpressure pauses the socket, or go straight to the consumer's sink.
 *
 * The pieces are borrowed from the socket's read buffer (framer.ts): the command's and those
 * the Readable holds are copied; a sink gets the views themselves and `chunkEnd` before the
 * buffer is read into again, so a consumer that writes them out at once copies nothing.
 */
import { Readable } from 'node:stream';
import { decodeDataSet, encodeDataSet, IMPLICIT_LITTLE_ENDIAN } from '../../../shared/dicom/codec.js';
import { getNumber, type DataSet } from '../../../shared/dicom/dataset.js';
import { AbortReason } from './errors.js';

/** CommandDataSetType (0000,0800) value meaning "no data set" (PS3.7 E.1-1). */
export const NO_DATA_SET = 0x0101;
const COMMAND_DATA_SET_TYPE = 0x00000800;
// CommandField (0000,0100) and C-STORE-RQ's value (PS3.7 E.1-1), here and not from ../command.ts,
// which ul/ may not import: only the data set hand-over needs to know a C-STORE-RQ.
const COMMAND_FIELD = 0x00000100;
const C_STORE_RQ = 0x0001;
/** Buffered data set bytes before the socket is paused. */
const DATA_HIGH_WATER_MARK = 256 * 1024;

/** Encodes a command set in Implicit VR Little Endian with CommandGroupLength (0000,0000) first (PS3.7 §6.3.1, E.1). */
export function encodeCommand(command: DataSet): Uint8Array {
  const rest: DataSet = new Map(command);
  rest.delete(0x00000000);
  const body = encodeDataSet(rest, IMPLICIT_LITTLE_ENDIAN);
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  // (0000,0000) UL, implicit VR: tag, 4-byte length 4, value = bytes of the elements that follow
  dv.setUint32(4, 4, true);
  dv.setUint32(8, body.length, true);
  out.set(body, 12);
  return out;
}

/** Whether a command announces a data set (CommandDataSetType other than 0x0101); undefined when absent. */
export function commandHasDataSet(command: DataSet): boolean | undefined {
  const t = getNumber(command, COMMAND_DATA_SET_TYPE);
  return t === undefined ? undefined : t !== NO_DATA_SET;
}

/**
 * Where a data set's bytes go when its consumer takes them directly ({@link DataSetStream.divert}).
 * Called synchronously as the pieces arrive; it must not throw (it keeps its own failure).
 */
export interface DataSink {
  /** One piece: a view of the received chunk, valid until `chunkEnd` (copy what is kept longer); do not modify it. */
  write(bytes: Uint8Array): void;
  /** The pieces written so far are about to be overwritten (the end of a received chunk). */
  chunkEnd?(): void;
  /** The last piece has arrived. */
  end(): void;
  /** The association failed before the data set was complete. */
  fail(error: Error): void;
}

/**
 * An incoming data set: a Readable (backpressure pauses the socket), or, once its consumer calls
 * {@link divert}, a direct feed of the pieces into a {@link DataSink}, without the Readable's
 * buffering, events and callbacks for every PDV (readAll takes this way: a C-FIND response's
 * identifier is read without an async iterator).
 */
export class DataSetStream extends Readable {
  /** Set by {@link divert}. */
  sink: DataSink | undefined;
  /** Every piece has arrived (the Readable was ended, or the sink told). */
  complete = false;

  /**
   * Sends the rest of the data set to `sink` as it arrives: what the Readable holds already
   * first, then each piece synchronously; then `end()`, or `fail()` if the association breaks.
   * The Readable is destroyed once the data set is complete (not errored: readers that only wait
   * for its end, like drain(), return).
   */
  divert(sink: DataSink): void {
    if (this.sink) throw new Error('the data set was diverted already');
    this.sink = sink;
    for (let chunk = this.read() as Uint8Array | null; chunk !== null; chunk = this.read() as Uint8Array | null) sink.write(chunk);
    this.resume(); // the socket may have been paused for this stream's buffer
    if (this.complete) this.finishSink();
  }

  /** The last piece went to the sink. */
  finishSink(): void {
    this.sink!.end();
    this.destroy();
  }
}

/**
 * Sends an incoming data set straight to `sink` as it arrives ({@link DataSetStream.divert});
 * false when `stream` is not such a data set, or is diverted already (then read it as a Readable).
 */
export function divertDataSet(stream: Readable, sink: DataSink): boolean {
  if (!(stream instanceof DataSetStream) || stream.sink) return false;
  stream.divert(sink);
  return true;
}

/** One reassembled message as the assembler hands it over (the association adds the context). */
export interface AssembledMessage {
  contextId: number;
  command: DataSet;
  dataSet: DataSetStream | null;
}

/** What the assembler needs from its association. */
export interface AssemblerHooks {
  /** Whether a presentation context id was accepted. */
  isAccepted(contextId: number): boolean;
  deliver(message: AssembledMessage): void;
  /** The peer broke PS3.8 Annex E / PS3.7: abort with this A-ABORT reason. */
  violation(message: string, reason: number): void;
  /** Data set backpressure: pause or resume reading the socket. */
  pauseForData(paused: boolean): void;
  /** A C-STORE-RQ was delivered: let its handler take the data set before its pieces come (PduFramer.yieldChunk). */
  yieldChunk?(): void;
}

/** Reassembles messages from the PDV pieces the framer delivers. */
export class MessageAssembler {
  private state: 'idle' | 'command' | 'data' = 'idle';
  private contextId = 0;
  private commandPieces: Uint8Array[] = [];
  private commandLength = 0;
  private stream: DataSetStream | null = null;

  constructor(private readonly hooks: AssemblerHooks) {}

  /** The data set stream being filled, if any. */
  /** Whether a command's fragments have begun to arrive and the last has not. */
  get midMessage(): boolean {
    return this.state === 'command';
  }

  get activeStream(): Readable | null {
    return this.stream;
  }

  /** A piece of a PDV (see FramerSink.pdv). */
  onPdv(contextId: number, control: number, bytes: Uint8Array, end: boolean): void {
    const isCommand = (control & 1) !== 0;
    const last = end && (control & 2) !== 0;
    if (this.state === 'idle') {
      if (!this.hooks.isAccepted(contextId)) {
        this.hooks.violation(`PDV on presentation context ${contextId}, which was not accepted`, AbortReason.InvalidPduParameterValue);
        return;
      }
      if (!isCommand) {
        this.hooks.violation(`data set PDV on context ${contextId} without a command announcing it`, AbortReason.UnexpectedPduParameter);
        return;
      }
      this.state = 'command';
      this.contextId = contextId;
    } else if (contextId !== this.contextId) {
      this.hooks.violation(`PDV on context ${contextId} in the middle of a message on context ${this.contextId}`, AbortReason.UnexpectedPduParameter);
      return;
    } else if (isCommand !== (this.state === 'command')) {
      this.hooks.violation(
        isCommand ? 'command PDV while a data set was awaited' : 'data set PDV before the last command fragment',
        AbortReason.UnexpectedPduParameter,
      );
      return;
    }
    if (this.state === 'command') this.onCommandPiece(bytes, last);
    else this.onDataPiece(bytes, last);
  }

  /** The end of a received chunk: a sink that holds pieces lets them go now. */
  chunkEnd(): void {
    this.stream?.sink?.chunkEnd?.();
  }

  private onCommandPiece(bytes: Uint8Array, last: boolean): void {
    if (bytes.length > 0) {
      this.commandPieces.push(last ? bytes : Buffer.from(bytes)); // the last is joined below, before the chunk goes
      this.commandLength += bytes.length;
    }
    if (!last) return;
    // a copy: the decoded command may keep views of its bytes beyond this chunk
    const all = Buffer.concat(this.commandPieces, this.commandLength);
    this.commandPieces = [];
    this.commandLength = 0;
    let command: DataSet;
    try {
      command = decodeDataSet(all, IMPLICIT_LITTLE_ENDIAN).dataSet;
    } catch (err) {
      this.hooks.violation(`undecodable command set: ${(err as Error).message}`, AbortReason.InvalidPduParameterValue);
      return;
    }
    const contextId = this.contextId;
    if (commandHasDataSet(command) === true) {
      this.state = 'data';
      const stream = new DataSetStream({ highWaterMark: DATA_HIGH_WATER_MARK, read: () => this.hooks.pauseForData(false) });
      // The association may end (abort, protocol error) before anyone reads this data set, or
      // after its reader stopped listening: the error must not become an uncaught exception that
      // takes the process down. Readers still see it (async iteration and pipeline check
      // `errored`; their own 'error' listeners are called too).
      stream.on('error', () => {});
      // a consumer that gives up (destroy) must not leave the socket paused
      stream.once('close', () => {
        if (this.stream === stream) this.hooks.pauseForData(false);
      });
      this.stream = stream;
      this.hooks.deliver({ contextId, command, dataSet: stream });
      if (getNumber(command, COMMAND_FIELD) === C_STORE_RQ) this.hooks.yieldChunk?.();
    } else {
      this.state = 'idle';
      this.hooks.deliver({ contextId, command, dataSet: null });
    }
  }

  private onDataPiece(bytes: Uint8Array, last: boolean): void {
    const stream = this.stream!;
    if (stream.sink) {
      if (bytes.length > 0) stream.sink.write(bytes);
      if (last) {
        this.state = 'idle';
        this.stream = null;
        stream.complete = true;
        stream.finishSink();
      }
      return;
    }
    // after destroy() by its consumer the rest of the data set is read and dropped; the Readable keeps a copy
    if (!stream.destroyed && bytes.length > 0 && !stream.push(Buffer.from(bytes))) this.hooks.pauseForData(true);
    if (last) {
      this.state = 'idle';
      this.stream = null;
      stream.complete = true;
      if (!stream.destroyed) stream.push(null);
      this.hooks.pauseForData(false);
    }
  }

  /** The association ended: a data set still streaming ends with this error. */
  fail(error: Error): void {
    const stream = this.stream;
    this.stream = null;
    this.state = 'idle';
    this.commandPieces = [];
    if (stream?.sink && !stream.complete) stream.sink.fail(error);
    if (stream && !stream.destroyed) stream.destroy(error);
  }
}
