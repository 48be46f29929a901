// Load on the live SCP (the services' server over a temp cache, limit 10 associations): 50
// peers at once — ten hold their associations open while 40 DCMTK echoscu processes try —
// exactly ten are served and the forty rejected transient with local-limit-exceeded (PS3.8
// Table 9-21: result 2, source 3, reason 2), none hangs; then a peer that connects and sends
// nothing is dropped by ARTIM, one that stops in the middle of a PDU by the DIMSE timer, one
// that idles after associating by the idle timer, and echoscu is served while they hang on.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { defaultConfig } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { runDcmtk } from '../helpers/dcmtk-scu.js';
import { PDU_SEEDS } from '../helpers/pdu-fuzz.js';
import { tempDir } from '../helpers/tmp.js';

const LIMIT = 10;
const TIMERS = { connectMs: 3000, artimMs: 1000, dimseMs: 1000, idleMs: 1500 };

/** A raw peer: connects, optionally associates (echoscu's A-ASSOCIATE-RQ), and records how it ended. */
function rawPeer(
  port: number,
  calledAeTitle: string,
  then: 'associate' | 'nothing' | 'half-pdu',
): { socket: Socket; associated: Promise<boolean>; ended: Promise<{ ms: number; lastPduType?: number }> } {
  const started = Date.now();
  const socket = connect({ host: '127.0.0.1', port });
  let lastPduType: number | undefined;
  let onAssociated: (ok: boolean) => void = () => {};
  const associated = new Promise<boolean>((r) => {
    onAssociated = r;
  });
  const rq = Buffer.from(PDU_SEEDS[0]!);
  Buffer.from(calledAeTitle.padEnd(16, ' ')).copy(rq, 10);
  socket.on('connect', () => {
    if (then === 'associate') socket.write(rq);
    // the first 40 bytes of an A-ASSOCIATE-RQ, then silence
    if (then === 'half-pdu') socket.write(rq.subarray(0, 40));
  });
  socket.on('data', (d) => {
    lastPduType = d[0];
    if (d[0] === 0x02) onAssociated(true);
    if (d[0] === 0x03) onAssociated(false);
  });
  const ended = new Promise<{ ms: number; lastPduType?: number }>((resolve) => {
    socket.on('close', () => {
      onAssociated(false);
      resolve({ ms: Date.now() - started, ...(lastPduType !== undefined ? { lastPduType } : {}) });
    });
    socket.on('error', () => {});
  });
  return { socket, associated, ended };
}

