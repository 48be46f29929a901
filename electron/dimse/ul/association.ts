/**
 * One DICOM association (PS3.8 §7): requestor or acceptor, from establishment to release or
 * abort, carrying DIMSE messages as PDVs. Implements the association contract of docs/architecture.md.
 *
 * Data sets stream both ways without being gathered: outgoing bytes (Uint8Array, Readable or
 * any AsyncIterable) are cut into PDVs of at most the peer's Maximum Length; incoming data
 * PDVs are pushed into a Readable whose backpressure pauses the socket.
 */
import type { Readable } from 'node:stream';
import type { Socket } from 'node:net';
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { AbortReason, AssociationAbortedError, AssociationClosedError, TimeoutError, describeAbort } from './errors.js';
import { encodePdu, type ControlPdu } from './pdu.js';
import { establishAsAcceptor, establishAsRequestor, type Established } from './establish.js';
import { UlLink, abortReason, transportError } from './link.js';
import { closeLine, describeClose, openLine } from './log.js';
import { MessageAssembler, commandHasDataSet, encodeCommand, type AssembledMessage } from './messages.js';
import { PduWriter, maxFragmentLength } from './sender.js';
import type { AcceptorOptions, AssociateRequestInfo, CloseInfo, IncomingMessage, Logger, NegotiatedContext, RequestorOptions, Timeouts } from './types.js';

export * from './types.js';
export { AssociationAbortedError, AssociationClosedError, AssociationRejectedError, TimeoutError, TransportError } from './errors.js';

/** Messages received but not yet asked for, beyond which the socket is paused. */
const MAX_QUEUED_MESSAGES = 16;
const RELEASE_RQ = encodePdu({ type: 'A-RELEASE-RQ' });
const RELEASE_RP = encodePdu({ type: 'A-RELEASE-RP' });

/**
 * open → releasing (our A-RELEASE-RQ sent) → ending; a release collision (PS3.8 §7.2.2)
 * passes through collision-requestor (Sta9/11) or collision-acceptor (Sta10/12). `ending`:
 * the outcome is known, the socket not yet closed; `closed`: socket closed.
 */
type State = 'open' | 'releasing' | 'collision-requestor' | 'collision-acceptor' | 'ending' | 'closed';

interface Waiter {
  resolve(message: IncomingMessage | null): void;
  reject(error: Error): void;
  timeoutMs: number;
  cleanup(): void;
}

/** One association; obtain it from {@link Association.request} or {@link Association.accept}. */
export class Association {
  /** Short unique id for logs, e.g. 'a17'. */
  readonly id: string;
  readonly role: 'requestor' | 'acceptor';
  /** What the A-ASSOCIATE-RQ said (both roles). */
  readonly request: AssociateRequestInfo;
  /** The accepted presentation contexts only. */
  readonly contexts: readonly NegotiatedContext[];
  /** From the peer's Maximum Length sub-item; 0 = unlimited. */
  readonly peerMaxPduLength: number;
  readonly peerImplementationClassUid: string;
  readonly peerImplementationVersionName?: string;
  /** Resolves once the socket has closed, with how the association ended. Never rejects. */
  readonly closed: Promise<CloseInfo>;
  /**
   * Called when the peer's A-RELEASE-RQ arrives on an open association, just before the
   * A-RELEASE-RP is sent (deferred work of the messages answered is finished first). Its throw
   * is logged; the release goes on.
   */
  onReleaseRequested: (() => void) | undefined;

  private readonly link: UlLink;
  private readonly writer: PduWriter;
  private readonly assembler: MessageAssembler;
  private readonly log: Logger;
  private readonly timeouts: Timeouts;
  private readonly contextById = new Map<number, NegotiatedContext>();
  private readonly maxFragment: number;
  private readonly openedAt = Date.now();
  private state: State = 'open';
  private outcome: CloseInfo | undefined;
  private failure: Error | undefined;
  private queue: IncomingMessage[] = [];
  private waiters: Waiter[] = [];
  private sendChain: Promise<void> = Promise.resolve();
  private releasePromise: Promise<void> | undefined;
  private releaseSettle: { resolve(): void; reject(e: Error): void } | undefined;
  private artimTimer: NodeJS.Timeout | undefined;
  private dimseTimer: NodeJS.Timeout | undefined;
  private dimseBaseline = 0;
  private resolveClosed!: (info: CloseInfo) => void;
  /** Work deferred past an answer ({@link deferUntilNextInput}), in order. */
  private deferred: (() => void)[] = [];

