/**
 * Association establishment (PS3.8 §7.1, state machine states Sta2–Sta5 and Sta8): the
 * requestor connects, sends the A-ASSOCIATE-RQ and waits for AC/RJ under ARTIM; the acceptor
 * waits for the RQ under ARTIM, checks protocol version and application context, asks its
 * `decide` callback and answers AC or RJ. Either hands an {@link Established} to Association.
 */
import type { Socket } from 'node:net';
import { DICOM_APPLICATION_CONTEXT_NAME } from '../../../shared/dicom/uids.js';
import { AbortReason, AssociationAbortedError, AssociationRejectedError, TimeoutError, describeRejection } from './errors.js';
import { encodePdu, type AssociateAcPdu, type AssociateRqPdu, type UserInformation } from './pdu.js';
import type { FramerSink } from './framer.js';
import { UlLink, abortReason, openConnection, transportError } from './link.js';
import { silentLogger } from './log.js';
import { buildAcceptPdu, buildRequestPdu, contextsFromAc, requestInfoOf } from './negotiation.js';
import {
  DEFAULT_MAX_PDU_LENGTH,
  DEFAULT_TIMEOUTS,
  type AcceptDecision,
  type AcceptorOptions,
  type AssociateRequestInfo,
  type Logger,
  type NegotiatedContext,
  type RequestorOptions,
  type Timeouts,
} from './types.js';

/** Everything an Association needs once negotiation succeeded. */
export interface Established {
  id: string;
  role: 'requestor' | 'acceptor';
  link: UlLink;
  request: AssociateRequestInfo;
  contexts: NegotiatedContext[];
  peerMaxPduLength: number;
  peerImplementationClassUid: string;
  peerImplementationVersionName?: string;
  timeouts: Timeouts;
  log: Logger;
}

/** Used when a peer leaves out the (mandatory) Maximum Length sub-item: DCMTK's default. */
const FALLBACK_MAX_LENGTH = 16384;

let counter = 0;
/** A short id unique in this process, for log lines. */
export function nextAssociationId(): string {
  return `a${++counter}`;
}

function peerInfo(ui: UserInformation): Pick<Established, 'peerMaxPduLength' | 'peerImplementationClassUid' | 'peerImplementationVersionName'> {
  return {
    peerMaxPduLength: ui.maxLength ?? FALLBACK_MAX_LENGTH,
    peerImplementationClassUid: ui.implementationClassUid ?? '',
    ...(ui.implementationVersionName !== undefined ? { peerImplementationVersionName: ui.implementationVersionName } : {}),
  };
}

/** Requestor side: connect, A-ASSOCIATE-RQ, wait for AC/RJ. Throws the errors of errors.ts (or the signal's reason). */
export async function establishAsRequestor(o: RequestorOptions): Promise<Established> {
  const id = nextAssociationId();
  const log = o.log ?? silentLogger;
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
  const maxPdu = o.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
  const rq = buildRequestPdu(o);
  const rqBytes = encodePdu(rq); // throws RangeError for bad AE titles before any connection
  const where = `${o.calledAeTitle}@${o.host}:${o.port}`;
  log('debug', `${id} connecting to ${where} as ${o.callingAeTitle}`);
  const socket = await openConnection(o.host, o.port, timeouts.connectMs, o.signal, o.tls);
  return new Promise<Established>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, est?: Established) => {
      if (settled) return;
      settled = true;
      clearTimeout(artim);
      o.signal?.removeEventListener('abort', onAbort);
      if (err) {
        log('info', `${id} association with ${where} failed: ${err.message}`);
        reject(err);
      } else {
        resolve(est!);
      }
    };
    const abortWith = (source: number, reason: number, err: Error) => {
      link.send(encodePdu({ type: 'A-ABORT', source, reason }));
      link.close();
      finish(err);
    };
    const protocolError = (message: string, reason: number) =>
      abortWith(2, reason, new AssociationAbortedError(2, reason, `${message}; A-ABORT sent (source 2, reason ${reason})`));
    const onAc = (ac: AssociateAcPdu) => {
      link.framer.hold(); // the association takes the stream from here
      if (ac.applicationContext !== rq.applicationContext) log('warn', `${id} A-ASSOCIATE-AC names application context ${ac.applicationContext}`);
      const contexts = contextsFromAc(rq, ac, (m) => log('warn', `${id} ${m}`));
      if (ac.userInfo.maxLength === undefined) log('warn', `${id} A-ASSOCIATE-AC lacks a Maximum Length sub-item; assuming ${FALLBACK_MAX_LENGTH}`);
      finish(undefined, {
        id,
        role: 'requestor',
        link,
        contexts,
        timeouts,
        log,
        ...peerInfo(ac.userInfo),
        request: { ...requestInfoOf(rq, o.host, o.port), peerAddress: link.remoteAddress || o.host, peerPort: link.remotePort || o.port },
      });
    };
    const sink: FramerSink = {
      pdu: (pdu) => {
        if (settled) return;
        if (pdu.type === 'A-ASSOCIATE-AC') onAc(pdu);
        else if (pdu.type === 'A-ASSOCIATE-RJ') {
          link.close();
          finish(new AssociationRejectedError(pdu.result, pdu.source, pdu.reason, `association with ${where}`));
        } else if (pdu.type === 'A-ABORT') {
          link.destroy();
          finish(new AssociationAbortedError(pdu.source, pdu.reason, `${where} aborted the association request (source ${pdu.source}, reason ${pdu.reason})`));
        } else {
          protocolError(`unexpected ${pdu.type} from ${where} while awaiting A-ASSOCIATE-AC`, AbortReason.UnexpectedPdu);
        }
      },
      pdv: () => {
        if (!settled) protocolError(`P-DATA-TF from ${where} before A-ASSOCIATE-AC`, AbortReason.UnexpectedPdu);
      },
      error: (e) => {
        if (!settled) protocolError(`invalid PDU from ${where}: ${e.message}`, e.reason);
      },
    };
    const link = new UlLink(socket, maxPdu, sink);
    link.onClose((err) => finish(transportError(err, `${where} closed the connection during association negotiation`)));
    const artim = setTimeout(
      () =>
        abortWith(
          2,
          AbortReason.ReasonNotSpecified,
          new TimeoutError('artim', `no A-ASSOCIATE-AC/RJ from ${where} within ${timeouts.artimMs} ms (ARTIM)`, timeouts.artimMs),
        ),
      timeouts.artimMs,
    );
    const onAbort = () => abortWith(0, 0, abortReason(o.signal!));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    link.send(rqBytes);
  });
}

