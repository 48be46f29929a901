/**
 * The seam between the network layer and whatever stores and finds instances.
 *
 * dimse/ declares these interfaces and calls them from its SCP loops; electron/services
 * implements them over the cache. Only the SCP loop sends Pending, Cancel and Success
 * responses; a handler computes matches, stores bytes or locates instances.
 * A handler that throws a {@link DimseStatusError} produces that status; any other throw
 * becomes the service's generic failure status and the association lives on.
 */
import type { Readable } from 'node:stream';
import type { DataSet } from '../../shared/dicom/dataset.js';
import type { InstanceSource } from '../../shared/records.js';

/** Who is on the other end of an association (for logs, policies and handlers). */
export interface AssociationInfo {
  /** A short id unique in this process, used in log lines. */
  id: string;
  callingAeTitle: string;
  calledAeTitle: string;
  peerAddress: string;
  peerPort: number;
  /** User Identity negotiation (PS3.7 D.3.3.7), when the requestor sent one. */
  userIdentity?: { type: number; primary: string };
}

/** A DIMSE failure/warning status with its Error Comment (0000,0902), thrown by handlers. */
export class DimseStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DimseStatusError';
  }
}

/** One incoming C-STORE (from a Storage SCU, a C-MOVE sub-association or a C-GET sub-operation). */
export interface StoreRequest {
  association: AssociationInfo;
  /** Affected SOP Class UID (0000,0002) of the command. */
  sopClassUid: string;
  /** Affected SOP Instance UID (0000,1000) of the command. */
  sopInstanceUid: string;
  /** The transfer syntax of the presentation context the data set arrives in. */
  transferSyntaxUid: string;
  /** Move Originator AE Title (0000,1030), when this store is a C-MOVE sub-operation. */
  moveOriginatorAeTitle?: string;
  /** Move Originator Message ID (0000,1031). */
  moveOriginatorMessageId?: number;
  /**
   * The data set bytes exactly as they arrive, in `transferSyntaxUid`, streamed PDV by PDV.
   * The handler must consume it (backpressure pauses the socket while it is not read).
   * It errors if the association drops mid-transfer.
   */
  dataSet: Readable;
}

/** The outcome of a C-STORE, sent back as the C-STORE-RSP status (PS3.4 B.2.3). */
export interface StoreOutcome {
  status: number;
  errorComment?: string;
  /**
   * Work that completes the store once the response has been handed to the kernel (the sender
   * prepares its next instance meanwhile), run before any other message is read. It cannot
   * change the status any more: it reports its own failures. It runs even when the response
   * could not be sent.
   */
  afterResponse?: () => void;
}

/** Storage SCP handler (PS3.4 Annex B). */
export interface StoreHandler {
  store(request: StoreRequest): Promise<StoreOutcome>;
  /**
   * The peer asked to release the association (A-RELEASE-RQ): called before the A-RELEASE-RP, so
   * that work deferred past the answers (see StoreOutcome.afterResponse) is done by the time the
   * sender knows the association ended.
   */
  beforeRelease?(association: AssociationInfo): void;
  /**
   * An association that stored at least one instance has ended (released, aborted or dropped):
   * what it sent is complete as far as this sender goes.
   */
  associationEnded?(association: AssociationInfo, stores: number): void;
}

/** The outcome of a C-ECHO, sent back as the C-ECHO-RSP status (PS3.7 §9.1.5). */
export interface EchoOutcome {
  status: number;
  errorComment?: string;
}

/** Verification SCP handler (PS3.4 Annex A): absent, every C-ECHO is answered Success. */
export interface EchoHandler {
  echo(association: AssociationInfo): Promise<EchoOutcome>;
}

/** One incoming C-FIND (PS3.4 C.4.1). */
export interface FindRequest {
  association: AssociationInfo;
  /** Affected SOP Class UID: the information model's FIND SOP class. */
  sopClassUid: string;
  identifier: DataSet;
  /** Aborted when the requestor sends C-CANCEL or the association ends. */
  signal: AbortSignal;
}

