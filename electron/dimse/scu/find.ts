/**
 * Query SCU: C-FIND (PS3.4 C.4.1, PS3.7 §9.1.2, §9.3.2). Matches stream to the caller as they
 * arrive; aborting the signal, reaching the limit or leaving the loop early sends C-CANCEL
 * (PS3.7 §9.3.2.3) and drains the remaining responses up to the final one.
 */
import type { DataSet } from '../../../shared/dicom/dataset.js';
import type { QueryLevel, QueryModel } from '../../../shared/dicom/query.js';
import { Status, statusCategory } from '../../../shared/dicom/status.js';
import { MODALITY_WORKLIST_FIND_SOP_CLASS } from '../../../shared/dicom/uids.js';
import { encodeIdentifier } from '../charset-encode.js';
import { cancelRq, CommandField, findRq } from '../command.js';
import { drain, readDataSet } from '../channel.js';
import {
  identifierAt,
  onAbort,
  queryRetrieveSopClass,
  requireContext,
  UNCOMPRESSED_SYNTAXES,
  withAssociation,
  type DicomNode,
  type ScuOptions,
} from './common.js';

/** A C-FIND request: the information model, the level and the keys. */
export interface FindQuery {
  model: QueryModel;
  /** Written into Query/Retrieve Level (0008,0052) of the identifier. */
  level: QueryLevel;
  identifier: DataSet;
}

/** How a C-FIND ended. */
export interface FindOutcome {
  /** Status of the final C-FIND-RSP. */
  status: number;
  errorComment?: string;
  /** Matches delivered to the caller. */
  matches: number;
  /** We sent C-CANCEL (signal, limit or early exit). */
  cancelled: boolean;
  /** The limit was reached (and C-CANCEL sent). */
  limitReached: boolean;
  /**
   * Set when the answer looks capped by the peer: a round count (100, 200, 250, 500, 1000,
   * 2000, 5000...) ending in Success, a Cancel (FE00) we did not ask for, or an A700
   * "out of resources" after pendings.
   */
  looksCapped?: { count: number; reason: string };
}

/** The matches of a C-FIND as an async iterable, and its outcome once the final response came. */
export interface FindStream extends AsyncIterable<DataSet> {
  /** Resolves after the final C-FIND-RSP and the release; rejects on association failures. */
  readonly outcome: Promise<FindOutcome>;
}

/** Options of {@link find}. */
export interface FindOptions extends ScuOptions {
  /** Most matches wanted: at this count C-CANCEL is sent and later matches are dropped. */
  limit?: number;
  /**
   * The Specific Character Set the node expects (its values, e.g. ['', 'ISO 2022 IR 87']): the
   * identifier declares it and its text is written in it. Absent: the identifier as given (text
   * beyond ASCII then goes as ISO_IR 192).
   */
  characterSet?: readonly string[];
}

/** How many matches may wait unread before we stop reading the socket. */
const HIGH_WATER_MARK = 64;
/** Answer counts that look like a node's cap rather than what it holds. */
export const ROUND_CAPS: ReadonlySet<number> = new Set([100, 200, 250, 300, 500, 1000, 1500, 2000, 2500, 5000, 10000, 20000, 50000]);

/** Why a final answer looks capped by the peer, if it does. */
export function cappedReason(status: number, matches: number, cancelledByUs: boolean): string | undefined {
  if (status === Status.Success && ROUND_CAPS.has(matches)) {
    return `exactly ${matches} matches: the node probably stops at ${matches}; narrow the query`;
  }
  if (status === Status.Cancel && !cancelledByUs)
    return `the node ended the answer with Cancel after ${matches} matches without our asking: it caps its answers`;
  if (status === Status.OutOfResources && matches > 0) return `the node ran out of resources after ${matches} matches: it caps its answers`;
  return undefined;
}

class FindStreamImpl implements FindStream {
  readonly outcome: Promise<FindOutcome>;
  private readonly queue: DataSet[] = [];
  private finished = false;
  private failure: unknown;
  private iterating = false;
  private consumerGone = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  private cancel: () => void = () => undefined;

  constructor(node: DicomNode, sopClass: string, identifier: DataSet, options: FindOptions) {
    this.outcome = this.run(node, sopClass, identifier, options).then(
      (o) => {
        this.finish();
        return o;
      },
      (err: unknown) => {
        this.finish(err);
        throw err;
      },
    );
    this.outcome.catch(() => undefined); // the iterator reports the error too
  }

  private finish(err?: unknown): void {
    this.finished = true;
    this.failure = err;
    this.wakeConsumer?.();
  }

