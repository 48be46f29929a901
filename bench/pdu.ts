// Benchmark: ingest by PDU size. DCMTK storescu sends the 300-image CT series over one association
// into storescp and into priors serve, each receiver announcing the same Maximum Length (16 KiB,
// 128 KiB, and Priors' default), round by round. Besides the wall time of the send, the
// receiver's own CPU time (user + system, from /proc) is read before and after each send: the
// cost per instance of the receive path, which the wall time of a shared machine blurs. A bare
// Node receiver (bare-receiver.ts) gives the runtime's own floor, with either way of reading.
//   node --import tsx bench/pdu.ts [--runs N] [--count N] [--sizes 16384,131072]
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../shared/config.js';
import { generateCtSeries } from '../test/helpers/data.js';
import { peerEnv } from '../test/helpers/peers.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { commandReceiver, type Receiver } from './ingest.js';

/** The files of received instances (not the index, its journal or other state). */
const isInstance = (name: string) => !name.startsWith('.') && !name.includes('.sqlite') && !name.endsWith('.json') && !name.endsWith('.lock');
import {
  argValue,
  countFiles,
  cpuSplit,
  flushFilesystem,
  fmt,
  interleave,
  markdownTable,
  median,
  numberArg,
  PRIORS_NODE,
  runAsScript,
  runTimed,
  warmPageCache,
} from './lib.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');

function storescp(pdu: number): Receiver {
  return { ...commandReceiver(`storescp -pdu ${pdu}`, (dir, port) => ['storescp', '-pdu', String(pdu), '-od', dir, String(port)]) };
}

/** The bare Node receiver (bench/bare-receiver.ts): what the runtime allows, with Node's default socket reads or the link's own. */
function bare(pdu: number, reads: 'default' | 'own'): Receiver {
  const script = join(import.meta.dirname, 'bare-receiver.ts');
  return {
    ...commandReceiver(`bare Node receiver, ${reads === 'own' ? 'own read buffer' : "Node's default reads"}`, (dir, port) => [
      ...PRIORS_NODE,
      '--import',
      'tsx',
      script,
      String(port),
      dir,
      String(pdu),
      reads,
    ]),
    filesDir: (dir) => join(dir, 'files'),
  };
}

function priors(pdu: number): Receiver {
  return {
    ...commandReceiver(
      `priors serve, maxPduLength ${pdu}`,
      (dir, port) => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'config.json'), JSON.stringify({ local: { aeTitle: 'PRIORS', port, bindAddress: '127.0.0.1', maxPduLength: pdu } }));
        return [...PRIORS_NODE, cli, 'serve', '--data', dir, '--port', String(port), '--aet', 'PRIORS'];
      },
      { aeTitle: 'PRIORS' },
    ),
    filesDir: (dir) => join(dir, 'files'),
  };
}

interface Run {
  ms: number;
  /** The send, then the flush of what is still to be written to disk. */
  onDiskMs: number;
  userMs: number;
  systemMs: number;
}

async function once(receiver: Receiver, files: string[], warmUp: string[]): Promise<Run> {
  const { dir, remove } = tempDirManual('priors-bench-pdu');
  const port = await freePort();
  const running = await receiver.start(dir, port);
  try {
    // a receiver that has been serving a while (past its start-up, most of its code compiled), as a workstation's is
    const warm = await runTimed('storescu', ['-aec', receiver.aeTitle ?? 'ANY-SCP', '127.0.0.1', String(port), ...warmUp], { env: peerEnv() });
    if (warm.code !== 0) throw new Error(`the warm-up storescu exited with ${warm.code}: ${warm.stderr.slice(-1000)}`);
    await flushFilesystem(dir);
    const before = cpuSplit(running.pid);
    const run = await runTimed('storescu', ['-aec', receiver.aeTitle ?? 'ANY-SCP', '127.0.0.1', String(port), ...files], { env: peerEnv() });
    if (run.code !== 0) throw new Error(`storescu exited with ${run.code}: ${run.stderr.slice(-1000)}`);
    const after = cpuSplit(running.pid);
    const onDiskMs = run.ms + (await flushFilesystem(dir));
    const received = countFiles(receiver.filesDir ? receiver.filesDir(dir) : dir, isInstance) - warmUp.length;
    if (received !== files.length) throw new Error(`received ${received} of ${files.length}`);
    return { ms: run.ms, onDiskMs, userMs: after.userMs - before.userMs, systemMs: after.systemMs - before.systemMs };
  } finally {
    await running.stop();
    remove();
  }
}

