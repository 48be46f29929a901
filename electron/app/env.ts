/**
 * What the parts of the app core share: the dependencies given by the composition root, and
 * the SCU options and failure contexts built from the current configuration.
 */
import type { AuditTrail } from '../services/audit/audit.js';
import { findNode, type Config, type RemoteNode } from '../../shared/config.js';
import type { ServerStatus } from '../../shared/api/contract.js';
import type { DimseService } from '../../shared/diagnostics.js';
import type { TransferEvent, TransferJob, TransferRequest } from '../../shared/transfers.js';
import type { Cache } from '../cache/index.js';
import type { ScuOptions } from '../dimse/scu/index.js';
import type { ActivityLog } from '../services/audit/activity-log.js';
import type { ConfigStore } from '../services/config/config-store.js';
import { localAddressToward, type FailureContext } from '../services/nodes/diagnose.js';
import { UnknownNodeError } from '../services/nodes/nodes.js';
import type { ServeHandle } from '../services/local-scp/serve.js';

/** The transfer queue as the core uses it (services/transfers TransferQueue fits). */
export interface TransferService {
  on(listener: (e: TransferEvent) => void): () => void;
  list(): TransferJob[];
  add(request: TransferRequest): TransferJob;
  cancel(id: string): TransferJob | undefined;
  retry(id: string): TransferJob | undefined;
}

/** What the app core is made of (house rule 6: given by the composition root, no singletons). */
export interface AppCoreDeps {
  store: ConfigStore;
  cache: Cache;
  activity: ActivityLog;
  /** Our running DICOM server: the C-MOVE destination and where arrivals are seen. */
  server?: ServeHandle;
  /** Why the server is not running, when it failed to listen (the desktop app runs on without it). */
  serverProblem?: { state: NonNullable<ServerStatus['state']>; message: string };
  transfers?: TransferService;
  /** The audit trail (the server's, or one of the app's own). */
  audit?: AuditTrail;
}

/** The dependencies and the helpers built on them. */
export class AppEnv {
  constructor(readonly deps: AppCoreDeps) {}

  /** The configuration as stored now. */
  config(): Promise<Config> {
    return this.deps.store.load();
  }

  /** A configured node. @throws UnknownNodeError */
  node(config: Config, name: string): RemoteNode {
    const node = findNode(config, name);
    if (!node) throw new UnknownNodeError(name);
    return node;
  }

  /** Our AE title: the served one, else the configured one. */
  aeTitle(config: Config): string {
    return this.deps.server?.aeTitle ?? config.local.aeTitle;
  }

  /** SCU options from the configuration, logging into the activity log. */
  scu(config: Config, signal?: AbortSignal): ScuOptions {
    return {
      callingAeTitle: this.aeTitle(config), maxPduLength: config.local.maxPduLength, timeouts: { ...config.timeouts },
      log: this.deps.activity.logger, ...(signal ? { signal } : {}),
    };
  }

  /** Where a peer reaches us, for C-MOVE and the sentences. */
  async local(config: Config, node: RemoteNode): Promise<{ aeTitle: string; host: string; port: number }> {
    return { aeTitle: this.aeTitle(config), host: await localAddressToward(node.host), port: this.deps.server?.port ?? config.local.port };
  }

  /** The failure context of an operation on `node`. */
  async failure(config: Config, node: RemoteNode, service: DimseService): Promise<FailureContext> {
    return {
      service, node: { aeTitle: node.aeTitle, host: node.host, port: node.port }, callingAeTitle: this.aeTitle(config),
      timeoutMs: config.timeouts.connectMs, local: await this.local(config, node),
    };
  }
}
