/**
 * The API contract for a command: handed to the `priors serve` running on the same data
 * directory (over its loopback API, found through serve.json) when there is one, else served by
 * a core this command composes for itself over the cache (and, when asked, our own SCP for the
 * C-MOVEs it starts), closed when the command ends.
 */
import type { ApiEvent, EntryName, RequestOf, ResponseOf, Result } from '../../shared/api/contract.js';
import { composeAppCore, type ComposedCore } from '../app/compose.js';
import type { Cache } from '../cache/index.js';
import { ActivityLog } from '../services/audit/activity-log.js';
import { cacheOptionsFrom, openCacheForWriting } from '../services/config/local-cache.js';
import { startServer, type ServeHandle } from '../services/local-scp/serve.js';
import { findRunningServer } from '../services/local-scp/serve-info.js';
import type { CommandContext } from './context.js';
import { CommandFailure } from './failure.js';

/** The contract, wherever it is served. */
export interface ApiSession {
  /** Whether a running `priors serve` answers (false: this command's own core). */
  readonly remote: boolean;
  /** Calls an entry; a failed Result becomes a {@link CommandFailure} with its sentence. */
  call<K extends EntryName>(name: K, request: RequestOf<K>): Promise<ResponseOf<K>>;
  /** Events of this command's own core (a remote session polls instead). */
  subscribe(listener: (e: ApiEvent) => void): () => void;
  close(): Promise<void>;
}

function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new CommandFailure({ code: result.error.code, sentence: result.error.message }, {}, result.error.code === 'invalid-payload' ? 2 : 1);
}

/** Options of {@link openApiSession}. */
export interface SessionOptions {
  /** Run our own SCP when no `priors serve` runs (the C-MOVE destination of retrieves). */
  server?: boolean;
}

/** The running serve's API, or a core of this command's own. */
export async function openApiSession(ctx: CommandContext, options: SessionOptions = {}): Promise<ApiSession> {
  const served = await findRunningServer(ctx.dataDir);
  if (served?.api) {
    const { url, token } = served.api;
    return {
      remote: true,
      call: async (name, request) => {
        let response: Response;
        try {
          response = await fetch(`${url}/api/${name}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-priors-token': token },
            body: JSON.stringify(request),
            signal: ctx.signal,
          });
        } catch (err) {
          throw new CommandFailure({
            code: 'unavailable',
            sentence: `The "priors serve" of ${ctx.dataDir} (pid ${served.pid}) does not answer on ${url}: ${(err as Error).message}. Restart it, or stop it to let this command work alone.`,
          });
        }
        return unwrap((await response.json()) as Result<ResponseOf<typeof name>>);
      },
      subscribe: () => () => undefined,
      close: async () => undefined,
    };
  }
  const config = await ctx.loadConfig();
  const activity = new ActivityLog({ forward: ctx.log });
  const cache: Cache = await openCacheForWriting(ctx.dataDir, 'close the other Priors process, or run "priors serve" and this command hands its work to it', {
    ...cacheOptionsFrom(config),
    log: activity.logger,
  });
  let server: ServeHandle | undefined;
  let composed: ComposedCore;
  try {
    if (options.server) server = await startServer({ config, cache, log: activity.logger, queryRetrieve: false });
    composed = composeAppCore({ dataDir: ctx.dataDir, config, cache, activity, ...(server ? { server } : {}), worklist: false });
  } catch (e) {
    await server?.close().catch(() => undefined);
    await cache.close();
    throw e;
  }
  return {
    remote: false,
    call: async (name, request) => unwrap((await composed.core.invoke(name, request)) as Result<ResponseOf<typeof name>>),
    subscribe: (listener) => composed.core.subscribe(listener),
    close: async () => {
      await composed.close();
      await server?.close();
      await cache.close();
    },
  };
}
