// The desktop app's core under plain Node (what electron/main.ts starts): it listens on the
// configured port and says so; when the port is taken the app still starts, the settings answer
// says which port and where to change it, the rest of the API works, and close() is clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDesktopCore } from '../../electron/app/desktop.js';
import { Cache } from '../../electron/cache/index.js';
import { echo } from '../../electron/dimse/scu/index.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

function configure(dir: string, port: number): void {
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ local: { aeTitle: 'DESKTOP', port, bindAddress: '127.0.0.1' } }));
}

test('the desktop core listens on the configured port and closes cleanly', async () => {
  const dir = tempDir('desktop-core');
  const port = await freePort();
  configure(dir, port);
  const desktop = await startDesktopCore({ dataDir: dir });
  try {
    const r = await desktop.composed.core.invoke('settings.get', {});
    assert.ok(r.ok);
    const { server } = (r as { value: { server: { listening: boolean; port?: number; state?: string } } }).value;
    assert.deepEqual([server.listening, server.port, server.state], [true, port, 'listening']);
    const answer = await echo({ aeTitle: 'DESKTOP', host: '127.0.0.1', port }, { callingAeTitle: 'TESTSCU' });
    assert.equal(answer.status, 0);
  } finally {
    await desktop.close();
  }
  const reopened = await Cache.open(dir);
  assert.equal(reopened.recovery?.reason, 'clean shutdown');
  await reopened.close();
});

test('a port in use leaves the app running, with the sentence that says where to change the port', async () => {
  const dir = tempDir('desktop-busy');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  configure(dir, port);
  const desktop = await startDesktopCore({ dataDir: dir });
  try {
    assert.equal(desktop.server, undefined);
    assert.equal(desktop.serverProblem?.state, 'port-in-use');
    const r = await desktop.composed.core.invoke('settings.get', {});
    assert.ok(r.ok);
    const { server } = (r as { value: { server: { listening: boolean; state?: string; message?: string; port?: number } } }).value;
    assert.equal(server.listening, false);
    assert.equal(server.state, 'port-in-use');
    assert.equal(server.port, port);
    assert.match(
      server.message ?? '',
      new RegExp(`^Port ${port} is already in use on this workstation, so the DICOM server cannot listen: .*Nodes & settings → This workstation\\.$`),
    );
    assert.doesNotMatch(server.message ?? '', /--port/);
    // the rest of the app works
    const nodes = await desktop.composed.core.invoke('nodes.list', {});
    assert.deepEqual(nodes, { ok: true, value: { nodes: [] } });
    const log = desktop.activity.query({});
    assert.ok(log.some((l) => l.level === 'error' && /DICOM server DESKTOP is not listening: Port \d+ is already in use/.test(l.message)));
  } finally {
    await desktop.close();
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});
