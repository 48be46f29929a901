/**
 * `npm run fuzz`: the long run of the structure-aware PDU/DIMSE fuzzer (test/helpers/pdu-fuzz.ts),
 * kept out of `npm test`. Bounded in cases and in time; a case that crashes a parser (an error
 * that is not the parser's own refusal) is saved to test/fixtures/fuzz-corpus/, which the
 * normal test run replays.
 *   npm run fuzz [-- --cases N (default 200000)] [-- --seed S] [-- --minutes M (default 10)]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutatePdu, PDU_SEEDS, runCase } from '../test/helpers/pdu-fuzz.js';
import { prng } from '../shared/prng.js';

const CORPUS = join(import.meta.dirname, '..', 'test', 'fixtures', 'fuzz-corpus');

function arg(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
}

function main(argv: string[]): void {
  const cases = arg(argv, '--cases', 200_000);
  const seed = arg(argv, '--seed', Date.now() % 2 ** 31);
  const deadline = Date.now() + arg(argv, '--minutes', 10) * 60_000;
  const rnd = prng(seed);
  const kinds = new Map<string, number>();
  const crashes: { kind: string; file: string; message: string }[] = [];
  const reached = { pdus: 0, commands: 0, commandsAccepted: 0 };
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapMax = heapBefore;
  const started = process.hrtime.bigint();
  let done = 0;
  for (; done < cases && Date.now() < deadline; done++) {
    const { kind, bytes } = mutatePdu(PDU_SEEDS[Math.floor(rnd() * PDU_SEEDS.length)]!, rnd);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const outcome = runCase(bytes, rnd);
    if (outcome.pduAccepted) reached.pdus++;
    reached.commands += outcome.commands;
    reached.commandsAccepted += outcome.commandsAccepted;
    const { crash } = outcome;
    if (crash) {
      mkdirSync(CORPUS, { recursive: true });
      const file = `${kind}-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`;
      writeFileSync(join(CORPUS, file), bytes);
      crashes.push({ kind, file, message: `${crash.name}: ${crash.message}` });
    }
    if (done % 10_000 === 0) heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  console.log(
    `fuzz: ${done.toLocaleString('en')} cases (seed ${seed}) in ${seconds.toFixed(1)} s, ${((seconds * 1e6) / Math.max(1, done)).toFixed(1)} µs per case`,
  );
  console.log(
    `fuzz: by mutation: ${[...kinds]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `fuzz: depth: ${reached.pdus.toLocaleString('en')} cases decoded as a PDU, ${reached.commands.toLocaleString('en')} command sets reached the command parser, ${reached.commandsAccepted.toLocaleString('en')} accepted by it`,
  );
  console.log(`fuzz: heap ${(heapBefore / 1e6).toFixed(1)} MB before, ${(heapMax / 1e6).toFixed(1)} MB at most, ${(heapAfter / 1e6).toFixed(1)} MB after`);
  console.log(`fuzz: crashes: ${crashes.length}`);
  for (const c of crashes.slice(0, 20)) console.log(`  ${c.file}: ${c.message}`);
  if (crashes.length) process.exitCode = 1;
}

main(process.argv.slice(2));