  private async push(ds: DataSet): Promise<void> {
    if (this.consumerGone) return;
    this.queue.push(ds);
    this.wakeConsumer?.();
    if (this.iterating && this.queue.length >= HIGH_WATER_MARK) {
      await new Promise<void>((resolve) => {
        this.wakeProducer = resolve;
      });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<DataSet> {
    return {
      next: async (): Promise<IteratorResult<DataSet>> => {
        this.iterating = true;
        while (true) {
          const item = this.queue.shift();
          if (item) {
            if (this.queue.length < HIGH_WATER_MARK / 2) this.releaseProducer();
            return { value: item, done: false };
          }
          if (this.finished) {
            if (this.failure !== undefined) throw this.failure;
            return { value: undefined, done: true };
          }
          this.releaseProducer();
          await new Promise<void>((resolve) => {
            this.wakeConsumer = resolve;
          });
          this.wakeConsumer = undefined;
        }
      },
      return: async (): Promise<IteratorResult<DataSet>> => {
        this.consumerGone = true;
        this.queue.length = 0;
        this.releaseProducer();
        if (!this.finished) this.cancel();
        return { value: undefined, done: true };
      },
    };
  }

  private releaseProducer(): void {
    const wake = this.wakeProducer;
    this.wakeProducer = undefined;
    wake?.();
  }

  private run(node: DicomNode, sopClass: string, identifier: DataSet, options: FindOptions): Promise<FindOutcome> {
    const contexts = [{ abstractSyntax: sopClass, transferSyntaxes: [...UNCOMPRESSED_SYNTAXES] }];
    return withAssociation(node, options, { contexts }, async (channel) => {
      const contextId = requireContext(channel, sopClass, node);
      const messageId = channel.nextMessageId();
      const id = channel.association.id;
      let cancelled = false;
      let limitReached = false;
      let matches = 0;
      this.cancel = () => {
        if (cancelled) return;
        cancelled = true;
        options.log?.('debug', `${id} C-CANCEL of C-FIND ${messageId} to ${node.aeTitle}`);
        channel.send(contextId, cancelRq({ messageIdBeingRespondedTo: messageId })).catch((err: unknown) => {
          options.log?.('warn', `${id} could not send C-CANCEL to ${node.aeTitle}: ${String(err)}`);
        });
      };
      await channel.sendWithDataSet(contextId, findRq({ messageId, affectedSopClassUid: sopClass }), identifier);
      if (this.consumerGone) this.cancel();
      let settle: () => void = () => undefined;
      const done = new Promise<void>((resolve) => {
        settle = resolve;
      });
      onAbort(options.signal, done, () => this.cancel());
      try {
        while (true) {
          const msg = await channel.receive();
          if (!msg) throw new Error(`${node.aeTitle} closed the association before the final C-FIND response`);
          const { cmd } = msg;
          if (cmd.commandField !== CommandField.C_FIND_RSP || cmd.messageIdBeingRespondedTo !== messageId) {
            await drain(msg.dataSet);
            options.log?.('warn', `${id} ignored an unexpected message (command 0x${cmd.commandField.toString(16)}) from ${node.aeTitle} during C-FIND`);
            continue;
          }
          const status = cmd.status ?? Status.UnableToProcess;
          if (statusCategory(status) === 'pending') {
            const identifier = await readDataSet(msg);
            if (!identifier) {
              options.log?.('warn', `${id} ${node.aeTitle} sent a pending C-FIND response without an identifier; ignored`);
              continue;
            }
            if (cancelled || this.consumerGone) continue; // draining after C-CANCEL
            matches += 1;
            await this.push(identifier);
            if (options.limit !== undefined && matches >= options.limit) {
              limitReached = true;
              this.cancel();
            }
            continue;
          }
          await drain(msg.dataSet);
          const outcome: FindOutcome = { status, matches, cancelled, limitReached };
          if (cmd.errorComment) outcome.errorComment = cmd.errorComment;
          const reason = limitReached ? undefined : cappedReason(status, matches, cancelled);
          if (reason) outcome.looksCapped = { count: matches, reason };
          return outcome;
        }
      } finally {
        settle();
      }
    });
  }
}

/** The identifier in the node's character set; throws CharacterSetError (nothing sent) when it cannot hold the text. */
function inCharacterSet(identifier: DataSet, options: FindOptions): DataSet {
  return options.characterSet ? encodeIdentifier(identifier, options.characterSet) : identifier;
}

/**
 * Sends one C-FIND and streams its matches:
 * `for await (const match of find(node, query, opts)) ...; const outcome = await stream.outcome`.
 * The operation starts at once; matches wait in a small buffer while the loop is busy. Text the
 * node's character set cannot hold throws a CharacterSetError here, before any association.
 */
export function find(node: DicomNode, query: FindQuery, options: FindOptions): FindStream {
  return new FindStreamImpl(node, queryRetrieveSopClass(query.model, 'find'), inCharacterSet(identifierAt(query.identifier, query.level), options), options);
}

/** Modality Worklist Information Model – FIND (PS3.4 K.6.1.2.2). */
export const MODALITY_WORKLIST_FIND = MODALITY_WORKLIST_FIND_SOP_CLASS.uid;

/**
 * C-FIND of the Modality Worklist Information Model (PS3.4 Annex K): the identifier holds the
 * matching and return keys of the Scheduled Procedure Steps (no Query/Retrieve Level); the
 * matches stream as with {@link find}.
 */
export function findWorklist(node: DicomNode, identifier: DataSet, options: FindOptions): FindStream {
  return new FindStreamImpl(node, MODALITY_WORKLIST_FIND, inCharacterSet(identifier, options), options);
}