/** Acceptor side: wait for the RQ, decide, answer. Resolves null when rejected, invalid, timed out or dropped. */
export function establishAsAcceptor(socket: Socket, o: AcceptorOptions): Promise<Established | null> {
  const id = nextAssociationId();
  const log = o.log ?? silentLogger;
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
  const maxPdu = o.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
  const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
  return new Promise<Established | null>((resolve) => {
    let settled = false;
    let gotRequest = false;
    const finish = (est: Established | null, level?: 'debug' | 'info' | 'warn' | 'error', why?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(artim);
      if (level && why) log(level, `${id} ${why}`);
      resolve(est);
    };
    const abortWith = (reason: number, why: string) => {
      link.send(encodePdu({ type: 'A-ABORT', source: 2, reason }));
      link.close();
      finish(null, 'warn', `${why}; A-ABORT sent (source 2, reason ${reason})`);
    };
    const rejectWith = (rq: AssociateRqPdu, result: number, source: number, reason: number, why?: string) => {
      link.send(encodePdu({ type: 'A-ASSOCIATE-RJ', result, source, reason }));
      link.close(); // PS3.8 AE-8: RJ sent; the requestor closes, our end() only speeds it up
      finish(
        null,
        'info',
        `rejected ${rq.callingAeTitle} -> ${rq.calledAeTitle} from ${peer}: ${describeRejection(result, source, reason)}${why ? ` (${why})` : ''}`,
      );
    };
    const onRequest = async (rq: AssociateRqPdu) => {
      const info = requestInfoOf(rq, link.remoteAddress, link.remotePort);
      if (rq.userInfo.maxLength === undefined) info.maxPduLength = FALLBACK_MAX_LENGTH;
      // PS3.8 §9.3.2 protocol version bit 0; PS3.7 A.2.1 the one DICOM application context
      if ((rq.protocolVersion & 1) === 0) return rejectWith(rq, 1, 2, 2, `protocol version 0x${rq.protocolVersion.toString(16)}`);
      if (rq.applicationContext !== DICOM_APPLICATION_CONTEXT_NAME) return rejectWith(rq, 1, 1, 2, `application context ${rq.applicationContext}`);
      let decision: AcceptDecision;
      try {
        decision = await o.decide(info);
      } catch (err) {
        log('error', `${id} decide() failed: ${(err as Error).stack ?? String(err)}`);
        return rejectWith(rq, 2, 1, 1, 'internal error');
      }
      if (link.isClosed) return finish(null, 'info', `${peer} closed the connection during negotiation`);
      if (!decision.accept) return rejectWith(rq, decision.result, decision.source, decision.reason);
      let acBytes: Buffer;
      let contexts: NegotiatedContext[];
      try {
        const built = buildAcceptPdu(rq, decision, o);
        contexts = built.contexts;
        acBytes = encodePdu(built.ac);
      } catch (err) {
        log('error', `${id} cannot accept: ${(err as Error).message}`);
        return rejectWith(rq, 2, 1, 1, 'internal error');
      }
      link.send(acBytes);
      finish({ id, role: 'acceptor', link, request: info, contexts, timeouts, log, ...peerInfo(rq.userInfo), peerMaxPduLength: info.maxPduLength });
    };
    const sink: FramerSink = {
      pdu: (pdu) => {
        if (settled || gotRequest) return;
        if (pdu.type === 'A-ASSOCIATE-RQ') {
          gotRequest = true;
          clearTimeout(artim);
          link.framer.hold();
          onRequest(pdu).catch((err: unknown) => {
            log('error', `${id} negotiation failed: ${(err as Error).stack ?? String(err)}`);
            link.destroy();
            finish(null);
          });
        } else if (pdu.type === 'A-ABORT') {
          link.destroy();
          finish(null, 'info', `${peer} aborted before sending an A-ASSOCIATE-RQ`);
        } else {
          abortWith(AbortReason.UnexpectedPdu, `unexpected ${pdu.type} from ${peer} while awaiting A-ASSOCIATE-RQ`);
        }
      },
      pdv: () => {
        if (!settled && !gotRequest) abortWith(AbortReason.UnexpectedPdu, `P-DATA-TF from ${peer} before A-ASSOCIATE-RQ`);
      },
      error: (e) => {
        if (!settled) abortWith(e.reason, `invalid PDU from ${peer}: ${e.message}`);
      },
    };
    const link = new UlLink(socket, maxPdu, sink);
    link.onClose((err) => finish(null, 'info', `${peer} closed the connection before association${err ? ` (${err.message})` : ''}`));
    const artim = setTimeout(() => {
      link.destroy(); // PS3.8 AA-2: ARTIM expired in Sta2, close the transport
      finish(null, 'warn', `no A-ASSOCIATE-RQ from ${peer} within ${timeouts.artimMs} ms (ARTIM)`);
    }, timeouts.artimMs);
  });
}
