/**
 * Who may use which service of our SCP once associated (config.json callingAePolicy.services,
 * shared/config.ts ServiceAccess): Verification and Storage from any caller by default (a PACS
 * delivering a C-MOVE must get in), Query/Retrieve only from configured nodes calling from their
 * own host and from this machine, so an unknown workstation on the network reads nothing of the
 * cache. The association policy (policy.ts) decides first who may associate at all; this decides
 * per operation, so a refused caller learns a DICOM status (0124 Refused: Not authorized, PS3.7
 * Annex C) with a short Error Comment, and the log and the audit trail get one sentence saying
 * how to allow that node.
 */
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { serviceAccess, type CallingAePolicy, type RemoteNode, type ServiceAccess, type ServiceAccessPolicy } from '../../../shared/config.js';
import { Status } from '../../../shared/dicom/status.js';
import {
  DimseStatusError,
  type AssociationInfo,
  type EchoHandler,
  type FindHandler,
  type FindRequest,
  type MoveDestination,
  type RetrieveHandler,
  type RetrieveRequest,
  type StoreHandler,
  type StoreOutcome,
  type StoreRequest,
} from '../../dimse/handlers.js';
import { fromHost, normalizeAddress, resolveNodeHosts } from './policy.js';

/** A service class of our SCP, as named in config.json. */
export type ServiceClass = keyof ServiceAccessPolicy;

/** A refused operation: the sentence for the log and the audit trail, the Error Comment for the peer. */
export interface Refusal {
  service: ServiceClass;
  /** One sentence: who was refused what, and how to allow that node. */
  sentence: string;
  /** Error Comment (0000,0902, LO: at most 64 characters): what the peer is told. */
  comment: string;
}

/** The part of the configuration the gate reads. */
export type AccessConfig = { callingAePolicy: CallingAePolicy; nodes: readonly RemoteNode[] };

/** What the gate needs. */
export interface AccessOptions {
  /** The configuration now (read again at most once a second: a node added while serving counts at once). */
  config: () => AccessConfig | Promise<AccessConfig>;
  /** Whether an address is this machine's (default: loopback and the addresses of its interfaces). */
  isLocalAddress?: (address: string) => boolean;
  /** How long the addresses of a node's host name are kept (default 60 s). */
  resolveTtlMs?: number;
}

const WHAT: Record<ServiceClass, string> = { verification: 'Verification', storage: 'Storage', queryRetrieve: 'Query/Retrieve' };

/** Whether an address is loopback (127.0.0.0/8, ::1, IPv4-mapped loopback). */
export function isLoopback(address: string): boolean {
  const a = normalizeAddress(address);
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

/** Loopback, or one of the addresses of this machine's interfaces (looked up at most every 10 s). */
export function localAddressCheck(now: () => number = Date.now): (address: string) => boolean {
  let known = new Set<string>();
  let at = -Infinity;
  return (address) => {
    if (isLoopback(address)) return true;
    if (now() - at > 10_000) {
      at = now();
      known = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => normalizeAddress(i.address.split('%')[0]!))));
    }
    return known.has(normalizeAddress(address));
  };
}

/** Decides, per operation, whether the caller may use a service (see the module comment). */
export class ServiceGate {
  private readonly isLocal: (address: string) => boolean;
  private resolved = new Map<string, string[]>();
  private resolvedAt = -Infinity;
  private config: { at: number; value: Promise<AccessConfig> } | undefined;

  constructor(private readonly o: AccessOptions) {
    this.isLocal = o.isLocalAddress ?? localAddressCheck();
  }

  private current(): Promise<AccessConfig> {
    const now = Date.now();
    if (!this.config || now - this.config.at > 1000) this.config = { at: now, value: Promise.resolve(this.o.config()) };
    return this.config.value;
  }

  /** The access configured for a service now. */
  async access(service: ServiceClass): Promise<ServiceAccess> {
    return serviceAccess((await this.current()).callingAePolicy)[service];
  }

