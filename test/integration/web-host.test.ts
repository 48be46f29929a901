// The web host (electron/web) over the app core (electron/app/core.ts): token, payload
// validation with catalog codes, settings and nodes, searches of the cache and of a second
// `priors serve` streamed over SSE, cancel (C-CANCEL reaches the SCP), loopback-only binding,
// and `priors serve --ui` from the command line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiEvent, SearchDone } from '../../shared/api/contract.js';
import { defaultConfig } from '../../shared/config.js';
import type { DataSet } from '../../shared/dicom/dataset.js';
import { Cache } from '../../electron/cache/index.js';
import { DicomServer } from '../../electron/dimse/scp/server.js';
import type { FindRequest } from '../../electron/dimse/handlers.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { AppCore } from '../../electron/app/core.js';
import { ConfigStore } from '../../electron/services/config/config-store.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { startWebHost, type WebHost } from '../../electron/web/host.js';
import { priorsCommand, REPO_ROOT, runPriors, startPriorsServe, type PriorsServe } from '../helpers/priors-cli.js';
import { PYDICOM_DATA, pydicomAvailable } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';

const CT_SMALL = join(PYDICOM_DATA, 'test_files', 'CT_small.dcm');
const MR_SMALL = join(PYDICOM_DATA, 'test_files', 'MR_small.dcm');

/** A reader of the SSE stream that keeps every event and waits for the ones wanted. */
class EventReader {
  readonly events: ApiEvent[] = [];
  private readonly controller = new AbortController();
  private wake: () => void = () => undefined;

  static async open(url: string): Promise<EventReader> {
    const reader = new EventReader();
    const res = await fetch(url, { signal: reader.controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    void reader.pump(res.body!);
    return reader;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (data) this.events.push(JSON.parse(data) as ApiEvent);
          this.wake();
        }
      }
    } catch {
      // closed
    }
  }

  async waitFor<T extends ApiEvent>(pred: (e: ApiEvent) => e is T, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no such event within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      await Promise.race([
        new Promise<void>((r) => {
          this.wake = r;
        }),
        sleep(100),
      ]);
    }
  }

  close(): void {
    this.controller.abort();
  }
}

const isDone =
  (id: string) =>
  (e: ApiEvent): e is SearchDone =>
    e.type === 'search.done' && e.searchId === id;
const matchesOf = (events: ApiEvent[], id: string) =>
  events.filter((e): e is Extract<ApiEvent, { type: 'search.match' }> => e.type === 'search.match' && e.searchId === id).map((e) => e.row);

