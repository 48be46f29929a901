/**
 * The Electron main process: the one composition root of the desktop app (docs/architecture.md, rule 6).
 *   data directory → desktop core (cache, DICOM server, transfer queue, app core: app/desktop.ts)
 *   → window (window.ts) → IPC (ipc/) → menu (shell/menu.ts)
 * One instance per user: a second launch focuses the first window. The DICOM server's state
 * (listening, or the port in use and where to change it) reaches the renderer through
 * settings.get; a failure to open the data directory is shown in a dialog, in one sentence.
 */
import { app, BrowserWindow, dialog, protocol } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose } from '../shared/diagnostics.js';
import { describeError } from './services/nodes/diagnose.js';
import { startDesktopCore, type DesktopCore } from './app/desktop.js';
import { dirsFromArgv, moveLegacyCache, type PriorsDirs } from './services/config/dirs.js';
import { WadoService } from './services/dicomweb/wado.js';
import { registerIpc } from './ipc/register.js';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES, registerAppProtocol } from './shell/app-protocol.js';
import { installMenu } from './shell/menu.js';
import { registerWadoProtocol, WADO_SCHEME_PRIVILEGES } from './shell/protocol.js';
import { applyContentSecurityPolicy, createMainWindow } from './window.js';

/** The package root (dist/electron/main.js → ../..), inside app.asar once packaged. */
const ROOT = join(import.meta.dirname, '..', '..');
const RENDERER = join(ROOT, 'renderer', 'dist');
const PRELOAD = join(ROOT, 'dist', 'preload.cjs');

/**
 * The same places as the `priors` command (--data DIR or PRIORS_DATA, else the platform's), so
 * that the app and `priors serve` share one cache; a cache left in Electron's own userData folder
 * by an earlier version moves over once.
 */
function directories(): PriorsDirs {
  const dirs = dirsFromArgv(process.argv);
  if (!process.argv.includes('--data') && !process.env.PRIORS_DATA) {
    const moved = moveLegacyCache(dirs, app.getPath('userData'));
    if (moved) console.log(`warn ${moved}`);
  }
  return dirs;
}

// A small young generation keeps the long-running main process lean (see bin/priors.js).
app.commandLine.appendSwitch('js-flags', '--max-semi-space-size=2');
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES, WADO_SCHEME_PRIVILEGES]);

let desktop: DesktopCore | undefined;
let window: BrowserWindow | undefined;
let stopIpc: (() => void) | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.whenReady().then(start, (err: unknown) => fail(err));
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (!desktop) return;
    event.preventDefault();
    const closing = desktop;
    desktop = undefined;
    stopIpc?.();
    closing
      .close()
      .catch((err: unknown) => console.error(`Priors: closing the cache failed: ${String(err)}`))
      .finally(() => app.quit());
  });
}

async function start(): Promise<void> {
  const dirs = directories();
  const dataDir = dirs.data;
  try {
    desktop = await startDesktopCore({
      dataDir,
      configDir: dirs.config,
      logsDir: dirs.logs,
      forward: (level, message) => {
        if (level !== 'debug') console.log(`${level} ${message}`);
      },
    });
  } catch (err) {
    fail(err, dataDir);
    return;
  }
  if (!existsSync(join(RENDERER, 'index.html'))) {
    fail(new Error(`The user interface is missing from ${RENDERER}: run "npm run build" first.`), dataDir);
    return;
  }
  applyContentSecurityPolicy();
  registerAppProtocol(protocol, RENDERER);
  registerWadoProtocol(protocol, new WadoService(desktop.cache));
  stopIpc = registerIpc({ api: desktop.composed.core, appUrlPrefix: APP_ORIGIN, log: desktop.activity.logger });
  window = createMainWindow({ url: `${APP_ORIGIN}index.html`, preload: PRELOAD });
  window.on('closed', () => {
    window = undefined;
  });
  installMenu({ window: () => window, dataDir, version: app.getVersion() });
}

/** One sentence in a dialog, then quit (the app cannot run without its data directory). */
function fail(err: unknown, dataDir?: string): void {
  const sentence = diagnose(describeError(err, {})).sentence;
  dialog.showErrorBox('Priors cannot start', dataDir ? `${sentence}\n\nData folder: ${dataDir}` : sentence);
  app.exit(1);
}
