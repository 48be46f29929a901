/**
 * The DICOM server: a TCP listener that runs the acceptor side of the upper layer (PS3.8 §7.1)
 * for every connection and serves Verification, Storage, Query and Retrieve on each accepted
 * association, several at once, within the policy's limits.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { PRIORS_IMPLEMENTATION_CLASS_UID, PRIORS_IMPLEMENTATION_VERSION_NAME } from '../../../shared/dicom/uids.js';
import { Association, type AcceptDecision, type AssociateRequestInfo, type Logger, type Timeouts } from '../ul/association.js';
import { errorMessage } from '../channel.js';
import { describeRejection } from '../ul/errors.js';
import type { AssociationPolicy, EchoHandler, FindHandler, RetrieveHandler, StoreHandler, Transcoder } from '../handlers.js';
import { AssociationSlots, decide, RejectReason, type OfferedServices } from './negotiate.js';
import { ScpSession, type ScpSettings } from './session.js';
import { tlsModule } from '../ul/tls-module.js';
import { readIntoOwnBuffer } from '../ul/link.js';

/** Options of {@link DicomServer}. */
export interface DicomServerOptions {
  policy: AssociationPolicy;
  /** Address to bind ('127.0.0.1', '0.0.0.0', ...). */
  host: string;
  /** Port to listen on; 0 lets the OS pick one (see {@link DicomServer.listen}). */
  port: number;
  /** The services offered follow from the handlers given: store → Storage SCP, find → C-FIND SCP, retrieve → C-MOVE/C-GET SCP. */
  handlers: { store?: StoreHandler; find?: FindHandler; retrieve?: RetrieveHandler; echo?: EchoHandler };
  /** Converts what a C-MOVE destination or C-GET requestor takes none of as stored; absent = as stored only. */
  transcoder?: Transcoder;
  maxPduLength?: number;
  timeouts?: Partial<Timeouts>;
  log?: Logger;
  /** C-MOVE/C-GET pending response pacing: after each sub-operation but at most every this many ms (default 200). */
  pendingIntervalMs?: number;
  /** Abort an association idle (no request, no operation running) for this long (default 300 000 ms; 0 = never). */
  idleTimeoutMs?: number;
  /** Listen with DICOM TLS (PS3.15 Annex B) using these options (see ../ul/tls-options.ts); absent = plain TCP. */
  tls?: TlsOptions;
  /** Each association refused: `reason` as the peer was told it, `advice` as the log gives it. */
  onRejected?: (request: AssociateRequestInfo, reason: string, advice: string) => void;
}

/** What to do about a rejection, for the log line. */
function rejectionAdvice(decision: Extract<AcceptDecision, { accept: false }>, rq: AssociateRequestInfo, ourAe: string, policy: AssociationPolicy): string {
  if (decision.source === 1 && decision.reason === RejectReason.CalledAeTitleNotRecognized) {
    return `the caller must use our AE title '${ourAe}' as Called AE Title, not '${rq.calledAeTitle}'`;
  }
  if (decision.source === 1 && decision.reason === RejectReason.CallingAeTitleNotRecognized) {
    return policy.refusalAdvice?.(rq.callingAeTitle.trim(), rq.peerAddress) ?? `add '${rq.callingAeTitle}' to the AE titles allowed to connect, if it should`;
  }
  if (decision.source === 3) return 'too many simultaneous associations: the caller should retry later, or raise the association limits';
  return 'the caller must use the DICOM application context';
}

/** A DICOM SCP listening on one TCP port. */
export class DicomServer {
  private readonly server: Server;
  private readonly slots: AssociationSlots;
  private readonly settings: ScpSettings;
  private readonly services: OfferedServices;
  private readonly associations = new Set<Association>();
  private readonly sockets = new Set<Socket>();
  private readonly runs = new Set<Promise<void>>();
  private closing = false;

