/**
 * The acceptor's answer to an A-ASSOCIATE-RQ (PS3.8 §7.1.1.6, §9.3.3, §9.3.4): who may
 * associate, how many at once, which presentation contexts and roles are accepted.
 */
import {
  QUERY_RETRIEVE_SOP_CLASSES,
  isStorageSopClass,
  SopClassUid,
  TransferSyntaxUid,
  transferSyntax,
  DICOM_APPLICATION_CONTEXT_NAME,
} from '../../../shared/dicom/uids.js';
import { queryModelForSopClass } from '../../../shared/dicom/query.js';
import type { AcceptDecision, AssociateRequestInfo, ContextResult, PresentationContextProposal, RoleSelection } from '../ul/association.js';
import type { AssociationPolicy } from '../handlers.js';

/** Which services the SCP offers: it follows from the handlers it was given. */
export interface OfferedServices {
  store: boolean;
  find: boolean;
  retrieve: boolean;
}

/** PS3.8 Table 9-21 rejection reasons, source 1 (service-user) and 3 (presentation). */
export const RejectReason = {
  NoReasonGiven: 1,
  ApplicationContextNameNotSupported: 2,
  CallingAeTitleNotRecognized: 3,
  CalledAeTitleNotRecognized: 7,
  LocalLimitExceeded: 2,
} as const;

/**
 * Native syntaxes in our order of preference for non-encapsulated data. DCMTK storescp's
 * default is Explicit LE, Explicit BE, Implicit LE; we rank the retired big endian syntax last
 * (PS3.5 A.3), so a context offering only Explicit BE and Implicit LE is taken in Implicit LE.
 */
const NATIVE_PREFERENCE = [TransferSyntaxUid.ExplicitVRLittleEndian, TransferSyntaxUid.ImplicitVRLittleEndian, TransferSyntaxUid.ExplicitVRBigEndian];

/**
 * The transfer syntax to accept for a storage context: the first encapsulated syntax we know,
 * in the proposer's order; else Explicit VR LE, Implicit VR LE, Explicit VR BE in that order;
 * else any other syntax we know (deflated); undefined when we know none.
 */
export function chooseStorageSyntax(proposed: readonly string[]): string | undefined {
  const encapsulated = proposed.find((ts) => transferSyntax(ts)?.encapsulated);
  if (encapsulated) return encapsulated;
  return chooseNativeSyntax(proposed);
}

/** For commands and identifiers: Explicit VR LE, Implicit VR LE, Explicit VR BE, else another known non-encapsulated syntax. */
export function chooseNativeSyntax(proposed: readonly string[]): string | undefined {
  for (const ts of NATIVE_PREFERENCE) if (proposed.includes(ts)) return ts;
  return proposed.find((ts) => transferSyntax(ts) !== undefined && !transferSyntax(ts)?.encapsulated);
}

const QR_UIDS = new Set(QUERY_RETRIEVE_SOP_CLASSES.map((e) => e.uid));

function acceptsAbstractSyntax(abstractSyntax: string, services: OfferedServices, roles: readonly RoleSelection[]): 'storage' | 'native' | undefined {
  if (abstractSyntax === SopClassUid.Verification) return 'native';
  if (QR_UIDS.has(abstractSyntax)) {
    const service = queryModelForSopClass(abstractSyntax)?.service;
    if (service === 'find' && services.find) return 'native';
    if ((service === 'move' || service === 'get') && services.retrieve) return 'native';
    return undefined;
  }
  if (isStorageSopClass(abstractSyntax)) {
    if (services.store) return 'storage';
    // A C-GET requestor asks for the SCP role of storage classes to receive sub-operations (PS3.4 C.4.3).
    const role = roles.find((r) => r.abstractSyntax === abstractSyntax);
    if (services.retrieve && role?.scpRole) return 'storage';
  }
  return undefined;
}

