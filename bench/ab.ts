// Paired comparisons: each round runs every contender in turn, so that a slow moment of the
// machine falls on all of them alike.
// Ingest (default): storescu sends the same 300-image CT series (or 2,000 tiny instances) to each
// receiver; for each: instances/s, the ratio to storescp in the same rounds, and the CPU the
// receiver spent per instance (user + system, all its threads, from /proc).
// --send: `priors send` of the 300 images into one storescp against storescu, and the start of
// a command (`priors ls` of an empty cache), for this checkout and the baseline.
//   node --import tsx bench/ab.ts [--rounds N] [--tiny | --send] [--baseline <checkout>] [--drain] [--warm | --again]
// --baseline: also a `priors serve` from another checkout (its bin/priors.js, built), e.g. a git
// worktree of an earlier commit; --drain: also bench/drain-scp.ts (receives, stores nothing);
// --warm: each receiver first takes another series of the same shape, untimed (steady state);
// --again: it first takes the same series, so the timed one replaces instances it holds.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateCtSeries } from '../test/helpers/data.js';
import { echo, peerEnv, startStorescp } from '../test/helpers/peers.js';
import { commandReceiver, storescpReceiver, type Receiver } from './ingest.js';
import { cpuMs, fmt, median, PRIORS_NODE, runTimed, warmPageCache } from './lib.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';

function priorsAt(name: string, checkout: string): Receiver {
  return commandReceiver(
    name,
    (dir, port) => [
      ...PRIORS_NODE,
      join(checkout, 'bin', 'priors.js'),
      'serve',
      '--aet',
      'PRIORS',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--data',
      dir,
    ],
    { aeTitle: 'PRIORS' },
  );
}

/** `priors send` and a command's start, this checkout and the baseline's, against storescu. */
async function sendRounds(rounds: number, baseline: string | undefined): Promise<void> {
  const series = await generateCtSeries({ count: 300, patientName: 'BENCH^AB', patientId: 'BENCHAB' });
  warmPageCache(series.files);
  const checkouts: [string, string][] = [['this checkout', join(import.meta.dirname, '..')]];
  if (baseline) checkouts.push(['baseline', baseline]);
  const times = new Map<string, number[]>();
  const add = (name: string, ms: number) => times.set(name, [...(times.get(name) ?? []), ms]);
  const received = tempDirManual('priors-bench-ab-send');
  const scp = await startStorescp({ aeTitle: 'STORESCP', dir: received.dir, autoStop: false, acceptAll: true });
  const clear = () => {
    received.remove();
    mkdirSync(received.dir, { recursive: true });
  };
  try {
    for (let r = 0; r < rounds; r++) {
      clear();
      const ref = await runTimed('storescu', ['-aec', 'STORESCP', '127.0.0.1', String(scp.port), ...series.files], { env: peerEnv() });
      if (ref.code !== 0) throw new Error(`storescu exited with ${ref.code}: ${ref.stderr.slice(-1000)}`);
      add('storescu', ref.ms);
      for (const [name, checkout] of checkouts) {
        clear();
        const data = tempDirManual('priors-bench-ab-data');
        try {
          const cli = join(checkout, 'bin', 'priors.js');
          const send = await runTimed(
            PRIORS_NODE[0]!,
            [...PRIORS_NODE.slice(1), cli, 'send', `STORESCP@127.0.0.1:${scp.port}`, ...series.files, '--data', data.dir],
            { env: peerEnv() },
          );
          if (send.code !== 0) throw new Error(`priors send (${name}) exited with ${send.code}: ${send.stderr.slice(-1000)}`);
          add(`priors send, ${name}`, send.ms);
          const ls = await runTimed(PRIORS_NODE[0]!, [...PRIORS_NODE.slice(1), cli, 'ls', '--data', data.dir], { env: peerEnv() });
          if (ls.code !== 0) throw new Error(`priors ls (${name}) exited with ${ls.code}: ${ls.stderr.slice(-1000)}`);
          add(`priors ls, ${name}`, ls.ms);
        } finally {
          data.remove();
        }
      }
    }
  } finally {
    await scp.stop();
    received.remove();
  }
  const reference = median(times.get('storescu')!);
  console.log(`send: 300 CT images 512×512 into one storescp, ${rounds} rounds, medians; storescu with TCP_NODELAY=1`);
  for (const [name, list] of times) {
    const ms = median(list);
    const ratio = name.startsWith('priors ls') ? '' : `  ${fmt(reference / ms, 2)}× storescu`;
    console.log(`${name.padEnd(32)} ${fmt(ms, 0).padStart(5)} ms${ratio}  [${list.map((x) => fmt(x, 0)).join(' ')} ms]`);
  }
}

async function main(argv: string[]): Promise<void> {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const rounds = Number(value('--rounds') ?? 5);
  if (argv.includes('--send')) return sendRounds(rounds, value('--baseline'));
  const tiny = argv.includes('--tiny');
  const receivers: Receiver[] = [storescpReceiver, priorsAt('priors serve', join(import.meta.dirname, '..'))];
  const baseline = value('--baseline');
  if (baseline) receivers.push(priorsAt('priors serve, baseline', baseline));
  if (argv.includes('--drain')) {
    receivers.push(
      commandReceiver('drain-only SCP', (_dir, port) => [...PRIORS_NODE, '--import', 'tsx', join(import.meta.dirname, 'drain-scp.ts'), String(port)], {
        aeTitle: 'PRIORS',
      }),
    );
  }
  const seriesOf = (patientName: string, patientId: string) =>
    generateCtSeries({
      ...(tiny ? { count: 2000, mode: 'tiny' as const } : { count: 300 }),
      patientName,
      patientId,
    });
  const series = await seriesOf('BENCH^AB', 'BENCHAB');
  warmPageCache(series.files);
  // --warm: another series of the same shape first, untimed, so that the timed one measures a
  // receiver in its steady state (code compiled, caches filled) rather than its first minute
  // --again: the same series first, so that the timed send brings instances the receiver holds
  // already (a study retrieved once more)
  const warm = argv.includes('--again') ? series : argv.includes('--warm') ? await seriesOf('BENCH^WARM', 'BENCHWARM') : undefined;
  if (warm && warm !== series) warmPageCache(warm.files);
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
        if (warm) {
          const w = await runTimed('storescu', ['-aec', ae, '127.0.0.1', String(port), ...warm.files], { env: peerEnv() });
          if (w.code !== 0) throw new Error(`storescu (warm-up) into ${receiver.name} exited with ${w.code}: ${w.stderr.slice(-1000)}`);
        }
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
  console.log(
    `${n} ${tiny ? 'tiny instances' : 'CT images 512×512'}, ${rounds} rounds, medians; storescu with TCP_NODELAY=1` +
      (warm === series
        ? '; each receiver holds these instances already (sent once before, untimed)'
        : warm
          ? `; each receiver warmed by ${warm.files.length} other instances first`
          : ''),
  );
  for (const [name, list] of runs) {
    const ms = median(list.map((x) => x.ms));
    console.log(
      `${name.padEnd(24)} ${fmt(n / (ms / 1000), 0).padStart(6)}/s  ${fmt(reference / ms, 2)}× storescp  ` +
        `CPU ${fmt((median(list.map((x) => x.cpuMs)) / n) * 1000, 0)} µs/instance  [${list.map((x) => fmt(x.ms, 0)).join(' ')} ms]`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