  constructor(private readonly options: DicomServerOptions) {
    this.slots = new AssociationSlots(options.policy);
    const { handlers } = options;
    this.services = { store: !!handlers.store, find: !!handlers.find, retrieve: !!handlers.retrieve };
    this.settings = {
      policy: options.policy,
      handlers,
      pendingIntervalMs: options.pendingIntervalMs ?? 200,
      idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
      ...(options.log ? { log: options.log } : {}),
      ...(options.transcoder ? { transcoder: options.transcoder } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.maxPduLength !== undefined ? { maxPduLength: options.maxPduLength } : {}),
    };
    if (options.tls) {
      const tlsServer = tlsModule().createServer(options.tls, (socket) => this.onConnection(socket));
      // A plaintext or unauthorised client: refused by the handshake, logged, no association.
      tlsServer.on('tlsClientError', (err, socket) => options.log?.('warn', `TLS connection from ${socket.remoteAddress ?? '?'} refused: ${err.message}`));
      this.server = tlsServer;
    } else {
      // paused until the association's own read buffer takes the socket (ul/link.ts)
      this.server = createServer({ pauseOnConnect: true }, (socket) => this.onConnection(readIntoOwnBuffer(socket)));
    }
  }

  /** Associations open now. */
  get activeAssociations(): number {
    return this.slots.active;
  }

  /** Starts listening; resolves with the bound address (the real port when 0 was asked). */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`cannot listen on ${this.options.host}:${this.options.port}: ${err.message}`, { cause: err }));
      this.server.once('error', onError);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.options.log?.('error', `DICOM server error: ${err.message}`));
        const address = this.server.address();
        const port = typeof address === 'object' && address ? address.port : this.options.port;
        this.options.log?.('info', `DICOM server ${this.options.policy.aeTitle} listening on ${this.options.host}:${port}`);
        resolve({ host: this.options.host, port });
      });
    });
  }

  /** Stops listening, aborts the open associations and resolves when all have ended. */
  async close(): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const a of this.associations) if (a.isOpen) a.abort();
    for (const s of this.sockets) s.destroy();
    await Promise.allSettled([...this.runs]);
    await stopped;
  }

  private onConnection(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const run = this.serve(socket).catch((err: unknown) => {
      this.options.log?.('error', `association from ${socket.remoteAddress ?? '?'} failed: ${errorMessage(err)}`);
    });
    this.runs.add(run);
    void run.finally(() => this.runs.delete(run));
  }

  private async serve(socket: Socket): Promise<void> {
    const { policy, log } = this.options;
    let slotOf: string | undefined;
    const association = await Association.accept(socket, {
      decide: (rq) => {
        const decision = decide(rq, policy, this.services, this.slots);
        if (decision.accept) slotOf = rq.callingAeTitle.trim();
        else {
          const reason = describeRejection(decision.result, decision.source, decision.reason);
          const advice = rejectionAdvice(decision, rq, policy.aeTitle, policy);
          try {
            this.options.onRejected?.(rq, reason, advice);
          } catch {
            /* the listener's failure is not the server's */
          }
          log?.(
            'warn',
            `rejected association from ${rq.callingAeTitle} (${rq.peerAddress}:${rq.peerPort}) to ${rq.calledAeTitle}: ${reason}; what to do: ${advice}`,
          );
        }
        return decision;
      },
      aeTitle: policy.aeTitle,
      implementationClassUid: PRIORS_IMPLEMENTATION_CLASS_UID,
      implementationVersionName: PRIORS_IMPLEMENTATION_VERSION_NAME,
      ...(this.options.maxPduLength !== undefined ? { maxPduLength: this.options.maxPduLength } : {}),
      ...(this.options.timeouts ? { timeouts: this.options.timeouts } : {}),
      ...(log ? { log } : {}),
    }).catch((err: unknown) => {
      log?.('warn', `association negotiation with ${socket.remoteAddress ?? '?'} failed: ${errorMessage(err)}`);
      return null;
    });
    if (!association) {
      if (slotOf !== undefined) this.slots.release(slotOf);
      socket.destroy();
      return;
    }
    this.associations.add(association);
    try {
      if (this.closing) association.abort();
      await new ScpSession(association, this.settings).run();
    } finally {
      this.associations.delete(association);
      if (slotOf !== undefined) this.slots.release(slotOf);
    }
  }
}