  /**
   * Connects and negotiates as association requestor. Throws AssociationRejectedError,
   * AssociationAbortedError, TransportError, TimeoutError ('connect' or 'artim'), RangeError
   * for invalid options, or the signal's reason when `options.signal` aborts first.
   */
  static async request(options: RequestorOptions): Promise<Association> {
    return new Association(await establishAsRequestor(options));
  }

  /** Runs the acceptor side on an accepted socket; resolves null when the RQ was rejected/invalid/timed out. */
  static async accept(socket: Socket, options: AcceptorOptions): Promise<Association | null> {
    const est = await establishAsAcceptor(socket, options);
    return est ? new Association(est) : null;
  }

  private constructor(est: Established) {
    this.id = est.id;
    this.role = est.role;
    this.request = est.request;
    this.contexts = Object.freeze(est.contexts.map((c) => Object.freeze({ ...c })));
    for (const c of this.contexts) this.contextById.set(c.id, c);
    this.peerMaxPduLength = est.peerMaxPduLength;
    this.peerImplementationClassUid = est.peerImplementationClassUid;
    if (est.peerImplementationVersionName !== undefined) this.peerImplementationVersionName = est.peerImplementationVersionName;
    this.link = est.link;
    // bytes that leave a PDU or a message half-received start the DIMSE timer (an idle wait has none)
    this.link.beforeData = () => this.runDeferred();
    this.link.afterData = () => {
      if (!this.dimseTimer) this.updateDimseTimer(false);
    };
    this.log = est.log;
    this.timeouts = est.timeouts;
    this.maxFragment = maxFragmentLength(this.peerMaxPduLength);
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.writer = new PduWriter(
      this.link.socket,
      () => this.closedError(),
      () => (this.state === 'open' ? undefined : this.closedError()),
    );
    this.assembler = new MessageAssembler({
      isAccepted: (id) => this.contextById.has(id),
      deliver: (m) => this.onMessage(m),
      violation: (message, reason) => this.protocolAbort(message, reason),
      pauseForData: (paused) => this.pauseForData(paused),
      yieldChunk: () => this.link.framer.yieldChunk(),
    });
    this.log('info', openLine(this.id, this.role, this.request, this.contexts));
    this.link.onClose((err) => this.onSocketClosed(err));
    this.link.framer.setSink({
      pdu: (pdu) => this.onPdu(pdu),
      pdv: (contextId, control, bytes, end) => this.onPdv(contextId, control, bytes, end),
      chunkEnd: () => this.assembler.chunkEnd(),
      error: (e) => this.protocolAbort(`invalid PDU: ${e.message}`, e.reason),
    });
    if (this.link.isClosed) this.onSocketClosed(this.link.socketError);
    else this.link.framer.release();
  }

  /** Open: neither released nor aborted nor dropped, and no release under way. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * The accepted context for an abstract syntax, preferring the given transfer syntaxes in
   * order; when none of them was accepted, the first accepted context for the abstract syntax.
   */
  findContext(abstractSyntax: string, transferSyntaxes?: string[]): NegotiatedContext | undefined {
    const candidates = this.contexts.filter((c) => c.abstractSyntax === abstractSyntax);
    for (const ts of transferSyntaxes ?? []) {
      const c = candidates.find((x) => x.transferSyntax === ts);
      if (c) return c;
    }
    return candidates[0];
  }

