// Benchmark toolkit: run a command and time it, sample a process's memory from /proc,
// summary statistics, and a Markdown table writer. Linux only (reads /proc/<pid>/status).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** How the `priors` command runs (the flags of bin/priors.js's shebang and of the npm scripts). */
export const PRIORS_NODE = [process.execPath, '--max-semi-space-size=2'];

/** Reads the files once, so that the timed runs read them from the page cache, not the disk. */
export function warmPageCache(files: readonly string[]): void {
  for (const f of files) readFileSync(f);
}

/** Memory of a process from /proc/<pid>/status, in KiB; undefined once it is gone. */
export function readMemory(pid: number): { rssKb: number; hwmKb: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/**
 * Samples a process's memory every intervalMs (default 50). `stop()` takes a last sample and
 * returns the peak: VmHWM (the kernel's own high-water mark) when it could be read, else the
 * largest VmRSS seen. Read it before the process exits for an exact figure. The RSS of its
 * children (e.g. dcmqrscp's forks) is not included.
 */
export function sampleMemory(pid: number, intervalMs = 50): { stop(): { peakKb: number; samples: number } } {
  let peakKb = 0;
  let samples = 0;
  const take = () => {
    const m = readMemory(pid);
    if (!m) return;
    samples++;
    peakKb = Math.max(peakKb, Number.isFinite(m.hwmKb) ? m.hwmKb : 0, Number.isFinite(m.rssKb) ? m.rssKb : 0);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      take();
      clearInterval(timer);
      return { peakKb, samples };
    },
  };
}

/** Outcome of one timed command. */
export interface TimedRun {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
  /** Peak RSS of the command itself (polled VmHWM), KiB. */
  peakKb: number;
}

/**
 * Writes the dirty pages of the filesystem holding `dir` to disk (`sync -f`, syncfs(2)); its time
 * in ms. Before a send it leaves nothing of earlier runs to write; after it, the time it takes is
 * what a receiver that does not flush (storescp, Orthanc) leaves to do before what it
 * acknowledged would survive a power cut, and what Priors' group flush has not done yet.
 */
export async function flushFilesystem(dir: string): Promise<number> {
  const run = await runTimed('sync', ['-f', dir]);
  if (run.code !== 0) throw new Error(`sync -f ${dir} exited with ${run.code}: ${run.stderr.trim()}`);
  return run.ms;
}

/** Runs a command to completion (killed by PID after timeoutMs, default 10 min), timing it and polling its memory. */
export function runTimed(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<TimedRun> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const memory = child.pid ? sampleMemory(child.pid) : undefined;
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    // the last sample must be taken while /proc/<pid> still exists: on 'exit', before 'close'
    child.once('exit', () => {
      peakKb = memory?.stop().peakKb ?? 0;
    });
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs ?? 600000} ms]`;
      if (child.pid)
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
    }, options.timeoutMs ?? 600000);
    const finish = (code: number | null, extra = '') => {
      clearTimeout(timer);
      memory?.stop();
      resolve({ code, ms: Number(process.hrtime.bigint() - started) / 1e6, stdout, stderr: stderr + extra, peakKb });
    };
    child.once('error', (err) => finish(null, err.message));
    child.once('close', (code) => finish(code));
  });
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/** p-th percentile (0..100) with linear interpolation between closest ranks. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** 95th percentile. */
export function p95(values: number[]): number {
  return percentile(values, 95);
}

/** Formats a number with a fixed count of decimals (default 1), or '—' if not finite. */
export function fmt(value: number | undefined, decimals = 1): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(decimals);
}

/** A GitHub-flavoured Markdown table; `align` per column: 'l' (default for the first) or 'r'. */
export function markdownTable(headers: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? '').length)));
  const al = align ?? headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const line = (r: string[]) => `| ${r.map((c, i) => (al[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (al[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...cells.slice(1).map(line)].join('\n');
}

/**
 * Runs each contender `runs` times, round by round (run 1 of every contender, then run 2, …),
 * so that a slow minute of the machine falls on all of them alike rather than on the one whose
 * runs it happened to cover. A contender that fails is not run again; its error is kept.
 */
export async function interleave<R>(contenders: readonly (() => Promise<R>)[], runs: number): Promise<{ runs: R[]; error?: string }[]> {
  const out: { runs: R[]; error?: string }[] = contenders.map(() => ({ runs: [] }));
  for (let i = 0; i < runs; i++) {
    for (const [k, once] of contenders.entries()) {
      const o = out[k]!;
      if (o.error !== undefined) continue;
      try {
        o.runs.push(await once());
      } catch (err) {
        o.error = (err as Error).message;
      }
    }
  }
  return out;
}

/** Files under `dir`, recursively, whose names `counted` accepts (default: every file but dot-files). */
export function countFiles(dir: string, counted: (name: string) => boolean = (name) => !name.startsWith('.')): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += countFiles(join(dir, e.name), counted);
    else if (e.isFile() && counted(e.name)) n++;
  }
  return n;
}

/** CPU time of a process so far (user + system, every thread), in ms, from /proc. */
export function cpuMs(pid: number): number {
  const { userMs, systemMs } = cpuSplit(pid);
  return userMs + systemMs;
}

/** A process's CPU time so far, in user space (its own code) and in the kernel (system calls, page cache), in ms. */
export function cpuSplit(pid: number): { userMs: number; systemMs: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { userMs: Number(fields[11]) * 10, systemMs: Number(fields[12]) * 10 }; // clock ticks of 10 ms
}

/** A section's markdown, and whether a row of it failed. */
export interface Section {
  markdown: string;
  failed: boolean;
}

/** The value after `--name` on the command line; undefined when absent. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The number after `--name` on the command line, or `fallback`. */
export function numberArg(argv: readonly string[], name: string, fallback: number): number {
  const v = argValue(argv, name);
  return v === undefined ? fallback : Number(v);
}

/**
 * When the module at `moduleUrl` is the script node was started with (`node --import tsx
 * bench/<name>.ts …`): runs its section with the command line's arguments and prints the markdown;
 * the exit code is 1 when a row failed or the run threw. Does nothing when the module is imported.
 */
export function runAsScript(moduleUrl: string, name: string, section: (argv: string[]) => Promise<Section>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  section(process.argv.slice(2)).then(
    ({ markdown, failed }) => {
      console.log(markdown);
      if (failed) process.exitCode = 1;
    },
    (err: unknown) => {
      console.error(`bench/${name}: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
