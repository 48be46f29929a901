// The transfer queue reaches a node with the SCU options of the configuration as it is at each
// job's start (services/nodes/reach.ts's scuOptionsFrom): our AE title, the Maximum Length we
// announce, the timers, and the node's TLS settings. The retrieve is a recording stand-in, so
// nothing leaves the process.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type Config } from '../../../../../shared/config.js';
import type { TransferJob } from '../../../../../shared/transfers.js';
import { Cache } from '../../../../../electron/cache/index.js';
import type { StoredEvent } from '../../../../../electron/services/local-scp/handlers.js';
import type { retrieve, RetrieveEnv, RetrieveReport, RetrieveSpec } from '../../../../../electron/services/retrieve/retrieve.js';
import { TransferQueue } from '../../../../../electron/services/transfers/index.js';
import { tempDir } from '../../../../helpers/tmp.js';

const caches: Cache[] = [];
after(async () => {
  for (const c of caches) await c.close();
});

const STUDY = '1.2.826.0.1.3680043.8.498.1';
const SERIES = '1.2.826.0.1.3680043.8.498.1.1';

test("queued retrieves get the configuration's calling AE title, Maximum Length, timers and the node's TLS, read at each job's start", async () => {
  const cache = await Cache.open(tempDir('queue-scu'));
  caches.push(cache);
  let config: Config = {
    ...defaultConfig(),
    local: { ...defaultConfig().local, aeTitle: 'CONFIGURED', maxPduLength: 8192 },
    timeouts: { connectMs: 1500, artimMs: 2500, dimseMs: 3500 },
    nodes: [
      {
        name: 'secure',
        aeTitle: 'SECURE',
        host: '127.0.0.1',
        port: 2762,
        model: 'study',
        method: 'move',
        maxAssociations: 1,
        tls: { caFile: '/etc/priors/ca.pem', serverName: 'pacs.example' },
      },
    ],
  };
  const calls: { spec: RetrieveSpec; env: RetrieveEnv }[] = [];
  const recording = (async (spec: RetrieveSpec, env: RetrieveEnv): Promise<RetrieveReport> => {
    calls.push({ spec, env });
    return {
      verdict: 'failed',
      method: spec.method,
      status: 0xa801,
      statusName: 'Refused: Move Destination unknown',
      claimed: { completed: 0, failed: 0, warning: 0 },
      failedSopInstanceUids: [],
      arrived: 0,
    };
  }) as typeof retrieve;
  // the served AE title (a --aet flag) is the queue's own, over config.json's
  const queue = new TransferQueue({
    cache,
    config: () => config,
    retrieve: recording,
    local: { aeTitle: 'SERVED', port: 11112, host: '127.0.0.1', storedListeners: new Set<(e: StoredEvent) => void>() },
    settleMs: 0,
  });
  const finished = (n: number) =>
    new Promise<TransferJob[]>((resolve) => {
      const jobs: TransferJob[] = [];
      const off = queue.on((e) => {
        if (e.type !== 'job.finished') return;
        jobs.push(e.job);
        if (jobs.length === n) {
          off();
          resolve(jobs);
        }
      });
    });
  queue.start();
  try {
    const first = finished(1);
    queue.add({ node: 'secure', level: 'SERIES', StudyInstanceUID: STUDY, SeriesInstanceUIDs: [SERIES] });
    await first;
    assert.equal(calls.length, 1);
    const { spec, env } = calls[0]!;
    assert.equal(env.scu.callingAeTitle, 'SERVED');
    assert.equal(env.scu.maxPduLength, 8192, 'the Maximum Length of local.maxPduLength');
    assert.deepEqual(env.scu.timeouts, { connectMs: 1500, artimMs: 2500, dimseMs: 3500 });
    assert.ok(env.scu.signal instanceof AbortSignal, 'the job can be cancelled');
    assert.equal(spec.destination, 'SERVED');
    assert.deepEqual(spec.node.tls, { caFile: '/etc/priors/ca.pem', serverName: 'pacs.example' }, 'the node is reached with its TLS settings');

    // settings changed while the queue runs apply to the next job
    config = { ...config, local: { ...config.local, maxPduLength: 0 }, timeouts: { connectMs: 100, artimMs: 200, dimseMs: 300 } };
    const second = finished(1);
    queue.add({ node: 'secure', level: 'SERIES', StudyInstanceUID: STUDY, SeriesInstanceUIDs: [SERIES] });
    await second;
    assert.equal(calls.length, 2);
    assert.equal(calls[1]!.env.scu.maxPduLength, 0);
    assert.deepEqual(calls[1]!.env.scu.timeouts, { connectMs: 100, artimMs: 200, dimseMs: 300 });
    assert.notEqual(calls[1]!.env.scu.timeouts, config.timeouts, 'a copy: the configuration is not shared with the association');
  } finally {
    await queue.close();
  }
});

test('SCU options the queue is given override the configured ones, timer by timer', async () => {
  const cache = await Cache.open(tempDir('queue-scu-given'));
  caches.push(cache);
  const config: Config = {
    ...defaultConfig(),
    timeouts: { connectMs: 1500, artimMs: 2500, dimseMs: 3500 },
    nodes: [{ name: 'pacs', aeTitle: 'PACS', host: '127.0.0.1', port: 104, model: 'study', method: 'move', maxAssociations: 1 }],
  };
  const seen: RetrieveEnv[] = [];
  const recording = (async (spec: RetrieveSpec, env: RetrieveEnv): Promise<RetrieveReport> => {
    seen.push(env);
    return {
      verdict: 'failed',
      method: spec.method,
      status: 0xa801,
      statusName: 'Refused: Move Destination unknown',
      claimed: { completed: 0, failed: 0, warning: 0 },
      failedSopInstanceUids: [],
      arrived: 0,
    };
  }) as typeof retrieve;
  const queue = new TransferQueue({
    cache,
    config,
    retrieve: recording,
    local: { aeTitle: 'PRIORS', port: 11112, host: '127.0.0.1', storedListeners: new Set<(e: StoredEvent) => void>() },
    scu: { callingAeTitle: 'GIVEN', timeouts: { dimseMs: 50 } },
    settleMs: 0,
  });
  const done = new Promise<void>((resolve) => {
    const off = queue.on((e) => {
      if (e.type === 'job.finished') {
        off();
        resolve();
      }
    });
  });
  queue.start();
  try {
    queue.add({ node: 'pacs', level: 'SERIES', StudyInstanceUID: STUDY, SeriesInstanceUIDs: [SERIES] });
    await done;
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.scu.callingAeTitle, 'GIVEN');
    assert.deepEqual(seen[0]!.scu.timeouts, { connectMs: 1500, artimMs: 2500, dimseMs: 50 }, 'the timers not given stay as configured');
    assert.equal(seen[0]!.scu.maxPduLength, config.local.maxPduLength);
  } finally {
    await queue.close();
  }
});
