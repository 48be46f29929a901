/**
 * Association negotiation without I/O (PS3.8 §7.1, PS3.7 Annex D): building the
 * A-ASSOCIATE-RQ from requestor options, the A-ASSOCIATE-AC from an acceptor's decision,
 * and the accepted presentation contexts with their roles from either side's view.
 */
import { DICOM_APPLICATION_CONTEXT_NAME, PRIORS_IMPLEMENTATION_CLASS_UID, PRIORS_IMPLEMENTATION_VERSION_NAME } from '../../../shared/dicom/uids.js';
import type { AssociateAcPdu, AssociateRqPdu, PresentationContextResultItem, RoleSelection } from './pdu.js';
import {
  DEFAULT_MAX_PDU_LENGTH,
  type AcceptDecision,
  type AcceptorOptions,
  type AssociateRequestInfo,
  type NegotiatedContext,
  type RequestorOptions,
} from './types.js';

/** PS3.8 §9.3.2.2: presentation context ids are odd numbers 1..255, so at most 128 contexts. */
export const MAX_PRESENTATION_CONTEXTS = 128;

/** The A-ASSOCIATE-RQ for requestor options; ids assigned 1, 3, 5, ... Throws RangeError for bad options. */
export function buildRequestPdu(o: RequestorOptions): AssociateRqPdu {
  if (o.contexts.length === 0) throw new RangeError('at least one presentation context must be proposed');
  if (o.contexts.length > MAX_PRESENTATION_CONTEXTS) {
    throw new RangeError(`${o.contexts.length} presentation contexts proposed; at most ${MAX_PRESENTATION_CONTEXTS} fit (PS3.8 §9.3.2.2)`);
  }
  for (const c of o.contexts) {
    if (c.transferSyntaxes.length === 0) throw new RangeError(`presentation context for ${c.abstractSyntax} proposes no transfer syntax`);
  }
  return {
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: 1,
    calledAeTitle: o.calledAeTitle,
    callingAeTitle: o.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT_NAME,
    contexts: o.contexts.map((c, i) => ({ id: 2 * i + 1, abstractSyntax: c.abstractSyntax, transferSyntaxes: [...c.transferSyntaxes] })),
    userInfo: {
      maxLength: o.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH,
      implementationClassUid: o.implementationClassUid ?? PRIORS_IMPLEMENTATION_CLASS_UID,
      implementationVersionName: o.implementationVersionName ?? PRIORS_IMPLEMENTATION_VERSION_NAME,
      roles: o.roles ?? [],
      ...(o.userIdentity ? { userIdentity: o.userIdentity } : {}),
      other: [],
    },
  };
}

/** What an RQ said, as handed to the acceptor's `decide` (and kept as `Association.request`). */
export function requestInfoOf(rq: AssociateRqPdu, peerAddress: string, peerPort: number): AssociateRequestInfo {
  const ui = rq.userInfo;
  return {
    callingAeTitle: rq.callingAeTitle,
    calledAeTitle: rq.calledAeTitle,
    applicationContext: rq.applicationContext,
    contexts: rq.contexts,
    maxPduLength: ui.maxLength ?? 0,
    implementationClassUid: ui.implementationClassUid ?? '',
    ...(ui.implementationVersionName !== undefined ? { implementationVersionName: ui.implementationVersionName } : {}),
    roles: ui.roles,
    ...(ui.asyncOps ? { asyncOps: ui.asyncOps } : {}),
    ...(ui.userIdentity ? { userIdentity: ui.userIdentity } : {}),
    peerAddress,
    peerPort,
  };
}

/**
 * The requestor's roles for an abstract syntax (PS3.7 D.3.3.4): without a proposal and an
 * answer the defaults apply (requestor SCU only); otherwise a role holds when proposed and
 * accepted.
 */
export function agreedRoles(proposed: RoleSelection | undefined, answered: RoleSelection | undefined): { scuRole: boolean; scpRole: boolean } {
  if (!proposed || !answered) return { scuRole: true, scpRole: false };
  return { scuRole: proposed.scuRole && answered.scuRole, scpRole: proposed.scpRole && answered.scpRole };
}

function roleFor(roles: RoleSelection[], abstractSyntax: string): RoleSelection | undefined {
  return roles.find((r) => r.abstractSyntax === abstractSyntax);
}

