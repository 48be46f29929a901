// Benchmark: start-up, from spawning the SCP to its first C-ECHO answer (polled every 5 ms with
// Priors' in-process SCU), for `priors serve` on an empty cache and on a 100,000-instance cache,
// beside DCMTK storescp and Orthanc (empty).
//   node --import tsx bench/startup.ts [--runs N] [--studies N]
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';
import { echo } from '../electron/dimse/scu/index.js';
import { Cache } from '../electron/cache/index.js';
import { syntheticRecords } from '../electron/cache/synthetic.js';
import { orthancConfig, peerEnv } from '../test/helpers/peers.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { fmt, markdownTable, median, PRIORS_NODE, readMemory } from './lib.js';
import { sizesFor } from './query.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');

interface Candidate {
  name: string;
  aeTitle: string;
  /** Prepares a data directory (not timed) and returns the command line for a port. */
  prepare(dir: string): Promise<(port: number) => string[]>;
}

async function timeToEcho(argv: string[], aeTitle: string, port: number): Promise<{ ms: number; rssKb: number }> {
  const started = process.hrtime.bigint();
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { env: peerEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-2000);
  });
  let exited = false;
  const exit = new Promise<void>((done) =>
    child.once('close', () => {
      exited = true;
      done();
    }),
  );
  try {
    const deadline = Date.now() + 120_000;
    while (true) {
      try {
        await echo({ aeTitle, host: '127.0.0.1', port }, { callingAeTitle: 'BENCHSCU', timeouts: { connectMs: 1000 } });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        return { ms, rssKb: readMemory(child.pid!)?.rssKb ?? NaN };
      } catch (err) {
        if (exited || Date.now() > deadline) throw new Error(`${argv.join(' ')} did not answer C-ECHO: ${(err as Error).message}; ${stderr}`, { cause: err });
        await sleep(5);
      }
    }
  } finally {
    if (!exited && child.pid)
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    await exit;
  }
}

function priorsCandidate(name: string, studies: number): Candidate {
  return {
    name,
    aeTitle: 'PRIORS',
    async prepare(dir) {
      const cache = await Cache.open(dir);
      if (studies > 0)
        cache.repository.transaction(() => {
          for (const r of syntheticRecords(sizesFor(studies))) cache.repository.index(r);
        });
      await cache.close();
      return (port) => [...PRIORS_NODE, cli, 'serve', '--aet', 'PRIORS', '--port', String(port), '--bind', '127.0.0.1', '--data', dir];
    },
  };
}

const storescp: Candidate = {
  name: 'DCMTK storescp',
  aeTitle: 'STORESCP',
  async prepare(dir) {
    return (port) => ['storescp', '-aet', 'STORESCP', '-od', dir, String(port)];
  },
};

const orthanc: Candidate = {
  name: 'Orthanc (empty)',
  aeTitle: 'ORTHANC',
  async prepare(dir) {
    const httpPort = await freePort();
    return (port) => {
      const path = join(dir, 'config.json');
      writeFileSync(path, JSON.stringify(orthancConfig({ aeTitle: 'ORTHANC', dicomPort: port, httpPort, dir, modalities: {}, allowUnknownCallers: true })));
      return [process.env.ORTHANC ?? '/usr/sbin/Orthanc', path];
    };
  },
};

/** The start-up section of docs/benchmarks.md. */
export async function runStartupBenchmark(options: {
  runs: number;
  studies: number;
  log?: (l: string) => void;
}): Promise<{ markdown: string; failed: boolean; peakKb: number }> {
  const candidates = [
    storescp,
    orthanc,
    priorsCandidate('priors serve, empty cache', 0),
    priorsCandidate(`priors serve, ${(options.studies * 10).toLocaleString('en')}-instance cache`, options.studies),
  ];
  const rows: (string | number)[][] = [];
  let failed = false;
  let peakKb = 0;
  for (const c of candidates) {
    options.log?.(`startup: ${c.name}`);
    const { dir, remove } = tempDirManual('priors-bench-startup');
    try {
      const argvFor = await c.prepare(dir);
      const runs: { ms: number; rssKb: number }[] = [];
      for (let i = 0; i < options.runs; i++) {
        const port = await freePort();
        runs.push(await timeToEcho(argvFor(port), c.aeTitle, port));
      }
      if (c.name.startsWith('priors')) peakKb = Math.max(peakKb, ...runs.map((r) => r.rssKb));
      rows.push([c.name, fmt(median(runs.map((r) => r.ms)), 0), fmt(median(runs.map((r) => r.rssKb)) / 1024, 1)]);
    } catch (err) {
      failed = true;
      rows.push([c.name, `failed: ${(err as Error).message.slice(0, 200)}`, '—']);
    } finally {
      remove();
    }
  }
  const markdown = [
    '### Start-up: from spawn to the first C-ECHO answer',
    '',
    `Median of ${options.runs} runs; RSS when the first C-ECHO is answered.`,
    '',
    markdownTable(['SCP', 'time to C-ECHO (ms)', 'RSS (MB)'], rows),
    '',
  ].join('\n');
  return { markdown, failed, peakKb };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const { markdown, failed } = await runStartupBenchmark({ runs: arg('--runs') ?? 5, studies: arg('--studies') ?? 10000, log: (l) => console.error(l) });
  console.log(markdown);
  if (failed) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`bench/startup: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