/** Query SCP handler: yields one response identifier per match (PS3.4 C.4.1.3). */
export interface FindHandler {
  find(request: FindRequest): AsyncIterable<DataSet>;
}

/** One stored instance the SCP can send (C-MOVE / C-GET sub-operations, C-STORE SCU). */
export type { InstanceSource } from '../../shared/records.js';

/** One incoming C-MOVE or C-GET (PS3.4 C.4.2, C.4.3). */
export interface RetrieveRequest {
  association: AssociationInfo;
  sopClassUid: string;
  identifier: DataSet;
  signal: AbortSignal;
}

/**
 * Converts a stored instance into another transfer syntax on its way out (native syntaxes into
 * one another, compressed ones decompressed), for a receiver that accepts none of the stored
 * one. The stored file is never changed: the conversion is a stream.
 */
export interface Transcoder {
  /**
   * The syntaxes an instance stored in `transferSyntaxUid` can also be sent in, best first
   * (empty: only its own). `neverDecompress` lists compressed syntaxes a receiver must get as
   * they are.
   */
  alternatives(transferSyntaxUid: string, policy?: OutgoingPolicy): string[];
  /** The data set in `transferSyntaxUid`, as a stream, or why it cannot be converted. */
  convert(instance: InstanceSource, transferSyntaxUid: string): Promise<Readable | { reason: string }>;
  /**
   * Whether a data set stored in `transferSyntaxUid` converts in memory ({@link convertBytes}):
   * then it is read ahead like one sent as stored, while the peer answers the one before.
   */
  convertsInMemory(transferSyntaxUid: string): boolean;
  /** A whole data set converted at once (throws on malformed input); only where {@link convertsInMemory}. */
  convertBytes(dataSet: Uint8Array, fromTransferSyntaxUid: string, toTransferSyntaxUid: string): Uint8Array;
}

/** What a receiver is sent: syntaxes it must get as stored (never decompressed), and the one it prefers. */
export interface OutgoingPolicy {
  neverDecompress?: readonly string[];
  /** Sent in this syntax when the receiver takes it and the instance can be converted to it, before the stored one. */
  preferred?: string;
}

/** A C-MOVE destination resolved from its AE title. */
export interface MoveDestination {
  aeTitle: string;
  host: string;
  port: number;
  /** What it is sent (from its node's settings). */
  outgoing?: OutgoingPolicy;
  /** Reach it with DICOM TLS using these options (ul/tls-options.ts); absent = plain TCP. */
  tls?: import('node:tls').ConnectionOptions;
}

/** Retrieve SCP handler (C-MOVE and C-GET share the matching; only the delivery differs). */
export interface RetrieveHandler {
  /** The instances matching the identifier; throw DimseStatusError(0xA900, ...) for a bad identifier. */
  locate(request: RetrieveRequest): Promise<InstanceSource[]>;
  /** The network address of a C-MOVE destination, or undefined when unknown (answered with A801). */
  destination(aeTitle: string, association: AssociationInfo): Promise<MoveDestination | undefined>;
}

/** What the SCP is allowed to do and with whom (PS3.8 §7.1.1 rejection reasons follow from it). */
export interface AssociationPolicy {
  /** Our AE title; a different Called AE Title is rejected (1, user, 7). */
  aeTitle: string;
  /** Decides whether a calling AE title may associate; false → reject (1, user, 3). */
  acceptCallingAeTitle(callingAeTitle: string, peerAddress: string): boolean;
  /** Most simultaneous associations; beyond it → reject (2, provider (presentation), 2 local-limit-exceeded). */
  maxAssociations: number;
  /** Optional most simultaneous associations per calling AE title. */
  maxAssociationsPerCallingAe?: number;
  /** A limit for one calling AE title in particular (a configured node's), over the one above. */
  maxAssociationsFor?(callingAeTitle: string): number | undefined;
  /** Why `acceptCallingAeTitle` refused, and what to change, for the log (never sent to the peer). */
  refusalAdvice?(callingAeTitle: string, peerAddress: string): string | undefined;
}
