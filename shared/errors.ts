/**
 * The one error catalog of the API (docs/architecture.md, rule 4, after Orthanc's ErrorCodes.json): every
 * error that crosses the API is `{ code, message }` data, the code from this catalog and the
 * message one plain sentence that says what to fix. The DICOM and system failures keep the
 * codes of shared/diagnostics.ts; the API adds its own few. Pure code: no Node, no DOM.
 */
import type { Diagnosis } from './diagnostics.js';

/** Codes the API itself produces (payloads, lookups, the host). */
const API_CODES = {
  'invalid-payload': "The request payload does not match the entry's contract",
  'unknown-entry': 'No API entry has this name',
  'not-found': 'The thing named (a search, a study, a job) does not exist',
  unauthorized: 'The request lacks the session token',
  'payload-too-large': 'The request body is too large',
  unavailable: 'This feature is not available in this process',
} as const;

/** Codes of shared/diagnostics.ts: network, DICOM status, disk and input failures. */
const DIAGNOSIS_CODES = {
  'connection-refused': "Nothing accepts connections at the node's address",
  'connect-timeout': 'The node did not answer the connection',
  'host-not-found': 'The host name cannot be resolved',
  'host-unreachable': 'The host cannot be reached',
  'connection-reset': 'The node closed the connection',
  transport: 'The TCP connection failed',
  'tls-untrusted': "The node's TLS certificate is not signed by a trusted CA",
  'tls-expired': "The node's TLS certificate has expired or is not valid yet",
  'tls-name': "The node's TLS certificate is issued to another name",
  'tls-protocol': 'The node does not speak DICOM TLS on this port',
  'tls-client-cert': 'The node refused our TLS client certificate',
  'calling-ae-not-recognized': 'The node does not know our AE title',
  'called-ae-not-recognized': 'The node is not the AE title we called',
  'application-context-not-supported': 'The node does not speak DICOM on this port',
  'rejected-no-reason': 'The node refused the association without a reason',
  'protocol-version-not-supported': 'The node does not support the DICOM upper layer protocol',
  'rejected-by-acse': 'The node refused the association in its protocol layer',
  'temporary-congestion': 'The node is congested',
  'local-limit-exceeded': 'The node reached its association limit',
  rejected: 'The node refused the association',
  'aborted-by-peer': 'The node aborted the association',
  'aborted-protocol-error': 'The association was aborted for a protocol error',
  'artim-timeout': 'The node accepted TCP but did not answer the association request',
  'dimse-timeout': 'The node stopped answering',
  'no-presentation-context': 'The node does not offer this service or SOP class',
  cancelled: 'The operation was cancelled',
  'move-destination-unknown': 'The node does not know the C-MOVE destination AE title',
  'move-refused': 'The node refused the C-MOVE',
  'move-incomplete': 'Fewer instances arrived than the node reported sent',
  'nothing-arrived': 'The node reported instances sent but none arrived',
  'sop-class-not-supported': 'The node does not support this SOP class',
  'not-authorized': 'The node does not allow this operation to us',
  'unrecognized-operation': 'The node does not recognize the operation',
  'out-of-resources': 'The node ran out of resources',
  'sub-operations-failed': 'Some retrieve or store sub-operations failed',
  'identifier-mismatch': 'The node refused the query keys',
  'data-set-mismatch': 'The node refused the data set as not matching its SOP class',
  'data-set-does-not-match-sop-class': 'Stored with a warning: data set does not match the SOP class',
  'unable-to-process': 'The node could not process the request',
  'cannot-understand': 'The node could not understand the instance',
  'coercion-of-data-elements': 'Stored with some elements changed',
  'elements-discarded': 'Stored with some elements discarded',
  'duplicate-sop-instance': 'The node already holds this instance',
  'processing-failure': 'The node failed while processing',
  status: 'The node answered with a failure status',
  'port-in-use': 'The local port is already in use',
  'port-not-permitted': 'The local port needs administrator rights',
  'bind-address-unavailable': 'The bind address does not belong to this machine',
  'listen-failed': 'The local server cannot listen',
  'disk-full': 'The disk is full',
  'cache-full': "This workstation's cache has no room: its size limit, the free space it keeps, or the disk",
  'disk-quota': 'The disk quota is exhausted',
  'not-writable': 'The data directory is not writable',
  disk: 'A file operation failed',
  'cache-busy': 'Another process owns the cache',
  'unknown-node': 'No node of this name is configured',
  'invalid-input': 'The input is not valid',
  unexpected: 'Something unexpected failed',
  'http-unauthorized': 'The DICOMweb node refused the credentials, or asks for some',
  'http-forbidden': 'The DICOMweb node refused the operation to this account',
  'http-not-found': 'The DICOMweb node has no such resource (base URL, study)',
  'http-not-acceptable': 'The DICOMweb node cannot answer in the media type asked',
  'http-conflict': 'The DICOMweb node stored none of the instances sent',
  'http-too-large': 'The DICOMweb node refused the request as too large',
  'http-unsupported-media': 'The DICOMweb node does not take the data as sent',
  'http-busy': 'The DICOMweb node is busy',
  'http-server-error': 'The DICOMweb node failed',
  'http-status': 'The DICOMweb node answered with an HTTP error status',
  'http-timeout': 'The DICOMweb node stopped answering',
  'http-bad-answer': 'The DICOMweb node answered something else than the service gives',
  'wado-not-stored': 'Instances retrieved by WADO-RS could not be stored here',
  'stow-failed': 'The DICOMweb node did not store some instances sent by STOW-RS',
} as const;

/** Every error code with its meaning. */
export const ERROR_CATALOG: Readonly<Record<ErrorCode, string>> = { ...API_CODES, ...DIAGNOSIS_CODES };

/** An error code of the catalog. */
export type ErrorCode = keyof typeof API_CODES | keyof typeof DIAGNOSIS_CODES;

/** An error as it crosses the API. */
export interface ApiError {
  code: ErrorCode;
  /** One plain sentence that says what to fix. */
  message: string;
}

/** Whether a string is a code of the catalog. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOG, code);
}

/** An API error with a code of the catalog (unknown codes become 'unexpected'). */
export function apiError(code: string, message: string): ApiError {
  return { code: isErrorCode(code) ? code : 'unexpected', message };
}

/** The API error of a diagnosis (shared/diagnostics.ts): its code and its sentence. */
export function toApiError(diagnosis: Diagnosis): ApiError {
  return apiError(diagnosis.code, diagnosis.sentence);
}