/** The accepted contexts of an AC, as the requestor sees them; oddities go to `warn`. */
export function contextsFromAc(rq: AssociateRqPdu, ac: AssociateAcPdu, warn: (message: string) => void): NegotiatedContext[] {
  const out: NegotiatedContext[] = [];
  for (const item of ac.contexts) {
    if (item.result !== 0) continue;
    const proposal = rq.contexts.find((c) => c.id === item.id);
    if (!proposal) {
      warn(`A-ASSOCIATE-AC accepts presentation context ${item.id}, which was not proposed: ignored`);
      continue;
    }
    if (!proposal.transferSyntaxes.includes(item.transferSyntax)) {
      warn(`A-ASSOCIATE-AC accepts context ${item.id} with transfer syntax "${item.transferSyntax}", which was not proposed`);
      if (item.transferSyntax === '') continue;
    }
    out.push({
      id: item.id,
      abstractSyntax: proposal.abstractSyntax,
      transferSyntax: item.transferSyntax,
      ...agreedRoles(roleFor(rq.userInfo.roles, proposal.abstractSyntax), roleFor(ac.userInfo.roles, proposal.abstractSyntax)),
    });
  }
  return out;
}

/**
 * The A-ASSOCIATE-AC for an accepting decision (PS3.8 §9.3.3). Every proposed context gets an
 * answer: those the decision leaves out are answered 1 (user-rejection). Role answers are
 * sent only for abstract syntaxes the requestor proposed roles for, and grant no role it did
 * not propose (PS3.7 D.3.3.4). Throws Error when the decision accepts a context with a
 * transfer syntax that was not proposed, or names an unknown context.
 */
export function buildAcceptPdu(
  rq: AssociateRqPdu,
  decision: Extract<AcceptDecision, { accept: true }>,
  options: Pick<AcceptorOptions, 'aeTitle' | 'maxPduLength' | 'implementationClassUid' | 'implementationVersionName'>,
): { ac: AssociateAcPdu; contexts: NegotiatedContext[] } {
  const answers = new Map(decision.contexts.map((c) => [c.id, c]));
  for (const id of answers.keys()) {
    if (!rq.contexts.some((c) => c.id === id)) throw new Error(`decision answers presentation context ${id}, which was not proposed`);
  }
  const answeredRoles: RoleSelection[] = [];
  for (const r of decision.roles ?? []) {
    const proposed = roleFor(rq.userInfo.roles, r.abstractSyntax);
    if (!proposed || roleFor(answeredRoles, r.abstractSyntax)) continue;
    answeredRoles.push({ abstractSyntax: r.abstractSyntax, scuRole: r.scuRole && proposed.scuRole, scpRole: r.scpRole && proposed.scpRole });
  }
  const items: PresentationContextResultItem[] = [];
  const contexts: NegotiatedContext[] = [];
  for (const pc of rq.contexts) {
    const answer = answers.get(pc.id);
    const result = answer?.result ?? 1;
    if (result !== 0) {
      // PS3.8 §9.3.3.2: the transfer syntax sub-item is present but not significant
      items.push({ id: pc.id, result, transferSyntax: pc.transferSyntaxes[0] ?? '' });
      continue;
    }
    const ts = answer!.transferSyntax ?? pc.transferSyntaxes[0];
    if (ts === undefined || !pc.transferSyntaxes.includes(ts)) {
      throw new Error(`decision accepts presentation context ${pc.id} with transfer syntax ${ts ?? '(none)'}, which was not proposed`);
    }
    items.push({ id: pc.id, result: 0, transferSyntax: ts });
    contexts.push({
      id: pc.id,
      abstractSyntax: pc.abstractSyntax,
      transferSyntax: ts,
      ...agreedRoles(roleFor(rq.userInfo.roles, pc.abstractSyntax), roleFor(answeredRoles, pc.abstractSyntax)),
    });
  }
  const ac: AssociateAcPdu = {
    type: 'A-ASSOCIATE-AC',
    protocolVersion: 1,
    calledAeTitle: options.aeTitle ?? rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContext: rq.applicationContext,
    contexts: items,
    userInfo: {
      maxLength: options.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH,
      implementationClassUid: options.implementationClassUid ?? PRIORS_IMPLEMENTATION_CLASS_UID,
      implementationVersionName: options.implementationVersionName ?? PRIORS_IMPLEMENTATION_VERSION_NAME,
      roles: answeredRoles,
      // PS3.7 D.3.3.3: we perform no asynchronous operations; a proposed window is answered 1/1
      ...(rq.userInfo.asyncOps ? { asyncOps: { invoked: 1, performed: 1 } } : {}),
      other: [],
    },
  };
  return { ac, contexts };
}
