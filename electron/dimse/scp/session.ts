/**
 * One accepted association on the SCP side: the loop that reads every incoming message and
 * dispatches it (PS3.7 §9.1): C-ECHO and C-STORE are answered in turn; C-FIND, C-MOVE and
 * C-GET run as operations while the loop goes on reading, so that a C-CANCEL
 * (PS3.7 §9.3.2.3) reaches them and the C-STORE-RSPs of C-GET sub-operations reach their sender.
 */
import { formatStatus, Status } from '../../../shared/dicom/status.js';
import { uidName } from '../../../shared/dicom/uids.js';
import type { Association, CloseInfo, Logger, Timeouts } from '../ul/association.js';
import { associationInfo, drain, errorMessage, readDataSet, DimseChannel, type DimseMessage } from '../channel.js';
import { CommandField, commandName, echoRsp, genericRsp, isResponse } from '../command.js';
import { describeClose } from '../ul/log.js';
import type { AssociationInfo, AssociationPolicy, EchoHandler, FindHandler, RetrieveHandler, StoreHandler, Transcoder } from '../handlers.js';
import { runFind } from './find.js';
import { runGet } from './get.js';
import { runMove } from './move.js';
import { answerStore } from './store.js';
import type { ResponseWaiter } from '../scu/send.js';

/** Everything an SCP association needs from the server. */
export interface ScpSettings {
  policy: AssociationPolicy;
  handlers: { store?: StoreHandler; find?: FindHandler; retrieve?: RetrieveHandler; echo?: EchoHandler };
  /** Converts what a C-MOVE destination or C-GET requestor does not take as stored; absent = as stored only. */
  transcoder?: Transcoder;
  log?: Logger;
  /** C-MOVE/C-GET pending responses: at most one per this many ms (after each sub-operation otherwise). */
  pendingIntervalMs: number;
  /** An association with no message and no operation for this long is aborted (0 = never). */
  idleTimeoutMs: number;
  timeouts?: Partial<Timeouts>;
  maxPduLength?: number;
}

/** What an association did, for its closing log line. */
export interface SessionStats {
  echoes: number;
  stores: number;
  storeFailures: number;
  finds: number;
  moves: number;
  gets: number;
  /** Operations that ended in a failure status. */
  failures: number;
}

interface Waiter {
  resolve: (msg: DimseMessage) => void;
  reject: (err: Error) => void;
}

