// Paired ingest comparison: storescu sends the same 300-image CT series (or 2,000 tiny instances)
// to each receiver in turn, round after round, so that a slow moment of the machine falls on all
// of them alike. For each: instances/s, the ratio to storescp in the same rounds, and the CPU the
// receiver spent per instance (user + system, all its threads, from /proc).
//   node --import tsx bench/ab.ts [--rounds N] [--tiny] [--baseline <checkout>] [--drain]
// --baseline: also a `priors serve` from another checkout (its bin/priors.js, built), e.g. a git
// worktree of an earlier commit; --drain: also bench/drain-scp.ts (receives, stores nothing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateCtSeries } from '../test/helpers/data.js';
import { echo, peerEnv } from '../test/helpers/peers.js';
import { commandReceiver, storescpReceiver, type Receiver } from './ingest.js';
import { fmt, median, PRIORS_NODE, runTimed } from './lib.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';

/** CPU time of a process so far (user + system, every thread), in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

function priorsAt(name: string, checkout: string): Receiver {
  return commandReceiver(name, (dir, port) =>
    [...PRIORS_NODE, join(checkout, 'bin', 'priors.js'), 'serve', '--aet', 'PRIORS', '--port', String(port), '--bind', '127.0.0.1', '--data', dir], { aeTitle: 'PRIORS' });
}

async function main(argv: string[]): Promise<void> {
  const value = (flag: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const rounds = Number(value('--rounds') ?? 5);
  const tiny = argv.includes('--tiny');
  const receivers: Receiver[] = [storescpReceiver, priorsAt('priors serve', join(import.meta.dirname, '..'))];
  const baseline = value('--baseline');
  if (baseline) receivers.push(priorsAt('priors serve, baseline', baseline));
  if (argv.includes('--drain')) {
    receivers.push(commandReceiver('drain-only SCP', (_dir, port) => [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'drain-scp.ts'), String(port)], { aeTitle: 'PRIORS' }));
  }
  const series = await generateCtSeries(tiny
    ? { count: 2000, mode: 'tiny', patientName: 'BENCH^AB', patientId: 'BENCHAB' }
    : { count: 300, patientName: 'BENCH^AB', patientId: 'BENCHAB' });
  for (const f of series.files) readFileSync(f);
  const n = series.files.length;
  const runs = new Map<string, { ms: number; cpuMs: number }[]>();
  for (let r = 0; r < rounds; r++) {
    for (const receiver of receivers) {
      const { dir, remove } = tempDirManual('priors-bench-ab');
      const port = await freePort();
      const running = await receiver.start(dir, port);
      try {
        const ae = receiver.aeTitle ?? 'ANY-SCP';
        await echo({ aeTitle: ae, host: '127.0.0.1', port });
        const before = cpuMs(running.pid);
        const run = await runTimed('storescu', ['-aec', ae, '127.0.0.1', String(port), ...series.files], { env: peerEnv() });
        if (run.code !== 0) throw new Error(`storescu into ${receiver.name} exited with ${run.code}: ${run.stderr.slice(-1000)}`);
        const list = runs.get(receiver.name) ?? [];
        list.push({ ms: run.ms, cpuMs: cpuMs(running.pid) - before });
        runs.set(receiver.name, list);
      } finally {
        await running.stop();
        remove();
      }
    }
  }
  const reference = median(runs.get(storescpReceiver.name)!.map((x) => x.ms));
  console.log(`${n} ${tiny ? 'tiny instances' : 'CT images 512×512'}, ${rounds} rounds, medians; storescu with TCP_NODELAY=1`);
  for (const [name, list] of runs) {
    const ms = median(list.map((x) => x.ms));
    console.log(`${name.padEnd(24)} ${fmt(n / (ms / 1000), 0).padStart(6)}/s  ${fmt(reference / ms, 2)}× storescp  ` +
      `CPU ${fmt(median(list.map((x) => x.cpuMs)) / n * 1000, 0)} µs/instance  [${list.map((x) => fmt(x.ms, 0)).join(' ')} ms]`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
