// The desktop API's IPC router, without Electron: a foreign window, an embedded frame or a page
// the window navigated to is refused with 'unauthorized'; a bad payload gets the catalog's
// 'invalid-payload' from the same checkers as the web host; a good call is answered; a throwing
// handler becomes a Result error; events reach live windows only. (The sender objects stand for
// Electron's; the API behind the router is the real AppCore contract checker.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiEvent, Result } from '../../../../shared/api/contract.js';
import { API_ENTRIES, ENTRY_NAMES } from '../../../../shared/api/entries.js';
import { channelOf, createIpcRouter, EVENT_CHANNEL, forwardEvents, type SenderInfo } from '../../../../electron/ipc/router.js';

const APP = 'file:///opt/priors/resources/app.asar/renderer/dist/';
const good: SenderInfo = { webContentsId: 7, frameUrl: `${APP}index.html`, isMainFrame: true };

/** The contract's own validation, then a canned answer (what AppCore.invoke does before its handler). */
function api(answer: (name: string, request: unknown) => unknown) {
  const calls: string[] = [];
  return {
    calls,
    async invoke(name: string, payload: unknown): Promise<Result<unknown>> {
      calls.push(name);
      let request: unknown;
      try {
        request = API_ENTRIES[name as keyof typeof API_ENTRIES].parse(payload);
      } catch (e) {
        return { ok: false, error: { code: 'invalid-payload', message: (e as Error).message } };
      }
      return { ok: true, value: answer(name, request) };
    },
  };
}

test('one channel per entry of the contract, nothing else', () => {
  const router = createIpcRouter({ api: api(() => ({})), trustedWebContents: () => [7], appUrlPrefix: APP });
  assert.deepEqual([...router.keys()].sort(), ENTRY_NAMES.map(channelOf).sort());
  assert.ok(!router.has('priors:invoke'));
});

test('a foreign window, an embedded frame and a navigated page are refused before the API sees them', async () => {
  const core = api(() => ({}));
  const warnings: string[] = [];
  const router = createIpcRouter({ api: core, trustedWebContents: () => [7], appUrlPrefix: APP, log: (_l, m) => warnings.push(m) });
  const call = router.get(channelOf('nodes.list'))!;
  for (const sender of [
    { ...good, webContentsId: 8 },
    { ...good, isMainFrame: false },
    { ...good, frameUrl: 'https://evil.example/' },
    { ...good, frameUrl: undefined },
  ]) {
    const r = await call(sender, {});
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'unauthorized');
  }
  assert.deepEqual(core.calls, []);
  assert.equal(warnings.length, 4);
  assert.match(warnings[2]!, /nodes\.list refused: the sending page \(https:\/\/evil\.example\/\) is not the Priors renderer/);
});

test('a bad payload gets invalid-payload; a good one is answered', async () => {
  const router = createIpcRouter({ api: api((name) => ({ name })), trustedWebContents: () => [7], appUrlPrefix: APP });
  const bad = await router.get(channelOf('nodes.delete'))!(good, { name: 42 });
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.error.code, 'invalid-payload');
    assert.match(bad.error.message, /name/);
  }
  const ok = await router.get(channelOf('nodes.delete'))!(good, { name: 'pacs' });
  assert.deepEqual(ok, { ok: true, value: { name: 'nodes.delete' } });
});

test('a handler that throws becomes an unexpected Result error, never a rejection', async () => {
  const router = createIpcRouter({
    api: {
      invoke: async () => {
        throw new Error('disk on fire');
      },
    },
    trustedWebContents: () => [7],
    appUrlPrefix: APP,
  });
  const r = await router.get(channelOf('cache.stats'))!(good, {});
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'unexpected');
    assert.match(r.error.message, /cache\.stats.*disk on fire/);
  }
});

test('events go to live windows only, until forwarding stops', () => {
  const listeners = new Set<(e: ApiEvent) => void>();
  const subscribe = (l: (e: ApiEvent) => void) => {
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  };
  const sent: { id: number; channel: string }[] = [];
  const window = (id: number, destroyed: boolean) => ({
    isDestroyed: () => destroyed,
    send: (channel: string) => {
      sent.push({ id, channel });
    },
  });
  const stop = forwardEvents(subscribe, () => [window(1, false), window(2, true)]);
  const event = { type: 'log', line: { time: 0, level: 'info', message: 'x' } } as unknown as ApiEvent;
  for (const l of listeners) l(event);
  assert.deepEqual(sent, [{ id: 1, channel: EVENT_CHANNEL }]);
  stop();
  assert.equal(listeners.size, 0);
});
