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
import { DicomwebServer } from '../services/dicomweb/server.js';
import { ServiceGate } from '../services/local-scp/access.js';
import { outgoingTranscoder } from '../services/transcode/index.js';
import { sameToken, startWebHost, type WebHost } from './host.js';
import { startDicomwebListener, type DicomwebListener } from './dicomweb-listener.js';
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
  /** The log file's directory, and why it is not written when it is not (the Activity screen shows both). */
  logsDir?: string;
  logProblem?: () => string | undefined;
}

/** The running UI: close it before the server and the cache. */
export interface RunningUi {
  web: WebHost;
  /** Our DICOMweb service beyond loopback, when config.json local.dicomweb asks for it. */
  dicomweb?: DicomwebListener;
  core: AppCore;
  close(): Promise<void>;
}

/**
 * Our DICOMweb service over the served cache: callers let in as DIMSE callers from their address
 * are (callingAePolicy.services), what STOW-RS stores told to the SCP's listeners.
 */
function dicomwebServer(o: StartUiOptions): DicomwebServer {
  const tell = <A extends unknown[]>(listeners: ReadonlySet<(...args: A) => void>, ...args: A) => {
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (err) {
        o.activity.logger('warn', `a stored-instance listener failed: ${(err as Error).message}`);
      }
    }
  };
  return new DicomwebServer({
    cache: o.cache,
    aeTitle: o.server.aeTitle,
    caseInsensitivePN: o.config.caseInsensitivePN,
    transcoder: outgoingTranscoder(),
    gate: new ServiceGate({ config: () => ({ callingAePolicy: o.config.callingAePolicy, nodes: o.config.nodes }) }),
    nodes: () => o.config.nodes,
    onStored: (event) => tell(o.server.storedListeners, event),
    onEnded: (association, stores) => tell(o.server.endedListeners, association, stores),
    onRefused: (sentence) => o.activity.logger('warn', `DICOMweb request refused: ${sentence}.`),
  });
}

/** Starts the transfer queue, prefetch, the app core and the web host. */
export async function startUi(o: StartUiOptions): Promise<RunningUi> {
  const composed = composeAppCore({
    dataDir: o.dataDir,
    ...(o.configDir ? { configDir: o.configDir } : {}),
    config: o.config,
    cache: o.cache,
    activity: o.activity,
    server: o.server,
    ...(o.flags ? { flags: o.flags } : {}),
    ...(o.logsDir ? { logsDir: o.logsDir } : {}),
    ...(o.logProblem ? { logProblem: o.logProblem } : {}),
  });
  let web: WebHost;
  let listener: DicomwebListener | undefined;
  const dicomweb = dicomwebServer(o);
  try {
    web = await startWebHost({
      api: composed.core,
      port: o.port ?? 0,
      host: o.host ?? '127.0.0.1',
      ...(o.ui === false ? {} : { staticDir: o.staticDir ?? defaultStaticDir() }),
      dicomweb,
    });
  } catch (e) {
    await composed.close();
    throw e;
  }
  const beyond = o.config.local.dicomweb;
  if (beyond) {
    try {
      listener = await startDicomwebListener({ host: beyond.bindAddress, port: beyond.port, dicomweb, authorized: (given) => sameToken(given, web.token) });
      o.activity.logger(
        'info',
        `DICOMweb service also on http://${beyond.bindAddress.includes(':') ? `[${beyond.bindAddress}]` : beyond.bindAddress}:${listener.port}/dicom-web/ (local.dicomweb in config.json)`,
      );
    } catch (e) {
      await web.close();
      await composed.close();
      throw new Error(`The DICOMweb service cannot listen on ${beyond.bindAddress}:${beyond.port} (local.dicomweb in config.json): ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  return {
    web,
    core: composed.core,
    ...(listener ? { dicomweb: listener } : {}),
    close: async () => {
      await listener?.close();
      await web.close();
      await composed.close();
    },
  };
}
