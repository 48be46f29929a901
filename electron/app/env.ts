/**
 * What the parts of the app core share: the dependencies given by the composition root, and
 * the SCU options and failure contexts built from the current configuration.
 */
import type { AuditTrail } from '../services/audit/audit.js';
import { findNode, type Config, type LocalAe, type RemoteNode } from '../../shared/config.js';
import type { ServerStatus } from '../../shared/api/contract.js';
import type { DimseService } from '../../shared/diagnostics.js';
import type { TransferEvent, TransferJob, TransferRequest } from '../../shared/transfers.js';
import type { Cache } from '../cache/index.js';
import type { ScuOptions } from '../dimse/scu/index.js';
import type { ActivityLog } from '../services/audit/activity-log.js';
import type { ConfigStore } from '../services/config/config-store.js';
import type { PriorsDirs } from '../services/config/dirs.js';
import type { FailureContext } from '../services/nodes/diagnose.js';
import { NodeReach } from '../services/nodes/reach.js';
import { UnknownNodeError } from '../services/nodes/nodes.js';
import type { ServeHandle } from '../services/local-scp/serve.js';
import type { PrefetchService } from '../services/prefetch/index.js';
import type { PrefetchedMark } from '../../shared/prefetch.js';

/** The transfer queue as the core uses it (services/transfers TransferQueue fits). */
export interface TransferService {
  on(listener: (e: TransferEvent) => void): () => void;
  list(): TransferJob[];
  add(request: TransferRequest): TransferJob;
  cancel(id: string): TransferJob | undefined;
  retry(id: string): TransferJob | undefined;
}

/** What the app core is made of (docs/architecture.md, rule 6: given by the composition root, no singletons). */
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
  /** Prefetch of priors: its rules, runs and triggers. */
  prefetch?: PrefetchService;
  /**
   * The local AE our server was started with (config.json then, overridden by the flags of
   * `priors serve`) and which values came from flags: what settings.get reports as in effect.
   */
  local?: { started: Pick<LocalAe, LocalKey>; flags: readonly LocalKey[] };
  /** Where the configuration, the data and the log files are (the Activity screen's log, the diagnostics bundle). */
  dirs?: PriorsDirs;
  /** Why the log file is not being written, when it is not. */
  logProblem?: () => string | undefined;
}

/** The local AE values a flag of `priors serve` may override (--aet, --port, --bind). */
export type LocalKey = 'aeTitle' | 'port' | 'bindAddress';

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
    return this.reach(config).aeTitle(config);
  }

  /** SCU options from the configuration, logging into the activity log. */
  scu(config: Config, signal?: AbortSignal): ScuOptions {
    return this.reach(config).scu(signal, config);
  }

  /** Where a peer reaches us, for C-MOVE and the sentences. */
  local(config: Config, node: RemoteNode): Promise<{ aeTitle: string; host: string; port: number }> {
    return this.reach(config).localFor(node, config);
  }

  /** The failure context of an operation on `node`. */
  failure(config: Config, node: RemoteNode, service: DimseService): Promise<FailureContext> {
    return this.reach(config).failure(node, service, config);
  }

  /** The mark of a study a prefetch rule chose (its badge), if any. */
  prefetchedMark(studyInstanceUid: string): PrefetchedMark | undefined {
    try {
      return this.deps.prefetch?.store.marks([studyInstanceUid]).get(studyInstanceUid);
    } catch {
      return undefined; // closing: no badge rather than a failed answer
    }
  }

  private reach(config: Config): NodeReach {
    const { server } = this.deps;
    return new NodeReach(
      () => config,
      () => (server ? { aeTitle: server.aeTitle, port: server.port } : {}),
      this.deps.activity.logger,
    );
  }
}