  /**
   * Sends one DIMSE message: the command (implicit VR LE; CommandGroupLength computed here) then
   * the data set bytes unchanged. PDVs sized to the peer's max PDU; waits for socket drain.
   * Messages are sent one after the other in call order. The command's CommandDataSetType
   * must agree with the presence of `dataSet` (RangeError otherwise). A send that fails half
   * way (the data source errors) aborts the association, since the peer holds half a message.
   */
  sendMessage(contextId: number, command: DataSet, dataSet?: Uint8Array | Readable | AsyncIterable<Uint8Array>): Promise<void> {
    const destroySource = () => {
      const s = dataSet as Partial<Readable> | undefined;
      if (s && typeof s.destroy === 'function' && !s.destroyed) s.destroy();
    };
    let commandBytes: Uint8Array;
    try {
      if (!this.contextById.has(contextId)) throw new RangeError(`${this.id}: presentation context ${contextId} was not accepted`);
      const announced = commandHasDataSet(command);
      if (announced === undefined) throw new RangeError(`${this.id}: the command has no CommandDataSetType (0000,0800)`);
      if (announced !== (dataSet !== undefined)) {
        throw new RangeError(`${this.id}: CommandDataSetType ${announced ? 'announces a data set but none was given' : 'says no data set but one was given'}`);
      }
      commandBytes = encodeCommand(command);
    } catch (err) {
      destroySource();
      return Promise.reject(err);
    }
    const run = async (): Promise<void> => {
      if (this.state !== 'open') {
        destroySource();
        throw this.closedError();
      }
      try {
        await this.writer.sendPart(contextId, true, commandBytes, this.maxFragment);
        if (dataSet !== undefined) await this.writer.sendPart(contextId, false, dataSet, this.maxFragment);
      } catch (err) {
        destroySource();
        // PS3.8 has no way to cancel half a message: the association cannot go on
        if (this.state === 'open') {
          this.abortWith(0, 0, new AssociationAbortedError(0, 0, `${this.id}: association aborted after a failed send: ${(err as Error).message}`));
        }
        throw err;
      }
    };
    const p = this.sendChain.then(run, run);
    this.sendChain = p.catch(() => {});
    return p;
  }

  /**
   * Whether every byte sent so far is with the kernel (nothing corked, queued or in flight): the
   * buffers given to {@link sendMessage} may then be reused.
   */
  get allWritten(): boolean {
    return this.writer.allWritten;
  }

  /**
   * Hands what was written in this turn of the event loop to the kernel now instead of at the
   * turn's end, e.g. before a sender works on something else while the peer answers.
   */
  flush(): void {
    this.writer.flush();
  }

  /**
   * Runs `work` soon (in the event loop's check phase), and in any case before the next bytes
   * from the peer are framed: the peer's next message, its A-RELEASE-RQ included, is only seen
   * once the work is done, whatever phase of the loop the caller is in. `work` runs even when the
   * association has closed; its throw is logged.
   */
  deferUntilNextInput(work: () => void): void {
    this.deferred.push(work);
    if (this.deferred.length === 1) setImmediate(() => this.runDeferred());
  }