describe('web host', { skip: pydicomAvailable() ? false : 'pydicom corpus not installed' }, () => {
  let cache: Cache;
  let server: ServeHandle;
  let core: AppCore;
  let web: WebHost;
  let events: EventReader;
  let remote: PriorsServe;
  let ctStudyUid: string | undefined;
  const dataDir = tempDir('web-host');
  const staticDir = tempDir('web-static');

  async function call<T = unknown>(
    name: string,
    payload: unknown,
    token = web.token,
  ): Promise<{ status: number; body: { ok: boolean; value?: T; error?: { code: string; message: string } } }> {
    const res = await fetch(`http://127.0.0.1:${web.port}/api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Priors-Token': token },
      body: JSON.stringify(payload),
    });
    return { status: res.status, body: (await res.json()) as never };
  }
  async function value<T>(name: string, payload: unknown): Promise<T> {
    const r = await call<T>(name, payload);
    assert.equal(r.body.ok, true, `${name} failed: ${JSON.stringify(r.body.error)}`);
    return r.body.value!;
  }

  before(async () => {
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Priors</title>');
    mkdirSync(join(staticDir, 'assets'));
    // the smallest valid WebAssembly module: magic and version
    writeFileSync(join(staticDir, 'assets', 'codec.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    cache = await Cache.open(dataDir);
    const activity = new ActivityLog();
    const config = { ...defaultConfig(), local: { ...defaultConfig().local, aeTitle: 'PRIORSWEB', port: 0, bindAddress: '127.0.0.1' } };
    const store = new ConfigStore(dataDir);
    await store.save(config);
    server = await startServer({ config, cache, log: activity.logger, nodes: async () => (await store.load()).nodes });
    core = new AppCore({ store, cache, activity, server });
    web = await startWebHost({ api: core, staticDir });
    events = await EventReader.open(`http://127.0.0.1:${web.port}/api/events?token=${web.token}`);
    // the remote PACS: a second priors with one study, knowing us as a C-MOVE destination
    const remoteDir = tempDir('web-remote');
    const imported = await runPriors(['import', MR_SMALL], { dataDir: remoteDir });
    assert.equal(imported.code, 0, imported.stderr);
    remote = await startPriorsServe({ aeTitle: 'REMOTEPACS', dataDir: remoteDir, nodes: [{ name: 'web', address: `PRIORSWEB@127.0.0.1:${server.port}` }] });
  });

  after(async () => {
    events?.close();
    core?.close();
    await web?.close();
    await server?.close();
    await cache?.close();
    await remote?.stop();
  });

  test('every /api/ request needs the token; static files do not and carry CSP and nosniff', async () => {
    const bare = await fetch(`http://127.0.0.1:${web.port}/api/settings.get`, { method: 'POST', body: '{}' });
    assert.equal(bare.status, 401);
    assert.equal(((await bare.json()) as { error: { code: string } }).error.code, 'unauthorized');
    assert.equal((await call('settings.get', {}, 'wrong')).status, 401);
    assert.equal((await call('settings.get', {}, web.token.slice(0, -1))).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${web.port}/api/events?token=nope`)).status, 401);
    assert.equal((await call('settings.get', {})).status, 200);
    const viaQuery = await fetch(`http://127.0.0.1:${web.port}/api/settings.get?token=${web.token}`, { method: 'POST', body: '{}' });
    assert.equal(viaQuery.status, 200);
    const page = await fetch(`http://127.0.0.1:${web.port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Priors<\/title>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'.*script-src 'self'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    // the viewer's codecs compile while they download only when served as application/wasm
    const codec = await fetch(`http://127.0.0.1:${web.port}/assets/codec.wasm`);
    assert.equal(codec.headers.get('content-type'), 'application/wasm');
    const outside = tempDir('web-outside');
    writeFileSync(join(outside, 'secret.js'), 'secret');
    const escape = `/..%2f${outside.split('/').pop()}%2fsecret.js`;
    assert.equal((await fetch(`http://127.0.0.1:${web.port}${escape}`)).status, 404);
    assert.ok(web.url.startsWith(`http://127.0.0.1:${web.port}/?token=`) && web.token.length === 64);
  });

  test('a bad payload answers with the catalog code and names the field', async () => {
    const r = await call('nodes.save', { node: { name: 'pacs', aeTitle: 'PACS', host: '127.0.0.1', port: 'abc' } });
    assert.equal(r.body.ok, false);
    assert.equal(r.body.error?.code, 'invalid-payload');
    assert.match(r.body.error!.message, /node\.port must be an integer/);
    const extra = await call('search.start', { source: { kind: 'local' }, level: 'STUDY', keys: {}, bogus: 1 });
    assert.equal(extra.body.error?.code, 'invalid-payload');
    assert.match(extra.body.error!.message, /bogus is not a known field/);
    const level = await call('search.start', { source: { kind: 'local' }, level: 'NOPE', keys: {} });
    assert.equal(level.body.error?.code, 'invalid-payload');
    const unknown = await call('no.such.entry', {});
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error?.code, 'unknown-entry');
    const notJson = await fetch(`http://127.0.0.1:${web.port}/api/settings.get?token=${web.token}`, { method: 'POST', body: '{' });
    assert.equal(((await notJson.json()) as { error: { code: string } }).error.code, 'invalid-payload');
    const unknownNode = await call('search.start', { source: { kind: 'node', node: 'nowhere' }, level: 'STUDY', keys: {} });
    assert.equal(unknownNode.body.error?.code, 'unknown-node');
  });

  test('settings and nodes round trip', async () => {
    const got = await value<{ settings: { caseInsensitivePN: boolean; timeouts: { dimseMs: number } }; server: { listening: boolean; port: number } }>(
      'settings.get',
      {},
    );
    assert.equal(got.server.listening, true);
    assert.equal(got.server.port, server.port);
    const changed = { ...got.settings, caseInsensitivePN: false, timeouts: { ...got.settings.timeouts, dimseMs: 12_345 } };
    const saved = await value<{ restartRequired: boolean }>('settings.save', { settings: changed });
    assert.equal(saved.restartRequired, false);
    const again = await value<{ settings: unknown }>('settings.get', {});
    assert.deepEqual(again.settings, changed);
    await value('settings.save', { settings: got.settings });

    await value('nodes.save', { node: { name: 'temp', aeTitle: 'TEMP', host: '127.0.0.1', port: 104 } });
    let nodes = (await value<{ nodes: { name: string; method: string }[] }>('nodes.list', {})).nodes;
    assert.deepEqual(
      nodes.map((n) => [n.name, n.method]),
      [['temp', 'move']],
    );
    await value('nodes.save', { node: { name: 'temp2', aeTitle: 'TEMP', host: '127.0.0.1', port: 105, method: 'get' }, previousName: 'temp' });
    nodes = (await value<{ nodes: { name: string; method: string }[] }>('nodes.list', {})).nodes;
    assert.deepEqual(
      nodes.map((n) => [n.name, n.method]),
      [['temp2', 'get']],
    );
    assert.deepEqual(await value('nodes.delete', { name: 'temp2' }), { deleted: true });
    assert.deepEqual(await value('nodes.delete', { name: 'temp2' }), { deleted: false });
  });

  test('a search of the local cache streams its matches over SSE', async () => {
    const imported = await value<{ imported: number }>('cache.import', { path: CT_SMALL });
    assert.equal(imported.imported, 1);
    const { searchId } = await value<{ searchId: string }>('search.start', { source: { kind: 'local' }, level: 'STUDY', keys: { PatientName: '*' } });
    const done = await events.waitFor(isDone(searchId));
    assert.equal(done.outcome, 'completed');
    assert.equal(done.matches, 1);
    const [row] = matchesOf(events.events, searchId);
    const studies = (await value<{ studies: { StudyInstanceUID: string }[] }>('cache.studies', {})).studies;
    assert.equal(row?.StudyInstanceUID, studies[0]!.StudyInstanceUID);
    ctStudyUid = row!.StudyInstanceUID;
    const series = await value<{ rows: { SeriesInstanceUID: string }[] }>('search.series', {
      source: { kind: 'local' },
      StudyInstanceUID: row!.StudyInstanceUID!,
    });
    assert.equal(series.rows.length, 1);
  });

  test('a search of a second priors serve as remote node, and its node test', async () => {
    await value('nodes.save', { node: { name: 'remote', aeTitle: remote.aeTitle, host: '127.0.0.1', port: remote.port } });
    const searchId = 'remote-1';
    await value('search.start', { source: { kind: 'node', node: 'remote' }, level: 'STUDY', keys: { PatientID: '' }, searchId });
    const done = await events.waitFor(isDone(searchId));
    assert.equal(done.outcome, 'completed', JSON.stringify(done));
    const rows = matchesOf(events.events, searchId);
    assert.equal(rows.length, 1);
    const series = await value<{ rows: unknown[] }>('search.series', {
      source: { kind: 'node', node: 'remote' },
      StudyInstanceUID: rows[0]!.StudyInstanceUID!,
    });
    assert.equal(series.rows.length, 1);
    const tested = await value<{ ok: boolean; steps: { step: string; outcome: string; message: string }[] }>('nodes.test', { name: 'remote' });
    assert.deepEqual(
      tested.steps.map((s) => [s.step, s.outcome]),
      [
        ['echo', 'ok'],
        ['find', 'ok'],
        ['retrieve', 'ok'],
      ],
      JSON.stringify(tested.steps),
    );
    assert.equal(tested.ok, true);
    const log = await value<{ lines: { peerAeTitle?: string; outcome: string }[] }>('activity.query', { node: 'remote' });
    assert.ok(log.lines.length > 0 && log.lines.every((l) => l.peerAeTitle === remote.aeTitle));
    assert.ok(events.events.some((e) => e.type === 'log'));
  });

  test('send a cached study to the remote node (C-STORE), then delete it from the cache', async () => {
    const uid = ctStudyUid!;
    const before = (await value<{ studies: { StudyInstanceUID: string }[] }>('cache.studies', {})).studies;
    assert.ok(before.some((s) => s.StudyInstanceUID === uid));
    const sent = await value<{ sendId: string; sent: number; failed: number }>('cache.send', { node: 'remote', level: 'STUDY', uids: [uid], sendId: 'send-1' });
    assert.deepEqual([sent.sendId, sent.sent, sent.failed], ['send-1', 1, 0]);
    const progress = await events.waitFor((e): e is Extract<ApiEvent, { type: 'send.progress' }> => e.type === 'send.progress' && e.sendId === 'send-1');
    assert.deepEqual([progress.done, progress.total], [1, 1]);
    const searchId = 'remote-after-send';
    await value('search.start', { source: { kind: 'node', node: 'remote' }, level: 'STUDY', keys: { StudyInstanceUID: uid }, searchId });
    assert.equal((await events.waitFor(isDone(searchId))).matches, 1);
    const missing = await call('cache.send', { node: 'remote', level: 'SERIES', uids: ['1.2.3.4'] });
    assert.equal(missing.body.error?.code, 'not-found');
    assert.deepEqual(await value('cache.delete', { level: 'STUDY', uids: [uid, '1.2.3.4'] }), { deleted: 1 });
    const left = (await value<{ studies: { StudyInstanceUID: string }[] }>('cache.studies', {})).studies;
    assert.deepEqual(
      left.map((s) => s.StudyInstanceUID),
      before.map((s) => s.StudyInstanceUID).filter((u) => u !== uid),
    );
  });

  test('transfer entries answer "unavailable" without a queue', async () => {
    assert.equal((await call('transfers.list', {})).body.error?.code, 'unavailable');
  });

  test('a failing node test names the fix', async () => {
    await value('nodes.save', { node: { name: 'wrongae', aeTitle: 'NOTTHEPACS', host: '127.0.0.1', port: remote.port } });
    const tested = await value<{ ok: boolean; steps: { step: string; outcome: string; code?: string }[] }>('nodes.test', { name: 'wrongae' });
    assert.equal(tested.ok, false);
    assert.deepEqual(
      tested.steps.map((s) => s.outcome),
      ['failed', 'skipped', 'skipped'],
    );
    assert.equal(tested.steps[0]!.code, 'called-ae-not-recognized');
    const searchId = 'wrong-ae';
    await value('search.start', { source: { kind: 'node', node: 'wrongae' }, level: 'STUDY', keys: {}, searchId });
    const done = await events.waitFor(isDone(searchId));
    assert.equal(done.outcome, 'failed');
    assert.equal(done.error?.code, 'called-ae-not-recognized');
    assert.match(done.error!.message, /not AE title NOTTHEPACS/);
  });

  test('cancel stops a running C-FIND: the SCP sees C-CANCEL', async () => {
    let cancelledAt: number | undefined;
    const slow = new DicomServer({
      policy: { aeTitle: 'SLOWPACS', acceptCallingAeTitle: () => true, maxAssociations: 4 },
      host: '127.0.0.1',
      port: 0,
      handlers: {
        find: {
          async *find(request: FindRequest): AsyncIterable<DataSet> {
            let i = 0;
            request.signal.addEventListener(
              'abort',
              () => {
                cancelledAt = i;
              },
              { once: true },
            );
            for (; i < 10_000; i++) {
              if (request.signal.aborted) return;
              yield new Map([
                [0x0020000d, { vr: 'UI', value: [`1.2.3.${i + 1}`] }],
                [0x00100020, { vr: 'LO', value: [`P${i}`] }],
              ]) as DataSet;
              await sleep(20);
            }
          },
        },
      },
    });
    const bound = await slow.listen();
    try {
      await value('nodes.save', { node: { name: 'slow', aeTitle: 'SLOWPACS', host: '127.0.0.1', port: bound.port } });
      const searchId = 'slow-1';
      await value('search.start', { source: { kind: 'node', node: 'slow' }, level: 'STUDY', keys: {}, searchId });
      await events.waitFor((e): e is ApiEvent => e.type === 'search.match' && e.searchId === searchId);
      assert.deepEqual(await value('search.cancel', { searchId }), { cancelled: true });
      const done = await events.waitFor(isDone(searchId));
      assert.equal(done.outcome, 'cancelled');
      assert.ok(done.matches < 10_000);
      assert.ok(cancelledAt !== undefined && cancelledAt < 10_000, 'the handler saw the C-CANCEL');
      assert.deepEqual(await value('search.cancel', { searchId }), { cancelled: false });
    } finally {
      await slow.close();
    }
  });

  test('the host refuses to bind anything but loopback', async () => {
    for (const host of ['0.0.0.0', '192.168.1.10', '::']) {
      await assert.rejects(startWebHost({ api: core, staticDir, host }), /127\.0\.0\.1/);
    }
    const v6 = await startWebHost({ api: core, staticDir, host: '127.0.0.1', port: 0 });
    assert.notEqual(v6.port, web.port);
    await v6.close();
  });
});

describe('priors serve --ui', () => {
  test('prints the URL with the token and serves the API beside the DICOM server', async () => {
    const dataDir = tempDir('web-cli');
    const { command, args } = priorsCommand(['serve', '--port', '0', '--bind', '127.0.0.1', '--ui', '--ui-port', '0', '--data', dataDir]);
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 30_000;
      let url: string | undefined;
      while (!(url = /Priors UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})/.exec(out)?.[1])) {
        assert.ok(Date.now() < deadline, `no UI line in time:\n${out}`);
        await sleep(50);
      }
      const u = new URL(url);
      assert.equal((await fetch(`${u.origin}/api/nodes.list`, { method: 'POST', body: '{}' })).status, 401);
      const r = await fetch(`${u.origin}/api/settings.get?token=${u.searchParams.get('token')}`, { method: 'POST', body: '{}' });
      const body = (await r.json()) as { ok: boolean; value: { server: { listening: boolean; port: number } } };
      assert.equal(body.ok, true);
      assert.equal(body.value.server.listening, true);
      assert.ok(body.value.server.port > 0);
      const jobs = await fetch(`${u.origin}/api/transfers.list`, { method: 'POST', headers: { 'X-Priors-Token': u.searchParams.get('token')! }, body: '{}' });
      assert.deepEqual(await jobs.json(), { ok: true, value: { jobs: [] } });
    } finally {
      if (child.pid) process.kill(child.pid, 'SIGINT');
      const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout')]);
      if (code === 'timeout' && child.pid) process.kill(child.pid, 'SIGKILL');
      assert.equal(code, 0, out);
    }
  });
});
