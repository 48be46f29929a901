/**
 * The types of the association contract (docs/architecture.md), re-exported by
 * association.ts, which is where callers import them from.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Readable } from 'node:stream';
import type { DataSet } from '../../../shared/dicom/dataset.js';
import type { PresentationContextProposal, RoleSelection, UserIdentity } from './pdu.js';

export type { PresentationContextProposal, RoleSelection, UserIdentity };

/** Everything an A-ASSOCIATE-RQ carried, plus the peer's address. */
export interface AssociateRequestInfo {
  callingAeTitle: string;
  calledAeTitle: string;
  applicationContext: string;
  contexts: PresentationContextProposal[];
  /** The requestor's Maximum Length (PS3.8 D.1); 0 = unlimited. */
  maxPduLength: number;
  implementationClassUid: string;
  implementationVersionName?: string;
  roles: RoleSelection[];
  asyncOps?: { invoked: number; performed: number };
  userIdentity?: UserIdentity;
  peerAddress: string;
  peerPort: number;
}

/**
 * The answer for one proposed presentation context, PS3.8 Table 9-18 results: 0 acceptance,
 * 1 user-rejection, 2 no-reason (provider rejection), 3 abstract-syntax-not-supported,
 * 4 transfer-syntaxes-not-supported. `transferSyntax` is required for acceptance and must be
 * one of those proposed.
 */
export interface ContextResult {
  id: number;
  abstractSyntax: string;
  result: 0 | 1 | 2 | 3 | 4;
  transferSyntax?: string;
}

/**
 * An accepted presentation context, with the roles agreed for it. `scuRole`/`scpRole` are the
 * roles of the association requestor, as in the Role Selection sub-item (PS3.7 D.3.3.4); the
 * default, without role selection, is requestor SCU (true) and not SCP (false).
 */
export interface NegotiatedContext {
  id: number;
  abstractSyntax: string;
  transferSyntax: string;
  scuRole: boolean;
  scpRole: boolean;
}

/** Timers of the upper layer, in milliseconds. */
export interface Timeouts {
  /** TCP connect (default 10 000). */
  connectMs: number;
  /** ARTIM (PS3.8 §9.1.5): waiting for A-ASSOCIATE-AC/RJ, for an RQ after TCP accept, for A-RELEASE-RP (default 30 000). */
  artimMs: number;
  /** No PDU received while a DIMSE answer is awaited (default 60 000; 0 = none). */
  dimseMs: number;
}

/** Where the association writes its log lines. */
export type Logger = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/** Options of {@link Association.request}. */
export interface RequestorOptions {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  /** Proposed presentation contexts; ids are assigned 1, 3, 5, ... in this order. */
  contexts: Omit<PresentationContextProposal, 'id'>[];
  roles?: RoleSelection[];
  /** What we can receive; default 16352. */
  maxPduLength?: number;
  timeouts?: Partial<Timeouts>;
  implementationClassUid?: string;
  implementationVersionName?: string;
  userIdentity?: UserIdentity;
  /** Cancels connecting and negotiating (not the established association: use abort()). */
  signal?: AbortSignal;
  log?: Logger;
  /** Connect with DICOM TLS (PS3.15 Annex B) using these options (see tls-options.ts); absent = plain TCP. */
  tls?: ConnectionOptions;
}

/** What an acceptor's `decide` answers to an A-ASSOCIATE-RQ. */
export type AcceptDecision =
  { accept: true; contexts: ContextResult[]; roles?: RoleSelection[] } | { accept: false; result: 1 | 2; source: 1 | 2 | 3; reason: number };

/** Options of {@link Association.accept}. */
export interface AcceptorOptions {
  decide(request: AssociateRequestInfo): AcceptDecision | Promise<AcceptDecision>;
  /** Responding AE title written in the AC (default: the called AE title). */
  aeTitle?: string;
  /** Default 16352. */
  maxPduLength?: number;
  timeouts?: Partial<Timeouts>;
  implementationClassUid?: string;
  implementationVersionName?: string;
  log?: Logger;
}

/** One DIMSE message received. */
export interface IncomingMessage {
  contextId: number;
  abstractSyntax: string;
  transferSyntax: string;
  /** The command set, decoded (implicit VR little endian, PS3.7 §6.3.1). */
  command: DataSet;
  /**
   * The data set bytes as they arrive (null when CommandDataSetType (0000,0800) is 0x0101).
   * Bytes are passed through unchanged. Backpressure: while this stream is not read, the
   * socket is paused. Ends after the last data PDV (last-fragment bit); errors if the
   * association aborts or drops first. Must be consumed before the next message is delivered.
   */
  dataSet: Readable | null;
}

/** How an association ended. */
export type CloseInfo =
  | { how: 'released'; by: 'us' | 'peer' }
  | { how: 'aborted'; by: 'us' | 'peer'; source: number; reason: number }
  | { how: 'dropped'; error: Error }
  | { how: 'rejected' };

/** Default maximum P-DATA-TF length we announce (PS3.8 D.1). */
export const DEFAULT_MAX_PDU_LENGTH = 16352;
/** Default timers. */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({ connectMs: 10_000, artimMs: 30_000, dimseMs: 60_000 });
