import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiEvent } from '../../../../shared/api/contract.js';
import { type EventSourceLike, type FetchLike, HttpTransport, tokenFrom } from '../../../../renderer/src/transport/http-transport.js';
import { PreloadTransport, isPriorsPreload, type PriorsPreload } from '../../../../renderer/src/transport/preload-transport.js';

function fakeFetch(answer: (url: string, body: string) => { status: number; body?: unknown } | Error) {
  const calls: { url: string; body: string }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, body: init.body });
    const a = answer(url, init.body);
    if (a instanceof Error) throw a;
    return {
      status: a.status,
      statusText: a.status === 200 ? 'OK' : 'Error',
      json: async () => {
        if (a.body === undefined) throw new SyntaxError('no JSON');
        return a.body;
      },
    };
  };
  return { fetch, calls };
}

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  named = new Map<string, (e: { data: string }) => void>();
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (e: { data: string }) => void): void {
    this.named.set(type, listener);
  }
  close(): void {
    this.closed = true;
  }
}

describe('renderer HTTP transport', () => {
  test('the token comes from the page URL', () => {
    assert.equal(tokenFrom('?token=abc%2Bd&x=1'), 'abc+d');
    assert.equal(tokenFrom('?x=1'), undefined);
    assert.equal(tokenFrom(''), undefined);
  });

  test('an entry is POST /api/<entry>?token= with a JSON body; the Result comes back as is', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: { ok: true, value: { nodes: [] } } }));
    const t = new HttpTransport('t 1', { fetch, base: 'http://127.0.0.1:9/api' });
    assert.deepEqual(await t.call('nodes.list', {}), { ok: true, value: { nodes: [] } });
    assert.deepEqual(calls, [{ url: 'http://127.0.0.1:9/api/nodes.list?token=t%201', body: '{}' }]);
  });

  test('errors of the server pass through; transport failures become Result errors', async () => {
    const refused = { ok: false, error: { code: 'unauthorized', message: 'lacks the token' } };
    const t401 = new HttpTransport('x', { fetch: fakeFetch(() => ({ status: 401, body: refused })).fetch });
    assert.deepEqual(await t401.call('nodes.list', {}), refused);

    const bare401 = await new HttpTransport('x', { fetch: fakeFetch(() => ({ status: 401 })).fetch }).call('nodes.list', {});
    assert.equal(bare401.ok ? '' : bare401.error.code, 'unauthorized');

    const down = await new HttpTransport('x', { fetch: fakeFetch(() => new TypeError('fetch failed')).fetch }).call('nodes.list', {});
    assert.equal(down.ok ? '' : down.error.code, 'unavailable');
    assert.match(down.ok ? '' : down.error.message, /does not answer/);

    const odd = await new HttpTransport('x', { fetch: fakeFetch(() => ({ status: 502, body: { hello: 1 } })).fetch }).call('nodes.list', {});
    assert.equal(odd.ok ? '' : odd.error.code, 'unexpected');
    assert.match(odd.ok ? '' : odd.error.message, /502/);
  });

  test('without a token nothing is sent and the answer says how to open the page', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: { ok: true, value: {} } }));
    const r = await new HttpTransport(undefined, { fetch }).call('nodes.list', {});
    assert.equal(calls.length, 0);
    assert.equal(r.ok ? '' : r.error.code, 'unauthorized');
  });

  test('events: one stream for all listeners, plain and named messages, closed with the last listener', () => {
    const opened: FakeEventSource[] = [];
    const t = new HttpTransport('tok', {
      openEvents: (url) => {
        const s = new FakeEventSource(url);
        opened.push(s);
        return s;
      },
    });
    const states: string[] = [];
    t.onChannelState((s) => states.push(s));
    const a: ApiEvent[] = [];
    const b: ApiEvent[] = [];
    const stopA = t.subscribe((e) => a.push(e));
    const stopB = t.subscribe((e) => b.push(e));
    assert.equal(opened.length, 1);
    assert.equal(opened[0]!.url, '/api/events?token=tok');
    const src = opened[0]!;
    src.onopen?.({});
    src.onmessage?.({ data: JSON.stringify({ type: 'search.match', searchId: 's', row: { PatientID: '1' } }) });
    src.named.get('search.done')?.({ data: JSON.stringify({ type: 'search.done', searchId: 's', outcome: 'completed', matches: 1, limitReached: false }) });
    src.onmessage?.({ data: 'not json' });
    src.onmessage?.({ data: '{"no":"type"}' });
    assert.deepEqual(
      a.map((e) => e.type),
      ['search.match', 'search.done'],
    );
    assert.equal(b.length, 2);
    stopA();
    assert.equal(src.closed, false);
    stopB();
    assert.equal(src.closed, true);
    assert.deepEqual(states, ['connecting', 'open', 'closed']);
  });
});

describe('renderer preload transport', () => {
  const preload = (over: Partial<Record<string, unknown>> = {}) => ({
    onEvent: () => () => {},
    'search.start': async () => ({ ok: true, value: { searchId: '1' } }),
    'nodes.list': async () => {
      throw new Error('IPC broke');
    },
    ...over,
  });

  test('recognizes the preload object', () => {
    assert.equal(isPriorsPreload(preload()), true);
    assert.equal(isPriorsPreload({ onEvent: () => {} }), false);
    assert.equal(isPriorsPreload(undefined), false);
  });

  test('calls the entry function; a throw or a missing entry becomes a Result error', async () => {
    const t = new PreloadTransport(preload() as unknown as PriorsPreload);
    assert.deepEqual(await t.call('search.start', { source: { kind: 'local' }, level: 'STUDY', keys: {} }), { ok: true, value: { searchId: '1' } });
    const broke = await t.call('nodes.list', {});
    assert.match(broke.ok ? '' : broke.error.message, /IPC broke/);
    const missing = await t.call('cache.stats', {});
    assert.match(missing.ok ? '' : missing.error.message, /does not offer "cache.stats"/);
  });
});
