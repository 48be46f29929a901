// Parser-level fuzz regression (issue 6 item 1, partial): hand-made nasty PDUs and a small,
// deterministic (seeded) mutation run over the PDU framer and decoder. Only PduError may
// surface; nothing may allocate what a hostile length field announces.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePdu } from '../../../../../electron/dimse/ul/pdu.js';
import { PduError } from '../../../../../electron/dimse/ul/errors.js';
import { PduFramer, type FramerSink } from '../../../../../electron/dimse/ul/framer.js';
import { prng } from '../../../../../shared/prng.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// DCMTK echoscu's A-ASSOCIATE-RQ (see pdu.test.ts for the commented bytes).
const ECHOSCU_RQ = hex(`01 00 000000cd 0001 0000
  414e592d534350202020202020202020 4543484f534355202020202020202020
  0000000000000000000000000000000000000000000000000000000000000000
  10 00 0015 312e322e3834302e31303030382e332e312e312e31
  20 00 002e 01 00 ff 00
  30 00 0011 312e322e3834302e31303030382e312e31
  40 00 0011 312e322e3834302e31303030382e312e32
  50 00 003a 51 00 0004 00004000
  52 00 001b 312e322e3237362e302e373233303031302e332e302e332e362e37
  55 00 000f 4f464649535f44434d544b5f333637`);
const SEEDS = [
  ECHOSCU_RQ,
  hex('03 00 00000004 00 01 01 07'),
  hex('07 00 00000004 00 00 02 06'),
  hex('05 00 00000004 00000000'),
  hex('04 00 00000011 00000004 01 03 6162 00000005 01 00 78797a'),
];

/** Feeds bytes to a framer; returns how it ended: 'ok', or the PduError it reported. */
function frame(bytes: Buffer, max = 16384): 'ok' | PduError {
  let failure: PduError | null = null;
  const sink: FramerSink = {
    pdu: () => {},
    pdv: () => {},
    error: (e) => {
      failure ??= e;
    },
  };
  try {
    new PduFramer(sink, max).push(bytes);
  } catch (err) {
    assert.ok(err instanceof PduError, `framer threw a non-protocol error: ${String(err)}`);
    return err;
  }
  return failure ?? 'ok';
}

function mutate(seed: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(seed);
  const pick = Math.floor(rnd() * 4);
  if (pick === 0) return b.subarray(0, Math.floor(rnd() * b.length)); // truncation
  if (pick === 1) {
    // a length field (PDU or item) off by ±1/±N/0/0xFFFFFFFF
    const at = b.length > 6 ? 2 : 0;
    const deltas = [1, -1, 7, -7, 0x7fffffff];
    b.writeUInt32BE(rnd() < 0.3 ? 0xffffffff : rnd() < 0.5 ? 0 : (b.readUInt32BE(at) + deltas[Math.floor(rnd() * deltas.length)]!) >>> 0, at);
    return b;
  }
  const n = 1 + Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
  return b;
}

describe('fuzz regression: hand-made nasty PDUs', () => {
  test('a P-DATA-TF announcing 4 GiB is refused without allocating it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const r = frame(hex('04 00 ffffffff 00000004 01 03 6162'));
    assert.ok(r instanceof PduError);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20);
  });
  test('a control PDU announcing 4 GiB is refused', () => {
    assert.ok(frame(hex('01 00 ffffffff 0001 0000')) instanceof PduError);
  });
  test('a zero-length P-DATA-TF and PDV lengths 0, 1 and beyond the PDU are refused', () => {
    assert.ok(frame(hex('04 00 00000000')) instanceof PduError);
    assert.ok(frame(hex('04 00 00000006 00000000 0103')) instanceof PduError);
    assert.ok(frame(hex('04 00 00000006 00000001 0103')) instanceof PduError);
    assert.ok(frame(hex('04 00 0000000a 000000ff 01 03 61626364')) instanceof PduError);
  });
  test('a zero-length A-ASSOCIATE-RQ is refused', () => {
    assert.ok(frame(hex('01 00 00000000')) instanceof PduError);
  });
});

describe('fuzz regression: seeded mutations', () => {
  test('5,000 mutated PDUs: only PduError, decoder and framer alike', () => {
    const rnd = prng(6);
    for (let i = 0; i < 5000; i++) {
      const bytes = mutate(SEEDS[i % SEEDS.length]!, rnd);
      frame(bytes);
      try {
        decodePdu(bytes);
      } catch (err) {
        assert.ok(err instanceof PduError, `case ${i} (${bytes.toString('hex')}): ${String(err)}`);
      }
    }
  });
});

describe('fuzz regression: the structure-aware fuzzer (npm run fuzz) in small', () => {
  test('3,000 seeded cases through decoder, framer and command parser: no crash, and deep enough to mean something', async () => {
    const { mutatePdu, PDU_SEEDS, runCase } = await import('../../../../helpers/pdu-fuzz.js');
    const rnd = prng(20261122);
    let pdus = 0;
    let commandsAccepted = 0;
    for (let i = 0; i < 3000; i++) {
      const { kind, bytes } = mutatePdu(PDU_SEEDS[i % PDU_SEEDS.length]!, rnd);
      const o = runCase(bytes, rnd);
      assert.equal(o.crash, undefined, `case ${i} (${kind}, ${bytes.toString('hex').slice(0, 200)}): ${String(o.crash)}`);
      if (o.pduAccepted) pdus++;
      commandsAccepted += o.commandsAccepted;
    }
    // a fuzzer whose every case is refused at the first byte tests nothing
    assert.ok(pdus > 600 && commandsAccepted > 200, `${pdus} decoded PDUs, ${commandsAccepted} accepted command sets`);
  });

  test('every saved crash case (test/fixtures/fuzz-corpus) is now refused cleanly', async () => {
    const { readdirSync, readFileSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { runCase } = await import('../../../../helpers/pdu-fuzz.js');
    const dir = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'fuzz-corpus');
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bin')) : [];
    for (const f of files) assert.equal(runCase(readFileSync(join(dir, f)), () => 0.5).crash, undefined, f);
  });
});
