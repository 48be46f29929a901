/**
 * The desktop app's core, without Electron (electron/main.ts runs it; tests run it under plain
 * Node): the cache of the data directory, our DICOM server, the transfer queue and the AppCore.
 *
 * The server starting is not a condition of the app starting: when its port is taken (another
 * Priors, a PACS test instance, a second user on the same machine) the app opens anyway,
 * searches and C-GET retrieves work, and the settings screen and status line carry the sentence
 * saying which port is taken and where to change it.
 */
import type { Logger } from '../dimse/ul/association.js';
import { diagnose } from '../../shared/diagnostics.js';
import type { Cache } from '../cache/index.js';
import { join } from 'node:path';
import { ActivityLog } from '../services/audit/activity-log.js';
import { openLogFile } from '../services/audit/log-file.js';
import { composeAppCore, type ComposedCore } from './compose.js';
import type { AppCoreDeps } from './env.js';
import { ConfigStore } from '../services/config/config-store.js';
import { describeError } from '../services/nodes/diagnose.js';
import { cacheOptionsFrom, openCacheForWriting } from '../services/config/local-cache.js';
import { startServer, type ServeHandle } from '../services/local-scp/serve.js';
import { removeServeInfo, writeServeInfo } from '../services/local-scp/serve-info.js';

/** The running desktop core. */
export interface DesktopCore {
  dataDir: string;
  composed: ComposedCore;
  activity: ActivityLog;
  cache: Cache;
  /** Our DICOM server, when it could listen. */
  server?: ServeHandle;
  serverProblem?: AppCoreDeps['serverProblem'];
  /** Stops the queue, the server and the cache (a clean shutdown: the next start is quick). */
  close(): Promise<void>;
}

/** Options of {@link startDesktopCore}. */
export interface DesktopOptions {
  dataDir: string;
  /** Where config.json lives, when not in `dataDir`. */
  configDir?: string;
  /** Where the rotating log file is written (default: `dataDir`/logs). */
  logsDir?: string;
  /** Also told every log line (e.g. the console of the main process). */
  forward?: Logger;
}

/**
 * Opens the data directory and starts everything.
 * @throws CacheBusyError when another Priors holds the cache; ConfigError when config.json is invalid.
 */
export async function startDesktopCore(o: DesktopOptions): Promise<DesktopCore> {
  const store = new ConfigStore(o.configDir ?? o.dataDir);
  const config = await store.load();
  const logFile = openLogFile(o.logsDir ?? join(o.dataDir, 'logs'));
  const forward = o.forward;
  const activity = new ActivityLog({
    forward: (level, message) => {
      forward?.(level, message);
      logFile.log(level, message);
    },
  });
  const log = activity.logger;
  const logProblem = logFile.problem();
  if (logProblem) log('warn', logProblem);
  let cache: Cache;
  try {
    cache = await openCacheForWriting(o.dataDir, 'another Priors (the app or "priors serve") already uses this data directory; close it first', {
      ...cacheOptionsFrom(config),
      log,
    });
  } catch (err) {
    await logFile.close();
    throw err;
  }
  let server: ServeHandle | undefined;
  let serverProblem: AppCoreDeps['serverProblem'];
  try {
    server = await startServer({
      config,
      cache,
      log,
      nodes: async () => (await store.load().catch(() => config)).nodes,
      currentConfig: () => store.load().catch(() => config),
    });
    await writeServeInfo(o.dataDir, { aeTitle: server.aeTitle, host: server.host, port: server.port });
  } catch (err) {
    const d = diagnose({ ...describeError(err, { local: { aeTitle: config.local.aeTitle, port: config.local.port }, listenVia: 'settings' }) });
    const state = (['port-in-use', 'port-not-permitted', 'bind-address-unavailable'] as const).find((c) => c === d.code) ?? 'listen-failed';
    serverProblem = { state, message: d.sentence };
    log('error', `DICOM server ${config.local.aeTitle} is not listening: ${d.sentence}`);
  }
  const composed = composeAppCore({
    dataDir: o.dataDir,
    ...(o.configDir ? { configDir: o.configDir } : {}),
    config,
    cache,
    activity,
    ...(server ? { server } : {}),
    ...(serverProblem ? { serverProblem } : {}),
    logsDir: logFile.dir,
    logProblem: logFile.problem,
  });
  let closed = false;
  return {
    dataDir: o.dataDir,
    composed,
    activity,
    cache,
    ...(server ? { server } : {}),
    ...(serverProblem ? { serverProblem } : {}),
    close: async () => {
      if (closed) return;
      closed = true;
      await composed.close();
      if (server) {
        await server.close();
        await removeServeInfo(o.dataDir);
      }
      await cache.close();
      await logFile.close();
    },
  };
}
