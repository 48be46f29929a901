/**
 * The browser face of a running `priors serve`: the app core over the served cache and SCP,
 * the transfer queue, and the web host. Wired here, once, for the headless entry point
 * (docs/architecture.md, rule 6); the Electron main process will wire the same core to IPC instead.
 */
import { join } from 'node:path';
import type { Config } from '../../shared/config.js';
import type { Cache } from '../cache/index.js';
import type { ActivityLog } from '../services/audit/activity-log.js';
import type { AppCore } from '../app/core.js';
import { composeAppCore, type ComposeOptions } from '../app/compose.js';
import type { ServeHandle } from '../services/local-scp/serve.js';
import { WadoService } from '../services/dicomweb/wado.js';
import { startWebHost, type WebHost } from './host.js';
import { packageRoot } from '../services/config/package-root.js';

/** The renderer's build folder: renderer/dist at the package root (found from this file, compiled or not). */
export function defaultStaticDir(): string {
  return join(packageRoot() ?? process.cwd(), 'renderer', 'dist');
}

/** Options of {@link startUi}. */
export interface StartUiOptions {
  dataDir: string;
  /** Where config.json lives, when not in `dataDir`. */
  configDir?: string;
  config: Config;
  cache: Cache;
  server: ServeHandle;
  activity: ActivityLog;
  /** 0 = a free port. */
  port?: number;
  host?: string;
  staticDir?: string;
  /** Serve the renderer too (default true); without it the host answers the API alone. */
  ui?: boolean;
  /** Local AE values given as flags of `priors serve` (settings.get tells them apart from config.json's). */
  flags?: ComposeOptions['flags'];
}

/** The running UI: close it before the server and the cache. */
export interface RunningUi {
  web: WebHost;
  core: AppCore;
  close(): Promise<void>;
}

/** Starts the transfer queue, prefetch, the app core and the web host. */
export async function startUi(o: StartUiOptions): Promise<RunningUi> {
  const composed = composeAppCore({ dataDir: o.dataDir, ...(o.configDir ? { configDir: o.configDir } : {}), config: o.config, cache: o.cache, activity: o.activity, server: o.server, ...(o.flags ? { flags: o.flags } : {}) });
  let web: WebHost;
  try {
    web = await startWebHost({
      api: composed.core, port: o.port ?? 0, host: o.host ?? '127.0.0.1',
      ...(o.ui === false ? {} : { staticDir: o.staticDir ?? defaultStaticDir() }),
      wado: new WadoService(o.cache),
    });
  } catch (e) {
    await composed.close();
    throw e;
  }
  return {
    web, core: composed.core,
    close: async () => {
      await web.close();
      await composed.close();
    },
  };
}
