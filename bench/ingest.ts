// Benchmark: ingest of a 300-image CT series (512x512, 16 bits allocated, ~150 MB) sent by DCMTK
// storescu over ONE association into a receiver writing to disk. Reference receiver: DCMTK
// storescp (default options). Other receivers (e.g. `priors serve`) are added as rows and
// compared with storescp. Run: node --import tsx bench/ingest.ts [--runs N] [--count N]
//   [--receiver "priors serve=node bin/priors.js serve --port {port} --dir {dir}"]...
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { generateCtSeries, type CtSeriesOptions } from '../test/helpers/data.js';
import { echo, peerEnv, startOrthanc, startStorescp } from '../test/helpers/peers.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { countFiles, flushFilesystem, fmt, interleave, markdownTable, median, readMemory, runTimed, warmPageCache } from './lib.js';

/** A running receiver: its PID (for memory) and how to stop it. */
export interface RunningReceiver {
  pid: number;
  stop(): Promise<void>;
}

/** A C-STORE SCP under test. `start` must resolve once it listens on 127.0.0.1:port. */
export interface Receiver {
  name: string;
  /** Called AE title storescu uses (default 'ANY-SCP'). */
  aeTitle?: string;
  start(dir: string, port: number): Promise<RunningReceiver>;
  /** Where the received instance files land under dir (default: dir itself). */
  filesDir?(dir: string): string;
  /** Files `start` has already put there (a warm-up), not counted as received. */
  preloaded?: number;
}

/**
 * The same receiver, warmed up: once started, it first receives `files` (another series) by
 * storescu, so that the run measures a process that has been serving for a while (past its
 * start-up, most of its code compiled by the JIT) rather than one just started.
 */
export function warmedReceiver(receiver: Receiver, files: string[]): Receiver {
  return {
    ...receiver,
    name: `${receiver.name}, warm`,
    preloaded: files.length,
    async start(dir, port) {
      const running = await receiver.start(dir, port);
      const run = await runTimed('storescu', ['-aec', receiver.aeTitle ?? 'ANY-SCP', '127.0.0.1', String(port), ...files], { env: peerEnv() });
      if (run.code !== 0) {
        await running.stop();
        throw new Error(`the warm-up storescu exited with ${run.code}: ${run.stderr.slice(-2000)}`);
      }
      return running;
    },
  };
}

/** DCMTK storescp with its default options (no +B), writing each instance to dir. */
export const storescpReceiver: Receiver = {
  name: 'DCMTK storescp',
  aeTitle: 'STORESCP',
  async start(dir, port) {
    const peer = await startStorescp({ aeTitle: 'STORESCP', dir, port, acceptAll: false, autoStop: false });
    return { pid: peer.pid, stop: peer.stop };
  },
};

/** Orthanc 1.10 with its default SQLite index, storing what it receives under <dir>/storage. */
export const orthancReceiver: Receiver = {
  name: 'Orthanc',
  aeTitle: 'ORTHANC',
  async start(dir, port) {
    const peer = await startOrthanc({ dir, dicomPort: port, autoStop: false });
    return { pid: peer.pid, stop: peer.stop };
  },
  filesDir: (dir) => join(dir, 'storage'),
};

/**
 * A receiver started from a command line: `argv(dir, port)` gives the program and its
 * arguments; ready when it answers C-ECHO (within readyTimeoutMs, default 20 s); stopped with
 * SIGTERM, then SIGKILL after 5 s, by PID. E.g. for the Priors CLI:
 * `commandReceiver('priors serve', (dir, port) => ['node', 'bin/priors.js', 'serve', '--port', String(port), '--dir', dir])`.
 */
