// Access control of the live SCP against DCMTK's echoscu (127.0.0.1): a node's AE title is
// refused from another host when bound to its host (the peer learns only "calling AE title not
// recognized"; the log names the node, the address and what to change), accepted from its own;
// a node's incoming association limit holds while other callers are served.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, test } from 'node:test';
import { defaultConfig, type Config } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { runDcmtk } from '../helpers/dcmtk-scu.js';
import { PDU_SEEDS } from '../helpers/pdu-fuzz.js';
import { tempDir } from '../helpers/tmp.js';

async function serve(over: Partial<Config>, logs: string[]): Promise<{ server: ServeHandle; cache: Cache }> {
  const cache = await Cache.open(tempDir('access'));
  const config: Config = { ...defaultConfig(), local: { ...defaultConfig().local, aeTitle: 'PRIORSACL', port: 0, bindAddress: '127.0.0.1' }, ...over };
  const server = await startServer({ config, cache, log: (l, m) => logs.push(`${l} ${m}`), nodes: async () => config.nodes });
  return { server, cache };
}

const echoscu = (server: ServeHandle, aet: string) =>
  runDcmtk('echoscu', ['-aet', aet, '-aec', server.aeTitle, '127.0.0.1', String(server.port)], { timeoutMs: 10_000 });

describe('access control with DCMTK', () => {
  const open: { server: ServeHandle; cache: Cache }[] = [];
  after(async () => {
    for (const o of open) {
      await o.server.close();
      await o.cache.close();
    }
  });

  test('bound to its host: CT1 from 127.0.0.1 is refused when the node says 127.0.0.2, accepted when it says localhost', async () => {
    const logs: string[] = [];
    const elsewhere = await serve(
      {
        nodes: [{ name: 'ct1', aeTitle: 'CT1', host: '127.0.0.2', port: 104, model: 'study', method: 'move', maxAssociations: 2 }],
        callingAePolicy: { mode: 'configured', bindToHost: true },
      },
      logs,
    );
    open.push(elsewhere);
    const refused = await echoscu(elsewhere.server, 'CT1');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /Calling AE Title Not Recognized/i);
    assert.doesNotMatch(refused.stderr + refused.stdout, /ct1|127\.0\.0\.2/, 'the peer learns nothing beyond the reason');
    const line = logs.find((l) => /rejected association from CT1/.test(l)) ?? '';
    assert.match(line, /node 'ct1' \(127\.0\.0\.2\) but called from 127\.0\.0\.1/, line);
    const here = await serve(
      {
        nodes: [{ name: 'ct1', aeTitle: 'CT1', host: 'localhost', port: 104, model: 'study', method: 'move', maxAssociations: 2 }],
        callingAePolicy: { mode: 'configured', bindToHost: true },
      },
      [],
    );
    open.push(here);
    assert.equal((await echoscu(here.server, 'CT1')).code, 0);
  });

  test("a node's incoming limit: while ECHOSCU holds its one association, a second is refused local-limit-exceeded; others pass", async () => {
    const logs: string[] = [];
    const s = await serve(
      {
        nodes: [
          { name: 'mod', aeTitle: 'ECHOSCU', host: '127.0.0.1', port: 104, model: 'study', method: 'move', maxAssociations: 2, maxIncomingAssociations: 1 },
        ],
      },
      logs,
    );
    open.push(s);
    // hold one association as ECHOSCU (echoscu's own A-ASSOCIATE-RQ, re-addressed)
    const rq = Buffer.from(PDU_SEEDS[0]!);
    Buffer.from(s.server.aeTitle.padEnd(16, ' ')).copy(rq, 10);
    const holder = connect({ host: '127.0.0.1', port: s.server.port });
    await new Promise<void>((resolve) => {
      holder.on('connect', () => holder.write(rq));
      holder.once('data', () => resolve());
    });
    const second = await echoscu(s.server, 'ECHOSCU');
    assert.notEqual(second.code, 0);
    assert.match(second.stderr + second.stdout, /Local Limit Exceeded/i);
    assert.equal((await echoscu(s.server, 'OTHER')).code, 0, 'another caller is served');
    holder.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await echoscu(s.server, 'ECHOSCU')).code, 0, 'served again once the first left');
  });
});