/** The answer for each proposed context (PS3.8 Table 9-18 results). */
export function answerContexts(contexts: readonly PresentationContextProposal[], services: OfferedServices, roles: readonly RoleSelection[]): ContextResult[] {
  return contexts.map((pc): ContextResult => {
    const kind = acceptsAbstractSyntax(pc.abstractSyntax, services, roles);
    if (!kind) return { id: pc.id, abstractSyntax: pc.abstractSyntax, result: 3 };
    const ts = kind === 'storage' ? chooseStorageSyntax(pc.transferSyntaxes) : chooseNativeSyntax(pc.transferSyntaxes);
    if (!ts) return { id: pc.id, abstractSyntax: pc.abstractSyntax, result: 4 };
    return { id: pc.id, abstractSyntax: pc.abstractSyntax, result: 0, transferSyntax: ts };
  });
}

/**
 * The answers to the requestor's SCP/SCU Role Selection items (PS3.7 D.3.3.4) for accepted
 * abstract syntaxes: the SCU role as proposed; the requestor's SCP role only for storage
 * classes when we serve C-GET (we are then the storage SCU on its association).
 */
export function answerRoles(roles: readonly RoleSelection[], accepted: readonly ContextResult[], services: OfferedServices): RoleSelection[] {
  const acceptedSyntaxes = new Set(accepted.filter((c) => c.result === 0).map((c) => c.abstractSyntax));
  return roles
    .filter((r) => acceptedSyntaxes.has(r.abstractSyntax))
    .map((r) => ({
      abstractSyntax: r.abstractSyntax,
      scuRole: r.scuRole,
      scpRole: r.scpRole && services.retrieve && isStorageSopClass(r.abstractSyntax),
    }));
}

/** Counts the open associations, in total and per calling AE title, against the policy's limits. */
export class AssociationSlots {
  private total = 0;
  private readonly perAe = new Map<string, number>();

  constructor(private readonly policy: AssociationPolicy) {}

  /** Open associations now. */
  get active(): number {
    return this.total;
  }

  /** Takes a slot for a calling AE; false when a limit would be exceeded. */
  tryTake(callingAeTitle: string): boolean {
    if (this.total >= this.policy.maxAssociations) return false;
    const mine = this.perAe.get(callingAeTitle) ?? 0;
    const perAeLimit = this.policy.maxAssociationsFor?.(callingAeTitle) ?? this.policy.maxAssociationsPerCallingAe;
    if (perAeLimit !== undefined && mine >= perAeLimit) return false;
    this.total += 1;
    this.perAe.set(callingAeTitle, mine + 1);
    return true;
  }

  /** Gives a slot back. */
  release(callingAeTitle: string): void {
    this.total = Math.max(0, this.total - 1);
    const mine = (this.perAe.get(callingAeTitle) ?? 1) - 1;
    if (mine <= 0) this.perAe.delete(callingAeTitle);
    else this.perAe.set(callingAeTitle, mine);
  }
}

/**
 * Decides on an A-ASSOCIATE-RQ: Called AE not ours → (1, 1, 7); Application Context not
 * DICOM → (1, 1, 2); calling AE refused → (1, 1, 3); over the association limits
 * → (2, 3, 2 local-limit-exceeded). Otherwise accepts with the contexts and roles above,
 * having taken a slot in `slots` (the caller gives it back when the association ends).
 */
export function decide(request: AssociateRequestInfo, policy: AssociationPolicy, services: OfferedServices, slots: AssociationSlots): AcceptDecision {
  const called = request.calledAeTitle.trim();
  const calling = request.callingAeTitle.trim();
  if (called !== policy.aeTitle.trim()) return { accept: false, result: 1, source: 1, reason: RejectReason.CalledAeTitleNotRecognized };
  if (request.applicationContext !== DICOM_APPLICATION_CONTEXT_NAME) {
    return { accept: false, result: 1, source: 1, reason: RejectReason.ApplicationContextNameNotSupported };
  }
  if (!policy.acceptCallingAeTitle(calling, request.peerAddress)) {
    return { accept: false, result: 1, source: 1, reason: RejectReason.CallingAeTitleNotRecognized };
  }
  if (!slots.tryTake(calling)) return { accept: false, result: 2, source: 3, reason: RejectReason.LocalLimitExceeded };
  const contexts = answerContexts(request.contexts, services, request.roles);
  const roles = answerRoles(request.roles, contexts, services);
  return roles.length ? { accept: true, contexts, roles } : { accept: true, contexts };
}
