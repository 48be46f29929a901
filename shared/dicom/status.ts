/**
 * DIMSE status values: the Status Class convention of PS3.7 Annex C, the general statuses of
 * PS3.7 Annex C, and one table per service with the service-specific statuses of PS3.4.
 * A status is a value, not an exception (docs/architecture.md, rule 2); these tables give it a name and a
 * meaning for logs, for the user and for the conformance statement.
 */

/** The Status Classes of PS3.7 Annex C. */
export type StatusCategory = 'success' | 'pending' | 'cancel' | 'warning' | 'failure';

/** The DIMSE-C services Priors implements, by their verbs (docs/architecture.md, rule 9). */
export type DimseService = 'echo' | 'store' | 'find' | 'move' | 'get';

/** The standard's name of each service (PS3.7 §9.1), for people and logs. */
export const DIMSE_SERVICE_NAMES = {
  echo: 'C-ECHO',
  store: 'C-STORE',
  find: 'C-FIND',
  move: 'C-MOVE',
  get: 'C-GET',
} as const satisfies Record<DimseService, string>;

/** One row of a status table: a single code (`from === to`) or a range such as A700-A7FF. */
export interface StatusEntry {
  readonly from: number;
  readonly to: number;
  readonly category: StatusCategory;
  /** The "Further Meaning" of the standard's table, e.g. `Refused: Move Destination unknown`. */
  readonly name: string;
  /** What it means in plain language. */
  readonly meaning: string;
}

/** The statuses of one service and where the standard defines them. */
export interface StatusTable {
  readonly service: DimseService;
  readonly citation: string;
  readonly entries: readonly StatusEntry[];
}

/** What {@link describeStatus} tells about a status. */
export interface StatusDescription {
  readonly category: StatusCategory;
  readonly name: string;
  readonly meaning: string;
}

/** Status values by name. Codes shared by several services keep one value under each name. */
export const Status = {
  Success: 0x0000,
  /** C-FIND: Matches are continuing; C-MOVE / C-GET: Sub-operations are continuing. */
  Pending: 0xff00,
  /** C-FIND: Matches are continuing, one or more Optional Keys were not supported. */
  PendingWarning: 0xff01,
  Cancel: 0xfe00,
  // General statuses, PS3.7 Annex C.
  NoSuchAttribute: 0x0105,
  InvalidAttributeValue: 0x0106,
  AttributeListError: 0x0107,
  ProcessingFailure: 0x0110,
  DuplicateSOPInstance: 0x0111,
  NoSuchSOPInstance: 0x0112,
  NoSuchEventType: 0x0113,
  NoSuchArgument: 0x0114,
  InvalidArgumentValue: 0x0115,
  AttributeValueOutOfRange: 0x0116,
  InvalidObjectInstance: 0x0117,
  NoSuchSOPClass: 0x0118,
  ClassInstanceConflict: 0x0119,
  MissingAttribute: 0x0120,
  MissingAttributeValue: 0x0121,
  SOPClassNotSupported: 0x0122,
  NoSuchAction: 0x0123,
  NotAuthorized: 0x0124,
  DuplicateInvocation: 0x0210,
  UnrecognizedOperation: 0x0211,
  MistypedArgument: 0x0212,
  ResourceLimitation: 0x0213,
  // Service-specific statuses, PS3.4 B.2.3 and C.4.
  OutOfResources: 0xa700,
  OutOfResourcesUnableToCalculateNumberOfMatches: 0xa701,
  OutOfResourcesUnableToPerformSubOperations: 0xa702,
  MoveDestinationUnknown: 0xa801,
  /** C-STORE: Data Set does not match SOP Class; Q/R: Identifier does not match SOP Class. */
  DataSetDoesNotMatchSOPClass: 0xa900,
  IdentifierDoesNotMatchSOPClass: 0xa900,
  /** C-FIND / C-MOVE / C-GET: Unable to process (the first code of C000-CFFF). */
  UnableToProcess: 0xc000,
  /** C-STORE: Cannot understand (the first code of C000-CFFF). */
  CannotUnderstand: 0xc000,
  CoercionOfDataElements: 0xb000,
  /** C-MOVE / C-GET: Sub-operations complete, one or more failures (or warnings, for C-GET). */
  SubOperationsCompleteWithFailures: 0xb000,
  ElementsDiscarded: 0xb006,
  DataSetDoesNotMatchSOPClassWarning: 0xb007,
} as const;

const one = (code: number, category: StatusCategory, name: string, meaning: string): StatusEntry => ({ from: code, to: code, category, name, meaning });
const range = (from: number, to: number, category: StatusCategory, name: string, meaning: string): StatusEntry => ({ from, to, category, name, meaning });