export async function runPduBenchmark(
  o: { runs?: number; count?: number; sizes?: number[]; log?: (line: string) => void } = {},
): Promise<{ markdown: string; failed: boolean }> {
  const sizes = o.sizes ?? [...new Set([16384, 131072, defaultConfig().local.maxPduLength])];
  const series = await generateCtSeries({ count: o.count ?? 300, patientName: 'BENCH^PDU', patientId: 'BENCHPDU' });
  const bytes = series.files.reduce((sum, f) => sum + statSync(f).size, 0);
  const warmUp = (await generateCtSeries({ count: 100, patientName: 'BENCH^WARM', patientId: 'BENCHWARM', seed: 5 })).files;
  warmPageCache([...series.files, ...warmUp]);
  // per size: the reference first, then the others compared with it
  const perSize = (pdu: number) => [storescp(pdu), bare(pdu, 'default'), bare(pdu, 'own'), priors(pdu)];
  const group = perSize(0).length;
  const receivers = sizes.flatMap(perSize);
  o.log?.(`pdu: ${receivers.map((r) => r.name).join(', ')}; ${o.runs ?? 3} rounds`);
  const outcomes = await interleave(
    receivers.map((r) => () => once(r, series.files, warmUp)),
    o.runs ?? 3,
  );
  let failed = false;
  const rows: string[][] = [];
  const medianOf = (runs: Run[], value: (r: Run) => number) => (runs.length ? median(runs.map(value)) : NaN);
  for (const [i, pdu] of sizes.entries()) {
    const ref = outcomes[group * i]!;
    const refMs = medianOf(ref.runs, (r) => r.ms);
    const refOnDiskMs = medianOf(ref.runs, (r) => r.onDiskMs);
    for (const [k, out] of outcomes.slice(group * i, group * (i + 1)).entries()) {
      const name = receivers[group * i + k]!.name;
      if (out.error !== undefined) failed = true;
      if (out.runs.length === 0) {
        rows.push([name, String(pdu), ...Array<string>(8).fill('—'), `failed: ${out.error ?? '?'}`]);
        continue;
      }
      const ms = medianOf(out.runs, (r) => r.ms);
      const onDiskMs = medianOf(out.runs, (r) => r.onDiskMs);
      const perInstance = (v: number) => fmt((v * 1000) / series.files.length, 0);
      rows.push([
        name,
        String(pdu),
        fmt(ms / 1000, 2),
        fmt(bytes / 1e6 / (ms / 1000), 1),
        fmt(onDiskMs / 1000, 2),
        perInstance(medianOf(out.runs, (r) => r.userMs + r.systemMs)),
        perInstance(medianOf(out.runs, (r) => r.userMs)),
        perInstance(medianOf(out.runs, (r) => r.systemMs)),
        k === 0 ? '—' : `${fmt(refMs / ms, 2)}×`,
        k === 0 ? '—' : `${fmt(refOnDiskMs / onDiskMs, 2)}×`,
        out.error ? `after ${out.runs.length} runs: ${out.error}` : `${out.runs.length} runs`,
      ]);
    }
  }
  const markdown = [
    `### Ingest by maximum PDU length: ${series.files.length} CT images (${fmt(bytes / 1e6, 1)} MB) by storescu over one association`,
    '',
    `Median of ${o.runs ?? 3} rounds, the receivers alternating, each warmed by 100 other images first. The receivers of a size all announce it as their Maximum Length; storescu sends PDUs of that size. "CPU µs/instance" is the receiver's own CPU time during the send, divided by the instances: in user space (its own code, and for Priors also V8's collector and compiler threads) and in the kernel (system calls: the socket and the files, and for Priors the group flush of received files to disk, which storescp does not do). Priors' default is ${defaultConfig().local.maxPduLength}. "On disk" adds to the send the flush of the receiver's filesystem (\`sync -f\`, after one before the send): until what was acknowledged would survive a power cut. storescp and the bare receiver leave all of it to that flush; Priors has flushed all but its last group by then. The bare Node receiver (bench/bare-receiver.ts) only writes each data set to a file and answers (no File Meta, no checks, no index): what Node itself allows here, read Node's default way (a new 64 KiB buffer per read, through the socket's Readable) and read into one buffer of its own as Priors' link does.`,
    '',
    markdownTable(
      ['Receiver', 'max PDU', 'time (s)', 'MB/s', 'on disk (s)', 'CPU µs/instance', 'user', 'system', 'vs storescp', 'vs storescp, on disk', 'note'],
      rows,
      ['l', ...Array<'r'>(9).fill('r'), 'l'],
    ),
  ].join('\n');
  return { markdown, failed };
}

runAsScript(import.meta.url, 'pdu', (argv) =>
  runPduBenchmark({
    runs: numberArg(argv, 'runs', 3),
    count: numberArg(argv, 'count', 300),
    ...(argValue(argv, 'sizes') ? { sizes: argValue(argv, 'sizes')!.split(',').map(Number) } : {}),
    log: (l) => console.error(l),
  }),
);
