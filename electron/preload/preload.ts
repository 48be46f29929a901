/**
 * The preload of the Priors window (sandboxed; bundled into dist/preload.cjs by
 * scripts/bundle.mjs, since a sandboxed preload can only require 'electron'). It exposes
 * `window.priors`: one function per entry of the API contract (docs/architecture.md, rule 4), each invoking its
 * own IPC channel, plus `onEvent` for pushed events — the shape renderer/src/transport/
 * preload-transport.ts expects. Nothing else of Electron or Node reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent } from '../../shared/api/contract.js';
import { ENTRY_NAMES } from '../../shared/api/entry-names.js';
import { channelOf, EVENT_CHANNEL } from '../ipc/router.js';

const api: Record<string, unknown> = {};
for (const entry of ENTRY_NAMES) {
  api[entry] = (request: unknown) => ipcRenderer.invoke(channelOf(entry), request);
}
api.onEvent = (listener: (event: ApiEvent) => void): (() => void) => {
  const wrapped = (_e: IpcRendererEvent, event: ApiEvent) => listener(event);
  ipcRenderer.on(EVENT_CHANNEL, wrapped);
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  };
};
contextBridge.exposeInMainWorld('priors', Object.freeze(api));