/** The general statuses of PS3.7 Annex C (C.4 warnings, C.5 failures), common to all services. */
export const GENERAL_STATUSES: StatusTable['entries'] = [
  one(0x0105, 'failure', 'No such attribute', 'The Tag of an attribute was not recognized.'),
  one(0x0106, 'failure', 'Invalid attribute value', 'An attribute value was out of range or otherwise inappropriate.'),
  one(0x0107, 'warning', 'Attribute list error', 'One or more attribute values were not read or modified because the attributes were not available.'),
  one(0x0110, 'failure', 'Processing failure', 'A general failure in processing the operation was encountered.'),
  one(0x0111, 'failure', 'Duplicate SOP Instance', 'The new SOP Instance UID is already in use.'),
  one(0x0112, 'failure', 'No such SOP Instance', 'The SOP Instance was not recognized.'),
  one(0x0113, 'failure', 'No such event type', 'The event type was not recognized.'),
  one(0x0114, 'failure', 'No such argument', 'The event or action information was not recognized.'),
  one(0x0115, 'failure', 'Invalid argument value', 'The event or action information values were out of range or otherwise inappropriate.'),
  one(0x0116, 'warning', 'Attribute value out of range', 'An attribute value was out of range; the operation went on.'),
  one(0x0117, 'failure', 'Invalid object instance', 'The SOP Instance UID was invalid.'),
  one(0x0118, 'failure', 'No such SOP Class', 'The SOP Class was not recognized.'),
  one(0x0119, 'failure', 'Class-instance conflict', 'The SOP Instance is not an instance of the SOP Class given.'),
  one(0x0120, 'failure', 'Missing attribute', 'A required attribute was not supplied.'),
  one(0x0121, 'failure', 'Missing attribute value', 'A required attribute value was not supplied.'),
  one(0x0122, 'failure', 'Refused: SOP Class not supported', 'The peer does not support this SOP Class.'),
  one(0x0123, 'failure', 'No such action', 'The action type was not recognized.'),
  one(0x0124, 'failure', 'Refused: Not authorized', 'The peer refused: the requester is not authorized for this operation.'),
  one(0x0210, 'failure', 'Duplicate invocation', 'The Message ID is already in use by another operation.'),
  one(0x0211, 'failure', 'Unrecognized operation', 'The operation is not one of those agreed for the association.'),
  one(0x0212, 'failure', 'Mistyped argument', 'A parameter of the request was not the type expected.'),
  one(0x0213, 'failure', 'Resource limitation', 'The operation was not performed for lack of resources.'),
];

const OUT_OF_RESOURCES_MATCHES = 'Refused: Out of Resources - Unable to calculate number of matches';
const OUT_OF_RESOURCES_SUBOPS = 'Refused: Out of Resources - Unable to perform sub-operations';

