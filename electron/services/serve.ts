/**
 * Starting our DICOM server over the cache: Verification, Storage, Query and Retrieve, with the
 * association policy of the configuration. Association open/close lines and failures are
 * logged by the server through the given logger.
 */
import type { Config, RemoteNode } from '../../shared/config.js';
import type { Cache } from '../cache/index.js';
import type { Logger } from '../dimse/association.js';
import { DicomServer } from '../dimse/server.js';
import { CacheFindHandler, CacheRetrieveHandler, CacheStoreHandler, type StoredEvent } from './local-scp.js';
import { associationPolicy, resolveNodeHosts } from './policy.js';

/** Options of {@link startServer}. */
export interface ServeOptions {
  config: Config;
  cache: Cache;
  /** Overrides of the configured local AE. */
  aeTitle?: string;
  port?: number;
  bindAddress?: string;
  log?: Logger;
  /** Told about every instance stored (arrival tracking of retrieves). */
  onStored?: (event: StoredEvent) => void;
  /** The C-MOVE destinations, asked at each C-MOVE (default: the nodes of `config`). */
  nodes?: () => readonly RemoteNode[] | Promise<readonly RemoteNode[]>;
  /** Offer C-FIND and C-MOVE/C-GET over the cache too (default true). */
  queryRetrieve?: boolean;
}

/** A running server. */
export interface ServeHandle {
  aeTitle: string;
  /** The bound address and the real port (when 0 was asked). */
  host: string;
  port: number;
  /** Listeners for stored instances may be added and removed while it runs. */
  readonly storedListeners: Set<(event: StoredEvent) => void>;
  close(): Promise<void>;
}

/** Starts the server; rejects (with the listen error as cause) when the port cannot be bound. */
export async function startServer(options: ServeOptions): Promise<ServeHandle> {
  const { config, cache } = options;
  const aeTitle = options.aeTitle ?? config.local.aeTitle;
  const storedListeners = new Set<(event: StoredEvent) => void>();
  if (options.onStored) storedListeners.add(options.onStored);
  const store = new CacheStoreHandler(cache, (event) => {
    for (const listener of storedListeners) {
      try {
        listener(event);
      } catch (err) {
        options.log?.('warn', `a stored-instance listener failed: ${(err as Error).message}`);
      }
    }
  });
  const queryRetrieve = options.queryRetrieve !== false;
  const server = new DicomServer({
    policy: associationPolicy(config, aeTitle, config.callingAePolicy.bindToHost ? await resolveNodeHosts(config.nodes) : new Map()),
    host: options.bindAddress ?? config.local.bindAddress,
    port: options.port ?? config.local.port,
    handlers: {
      store,
      ...(queryRetrieve ? {
        find: new CacheFindHandler(cache, aeTitle, { caseInsensitivePN: config.caseInsensitivePN }),
        retrieve: new CacheRetrieveHandler(cache, options.nodes ?? (() => config.nodes)),
      } : {}),
    },
    maxPduLength: config.local.maxPduLength,
    timeouts: { connectMs: config.timeouts.connectMs, artimMs: config.timeouts.artimMs, dimseMs: config.timeouts.dimseMs },
    ...(config.timeouts.idleMs !== undefined ? { idleTimeoutMs: config.timeouts.idleMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const bound = await server.listen();
  return { aeTitle, host: bound.host, port: bound.port, storedListeners, close: () => server.close() };
}
