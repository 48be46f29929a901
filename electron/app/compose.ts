/**
 * The one place the app core is put together (docs/architecture.md, rule 6): configuration store, transfer
 * queue and AppCore over an open cache and, when it runs, our DICOM server. The headless web
 * UI (electron/web/start-ui.ts) and the desktop app (desktop.ts, electron/main.ts) both call it.
 * The audit trail is created once (the server's, else one of its own) and follows the core's events.
 */
import { join } from 'node:path';
import type { Config, LocalAe } from '../../shared/config.js';
import { AuditStore } from '../cache/audit.js';
import type { Cache } from '../cache/index.js';
import type { ActivityLog } from '../services/audit/activity-log.js';
import { AppCore } from './core.js';
import { auditOutgoing } from './audit-outgoing.js';
import { AuditTrail } from '../services/audit/audit.js';
import type { AppCoreDeps, LocalKey } from './env.js';
import { ConfigStore } from '../services/config/config-store.js';
import type { StoredEvent } from '../services/local-scp/handlers.js';
import { retrieve } from '../services/retrieve/retrieve.js';
import type { ServeHandle } from '../services/local-scp/serve.js';
import { TransferQueue } from '../services/transfers/index.js';
import { PrefetchService } from '../services/prefetch/index.js';
import { NodeReach } from '../services/nodes/reach.js';

/**
 * A config store that remembers the last configuration saved or loaded, for the parts that read
 * it synchronously (the queue, prefetch), and picks up changes another process wrote to
 * config.json (looked at most twice a second).
 */
export class RememberingConfigStore extends ConfigStore {
  private held: Config;
  private mtimeMs = -1;
  private checkedAt = 0;

  constructor(
    configDir: string,
    current: Config,
    private readonly now: () => number = Date.now,
  ) {
    super(configDir);
    this.held = current;
    this.mtimeMs = this.readIfChanged(-1)?.mtimeMs ?? -1;
  }

  get current(): Config {
    const now = this.now();
    if (now - this.checkedAt >= 500) {
      this.checkedAt = now;
      const changed = this.readIfChanged(this.mtimeMs);
      if (changed) {
        this.held = changed.config;
        this.mtimeMs = changed.mtimeMs;
      }
    }
    return this.held;
  }

  override async load(): Promise<Config> {
    this.held = await super.load();
    return this.held;
  }

  override async save(config: Config): Promise<void> {
    await super.save(config);
    this.held = structuredClone(config);
    this.checkedAt = 0;
  }
}

/** What {@link composeAppCore} needs. */
export interface ComposeOptions {
  /** The image cache's directory. */
  dataDir: string;
  /** Where config.json lives, when not in `dataDir` (the platform's configuration directory). */
  configDir?: string;
  config: Config;
  cache: Cache;
  activity: ActivityLog;
  /** Our DICOM server; absent when it could not listen (see `serverProblem`). */
  server?: ServeHandle;
  serverProblem?: AppCoreDeps['serverProblem'];
  /** Poll the worklist providers (default true; a one-off command does not). */
  worklist?: boolean;
  /** Local AE values given as flags of `priors serve`, over config.json's. */
  flags?: Partial<Pick<LocalAe, LocalKey>>;
  /** Where the log file is written (default: `dataDir`/logs), and why it is not, when it is not. */
  logsDir?: string;
  logProblem?: () => string | undefined;
}

/** The composed core: close it before the server and the cache. */
export interface ComposedCore {
  core: AppCore;
  transfers: TransferQueue;
  prefetch: PrefetchService;
  store: RememberingConfigStore;
  close(): Promise<void>;
}

/** Starts the transfer queue and the app core. */
export function composeAppCore(o: ComposeOptions): ComposedCore {
  const store = new RememberingConfigStore(o.configDir ?? o.dataDir, o.config);
  // No host: the bound address may be 0.0.0.0; the queue names the route toward each node.
  // Without a server, C-MOVE jobs find nothing arriving and say so; C-GET jobs still work.
  const local = o.server
    ? { aeTitle: o.server.aeTitle, port: o.server.port, storedListeners: o.server.storedListeners }
    : { aeTitle: o.config.local.aeTitle, port: o.config.local.port, storedListeners: new Set<(e: StoredEvent) => void>() };
  // the server's audit trail when it runs, else one of our own over the same index
  const ownAudit = o.server?.audit
    ? undefined
    : new AuditTrail(AuditStore.open(o.cache.dataDir), o.cache, { localAeTitle: local.aeTitle, log: o.activity.logger });
  const audit = o.server?.audit ?? ownAudit!;
  const transfers = new TransferQueue({
    cache: o.cache,
    config: () => store.current,
    retrieve,
    local,
    scu: { log: o.activity.logger },
    onStoredByGet: audit.onStoredByGet,
  });
  transfers.start();
  const reach = new NodeReach(
    () => store.current,
    () => (o.server ? { aeTitle: o.server.aeTitle, port: o.server.port } : {}),
    o.activity.logger,
  );
  const prefetch = new PrefetchService({
    cache: o.cache,
    transfers,
    config: () => store.current,
    reach,
    audit,
    log: o.activity.logger,
    ...(o.server ? { server: o.server } : {}),
    ...(o.worklist === false ? { worklist: false } : {}),
  });
  const flags = o.flags ?? {};
  const started = { aeTitle: o.config.local.aeTitle, port: o.config.local.port, bindAddress: o.config.local.bindAddress, ...flags };
  const core = new AppCore({
    store,
    cache: o.cache,
    activity: o.activity,
    transfers,
    audit,
    prefetch,
    local: { started, flags: Object.keys(flags) as LocalKey[] },
    dirs: { config: o.configDir ?? o.dataDir, data: o.dataDir, logs: o.logsDir ?? join(o.dataDir, 'logs') },
    ...(o.logProblem ? { logProblem: o.logProblem } : {}),
    ...(o.server ? { server: o.server } : {}),
    ...(o.serverProblem ? { serverProblem: o.serverProblem } : {}),
  });
  const stopAuditing = auditOutgoing(core, transfers, audit, () => store.current);
  prefetch.start();
  return {
    core,
    transfers,
    store,
    prefetch,
    close: async () => {
      stopAuditing();
      prefetch.close();
      core.close();
      await transfers.close();
      ownAudit?.close();
    },
  };
}
