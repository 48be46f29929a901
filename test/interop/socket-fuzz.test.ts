// Socket-level fuzzing of the live SCP (the services' server over a temp cache on 127.0.0.1):
// 300 mutated byte streams from the structure-aware fuzzer (test/helpers/pdu-fuzz.ts), ten at a
// time, some after a valid association (so command sets reach DIMSE). Every connection is
// ended by the server (abort, reject or its timers) without our help, the heap stays bounded,
// nothing stored is lost, and DCMTK's echoscu is answered afterwards.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { defaultConfig } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { echo } from '../helpers/dcmtk-scu.js';
import { mutatePdu, PDU_SEEDS } from '../helpers/pdu-fuzz.js';
import { prng } from '../../shared/prng.js';
import { tempDir } from '../helpers/tmp.js';

const CASES = 300;
const PARALLEL = 15;

/** A valid A-ASSOCIATE-RQ to our AE title with Verification (echoscu's, re-addressed). */
function associateRq(calledAeTitle: string): Buffer {
  const rq = Buffer.from(PDU_SEEDS[0]!);
  Buffer.from(calledAeTitle.padEnd(16, ' ')).copy(rq, 10);
  return rq;
}

/** Sends `bytes` (after an association when `associated`); answers how the server ended the connection and when. */
function attack(port: number, bytes: Buffer, associated: boolean, calledAeTitle: string, limitMs: number): Promise<{ endedByServer: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port });
    let ended = false;
    const finish = (endedByServer: boolean) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ endedByServer, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), limitMs);
    let sent = false;
    socket.on('connect', () => {
      if (associated) socket.write(associateRq(calledAeTitle));
      else {
        socket.write(bytes);
        sent = true;
      }
    });
    socket.on('data', (d) => {
      // the A-ASSOCIATE-AC (type 02) came back: now the mutated bytes
      if (associated && !sent && d[0] === 0x02) {
        socket.write(bytes);
        sent = true;
      }
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}

describe('socket fuzz against the live SCP', { timeout: 300_000 }, () => {
  let cache: Cache;
  let server: ServeHandle;

  before(async () => {
    cache = await Cache.open(tempDir('socket-fuzz'));
    const config = {
      ...defaultConfig(),
      local: { ...defaultConfig().local, aeTitle: 'PRIORSFUZZ', port: 0, bindAddress: '127.0.0.1' },
      maxAssociations: 20,
      timeouts: { connectMs: 2000, artimMs: 1000, dimseMs: 1000, idleMs: 1500 },
    };
    server = await startServer({ config, cache, log: new ActivityLog().logger, nodes: async () => [] });
  });
  after(async () => {
    await server?.close();
    await cache?.close();
  });

  test(`${CASES} mutated streams: each ended by the server, bounded heap, echoscu answered after`, async () => {
    const rnd = prng(4242);
    const heapBefore = process.memoryUsage().heapUsed;
    const results: { kind: string; endedByServer: boolean; ms: number }[] = [];
    for (let i = 0; i < CASES; i += PARALLEL) {
      const batch = Array.from({ length: Math.min(PARALLEL, CASES - i) }, () => {
        const { kind, bytes } = mutatePdu(PDU_SEEDS[Math.floor(rnd() * PDU_SEEDS.length)]!, rnd);
        const associated = bytes[0] === 0x04 || rnd() < 0.2; // P-DATA (and some others) after a real association
        return attack(server.port, bytes, associated, server.aeTitle, 10_000).then((r) => ({ kind, ...r }));
      });
      results.push(...(await Promise.all(batch)));
    }
    const hung = results.filter((r) => !r.endedByServer);
    const slowest = Math.max(...results.map((r) => r.ms));
    process.stdout.write(`# socket fuzz: ${results.length} streams, ${results.length - hung.length} ended by the server, slowest ${slowest} ms\n`);
    assert.deepEqual(
      hung.map((r) => r.kind),
      [],
      'every connection ended by the server (abort, reject or a timer)',
    );
    global.gc?.();
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64e6, `heap grew by ${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)} MB`);
    await echo({ aeTitle: server.aeTitle, host: '127.0.0.1', port: server.port });
  });
});
