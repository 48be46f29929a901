/**
 * The log lines of an association: one when it opens, one when it closes (contract notes).
 */
import { uidName } from '../../../shared/dicom/uids.js';
import { describeAbort } from './errors.js';
import type { AssociateRequestInfo, CloseInfo, Logger, NegotiatedContext } from './types.js';

/** A logger that drops everything. */
export const silentLogger: Logger = () => {};

const MAX_NAMES = 8;

/** User Identity Type (PS3.7 D.3.3.7.1); passwords and tokens are never logged, only the primary field of types 1 and 2. */
const USER_IDENTITY_TYPES: Record<number, string> = {
  1: 'username',
  2: 'username and passcode',
  3: 'Kerberos ticket',
  4: 'SAML assertion',
  5: 'JSON Web Token',
};

/** The line logged when an association opens. */
export function openLine(id: string, role: 'requestor' | 'acceptor', request: AssociateRequestInfo, contexts: readonly NegotiatedContext[]): string {
  const names = [...new Set(contexts.map((c) => uidName(c.abstractSyntax)))];
  const shown = names.slice(0, MAX_NAMES).join(', ') + (names.length > MAX_NAMES ? `, and ${names.length - MAX_NAMES} more` : '');
  const direction = role === 'requestor' ? 'to' : 'from';
  return (
    `${id} open (${role}): ${request.callingAeTitle} -> ${request.calledAeTitle} ${direction} ${request.peerAddress}:${request.peerPort}, ` +
    `${contexts.length} of ${request.contexts.length} contexts accepted${contexts.length ? `: ${shown}` : ''}` +
    (request.asyncOps ? `; asynchronous operations window ${request.asyncOps.invoked}/${request.asyncOps.performed} proposed, 1/1 used` : '') +
    (request.userIdentity
      ? `; user identity: ${USER_IDENTITY_TYPES[request.userIdentity.type] ?? `type ${request.userIdentity.type}`}${request.userIdentity.type <= 2 ? ` ${request.userIdentity.primary}` : ''}`
      : '')
  );
}

/** Words for how an association ended. */
export function describeClose(info: CloseInfo): string {
  switch (info.how) {
    case 'released':
      return `released by ${info.by}`;
    case 'aborted':
      return `aborted by ${info.by} (A-ABORT ${describeAbort(info.source, info.reason)})`;
    case 'dropped':
      return `dropped: ${info.error.message}`;
    case 'rejected':
      return 'rejected';
  }
}

/** The line logged when an association closes. */
export function closeLine(id: string, openedAt: number, info: CloseInfo): string {
  const seconds = ((Date.now() - openedAt) / 1000).toFixed(3);
  return `${id} closed after ${seconds} s: ${describeClose(info)}`;
}
