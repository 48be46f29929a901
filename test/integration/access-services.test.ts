// Issue 17 item 4: an unknown caller reads nothing from the cache by default. Verification and
// Storage are open to any calling AE; Query/Retrieve only to configured nodes calling from their
// own host, and to this machine. Here the SCP is told to treat 127.0.0.1 as another machine's
// address (ServeOptions.isLocalAddress), so our SCU on 127.0.0.1 is a caller "from the network":
// an unknown AE title can echo and store but gets no match from C-FIND and nothing from C-GET or
// C-MOVE (0124 Refused: Not authorized), each refusal logged and audited with the sentence that
// says how to allow it; a configured node gets both. (test/interop/access-netns.test.ts does
// the same from a real second address, with DCMTK.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultConfig, type Config, type RemoteNode } from '../../shared/config.js';
import type { DataSet } from '../../shared/dicom/dataset.js';
import { AuditStore } from '../../electron/cache/audit.js';
import { Cache } from '../../electron/cache/index.js';
import type { StoreHandler } from '../../electron/dimse/handlers.js';
import { DicomServer } from '../../electron/dimse/scp/server.js';
import { echo, find, get, move } from '../../electron/dimse/scu/index.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { instancesFromPaths, sendInstances } from '../../electron/services/send/send.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
const AET = 'PRIORS_ACL';
const remote = (address: string) => address === '::1'; // 127.0.0.1 is "another machine" for this SCP
const node = (over: Partial<RemoteNode>): RemoteNode => ({
  name: 'ws2',
  aeTitle: 'WS2',
  host: '127.0.0.1',
  port: 104,
  model: 'study',
  method: 'move',
  maxAssociations: 2,
  ...over,
});

