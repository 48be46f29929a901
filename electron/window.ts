/**
 * The Priors window, locked down: context isolation and the sandbox on, no Node in the page,
 * the same strict Content-Security-Policy as the web host, navigation and new windows refused
 * (links to the web open in the system browser), a dark background from the first frame.
 */
import { BrowserWindow, session, shell } from 'electron';
import { DESKTOP_CSP } from './shell/app-protocol.js';

/** The dark background of the renderer's theme, shown before the first paint. */
const BACKGROUND = '#0a0c0f';

/** Applies the CSP to every web request of the default session (the renderer's own files carry it too). */
export function applyContentSecurityPolicy(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [DESKTOP_CSP] } });
  });
  // no permission (camera, notifications, geolocation…) is ever needed
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

/** Opens the main window on the renderer's URL (`url`: priors-app://ui/index.html). */
export function createMainWindow(o: { url: string; preload: string }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    backgroundColor: BACKGROUND,
    show: false,
    title: 'Priors',
    webPreferences: {
      preload: o.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const appUrl = o.url;
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== appUrl) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appUrl);
  return window;
}
