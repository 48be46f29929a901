// The link emulation of the benchmarks (bench/relay.ts): bytes cross it intact and in order,
// never sooner than the one-way delay, and connections share one bandwidth per direction.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { startRelay, type Relay } from '../../bench/relay.js';

let echo: Server;
let relay: Relay;
const profile = { name: 'test link', delayMs: 20, bitsPerSecond: 8e6 };

before(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
  const address = echo.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  relay = await startRelay({ host: '127.0.0.1', port: address.port }, profile);
});

after(async () => {
  await relay.stop();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

/** Sends `bytes` through the relay to the echo server; resolves with what came back and the time taken. */
function roundTrip(bytes: Buffer): Promise<{ back: Buffer; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const parts: Buffer[] = [];
    let got = 0;
    const s = connect({ host: '127.0.0.1', port: relay.port }, () => s.write(bytes));
    s.on('data', (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= bytes.length) {
        s.end();
        resolve({ back: Buffer.concat(parts), ms: performance.now() - started });
      }
    });
    s.on('error', reject);
  });
}

test('bytes come back intact, after the delay both ways and the time the bandwidth takes', async () => {
  const bytes = randomBytes(100_000);
  const { back, ms } = await roundTrip(bytes);
  assert.ok(back.equals(bytes));
  // 100 kB at 8 Mbit/s is 100 ms each way (the two directions overlap), plus 2 × 20 ms
  assert.ok(ms >= 100 + 2 * profile.delayMs - 5, `${ms.toFixed(1)} ms`);
});

test('two connections share the bandwidth of a direction', async () => {
  const a = randomBytes(100_000);
  const b = randomBytes(100_000);
  const started = performance.now();
  const [ra, rb] = await Promise.all([roundTrip(a), roundTrip(b)]);
  const ms = performance.now() - started;
  assert.ok(ra.back.equals(a) && rb.back.equals(b));
  // 200 kB through one 8 Mbit/s direction takes 200 ms, not the 100 ms of one connection alone
  assert.ok(ms >= 200 + 2 * profile.delayMs - 5, `${ms.toFixed(1)} ms`);
  assert.deepEqual(relay.carried().toTarget >= 300_000, true);
});