describe('who may use which service of priors serve', { timeout: 120_000 }, () => {
  let series: GeneratedSeries;
  let sink: DicomServer;
  let sinkPort = 0;
  let received = 0;
  const open: { server: ServeHandle; cache: Cache }[] = [];
  before(async () => {
    series = await generateCtSeries({ count: 5, rows: 16, cols: 16, patientId: 'ACL-1', patientName: 'ACCESS^CONTROL', accession: 'ACL1', seed: 1717 });
    const counting: StoreHandler = {
      store: async (r) => {
        for await (const _ of r.dataSet) {
          /* drained */
        }
        received++;
        return { status: 0 };
      },
    };
    sink = new DicomServer({
      policy: { aeTitle: 'WS2', acceptCallingAeTitle: () => true, maxAssociations: 4 },
      host: '127.0.0.1',
      port: 0,
      handlers: { store: counting },
    });
    sinkPort = (await sink.listen()).port;
  });
  after(async () => {
    for (const o of open) {
      await o.server.close();
      await o.cache.close();
    }
    await sink.close();
  });

  async function serve(over: Partial<Config> = {}) {
    const logs: string[] = [];
    const cache = await Cache.open(tempDir('access-services'));
    const config: Config = {
      ...defaultConfig(),
      local: { ...defaultConfig().local, aeTitle: AET, port: 0, bindAddress: '127.0.0.1' },
      nodes: [node({ port: sinkPort }), node({ name: 'ct1', aeTitle: 'CT1', host: '127.0.0.2' })],
      ...over,
    };
    const server = await startServer({ config, cache, isLocalAddress: remote, log: (level, message) => logs.push(`${level} ${message}`) });
    open.push({ server, cache });
    return { server, cache, logs };
  }

  const us = (server: ServeHandle) => ({ aeTitle: AET, host: '127.0.0.1', port: server.port });
  const studyKey = (): DataSet => new Map([[0x0020000d, { vr: 'UI', value: [series.StudyInstanceUID] }]]);

  async function tryAll(server: ServeHandle, callingAeTitle: string) {
    const o = { callingAeTitle, timeouts };
    const echoed = (await echo(us(server), o)).status;
    const { instances } = await instancesFromPaths(series.files);
    const stored = (await sendInstances(us(server), instances, o)).sent;
    const stream = find(us(server), { model: 'study', level: 'STUDY', identifier: new Map([[0x00100010, { vr: 'PN', value: ['*'] }]]) }, o);
    let matches = 0;
    for await (const _ of stream) matches++;
    const found = await stream.outcome;
    let got = 0;
    const gotten = await get(
      us(server),
      { model: 'study', level: 'STUDY', identifier: studyKey() },
      {
        ...o,
        store: {
          store: async (r) => {
            for await (const _ of r.dataSet) {
              /* drained */
            }
            got++;
            return { status: 0 };
          },
        },
      },
    );
    received = 0;
    const moved = await move(us(server), { model: 'study', level: 'STUDY', identifier: studyKey(), destination: 'WS2' }, o);
    return {
      echo: echoed,
      stored,
      find: { status: found.status, matches, comment: found.errorComment },
      get: { status: gotten.status, received: got },
      move: { status: moved.status, delivered: received },
    };
  }

  test('by default: an unknown AE title from another host can echo and store, and reads nothing; a configured node reads all', async () => {
    const { server, cache, logs } = await serve();
    const stranger = await tryAll(server, 'STRANGER');
    assert.equal(stranger.echo, 0, 'Verification is open to any caller');
    assert.equal(stranger.stored, series.files.length, 'Storage is open to any caller (a PACS delivering a C-MOVE gets in)');
    assert.deepEqual(stranger.find, { status: 0x0124, matches: 0, comment: 'Query/Retrieve not permitted for this calling AE title and host' });
    assert.deepEqual(stranger.get, { status: 0x0124, received: 0 });
    assert.deepEqual(stranger.move, { status: 0x0124, delivered: 0 });
    const refusal = logs.find((l) => l.includes('C-FIND from STRANGER')) ?? '';
    assert.match(
      refusal,
      /answered 0124 \(Refused: Not authorized\)\. Refused Query\/Retrieve to STRANGER at 127\.0\.0\.1: STRANGER is not a configured node; to allow it, add it as a node with its host in Nodes & settings \(priors nodes add <name> STRANGER@127\.0\.0\.1:<port>\), or set callingAePolicy\.services\.queryRetrieve to "any"/,
    );
    assert.equal(refusal.split('\n').length, 1, 'one line');

    const ws2 = await tryAll(server, 'WS2');
    assert.deepEqual(ws2.find, { status: 0, matches: 1, comment: undefined }, 'a configured node calling from its host queries');
    assert.deepEqual(ws2.get, { status: 0, received: series.files.length });
    assert.deepEqual(ws2.move, { status: 0, delivered: series.files.length });

    const ct1 = await tryAll(server, 'CT1'); // a node's AE title, from another host than the node's
    assert.equal(ct1.find.status, 0x0124);
    assert.ok(
      logs.some((l) => l.includes("CT1 is the AE title of node 'ct1' (127.0.0.2), which calls from its own host only")),
      logs.join('\n'),
    );

    await server.close();
    open.pop();
    await cache.close();
    const audit = AuditStore.open(cache.dataDir);
    try {
      const refused = audit.query({ peer: 'STRANGER', outcome: 'failed' }).events;
      assert.deepEqual(refused.map((e) => e.what).sort(), ['query', 'retrieve', 'retrieve'], 'each refusal audited (C-FIND, C-GET, C-MOVE)');
      assert.ok(
        refused.every((e) => e.outcome === 4 && e.peerHost === '127.0.0.1' && /add it as a node/.test(e.outcomeText ?? '')),
        JSON.stringify(refused),
      );
      assert.match(refused.find((e) => e.what === 'query')!.detail ?? '', /C-FIND refused .*PatientName=\*/);
    } finally {
      audit.close();
    }
  });

  test('each service\'s policy is set in config.json: Query/Retrieve "any", "local"; Storage and Verification "nodes"', async () => {
    const any = await serve({ callingAePolicy: { mode: 'any', services: { queryRetrieve: 'any' } } });
    assert.equal((await tryAll(any.server, 'STRANGER')).find.matches, 1, '"any" lets an unknown caller query');
    const local = await serve({ callingAePolicy: { mode: 'any', services: { queryRetrieve: 'local' } } });
    assert.equal((await tryAll(local.server, 'WS2')).find.status, 0x0124, '"local": not even a configured node from another host');
    assert.ok(
      local.logs.some((l) => l.includes('it is open only to this machine; to allow configured nodes set callingAePolicy.services.queryRetrieve to "nodes"')),
    );
    const closed = await serve({ callingAePolicy: { mode: 'any', services: { storage: 'nodes', verification: 'nodes' } } });
    const stranger = await tryAll(closed.server, 'STRANGER');
    assert.equal(stranger.echo, 0x0124);
    assert.equal(stranger.stored, 0, 'Storage refused to an unknown caller');
    assert.equal(closed.logs.filter((l) => l.includes('C-STORE from STRANGER')).length, 1, 'told once per association, not once per instance');
    const ws2 = await tryAll(closed.server, 'WS2');
    assert.equal(ws2.stored, series.files.length);
    assert.equal(ws2.echo, 0);
  });
});
