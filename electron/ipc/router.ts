/**
 * The main-process side of the desktop API, as pure logic (Electron binds it in register.ts):
 * one IPC channel per entry of the contract (`priors:<entry>`, docs/architecture.md, rule 4: no catch-all
 * invoke), the sender checked before anything else, the payload validated by the same checkers
 * as the web host (AppCore.invoke → shared/api/entries.ts), and every outcome — a refusal, a
 * validation error, a handler's throw — answered as Result data with a code of the catalog in
 * shared/errors.ts. Nothing ever throws across IPC.
 */
import type { ApiEvent, EntryName, Result } from '../../shared/api/contract.js';
import { ENTRY_NAMES } from '../../shared/api/entry-names.js';
import { apiError } from '../../shared/errors.js';

/** The prefix of every API channel; events come on EVENT_CHANNEL. */
export const CHANNEL_PREFIX = 'priors:';
export const EVENT_CHANNEL = 'priors:event';

/** The IPC channel of an entry. */
export function channelOf(entry: EntryName): string {
  return `${CHANNEL_PREFIX}${entry}`;
}

/** What the router needs to know about who sent a message (from Electron's IpcMainInvokeEvent). */
export interface SenderInfo {
  /** webContents.id of the sender. */
  webContentsId: number;
  /** URL of the frame that sent it (senderFrame.url); undefined when the frame is gone. */
  frameUrl: string | undefined;
  /** Whether the sending frame is the top frame of its page. */
  isMainFrame: boolean;
}

/** The API behind the router (AppCore). */
export interface RoutedApi {
  invoke(name: string, payload: unknown): Promise<Result<unknown>>;
}

/** Options of {@link createIpcRouter}. */
export interface IpcRouterOptions {
  api: RoutedApi;
  /** The webContents ids of our windows (checked at each call: windows come and go). */
  trustedWebContents(): Iterable<number>;
  /** The URL prefix our renderer is loaded from (e.g. file:///…/renderer/dist/ or app://priors/). */
  appUrlPrefix: string;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/** One handler per entry: (sender, payload) → Result. */
export type IpcHandlers = ReadonlyMap<string, (sender: SenderInfo, payload: unknown) => Promise<Result<unknown>>>;

/**
 * Why a sender may not call the API, or undefined when it may: it must be one of our windows,
 * its top frame, showing our own renderer (not a page it navigated to, nor an embedded frame).
 */
export function senderRefusal(sender: SenderInfo, trusted: Iterable<number>, appUrlPrefix: string): string | undefined {
  if (![...trusted].includes(sender.webContentsId)) return `web contents ${sender.webContentsId} is not a Priors window`;
  if (!sender.isMainFrame) return 'the message came from an embedded frame, not the Priors page';
  if (!sender.frameUrl || !sender.frameUrl.startsWith(appUrlPrefix)) {
    return `the sending page ${sender.frameUrl ? `(${sender.frameUrl.slice(0, 120)})` : ''} is not the Priors renderer`;
  }
  return undefined;
}

/** The handlers to register with ipcMain.handle, keyed by channel. */
export function createIpcRouter(o: IpcRouterOptions): IpcHandlers {
  const handlers = new Map<string, (sender: SenderInfo, payload: unknown) => Promise<Result<unknown>>>();
  for (const entry of ENTRY_NAMES) {
    handlers.set(channelOf(entry), async (sender, payload) => {
      const refusal = senderRefusal(sender, o.trustedWebContents(), o.appUrlPrefix);
      if (refusal) {
        o.log?.('warn', `IPC call ${entry} refused: ${refusal}`);
        return { ok: false, error: apiError('unauthorized', `This call is only answered for the Priors window: ${refusal}.`) };
      }
      try {
        return await o.api.invoke(entry, payload);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        o.log?.('warn', `IPC call ${entry} failed unexpectedly: ${message}`);
        return { ok: false, error: apiError('unexpected', `The app could not complete "${entry}": ${message}`) };
      }
    });
  }
  return handlers;
}

/** Something events can be sent to (a BrowserWindow's webContents). */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, event: ApiEvent): void;
}

/** Forwards API events to the live windows; answers the function that stops forwarding. */
export function forwardEvents(subscribe: (listener: (e: ApiEvent) => void) => () => void, targets: () => Iterable<EventTarget>): () => void {
  return subscribe((event) => {
    for (const t of targets()) if (!t.isDestroyed()) t.send(EVENT_CHANNEL, event);
  });
}
