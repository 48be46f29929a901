/**
 * The one place the app core is put together (house rule 6): configuration store, transfer
 * queue and AppCore over an open cache and, when it runs, our DICOM server. The headless web
 * UI (electron/web/start-ui.ts) and the desktop app (desktop.ts, electron/main.ts) both call it.
 */
import type { Config } from '../../shared/config.js';
import type { Cache } from '../cache/index.js';
import type { ActivityLog } from './activity-log.js';
import { AppCore } from './app-core.js';
import type { AppCoreDeps } from './app-env.js';
import { ConfigStore } from './config-store.js';
import type { StoredEvent } from './local-scp.js';
import { retrieve } from './retrieve.js';
import type { ServeHandle } from './serve.js';
import { TransferQueue } from './transfers/index.js';

/** A config store that remembers the last configuration saved or loaded (the queue reads it synchronously). */
export class RememberingConfigStore extends ConfigStore {
  constructor(dataDir: string, public current: Config) {
    super(dataDir);
  }

  override async load(): Promise<Config> {
    this.current = await super.load();
    return this.current;
  }

  override async save(config: Config): Promise<void> {
    await super.save(config);
    this.current = structuredClone(config);
  }
}

/** What {@link composeAppCore} needs. */
export interface ComposeOptions {
  dataDir: string;
  config: Config;
  cache: Cache;
  activity: ActivityLog;
  /** Our DICOM server; absent when it could not listen (see `serverProblem`). */
  server?: ServeHandle;
  serverProblem?: AppCoreDeps['serverProblem'];
}

/** The composed core: close it before the server and the cache. */
export interface ComposedCore {
  core: AppCore;
  transfers: TransferQueue;
  store: RememberingConfigStore;
  close(): Promise<void>;
}

/** Starts the transfer queue and the app core. */
export function composeAppCore(o: ComposeOptions): ComposedCore {
  const store = new RememberingConfigStore(o.dataDir, o.config);
  // No host: the bound address may be 0.0.0.0; the queue names the route toward each node.
  // Without a server, C-MOVE jobs find nothing arriving and say so; C-GET jobs still work.
  const local = o.server
    ? { aeTitle: o.server.aeTitle, port: o.server.port, storedListeners: o.server.storedListeners }
    : { aeTitle: o.config.local.aeTitle, port: o.config.local.port, storedListeners: new Set<(e: StoredEvent) => void>() };
  const transfers = new TransferQueue({ cache: o.cache, config: () => store.current, retrieve, local, scu: { log: o.activity.logger } });
  transfers.start();
  const core = new AppCore({
    store, cache: o.cache, activity: o.activity, transfers,
    ...(o.server ? { server: o.server } : {}), ...(o.serverProblem ? { serverProblem: o.serverProblem } : {}),
  });
  return {
    core, transfers, store,
    close: async () => {
      core.close();
      await transfers.close();
    },
  };
}