/** Runs the DIMSE service loop of one accepted association until it closes. */
export class ScpSession {
  readonly channel: DimseChannel;
  readonly info: AssociationInfo;
  readonly stats: SessionStats = { echoes: 0, stores: 0, storeFailures: 0, finds: 0, moves: 0, gets: 0, failures: 0 };
  private readonly operations = new Map<number, AbortController>();
  private readonly running = new Set<Promise<void>>();
  private readonly waiters = new Map<number, Waiter>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly association: Association,
    readonly settings: ScpSettings,
  ) {
    this.channel = new DimseChannel(association);
    this.info = associationInfo(association);
    const store = settings.handlers.store;
    if (store?.beforeRelease) association.onReleaseRequested = () => store.beforeRelease!(this.info);
  }

  /** Writes a log line prefixed with the association id. */
  log(level: Parameters<Logger>[0], message: string): void {
    this.settings.log?.(level, `${this.association.id} ${message}`);
  }

  /**
   * Reads and dispatches messages until the association ends; never rejects. The association
   * logs its own open and close lines; this adds one summary line of what was done.
   */
  async run(): Promise<CloseInfo> {
    try {
      while (true) {
        this.armIdleTimer();
        const msg = await this.channel.receive({ timeoutMs: 0 });
        if (!msg) break;
        // its data set died with the association before we got to it: nobody is left to answer
        if (msg.dataSet?.destroyed && !msg.dataSet.readableEnded) break;
        await this.dispatch(msg);
      }
    } catch (err) {
      this.log('debug', `service loop ended: ${errorMessage(err)}`);
    } finally {
      clearTimeout(this.idleTimer);
      for (const controller of this.operations.values()) controller.abort(new Error('association closed'));
      for (const w of this.waiters.values()) w.reject(new Error('association closed'));
      this.waiters.clear();
      await Promise.allSettled([...this.running]);
      if (this.association.isOpen) this.association.abort();
    }
    const closed = await this.association.closed;
    if (this.stats.stores > 0) {
      try {
        this.settings.handlers.store?.associationEnded?.(this.info, this.stats.stores);
      } catch (err) {
        this.log('warn', `the end-of-association hook failed: ${errorMessage(err)}`);
      }
    }
    this.log(
      'info',
      `served ${this.info.callingAeTitle} -> ${this.info.calledAeTitle} (${this.info.peerAddress}): ${summarizeStats(this.stats)}; ${describeClose(closed)}`,
    );
    return closed;
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    const ms = this.settings.idleTimeoutMs;
    if (ms <= 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.running.size > 0 || this.waiters.size > 0) return this.armIdleTimer();
      this.log('warn', `no request from ${this.info.callingAeTitle} for ${Math.round(ms / 1000)} s: aborting the idle association`);
      this.association.abort();
    }, ms);
    this.idleTimer.unref?.();
  }

  /**
   * Waits for the response to a request we sent on this association (C-STORE-RQ of a C-GET
   * sub-operation); the loop routes it here. Rejects after the DIMSE timeout.
   */
  readonly awaitResponse: ResponseWaiter = (messageId, sent) =>
    new Promise<DimseMessage>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(messageId);
      };
      this.waiters.set(messageId, {
        resolve: (msg) => {
          done();
          resolve(msg);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      });
      sent.then(
        () => {
          const ms = this.settings.timeouts?.dimseMs ?? 60_000;
          if (ms > 0 && this.waiters.has(messageId)) {
            timer = setTimeout(() => {
              this.waiters.get(messageId)?.reject(new Error(`no response to message ${messageId} from ${this.info.callingAeTitle} within ${ms} ms`));
              this.association.abort();
            }, ms);
          }
        },
        (err: unknown) => this.waiters.get(messageId)?.reject(err instanceof Error ? err : new Error(String(err))),
      );
    });

  private async dispatch(msg: DimseMessage): Promise<void> {
    const { cmd } = msg;
    if (cmd.commandField === CommandField.C_CANCEL_RQ) {
      await drain(msg.dataSet);
      const op = this.operations.get(cmd.messageIdBeingRespondedTo ?? -1);
      if (op) op.abort(new Error('C-CANCEL'));
      else this.log('debug', `C-CANCEL for message ${cmd.messageIdBeingRespondedTo} that is not running; ignored`);
      return;
    }
    if (isResponse(cmd.commandField)) {
      await drain(msg.dataSet);
      const waiter = this.waiters.get(cmd.messageIdBeingRespondedTo ?? -1);
      if (waiter) waiter.resolve(msg);
      else this.log('warn', `unexpected ${commandName(cmd.commandField)} for message ${cmd.messageIdBeingRespondedTo}; ignored`);
      return;
    }
    const messageId = cmd.messageId ?? 0;
    switch (cmd.commandField) {
      case CommandField.C_ECHO_RQ: {
        await drain(msg.dataSet);
        this.stats.echoes += 1;
        const outcome = this.settings.handlers.echo
          ? await this.settings.handlers.echo.echo(this.info).catch(() => ({ status: Status.ProcessingFailure }))
          : { status: Status.Success };
        await this.channel.send(msg.contextId, echoRsp({ messageIdBeingRespondedTo: messageId, ...outcome }));
        return;
      }
      case CommandField.C_STORE_RQ: {
        const outcome = await answerStore({
          channel: this.channel,
          msg,
          handler: this.settings.handlers.store,
          association: this.info,
          ...(this.settings.log ? { log: this.settings.log } : {}),
        });
        this.stats.stores += 1;
        if (outcome.status !== Status.Success && (outcome.status & 0xf000) !== 0xb000) this.stats.storeFailures += 1;
        return;
      }
      case CommandField.C_FIND_RQ:
      case CommandField.C_MOVE_RQ:
      case CommandField.C_GET_RQ:
        await this.startOperation(msg, messageId);
        return;
      default:
        await drain(msg.dataSet);
        this.log(
          'warn',
          `${commandName(cmd.commandField)} from ${this.info.callingAeTitle} is not supported: answered ${formatStatus(Status.UnrecognizedOperation)} (Unrecognized operation)`,
        );
        await this.channel.send(
          msg.contextId,
          genericRsp(cmd.commandField, {
            messageIdBeingRespondedTo: messageId,
            status: Status.UnrecognizedOperation,
            ...(cmd.affectedSopClassUid ? { affectedSopClassUid: cmd.affectedSopClassUid } : {}),
          }),
        );
    }
  }

  private async startOperation(msg: DimseMessage, messageId: number): Promise<void> {
    const { cmd } = msg;
    const rsp = (status: number, errorComment: string) =>
      genericRsp(cmd.commandField, {
        messageIdBeingRespondedTo: messageId,
        affectedSopClassUid: msg.abstractSyntax,
        status,
        errorComment,
      });
    let identifier;
    try {
      identifier = await readDataSet(msg);
    } catch (err) {
      if (msg.dataSet?.errored) throw msg.dataSet.errored;
      const comment = `The identifier could not be decoded: ${errorMessage(err)}`;
      this.log('error', `${commandName(cmd.commandField)} from ${this.info.callingAeTitle}: ${comment}; answered ${formatStatus(Status.UnableToProcess)}`);
      await this.channel.send(msg.contextId, rsp(Status.UnableToProcess, comment));
      return;
    }
    if (!identifier) {
      await this.channel.send(msg.contextId, rsp(Status.IdentifierDoesNotMatchSOPClass, 'The request carries no identifier'));
      return;
    }
    if (this.operations.has(messageId)) {
      await this.channel.send(msg.contextId, rsp(Status.DuplicateInvocation, `Message ID ${messageId} is already in use`));
      return;
    }
    const controller = new AbortController();
    this.operations.set(messageId, controller);
    const run = cmd.commandField === CommandField.C_FIND_RQ ? runFind : cmd.commandField === CommandField.C_MOVE_RQ ? runMove : runGet;
    const op = run(this, msg, identifier, controller.signal)
      .catch((err: unknown) => {
        if (this.association.isOpen) {
          this.log(
            'error',
            `${commandName(cmd.commandField)} ${messageId} (${uidName(msg.abstractSyntax)}) from ${this.info.callingAeTitle} broke off: ${errorMessage(err)}`,
          );
          this.association.abort();
        }
      })
      .finally(() => {
        this.operations.delete(messageId);
        this.running.delete(op);
      });
    this.running.add(op);
  }
}

function summarizeStats(s: SessionStats): string {
  const parts: string[] = [];
  const add = (n: number, one: string, many: string, extra = '') => {
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}${extra}`);
  };
  add(s.echoes, 'echo', 'echoes');
  add(s.stores, 'store', 'stores', s.storeFailures ? ` (${s.storeFailures} failed)` : '');
  add(s.finds, 'find', 'finds');
  add(s.moves, 'move', 'moves');
  add(s.gets, 'get', 'gets');
  if (s.failures) parts.push(`${s.failures} failed`);
  return parts.length ? parts.join(', ') : 'nothing done';
}
