// The transfer queue reaches a node with the configuration's SCU settings, read at each job's
// start: the Maximum Length it announces (local.maxPduLength) and its timers (timeouts). A node
// that accepts the association and then never answers the C-MOVE fails the job after the
// configured DIMSE timeout, with the sentence that says so.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { defaultConfig, type Config } from '../../shared/config.js';
import type { TransferJob } from '../../shared/transfers.js';
import { Cache } from '../../electron/cache/index.js';
import { Association, type AssociateRequestInfo } from '../../electron/dimse/ul/association.js';
import type { StoredEvent } from '../../electron/services/local-scp/handlers.js';
import { retrieve } from '../../electron/services/retrieve/retrieve.js';
import { TransferQueue } from '../../electron/services/transfers/index.js';
import { tempDir } from '../helpers/tmp.js';

const servers: Server[] = [];
const caches: Cache[] = [];
after(async () => {
  for (const s of servers) s.close();
  for (const c of caches) await c.close();
});

test('a queued retrieve announces the configured maximum PDU length and gives up after the configured DIMSE timeout', async () => {
  const seen: { maxPduLength: number }[] = [];
  const held: Association[] = [];
  // accepts every context, then stays silent: no C-MOVE-RSP ever comes
  const server = createServer((socket) => {
    void Association.accept(socket, {
      decide: (rq: AssociateRequestInfo) => ({
        accept: true,
        contexts: rq.contexts.map((pc) => ({ id: pc.id, abstractSyntax: pc.abstractSyntax, result: 0 as const, transferSyntax: pc.transferSyntaxes[0]! })),
      }),
    }).then((a) => {
      if (a) {
        seen.push({ maxPduLength: a.peerMaxPduLength });
        held.push(a);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;

  const cache = await Cache.open(tempDir('transfer-scu-options'));
  caches.push(cache);
  const config: Config = {
    ...defaultConfig(),
    local: { ...defaultConfig().local, aeTitle: 'PRIORS', maxPduLength: 8192 },
    timeouts: { connectMs: 5000, artimMs: 5000, dimseMs: 600 },
    nodes: [{ name: 'silent', aeTitle: 'SILENT', host: '127.0.0.1', port, model: 'study', method: 'move', maxAssociations: 1 }],
  };
  const queue = new TransferQueue({
    cache,
    config: () => config,
    retrieve,
    local: { aeTitle: 'PRIORS', port: 1, host: '127.0.0.1', storedListeners: new Set<(e: StoredEvent) => void>() },
  });
  queue.start();
  try {
    const finished = new Promise<TransferJob>((resolve) => {
      const off = queue.on((e) => {
        if (e.type === 'job.finished') {
          off();
          resolve(e.job);
        }
      });
    });
    const started = Date.now();
    queue.add({ node: 'silent', level: 'STUDY', StudyInstanceUID: '1.2.3.4.5', expected: 1 });
    const job = await finished;
    const took = Date.now() - started;
    assert.equal(job.state, 'failed', job.verdict?.sentence);
    assert.ok(took < 30_000, `the job waited ${took} ms: the configured 600 ms DIMSE timeout was not used`);
    assert.match(job.verdict?.sentence ?? '', /SILENT|silent/);
    // the series query that splits a study, then the C-MOVE: each on its own association
    assert.ok(seen.length >= 1);
    assert.deepEqual(new Set(seen.map((s) => s.maxPduLength)), new Set([8192]), 'the Maximum Length announced is local.maxPduLength');
  } finally {
    await queue.close();
    for (const a of held) if (a.isOpen) a.abort();
  }
});