export function commandReceiver(
  name: string,
  argv: (dir: string, port: number) => string[],
  options: { aeTitle?: string; readyTimeoutMs?: number } = {},
): Receiver {
  const aeTitle = options.aeTitle ?? 'ANY-SCP';
  return {
    name,
    aeTitle,
    async start(dir, port) {
      const [command, ...args] = argv(dir, port);
      if (!command) throw new Error(`${name}: empty command line`);
      const child = spawn(command, args, { env: peerEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr = (stderr + c.toString('utf8')).slice(-4000);
      });
      let exited = false;
      const exit = new Promise<void>((done) =>
        child.once('close', () => {
          exited = true;
          done();
        }),
      );
      child.once('error', (err) => {
        stderr += err.message;
      });
      const stop = async () => {
        if (exited || !child.pid) return;
        try {
          process.kill(child.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        const timer = setTimeout(() => {
          try {
            process.kill(child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 5000);
        await exit;
        clearTimeout(timer);
      };
      const deadline = Date.now() + (options.readyTimeoutMs ?? 20000);
      while (true) {
        try {
          await echo({ aeTitle, host: '127.0.0.1', port });
          return { pid: child.pid!, stop };
        } catch (err) {
          if (exited || Date.now() > deadline) {
            await stop();
            throw new Error(`${name} did not answer C-ECHO on port ${port}: ${exited ? 'it exited' : 'timeout'}; stderr: ${stderr}`, { cause: err });
          }
          await sleep(100);
        }
      }
    },
  };
}

/** Parses --receiver "name=program arg ..." with {dir} and {port} placeholders (split on spaces, no shell). */
export function parseReceiverArg(spec: string): Receiver {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`--receiver takes "name=command line", got: ${spec}`);
  const words = spec
    .slice(eq + 1)
    .trim()
    .split(/\s+/);
  return commandReceiver(spec.slice(0, eq).trim(), (dir, port) => words.map((w) => w.replaceAll('{dir}', dir).replaceAll('{port}', String(port))));
}

/** One row of the result. */
export interface IngestResult {
  name: string;
  instances: number;
  bytes: number;
  runs: IngestRun[];
  error?: string;
}

/** One send: its time, and until what was received is on disk (the send, then a flush of the filesystem). */
export interface IngestRun {
  ms: number;
  onDiskMs: number;
  peakKb: number;
  received: number;
}

async function runOnce(receiver: Receiver, files: string[]): Promise<IngestRun> {
  const { dir, remove } = tempDirManual('priors-bench-ingest');
  const port = await freePort();
  const running = await receiver.start(dir, port);
  try {
    const aeTitle = receiver.aeTitle ?? 'ANY-SCP';
    await echo({ aeTitle, host: '127.0.0.1', port });
    await flushFilesystem(dir);
    const run = await runTimed('storescu', ['-aec', aeTitle, '127.0.0.1', String(port), ...files], { env: peerEnv() });
    if (run.code !== 0) throw new Error(`storescu exited with ${run.code}: ${run.stderr.slice(-2000)}`);
    const onDiskMs = run.ms + (await flushFilesystem(dir));
    const peakKb = readMemory(running.pid)?.hwmKb ?? NaN; // VmHWM: the receiver's peak RSS so far
    return { ms: run.ms, onDiskMs, peakKb, received: countFiles(receiver.filesDir ? receiver.filesDir(dir) : dir) - (receiver.preloaded ?? 0) };
  } finally {
    await running.stop();
    remove();
  }
}

/** Runs every receiver `runs` times (default 3) on the same series, round by round (see {@link interleave}). */
export async function runIngestBenchmark(
  receivers: Receiver[],
  options: { runs?: number; count?: number; series?: CtSeriesOptions } = {},
): Promise<{ results: IngestResult[]; table: string }> {
  const series = await generateCtSeries({ count: options.count ?? 300, patientName: 'BENCH^INGEST', patientId: 'BENCH01', ...options.series });
  const bytes = series.files.reduce((sum, f) => sum + statSync(f).size, 0);
  warmPageCache(series.files); // so that run 1 is not a disk benchmark
  const outcomes = await interleave(
    receivers.map((receiver) => async () => {
      const run = await runOnce(receiver, series.files);
      if (run.received !== series.files.length) throw new Error(`received ${run.received} of ${series.files.length} files`);
      return run;
    }),
    options.runs ?? 3,
  );
  const results = receivers.map((receiver, k): IngestResult => ({
    name: receiver.name,
    instances: series.files.length,
    bytes,
    runs: outcomes[k]!.runs,
    ...(outcomes[k]!.error !== undefined ? { error: outcomes[k]!.error } : {}),
  }));
  return { results, table: formatTable(results) };
}

/**
 * The Markdown table: medians of the runs, and speed relative to the first (reference) row, for
 * the send and until what was received is on disk.
 */
export function formatTable(results: IngestResult[]): string {
  const medianOf = (r: IngestResult | undefined, key: 'ms' | 'onDiskMs') => (r?.runs.length ? median(r.runs.map((x) => x[key])) : NaN);
  const reference = medianOf(results[0], 'ms');
  const referenceOnDisk = medianOf(results[0], 'onDiskMs');
  const rows = results.map((r) => {
    if (r.runs.length === 0) return [r.name, ...Array<string>(7).fill('—'), `failed: ${r.error ?? '?'}`];
    const ms = medianOf(r, 'ms');
    const onDiskMs = medianOf(r, 'onDiskMs');
    return [
      r.name,
      fmt(r.instances / (ms / 1000), 0),
      fmt(r.bytes / 1e6 / (ms / 1000), 1),
      fmt(ms / 1000, 2),
      fmt(onDiskMs / 1000, 2),
      fmt(median(r.runs.map((x) => x.peakKb)) / 1024, 1),
      `${fmt(reference / ms, 2)}×`,
      `${fmt(referenceOnDisk / onDiskMs, 2)}×`,
      r.error ? `after ${r.runs.length} runs: ${r.error}` : `${r.runs.length} runs`,
    ];
  });
  return markdownTable(['Receiver', 'instances/s', 'MB/s', 'time (s)', 'on disk (s)', 'peak RSS (MB)', 'vs storescp', 'vs storescp, on disk', 'note'], rows, [
    'l',
    ...Array<'r'>(7).fill('r'),
    'l',
  ]);
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const runs = arg('--runs') ?? 3;
  const count = arg('--count') ?? 300;
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(count) || count < 1) throw new Error('--runs and --count take positive integers');
  const extra = argv.flatMap((a, i) => (a === '--receiver' && argv[i + 1] ? [parseReceiverArg(argv[i + 1]!)] : []));
  const { results, table } = await runIngestBenchmark([storescpReceiver, ...extra], { runs, count });
  const first = results[0]!;
  console.log(`## Ingest: ${first.instances} CT images (${fmt(first.bytes / 1e6, 1)} MB) via storescu, one association\n`);
  console.log(
    `Median of ${runs} runs; MB = 10^6 bytes; peak RSS = receiver VmHWM; TCP_NODELAY=1; ` + `Node ${process.version}, ${availableParallelism()} CPUs.\n`,
  );
  console.log(table);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`bench/ingest: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