  private runDeferred(): void {
    if (this.deferred.length === 0) return;
    const works = this.deferred;
    this.deferred = [];
    for (const work of works) {
      try {
        work();
      } catch (err) {
        this.log('error', `${this.id}: work deferred past an answer failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * The next message; null when the peer released or the association closed by release.
   * Rejects on abort/drop/timeout. `timeoutMs` replaces the DIMSE timer for this call (0 =
   * wait without limit); when it expires the association is aborted (PS3.7 §9.1.1 timeout).
   * `signal` only cancels the wait: the association lives on.
   */
  receiveMessage(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<IncomingMessage | null> {
    const queued = this.queue.shift();
    if (queued) {
      if (this.queue.length < MAX_QUEUED_MESSAGES) this.link.pause('queue', false);
      return Promise.resolve(queued);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.state !== 'open' && this.state !== 'releasing') return Promise.resolve(null);
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<IncomingMessage | null>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortReason(signal!));
        this.updateDimseTimer(false);
      };
      const waiter: Waiter = {
        resolve,
        reject,
        timeoutMs: options.timeoutMs ?? this.timeouts.dimseMs,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.updateDimseTimer(true);
    });
  }

  /**
   * A-RELEASE-RQ after the messages being sent, then waits for the A-RELEASE-RP under ARTIM
   * and closes (PS3.8 §7.2), release collisions included. Resolves at once when the
   * association has already ended; rejects when it ends otherwise than by release while waiting.
   */
  release(): Promise<void> {
    if (this.releasePromise) return this.releasePromise;
    if (this.state !== 'open') return Promise.resolve();
    this.releasePromise = new Promise<void>((resolve, reject) => {
      this.releaseSettle = { resolve, reject };
    });
    this.releasePromise.catch(() => {});
    const start = () => {
      if (this.state !== 'open') return; // ended meanwhile: settled by end()
      this.state = 'releasing';
      this.link.send(RELEASE_RQ);
      this.armArtim(() =>
        this.abortWith(
          2,
          AbortReason.ReasonNotSpecified,
          new TimeoutError('artim', `${this.id}: no A-RELEASE-RP within ${this.timeouts.artimMs} ms (ARTIM)`, this.timeouts.artimMs),
        ),
      );
    };
    void this.sendChain.then(start);
    return this.releasePromise;
  }

  /** Sends A-ABORT (PS3.8 §7.3; default source 0 service-user, reason 0) and closes. */
  abort(source = 0, reason = 0): void {
    if (this.state === 'ending' || this.state === 'closed') {
      this.link.destroy();
      return;
    }
    this.abortWith(
      source,
      reason,
      new AssociationAbortedError(source, reason, `${this.id}: association aborted by us (A-ABORT ${describeAbort(source, reason)})`),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Incoming

  private onPdu(pdu: ControlPdu): void {
    if (this.state === 'closed') return;
    switch (pdu.type) {
      case 'A-RELEASE-RQ':
        return this.onReleaseRq();
      case 'A-RELEASE-RP':
        return this.onReleaseRp();
      case 'A-ABORT':
        this.end(
          { how: 'aborted', by: 'peer', source: pdu.source, reason: pdu.reason },
          new AssociationAbortedError(pdu.source, pdu.reason, `${this.id}: association aborted by the peer (A-ABORT ${describeAbort(pdu.source, pdu.reason)})`),
        );
        this.link.destroy(); // PS3.8 AA-3
        return;
      default:
        return this.protocolAbort(`unexpected ${pdu.type} on an established association`, AbortReason.UnexpectedPdu);
    }
  }

  private onPdv(contextId: number, control: number, bytes: Uint8Array, end: boolean): void {
    if (this.state === 'open' || this.state === 'releasing') this.assembler.onPdv(contextId, control, bytes, end);
    else if (this.state !== 'ending' && this.state !== 'closed') this.protocolAbort('P-DATA-TF during a release collision', AbortReason.UnexpectedPdu);
  }

  private onReleaseRq(): void {
    switch (this.state) {
      case 'open':
        try {
          this.onReleaseRequested?.();
        } catch (err) {
          this.log('warn', `${this.id}: before answering the release: ${(err as Error).message}`);
        }
        // PS3.8 AR-2, AR-4: answer A-RELEASE-RP, then the peer closes the transport (ARTIM meanwhile)
        this.link.send(RELEASE_RP);
        this.end({ how: 'released', by: 'peer' });
        this.armArtim(() => this.link.destroy());
        return;
      case 'releasing':
        // PS3.8 §7.2.2 release collision, AR-8
        if (this.role === 'requestor') {
          this.link.send(RELEASE_RP); // AR-9: the association requestor answers first (Sta9 → Sta11)
          this.state = 'collision-requestor';
        } else {
          this.state = 'collision-acceptor'; // Sta10: wait for the RP before answering
        }
        return;
      default:
        if (this.state !== 'ending') this.protocolAbort('unexpected A-RELEASE-RQ', AbortReason.UnexpectedPdu);
    }
  }

  private onReleaseRp(): void {
    switch (this.state) {
      case 'releasing':
      case 'collision-requestor':
        // PS3.8 AR-3: release confirmed, close the transport
        this.end({ how: 'released', by: 'us' });
        this.link.close();
        return;
      case 'collision-acceptor':
        // PS3.8 AR-10 then AR-4: answer with our RP and wait for the requestor to close
        this.link.send(RELEASE_RP);
        this.end({ how: 'released', by: 'us' });
        this.armArtim(() => this.link.destroy());
        return;
      default:
        if (this.state !== 'ending') this.protocolAbort('unexpected A-RELEASE-RP', AbortReason.UnexpectedPdu);
    }
  }

  private onMessage(m: AssembledMessage): void {
    const ctx = this.contextById.get(m.contextId)!;
    const message: IncomingMessage = {
      contextId: m.contextId,
      abstractSyntax: ctx.abstractSyntax,
      transferSyntax: ctx.transferSyntax,
      command: m.command,
      dataSet: m.dataSet,
    };
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.cleanup();
      waiter.resolve(message);
    } else {
      this.queue.push(message);
      if (this.queue.length >= MAX_QUEUED_MESSAGES) this.link.pause('queue', true);
    }
    this.updateDimseTimer(true);
  }

  private pauseForData(paused: boolean): void {
    if (this.link.isPaused('data') === paused) return;
    this.link.pause('data', paused);
    this.updateDimseTimer(!paused);
  }

  // -------------------------------------------------------------------------------------------
  // Timers

  private armArtim(onExpiry: () => void): void {
    clearTimeout(this.artimTimer);
    this.artimTimer = setTimeout(onExpiry, this.timeouts.artimMs);
  }

  /** The DIMSE timeout that applies now: a receiveMessage waiting, or a data set arriving (not paused by us). */
  private dimseTimeoutNow(): number {
    if (this.state === 'ending' || this.state === 'closed') return 0;
    if (this.waiters.length > 0 && this.waiters[0]!.timeoutMs > 0) return this.waiters[0]!.timeoutMs;
    const s = this.assembler.activeStream;
    if (s && !s.destroyed && !this.link.isPaused('data')) return this.timeouts.dimseMs;
    // a peer that stopped in the middle of a PDU (or of a message's fragments) is stuck, not idle
    return this.link.framer.midPdu || this.assembler.midMessage ? this.timeouts.dimseMs : 0;
  }

  private updateDimseTimer(restart: boolean): void {
    if (restart) this.dimseBaseline = Date.now();
    const ms = this.dimseTimeoutNow();
    if (ms <= 0) {
      clearTimeout(this.dimseTimer);
      this.dimseTimer = undefined;
    } else if (!this.dimseTimer) {
      this.dimseBaseline = Date.now();
      this.dimseTimer = setTimeout(() => this.onDimseTimer(), ms);
    }
  }

  private onDimseTimer(): void {
    this.dimseTimer = undefined;
    const ms = this.dimseTimeoutNow();
    if (ms <= 0) return;
    const idle = Date.now() - Math.max(this.link.lastActivity, this.dimseBaseline);
    if (idle < ms) {
      this.dimseTimer = setTimeout(() => this.onDimseTimer(), ms - idle);
      return;
    }
    const where = this.link.framer.midPdu
      ? 'in the middle of a PDU'
      : this.assembler.midMessage
        ? 'in the middle of a message'
        : 'while a DIMSE message was awaited';
    const err = new TimeoutError('dimse', `${this.id}: nothing received for ${ms} ms ${where}: the peer stalled (DIMSE timer)`, ms);
    this.log('warn', err.message);
    this.abortWith(0, 0, err);
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  private protocolAbort(message: string, reason: number): void {
    if (this.state === 'ending' || this.state === 'closed') return;
    const err = new AssociationAbortedError(2, reason, `${this.id}: ${message}; A-ABORT sent (${describeAbort(2, reason)})`);
    this.log('warn', err.message);
    this.abortWith(2, reason, err);
  }

  private abortWith(source: number, reason: number, failure: Error): void {
    this.link.send(encodePdu({ type: 'A-ABORT', source, reason }));
    this.end({ how: 'aborted', by: 'us', source, reason }, failure);
    this.link.close();
  }

  private closedError(): Error {
    if (this.failure) return this.failure;
    if (this.outcome) return new AssociationClosedError(`${this.id}: the association was ${describeClose(this.outcome)}`);
    return new AssociationClosedError(`${this.id}: the association is being released`);
  }

  /** The outcome is known: settle waiters, streams and release; the socket may still be open. */
  private end(outcome: CloseInfo, failure?: Error): void {
    if (this.state === 'ending' || this.state === 'closed') return;
    this.state = 'ending';
    this.outcome = outcome;
    this.failure = failure;
    clearTimeout(this.artimTimer);
    clearTimeout(this.dimseTimer);
    this.dimseTimer = undefined;
    const err = failure ?? new AssociationClosedError(`${this.id}: the association was ${describeClose(outcome)} in the middle of a data set`);
    this.assembler.fail(err);
    if (failure) this.queue = [];
    this.link.pause('queue', false);
    for (const w of this.waiters.splice(0)) {
      w.cleanup();
      if (failure) w.reject(failure);
      else w.resolve(null);
    }
    if (this.releaseSettle) {
      if (outcome.how === 'released') this.releaseSettle.resolve();
      else this.releaseSettle.reject(failure ?? this.closedError());
    }
  }

  private onSocketClosed(error: Error | undefined): void {
    if (this.state === 'closed') return;
    if (this.state !== 'ending') {
      const err = transportError(error, `${this.id}: connection lost`);
      this.end({ how: 'dropped', error: err }, err);
    }
    this.state = 'closed';
    clearTimeout(this.artimTimer);
    const outcome = this.outcome!;
    this.log(outcome.how === 'released' ? 'info' : 'warn', closeLine(this.id, this.openedAt, outcome));
    this.resolveClosed(outcome);
  }
}
