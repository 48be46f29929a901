/**
 * Starting our DICOM server over the cache: Verification, Storage, Query and Retrieve, with the
 * association policy of the configuration. Association open/close lines and failures are
 * logged by the server through the given logger.
 */
import { arrivalCompression, type Config, type RemoteNode } from '../../../shared/config.js';
import type { Cache } from '../../cache/index.js';
import type { Logger } from '../../dimse/ul/association.js';
import type { AssociationInfo } from '../../dimse/handlers.js';
import { DicomServer } from '../../dimse/scp/server.js';
import { tlsServerOptions } from '../../dimse/ul/tls-options.js';
import { AuditStore } from '../../cache/audit.js';
import { AuditTrail } from '../audit/audit.js';
import { type ArrivalCompressionPolicy, CacheFindHandler, CacheRetrieveHandler, CacheStoreHandler, type StoredEvent } from './handlers.js';
import { associationPolicy, resolveNodeHosts } from './policy.js';
import { guardHandlers, ServiceGate, type AccessConfig, type RefusalListener } from './access.js';
import { identifierSummary } from '../audit/audit.js';
import { uidName } from '../../../shared/dicom/uids.js';
import { arrivalCompressor, outgoingTranscoder } from '../transcode/index.js';

/** The settings read anew while serving: who may use which service, and how arrivals are stored. */
type LiveConfig = AccessConfig & Partial<Pick<Config, 'compressOnArrival'>>;

/** Options of {@link startServer}. */
export interface ServeOptions {
  config: Config;
  cache: Cache;
  /** Overrides of the configured local AE. */
  aeTitle?: string;
  port?: number;
  /** Overrides local.tls.port (tests: 0). */
  tlsPort?: number;
  /** The audit trail to record into; default: one over the cache's data directory; false: none. */
  audit?: AuditTrail | false;
  bindAddress?: string;
  log?: Logger;
  /** Told about every instance stored (arrival tracking of retrieves). */
  onStored?: (event: StoredEvent) => void;
  /** The C-MOVE destinations, asked at each C-MOVE (default: the nodes of `config`). */
  nodes?: () => readonly RemoteNode[] | Promise<readonly RemoteNode[]>;
  /** Offer C-FIND and C-MOVE/C-GET over the cache too (default true). */
  queryRetrieve?: boolean;
  /**
   * The configuration as it is now, for who may use which service (callingAePolicy.services and
   * the nodes): default, `config`'s policy with the nodes of `nodes`.
   */
  currentConfig?: () => LiveConfig | Promise<LiveConfig>;
  /** Whether a peer address is this machine's (tests: an address the server treats as remote); default loopback and the interfaces' addresses. */
  isLocalAddress?: (address: string) => boolean;
}

/** A running server. */
export interface ServeHandle {
  aeTitle: string;
  /** The bound address and the real port (when 0 was asked). */
  host: string;
  port: number;
  /** The real port of the DICOM TLS listener, when one is configured (local.tls). */
  tlsPort?: number;
  /** The audit trail the server records into (the app records its own events there too). */
  audit?: AuditTrail;
  /** Listeners for stored instances may be added and removed while it runs. */
  readonly storedListeners: Set<(event: StoredEvent) => void>;
  /** Told when an association that stored instances has ended (released, aborted or dropped). */
  readonly endedListeners: Set<(association: AssociationInfo, stores: number) => void>;
  close(): Promise<void>;
}