  /** Undefined when `association`'s caller may use `service`, else why not and how to allow it. */
  async check(service: ServiceClass, association: AssociationInfo): Promise<Refusal | undefined> {
    const config = await this.current();
    const access = serviceAccess(config.callingAePolicy)[service];
    if (access === 'any') return undefined;
    const peer = normalizeAddress(association.peerAddress);
    if (this.isLocal(peer)) return undefined;
    const calling = association.callingAeTitle.trim();
    const what = WHAT[service];
    const setting = `callingAePolicy.services.${service}`;
    const comment = `${what} not permitted for this calling AE title and host`;
    if (access === 'local') {
      return {
        service,
        comment,
        sentence:
          `Refused ${what} to ${calling} at ${peer}: it is open only to this machine; to allow configured nodes set ${setting} to "nodes" ` +
          '(or "any" for every caller) in Nodes & settings or config.json',
      };
    }
    const nodes = config.nodes.filter((n) => n.aeTitle === calling);
    if (nodes.length > 0) {
      const resolved = await this.resolve(nodes);
      if (nodes.some((n) => fromHost(n, peer, resolved))) return undefined;
      return {
        service,
        comment,
        sentence:
          `Refused ${what} to ${calling} at ${peer}: ${calling} is the AE title of node ${nodes.map((n) => `'${n.name}' (${n.host})`).join(', ')}, ` +
          `which calls from its own host only; if that node moved, correct its host in Nodes & settings (priors nodes add ${nodes[0]!.name} ` +
          `${calling}@${peer}:${nodes[0]!.port} --replace), or set ${setting} to "any" to let any caller in`,
      };
    }
    return {
      service,
      comment,
      sentence:
        `Refused ${what} to ${calling} at ${peer}: ${calling} is not a configured node; to allow it, add it as a node with its host ` +
        `in Nodes & settings (priors nodes add <name> ${calling}@${peer}:<port>), or set ${setting} to "any" to let any caller in`,
    };
  }

  /** The addresses of the nodes' host names, resolved again after the TTL. */
  private async resolve(nodes: readonly RemoteNode[]): Promise<ReadonlyMap<string, string[]>> {
    const names = nodes.map((n) => n.host).filter((h): h is string => h !== undefined && isIP(h) === 0 && h.toLowerCase() !== 'localhost');
    if (names.length === 0) return this.resolved;
    if (Date.now() - this.resolvedAt > (this.o.resolveTtlMs ?? 60_000) || names.some((h) => !this.resolved.has(h))) {
      this.resolved = new Map([...this.resolved, ...(await resolveNodeHosts(nodes))]);
      this.resolvedAt = Date.now();
    }
    return this.resolved;
  }
}

/** Where refusals are told: the log (once per association and service) and the audit trail. */
export interface RefusalListener {
  (refusal: Refusal, association: AssociationInfo, operation: { name: string; identifier?: FindRequest['identifier']; sopClassUid?: string }): void;
}

/** The SCP's handlers with the gate in front: a refused operation reads and writes nothing. */
export function guardHandlers(
  gate: ServiceGate,
  handlers: { store: StoreHandler; find?: FindHandler; retrieve?: RetrieveHandler },
  onRefused: RefusalListener,
): { store: StoreHandler; find?: FindHandler; retrieve?: RetrieveHandler; echo: EchoHandler } {
  const { store, find, retrieve } = handlers;
  const refuse = (r: Refusal) => new DimseStatusError(Status.NotAuthorized, r.comment);
  const guardedStore: StoreHandler = {
    store: async (request: StoreRequest): Promise<StoreOutcome> => {
      const refusal = await gate.check('storage', request.association);
      if (refusal) {
        onRefused(refusal, request.association, { name: 'C-STORE', sopClassUid: request.sopClassUid });
        return { status: Status.NotAuthorized, errorComment: refusal.comment }; // the server drains the data set
      }
      return store.store(request);
    },
    ...(store.beforeRelease ? { beforeRelease: (a: AssociationInfo) => store.beforeRelease!(a) } : {}),
    ...(store.associationEnded ? { associationEnded: (a: AssociationInfo, n: number) => store.associationEnded!(a, n) } : {}),
  };
  const out: { store: StoreHandler; find?: FindHandler; retrieve?: RetrieveHandler; echo: EchoHandler } = {
    store: guardedStore,
    echo: {
      echo: async (association) => {
        const refusal = await gate.check('verification', association);
        if (!refusal) return { status: Status.Success };
        onRefused(refusal, association, { name: 'C-ECHO' });
        return { status: Status.NotAuthorized, errorComment: refusal.comment };
      },
    },
  };
  if (find) {
    out.find = {
      async *find(request: FindRequest) {
        const refusal = await gate.check('queryRetrieve', request.association);
        if (refusal) {
          onRefused(refusal, request.association, { name: 'C-FIND', identifier: request.identifier, sopClassUid: request.sopClassUid });
          throw refuse(refusal);
        }
        yield* find.find(request);
      },
    };
  }
  if (retrieve) {
    out.retrieve = {
      // C-MOVE asks for the destination first: refused there, before any node is named or located
      destination: async (aeTitle: string, association: AssociationInfo): Promise<MoveDestination | undefined> => {
        const refusal = await gate.check('queryRetrieve', association);
        if (refusal) {
          onRefused(refusal, association, { name: `C-MOVE to ${aeTitle.trim()}` });
          throw refuse(refusal);
        }
        return retrieve.destination(aeTitle, association);
      },
      locate: async (request: RetrieveRequest) => {
        const refusal = await gate.check('queryRetrieve', request.association);
        if (refusal) {
          onRefused(refusal, request.association, { name: 'C-GET', identifier: request.identifier, sopClassUid: request.sopClassUid });
          throw refuse(refusal);
        }
        return retrieve.locate(request);
      },
    };
  }
  return out;
}
