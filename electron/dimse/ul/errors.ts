/**
 * The errors of the DICOM Upper Layer (PS3.8): association rejected, aborted, closed,
 * transport failures and timer expiry. A DIMSE status is never one of these (docs/architecture.md, rule 2):
 * only association and transport failures throw.
 */

/** PS3.8 §9.3.4 Table 9-21: A-ASSOCIATE-RJ Result values. */
const REJECT_RESULTS: Record<number, string> = { 1: 'rejected-permanent', 2: 'rejected-transient' };
/** PS3.8 §9.3.4 Table 9-21: A-ASSOCIATE-RJ Source values. */
const REJECT_SOURCES: Record<number, string> = {
  1: 'DICOM UL service-user',
  2: 'DICOM UL service-provider (ACSE related function)',
  3: 'DICOM UL service-provider (presentation related function)',
};
/** PS3.8 §9.3.4 Table 9-21: A-ASSOCIATE-RJ Reason/Diag. values, per source. */
const REJECT_REASONS: Record<number, Record<number, string>> = {
  1: { 1: 'no-reason-given', 2: 'application-context-name-not-supported', 3: 'calling-AE-title-not-recognized', 7: 'called-AE-title-not-recognized' },
  2: { 1: 'no-reason-given', 2: 'protocol-version-not-supported' },
  3: { 1: 'temporary-congestion', 2: 'local-limit-exceeded' },
};
/** PS3.8 §9.3.8 Table 9-26: A-ABORT Source values. */
const ABORT_SOURCES: Record<number, string> = { 0: 'DICOM UL service-user', 1: 'reserved', 2: 'DICOM UL service-provider' };
/** PS3.8 §9.3.8 Table 9-26: A-ABORT Reason/Diag. values (meaningful for source 2). */
const ABORT_REASONS: Record<number, string> = {
  0: 'reason-not-specified',
  1: 'unrecognized-PDU',
  2: 'unexpected-PDU',
  3: 'reserved',
  4: 'unrecognized-PDU-parameter',
  5: 'unexpected-PDU-parameter',
  6: 'invalid-PDU-parameter-value',
};

/** A-ABORT Reason/Diag. values of PS3.8 Table 9-26 (source 2, service-provider). */
export const AbortReason = {
  ReasonNotSpecified: 0,
  UnrecognizedPdu: 1,
  UnexpectedPdu: 2,
  UnrecognizedPduParameter: 4,
  UnexpectedPduParameter: 5,
  InvalidPduParameterValue: 6,
} as const;

/** A-ABORT Source values of PS3.8 Table 9-26. */
export const AbortSource = { ServiceUser: 0, ServiceProvider: 2 } as const;

/** Words for an A-ASSOCIATE-RJ result/source/reason triple, e.g. for logs. */
export function describeRejection(result: number, source: number, reason: number): string {
  const r = REJECT_RESULTS[result] ?? `result ${result}`;
  const s = REJECT_SOURCES[source] ?? `source ${source}`;
  const why = REJECT_REASONS[source]?.[reason] ?? `reason ${reason}`;
  return `${r} by ${s}: ${why}`;
}

/** Words for an A-ABORT source/reason pair, e.g. for logs. */
export function describeAbort(source: number, reason: number): string {
  const s = ABORT_SOURCES[source] ?? `source ${source}`;
  if (source !== 2) return `by ${s}`;
  return `by ${s}: ${ABORT_REASONS[reason] ?? `reason ${reason}`}`;
}

/** A-ASSOCIATE-RJ received (PS3.8 §9.3.4: result 1 permanent / 2 transient; source 1 user, 2 ACSE, 3 presentation). */
export class AssociationRejectedError extends Error {
  constructor(
    readonly result: number,
    readonly source: number,
    readonly reason: number,
    context = 'association',
  ) {
    super(`${context} rejected: ${describeRejection(result, source, reason)} (result ${result}, source ${source}, reason ${reason})`);
    this.name = 'AssociationRejectedError';
  }
}

/** A-ABORT received or sent, or the peer's PDUs broke the protocol. */
export class AssociationAbortedError extends Error {
  constructor(
    readonly source: number,
    readonly reason: number,
    message?: string,
  ) {
    super(message ?? `association aborted ${describeAbort(source, reason)} (source ${source}, reason ${reason})`);
    this.name = 'AssociationAbortedError';
  }
}

/** TCP could not connect or dropped: code is the Node error code (ECONNREFUSED, ETIMEDOUT, ECONNRESET, EHOSTUNREACH...). */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** ARTIM or DIMSE timer expired (or the TCP connect timer). */
export class TimeoutError extends Error {
  /** @param ms the time waited, when known: what the user's sentence names */
  constructor(
    readonly which: 'connect' | 'artim' | 'dimse',
    message: string,
    readonly ms?: number,
  ) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/**
 * The association was already released (by either side) when a message was to be sent or
 * received. Not in the original contract: added so callers can tell "closed normally" apart.
 */
export class AssociationClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssociationClosedError';
  }
}

/**
 * The peer accepted the association but none of the presentation contexts for the service
 * asked of it (PS3.8 Table 9-18 results 1–4): it does not offer that SOP class to us.
 */
export class NoContextError extends Error {
  constructor(
    readonly calledAeTitle: string,
    readonly abstractSyntax: string,
    readonly sopClassName: string,
  ) {
    super(`${calledAeTitle} accepted no presentation context for ${sopClassName}: the node does not offer this service to us`);
    this.name = 'NoContextError';
  }
}

/**
 * Bytes that are not a valid PDU (PS3.8 §9.3). `reason` is the A-ABORT Reason/Diag. of
 * Table 9-26 the upper layer answers with.
 */
export class PduError extends Error {
  constructor(
    message: string,
    readonly reason: number = AbortReason.InvalidPduParameterValue,
  ) {
    super(message);
    this.name = 'PduError';
  }
}
