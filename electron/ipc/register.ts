/**
 * Binds the IPC router (router.ts) to Electron's ipcMain and forwards the app core's events to
 * the windows. The only IPC file that imports electron.
 */
import { BrowserWindow, ipcMain } from 'electron';
import type { ApiEvent } from '../../shared/api/contract.js';
import { createIpcRouter, forwardEvents, type RoutedApi } from './router.js';

/** Registers one handler per entry; answers the function that removes them all. */
export function registerIpc(o: {
  api: RoutedApi & { subscribe(listener: (e: ApiEvent) => void): () => void };
  appUrlPrefix: string;
  log?: (level: 'info' | 'warn', message: string) => void;
}): () => void {
  const router = createIpcRouter({
    api: o.api,
    appUrlPrefix: o.appUrlPrefix,
    trustedWebContents: () => BrowserWindow.getAllWindows().map((w) => w.webContents.id),
    ...(o.log ? { log: o.log } : {}),
  });
  for (const [channel, handle] of router) {
    ipcMain.handle(channel, (event, payload: unknown) =>
      handle(
        {
          webContentsId: event.sender.id,
          frameUrl: event.senderFrame?.url,
          isMainFrame: event.senderFrame !== null && event.senderFrame === event.sender.mainFrame,
        },
        payload,
      ),
    );
  }
  const stopEvents = forwardEvents(
    (l) => o.api.subscribe(l),
    () => BrowserWindow.getAllWindows().map((w) => w.webContents),
  );
  return () => {
    stopEvents();
    for (const channel of router.keys()) ipcMain.removeHandler(channel);
  };
}