/** Starts the server; rejects (with the listen error as cause) when the port cannot be bound. */
export async function startServer(options: ServeOptions): Promise<ServeHandle> {
  const { config, cache } = options;
  const aeTitle = options.aeTitle ?? config.local.aeTitle;
  const storedListeners = new Set<(event: StoredEvent) => void>();
  const endedListeners = new Set<(association: AssociationInfo, stores: number) => void>();
  if (options.onStored) storedListeners.add(options.onStored);
  const tell = <A extends unknown[]>(listeners: Set<(...args: A) => void>, ...args: A) => {
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (err) {
        options.log?.('warn', `a stored-instance listener failed: ${(err as Error).message}`);
      }
    }
  };
  const live = options.currentConfig ?? (async (): Promise<LiveConfig> => ({ ...config, nodes: await (options.nodes ?? (() => config.nodes))() }));
  // read at most once a second, not once per instance
  let snapshot: { at: number; value: Promise<LiveConfig> } | undefined;
  const liveNow = (): Promise<LiveConfig> => {
    if (!snapshot || Date.now() - snapshot.at > 1000) snapshot = { at: Date.now(), value: Promise.resolve(live()).catch(() => ({ ...config })) };
    return snapshot.value;
  };
  // lossless compression of what arrives, when the cache or the sending node asks for it (config compressOnArrival)
  const compression: ArrivalCompressionPolicy = {
    compressor: arrivalCompressor(),
    kindFor: async (association) => {
      const now = await liveNow();
      const caller = association.callingAeTitle.trim();
      return arrivalCompression(
        now,
        now.nodes.find((n) => n.aeTitle === caller),
      );
    },
    ...(options.log ? { log: (level, message) => options.log!(level, message) } : {}),
  };
  const store = new CacheStoreHandler(
    cache,
    (event) => tell(storedListeners, event),
    (association, stores) => tell(endedListeners, association, stores),
    compression,
  );
  const queryRetrieve = options.queryRetrieve !== false;
  const ownAudit = options.audit === undefined;
  const audit =
    options.audit === false
      ? undefined
      : (options.audit ?? new AuditTrail(AuditStore.open(cache.dataDir), cache, { localAeTitle: aeTitle, ...(options.log ? { log: options.log } : {}) }));
  if (audit) storedListeners.add(audit.onStored);
  const findHandler = new CacheFindHandler(cache, aeTitle, { caseInsensitivePN: config.caseInsensitivePN });
  const nodes = options.nodes ?? (() => config.nodes);
  const retrieveHandler = new CacheRetrieveHandler(cache, nodes);
  const closeAudit = () => {
    if (ownAudit) audit?.close();
    else audit?.flush();
  };
  // per operation, who may use which service (access.ts): refusals told once per association and service in the log, each in the audit trail
  const gate = new ServiceGate({
    config: options.currentConfig ?? (async () => ({ callingAePolicy: config.callingAePolicy, nodes: await nodes() })),
    ...(options.isLocalAddress ? { isLocalAddress: options.isLocalAddress } : {}),
  });
  const told = new Set<string>();
  const onRefused: RefusalListener = (refusal, association, operation) => {
    const key = `${association.id}\u0000${refusal.service}`;
    if (!told.has(key)) {
      if (told.size > 10_000) told.clear();
      told.add(key);
      options.log?.(
        'warn',
        `${association.id} ${operation.name} from ${association.callingAeTitle.trim()} (${association.peerAddress}) answered 0124 (Refused: Not authorized). ${refusal.sentence}.`,
      );
    } else if (refusal.service === 'storage') return; // one store event per association, not one per instance
    const what =
      refusal.service === 'storage' ? 'store' : refusal.service === 'verification' ? 'association-refused' : operation.name === 'C-FIND' ? 'query' : 'retrieve';
    const detail = `${operation.name} refused${operation.sopClassUid ? ` (${uidName(operation.sopClassUid)})` : ''}${operation.identifier ? `: ${identifierSummary(operation.identifier)}` : ''}`;
    audit?.refusedOperation(what, association, refusal.sentence, detail, operation.identifier);
  };
  const handlers = guardHandlers(
    gate,
    {
      store,
      ...(queryRetrieve
        ? {
            find: audit ? audit.wrapFind(findHandler) : findHandler,
            retrieve: audit ? audit.wrapRetrieve(retrieveHandler) : retrieveHandler,
          }
        : {}),
    },
    onRefused,
  );
  // one policy and one set of handlers for the plain port and the TLS port (PS3.15 Annex B)
  const common = {
    policy: associationPolicy(config, aeTitle, config.callingAePolicy.bindToHost ? await resolveNodeHosts(config.nodes) : new Map()),
    host: options.bindAddress ?? config.local.bindAddress,
    handlers,
    // a C-MOVE destination or C-GET requestor that takes none of an instance's stored syntax gets it converted
    transcoder: outgoingTranscoder(),
    maxPduLength: config.local.maxPduLength,
    timeouts: { connectMs: config.timeouts.connectMs, artimMs: config.timeouts.artimMs, dimseMs: config.timeouts.dimseMs },
    ...(config.timeouts.idleMs !== undefined ? { idleTimeoutMs: config.timeouts.idleMs } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(audit
      ? {
          onRejected: (rq: { callingAeTitle: string; calledAeTitle: string; peerAddress: string }, reason: string, advice: string) =>
            audit.refused(rq, reason, advice),
        }
      : {}),
  };
  const server = new DicomServer({ ...common, port: options.port ?? config.local.port });
  let bound;
  try {
    bound = await server.listen();
  } catch (err) {
    closeAudit();
    throw err;
  }
  const tlsConfig = config.local.tls;
  if (!tlsConfig) {
    return {
      aeTitle,
      host: bound.host,
      port: bound.port,
      storedListeners,
      endedListeners,
      ...(audit ? { audit } : {}),
      close: async () => {
        await server.close();
        closeAudit();
      },
    };
  }
  let tlsServer: DicomServer;
  let tlsBound;
  try {
    // unreadable certificate or key files: one sentence naming the file (tlsServerOptions)
    tlsServer = new DicomServer({ ...common, port: options.tlsPort ?? tlsConfig.port, tls: tlsServerOptions(tlsConfig) });
    tlsBound = await tlsServer.listen();
  } catch (err) {
    await server.close();
    closeAudit();
    throw err;
  }
  return {
    aeTitle,
    host: bound.host,
    port: bound.port,
    tlsPort: tlsBound.port,
    storedListeners,
    endedListeners,
    ...(audit ? { audit } : {}),
    close: async () => {
      await Promise.all([server.close(), tlsServer.close()]);
      closeAudit();
    },
  };
}