/** One status table per service, each citing the section that defines it. */
export const STATUS_TABLES: Readonly<Record<DimseService, StatusTable>> = {
  echo: {
    service: 'echo',
    citation: 'PS3.7 9.1.5; PS3.4 A.4',
    entries: [one(0x0000, 'success', 'Success', 'The peer answered the verification.')],
  },
  store: {
    service: 'store',
    citation: 'PS3.4 B.2.3 (Table B.2-1)',
    entries: [
      range(0xa700, 0xa7ff, 'failure', 'Refused: Out of Resources', 'The peer could not store the instance for lack of resources.'),
      range(0xa900, 0xa9ff, 'failure', 'Error: Data Set does not match SOP Class', 'The instance does not conform to its SOP Class; it was not stored.'),
      range(0xc000, 0xcfff, 'failure', 'Error: Cannot understand', 'The peer could not understand the data set; it was not stored.'),
      one(0xb000, 'warning', 'Coercion of Data Elements', 'Stored, but the peer changed some data elements.'),
      one(0xb007, 'warning', 'Data Set does not match SOP Class', 'Stored, although the data set does not match its SOP Class.'),
      one(0xb006, 'warning', 'Elements Discarded', 'Stored, but the peer discarded some data elements.'),
      one(0x0000, 'success', 'Success', 'The instance was stored.'),
    ],
  },
  find: {
    service: 'find',
    citation: 'PS3.4 C.4.1.1.4 (Table C.4-1)',
    entries: [
      one(0xa700, 'failure', 'Refused: Out of Resources', 'The peer could not run the query for lack of resources.'),
      one(0xa900, 'failure', 'Identifier does not match SOP Class', 'The query identifier is not valid for the information model.'),
      range(0xc000, 0xcfff, 'failure', 'Unable to process', 'The peer failed to process the query.'),
      one(0xfe00, 'cancel', 'Matching terminated due to Cancel request', 'The query was cancelled.'),
      one(0x0000, 'success', 'Matching is complete', 'All matches have been sent; no final identifier is supplied.'),
      one(0xff00, 'pending', 'Matches are continuing', 'A match is supplied, and any Optional Keys were supported in the same manner as Required Keys.'),
      one(
        0xff01,
        'pending',
        'Matches are continuing - Warning',
        'A match is supplied, but one or more Optional Keys were not supported for existence and/or matching.',
      ),
    ],
  },
  move: {
    service: 'move',
    citation: 'PS3.4 C.4.2.1.5 (Table C.4-2)',
    entries: [
      one(0xa701, 'failure', OUT_OF_RESOURCES_MATCHES, 'The peer could not work out what to send.'),
      one(0xa702, 'failure', OUT_OF_RESOURCES_SUBOPS, 'The peer could not start or continue sending the instances.'),
      one(0xa801, 'failure', 'Refused: Move Destination unknown', 'The peer does not know the destination AE title; it must be configured there.'),
      one(0xa900, 'failure', 'Identifier does not match SOP Class', 'The retrieve identifier is not valid for the information model.'),
      range(0xc000, 0xcfff, 'failure', 'Unable to process', 'The peer failed to process the retrieve.'),
      one(0xfe00, 'cancel', 'Sub-operations terminated due to Cancel Indication', 'The retrieve was cancelled.'),
      one(0xb000, 'warning', 'Sub-operations Complete - One or more Failures', 'The retrieve finished, but some instances were not stored at the destination.'),
      one(0x0000, 'success', 'Sub-operations Complete - No Failures', 'Every instance was stored at the destination.'),
      one(0xff00, 'pending', 'Sub-operations are continuing', 'The retrieve is in progress.'),
    ],
  },
  get: {
    service: 'get',
    citation: 'PS3.4 C.4.3.1.4 (Table C.4-3)',
    entries: [
      one(0xa701, 'failure', OUT_OF_RESOURCES_MATCHES, 'The peer could not work out what to send.'),
      one(0xa702, 'failure', OUT_OF_RESOURCES_SUBOPS, 'The peer could not start or continue sending the instances.'),
      one(0xa900, 'failure', 'Identifier does not match SOP Class', 'The retrieve identifier is not valid for the information model.'),
      range(0xc000, 0xcfff, 'failure', 'Unable to process', 'The peer failed to process the retrieve.'),
      one(0xfe00, 'cancel', 'Sub-operations terminated due to Cancel Indication', 'The retrieve was cancelled.'),
      one(
        0xb000,
        'warning',
        'Sub-operations Complete - One or more Failures or Warnings',
        'The retrieve finished, but some instances failed or were stored with warnings.',
      ),
      one(0x0000, 'success', 'Sub-operations Complete - No Failures or Warnings', 'Every instance was received.'),
      one(0xff00, 'pending', 'Sub-operations are continuing', 'The retrieve is in progress.'),
    ],
  },
};

function isStatusValue(status: number): boolean {
  return Number.isInteger(status) && status >= 0 && status <= 0xffff;
}

/**
 * The Status Class of a status, per the convention of PS3.7 Annex C: Success 0000; Warning
 * 0001, Bxxx, 0107 and 0116; Failure Axxx, Cxxx, 01xx (except 0107 and 0116) and 02xx;
 * Cancel FE00; Pending FF00 and FF01. Annex C forbids every other value; Priors counts such a
 * value (and anything that is not a 16-bit number) as a failure.
 */
export function statusCategory(status: number): StatusCategory {
  if (!isStatusValue(status)) return 'failure';
  if (status === 0x0000) return 'success';
  if (status === 0xff00 || status === 0xff01) return 'pending';
  if (status === 0xfe00) return 'cancel';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116 || (status >= 0xb000 && status <= 0xbfff)) return 'warning';
  return 'failure';
}

function findEntry(entries: readonly StatusEntry[], status: number): StatusEntry | undefined {
  return entries.find((e) => status >= e.from && status <= e.to);
}

/**
 * The category, name and meaning of a status returned by a service: the service's own table
 * first (ranges such as A700-A7FF included), then the general statuses of PS3.7 Annex C, and
 * otherwise a description built from the Status Class alone.
 */
export function describeStatus(service: DimseService, status: number): StatusDescription {
  const table = STATUS_TABLES[service];
  const entry = findEntry(table.entries, status) ?? findEntry(GENERAL_STATUSES, status);
  if (entry) return { category: entry.category, name: entry.name, meaning: entry.meaning };
  const category = statusCategory(status);
  const where = isStatusValue(status) ? `not defined for ${DIMSE_SERVICE_NAMES[service]} (${table.citation})` : 'not a 16-bit status value';
  return { category, name: `Unknown ${category} status ${formatStatus(status)}`, meaning: `Status ${formatStatus(status)} is ${where}.` };
}

/** A status as the standard prints it in hexadecimal: `0xA801`. */
export function formatStatus(status: number): string {
  if (!isStatusValue(status)) return String(status);
  return `0x${status.toString(16).toUpperCase().padStart(4, '0')}`;
}