describe('flood and timers against the live SCP', { timeout: 180_000 }, () => {
  let cache: Cache;
  let server: ServeHandle;
  const logs: string[] = [];
  /** The services' server on 127.0.0.1 over `over`, limited to LIMIT associations, logging into `logs`. */
  const serve = (over: Cache, aeTitle: string, timeouts: typeof TIMERS) =>
    startServer({
      config: { ...defaultConfig(), local: { ...defaultConfig().local, aeTitle, port: 0, bindAddress: '127.0.0.1' }, maxAssociations: LIMIT, timeouts },
      cache: over,
      log: (level, m) => logs.push(`${level} ${m}`),
      nodes: async () => [],
    });

  before(async () => {
    cache = await Cache.open(tempDir('flood'));
    server = await serve(cache, 'PRIORSLOAD', TIMERS);
  });
  after(async () => {
    await server?.close();
    await cache?.close();
  });

  test('50 peers against a limit of 10: ten served, forty rejected local-limit-exceeded, none hung', async (ctx) => {
    // A server of its own whose idle timer cannot end the holders' associations while the forty
    // try. With the suite's 1.5 s timer and C-ECHO keep-alives, a machine loaded enough to stall
    // this process (server and holders alike) for longer than the timer fired it before the
    // keep-alives were read: the holders were aborted as idle and the forty were served.
    const limitCache = await Cache.open(tempDir('flood-limit'));
    const limited = await serve(limitCache, 'PRIORSLIMIT', { ...TIMERS, idleMs: 120_000 });
    ctx.after(async () => {
      await limited.close();
      await limitCache.close();
    });
    const holders = Array.from({ length: LIMIT }, () => rawPeer(limited.port, limited.aeTitle, 'associate'));
    const held = await Promise.all(holders.map((h) => h.associated));
    assert.equal(held.filter(Boolean).length, LIMIT, 'the first ten are accepted');
    const started = Date.now();
    const tries = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        runDcmtk('echoscu', ['-aet', `FLOOD${i}`, '-aec', limited.aeTitle, '127.0.0.1', String(limited.port)], { timeoutMs: 20_000 }),
      ),
    );
    const took = Date.now() - started;
    // echoscu: "Association Rejected: Result: Rejected Transient, Source: Service Provider (Presentation), Reason: Local Limit Exceeded"
    const rejected = tries.filter((t) => t.code !== 0 && /Rejected Transient/i.test(t.stderr + t.stdout) && /Local Limit Exceeded/i.test(t.stderr + t.stdout));
    const served = tries.filter((t) => t.code === 0);
    process.stdout.write(
      `# flood: ${LIMIT} held, ${served.length} of 40 echoscu served, ${rejected.length} rejected (local limit), ${tries.length - served.length - rejected.length} other, in ${took} ms\n`,
    );
    assert.ok(served.length <= 40 - rejected.length);
    assert.equal(served.length, 0, 'none served while the ten hold the limit');
    assert.equal(rejected.length, 40, `rejected transient: ${rejected.length}; first stderr: ${tries[0]?.stderr.slice(0, 300)}`);
    assert.ok(
      tries.every((t) => !/killed after/.test(t.stderr)),
      'no echoscu hung',
    );
    assert.ok(
      logs.some((l) => /local-limit-exceeded|limit/i.test(l) && /FLOOD/.test(l)),
      'the log names who was refused',
    );
    for (const h of holders) h.socket.destroy();
    await Promise.all(holders.map((h) => h.ended));
    const again = await runDcmtk('echoscu', ['-aet', 'AFTER', '-aec', limited.aeTitle, '127.0.0.1', String(limited.port)], { timeoutMs: 10_000 });
    assert.equal(again.code, 0, `served once the holders left: ${again.stderr}`);
  });

  test('a silent connection and half an A-ASSOCIATE-RQ are dropped by ARTIM, an idle association by the idle timer; echoscu is served meanwhile', async () => {
    const silent = rawPeer(server.port, server.aeTitle, 'nothing');
    const half = rawPeer(server.port, server.aeTitle, 'half-pdu');
    const idle = rawPeer(server.port, server.aeTitle, 'associate');
    assert.equal(await idle.associated, true);
    const echo = await runDcmtk('echoscu', ['-aet', 'MEANWHILE', '-aec', server.aeTitle, '127.0.0.1', String(server.port)], { timeoutMs: 10_000 });
    assert.equal(echo.code, 0, `echoscu served while three peers hang on: ${echo.stderr}`);
    const [s, h, i] = await Promise.all([silent.ended, half.ended, idle.ended]);
    assert.ok(s.ms >= TIMERS.artimMs - 50 && s.ms < TIMERS.artimMs + 2000, `silent peer dropped after ${s.ms} ms (ARTIM ${TIMERS.artimMs})`);
    assert.ok(h.ms >= TIMERS.artimMs - 50 && h.ms < TIMERS.artimMs + 2000, `half an A-ASSOCIATE-RQ dropped after ${h.ms} ms`);
    assert.ok(i.ms >= TIMERS.idleMs - 50 && i.ms < TIMERS.idleMs + 2000, `idle association dropped after ${i.ms} ms (idle ${TIMERS.idleMs})`);
    assert.equal(i.lastPduType, 0x07, 'the idle association ends with an A-ABORT');
    assert.ok(
      logs.some((l) => /no request from ECHOSCU for \d+ s: aborting the idle association/.test(l)),
      'the log says why',
    );
  });

  test('a peer that stops in the middle of a P-DATA-TF after associating is aborted by the DIMSE timer', async () => {
    const p = rawPeer(server.port, server.aeTitle, 'associate');
    assert.equal(await p.associated, true);
    const started = Date.now();
    p.socket.write(PDU_SEEDS[6]!.subarray(0, 12)); // the first bytes of a P-DATA-TF with a C-ECHO-RQ
    const end = await p.ended;
    const waited = Date.now() - started;
    assert.equal(end.lastPduType, 0x07, 'ended with an A-ABORT');
    assert.ok(waited >= TIMERS.dimseMs - 50 && waited < TIMERS.dimseMs + 1500, `aborted ${waited} ms after the half PDU (DIMSE ${TIMERS.dimseMs})`);
    assert.ok(
      logs.some((l) => /in the middle of a PDU: the peer stalled \(DIMSE timer\)/.test(l)),
      'the log says where it stalled',
    );
  });
});
