// The `priors` CLI for tests, straight from the TypeScript sources (no build needed).
//
// Run as a program (`node --import tsx test/helpers/priors-cli.ts <args>`), this file calls
// electron/cli/main.ts's main(argv) and exits with its code. Imported, it offers
// `runPriors(args)` (one command, waited for) and `startPriorsServe(...)` (the local SCP as a
// child process on a free loopback port, killed by its PID when the test file ends); then
// what checks priors' work: the files it stored (Part-10 reading, comparison with a DCMTK
// peer's bit-preserved copy, dcmdump, dciodvfy) and DCMTK clients run against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseFindscuOutput, runDcmtk, storescu, transferSyntaxOf, type FindMatch, type PeerAddress, type QrModel, type ToolResult } from './dcmtk-scu.js';
import { freePort } from './ports.js';

const SELF = fileURLToPath(import.meta.url);
/** The repository root (tsx is resolved from there). */
export const REPO_ROOT = resolve(SELF, '..', '..', '..');

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  const { main } = await import('../../electron/cli/main.js');
  const code = await main(process.argv.slice(2));
  // stdout/stderr to pipes are synchronous on POSIX: exiting here loses nothing, and a handle
  // left open by a command cannot keep the process alive.
  process.exit(code);
}

/** Result of one CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Calls an entry of the API of the `priors serve` running on `dataDir` (found through its serve.json, as the CLI's hand-off does). */
export async function serveApi<T>(dataDir: string, name: string, body: unknown): Promise<T> {
  const info = JSON.parse(readFileSync(join(dataDir, 'serve.json'), 'utf8')) as { api: { url: string; token: string } };
  const res = await fetch(`${info.api.url}/api/${name}`, {
    method: 'POST',
    headers: { 'x-priors-token': info.api.token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const r = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!r.ok) throw new Error(`${name}: ${r.error?.message}`);
  return r.value;
}

/** The JSON a successful `--json` command printed (asserts exit 0). */
export function cliJson<T>(r: CliResult): T {
  assert.equal(r.code, 0, `exit 0 expected; stderr: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Asserts a failure told in one plain line on stderr that matches `sentence` (exit 1). */
export function assertOneLineFailure(r: CliResult, sentence: RegExp): void {
  assert.equal(r.code, 1, `exit 1 expected; stdout: ${r.stdout} stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr.trim(), sentence);
}

/** The argv that runs the CLI from source: node --import tsx <this file>. */
export function priorsCommand(args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', SELF, ...args] };
}

const live = new Set<ChildProcess>();
function killLive(): void {
  for (const child of live)
    if (child.pid)
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
}
process.once('exit', killLive);

/**
 * Runs `priors <args> --data <dataDir>` and waits for it (killed by PID after timeoutMs,
 * default 120 s). `json: true` appends --json.
 */
export function runPriors(args: string[], o: { dataDir: string; json?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  const full = [...args, '--data', o.dataDir, ...(o.json ? ['--json'] : [])];
  const { command, args: argv } = priorsCommand(full);
  return new Promise((done) => {
    const child = spawn(command, argv, { cwd: REPO_ROOT, env: { ...process.env, TCP_NODELAY: '1', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let killed = '';
    const timer = setTimeout(() => {
      killed = `\n[priors ${args.join(' ')} killed after ${o.timeoutMs ?? 120000} ms]`;
      if (child.pid)
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
    }, o.timeoutMs ?? 120000);
    child.once('error', (e) => {
      clearTimeout(timer);
      live.delete(child);
      done({ code: null, stdout: '', stderr: e.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      live.delete(child);
      done({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + killed });
    });
  });
}

/** Runs a CLI command with --json and parses its stdout; throws with the output when it fails. */
export async function priorsJson<T = unknown>(args: string[], o: { dataDir: string; timeoutMs?: number }): Promise<T> {
  const r = await runPriors(args, { ...o, json: true });
  if (r.code !== 0) throw new Error(`priors ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`priors ${args.join(' ')} --json printed no JSON: ${r.stdout}\n${r.stderr}`);
  }
}

/** A running `priors serve`. */
export interface PriorsServe {
  aeTitle: string;
  host: '127.0.0.1';
  port: number;
  pid: number;
  dataDir: string;
  /** SIGINT (as Ctrl-C), then SIGKILL after graceMs (default 10 s). Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** Kills it at once with SIGKILL (an unclean shutdown). */
  kill(): Promise<void>;
  /** How it ended, once it has: 'code 0', 'SIGKILL', ... */
  exitReason(): string | undefined;
  logs(): string;
}

/** Options of {@link startPriorsServe}. */
export interface PriorsServeOptions {
  aeTitle: string;
  dataDir: string;
  /** Nodes added first with `priors nodes add <name> <AET@host:port>`. */
  nodes?: { name: string; address: string; extraArgs?: string[] }[];
  /** Port to use (default: a free one, retried if taken in between). */
  port?: number;
  extraArgs?: string[];
  /** Stop it when the test file ends (default true). */
  autoStop?: boolean;
  startTimeoutMs?: number;
}

const toStop = new Set<PriorsServe>();
if (process.env.NODE_TEST_CONTEXT !== undefined || /\.test\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  after(async () => {
    await Promise.all([...toStop].map((s) => s.stop()));
  });
}

/**
 * Starts `priors serve --aet <aeTitle> --port <free port> --bind 127.0.0.1 --data <dataDir>`,
 * waits for its "listening" line and a C-ECHO answered by echoscu, and returns it.
 */
export async function startPriorsServe(o: PriorsServeOptions): Promise<PriorsServe> {
  for (const node of o.nodes ?? []) {
    const r = await runPriors(['nodes', 'add', node.name, node.address, '--replace', ...(node.extraArgs ?? [])], { dataDir: o.dataDir });
    if (r.code !== 0) throw new Error(`priors nodes add ${node.name} ${node.address} failed (${r.code}): ${r.stderr}${r.stdout}`);
  }
  const attempts = o.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = o.port ?? (await freePort());
    try {
      return await launchServe(o, port);
    } catch (err) {
      lastError = err;
      if (!/EADDRINUSE|address already in use/i.test((err as Error).message)) break;
    }
  }
  throw lastError;
}

async function launchServe(o: PriorsServeOptions, port: number): Promise<PriorsServe> {
  const args = ['serve', '--aet', o.aeTitle, '--port', String(port), '--bind', '127.0.0.1', '--data', o.dataDir, ...(o.extraArgs ?? [])];
  const { command, args: argv } = priorsCommand(args);
  const child = spawn(command, argv, { cwd: REPO_ROOT, env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = `$ priors ${args.join(' ')}\n`;
  const append = (c: Buffer) => {
    log += c.toString('utf8');
    if (log.length > 4 << 20) log = log.slice(-(4 << 20));
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let exited: string | undefined;
  const exit = new Promise<void>((done) => {
    child.once('error', (e) => {
      exited = `failed to start: ${e.message}`;
      live.delete(child);
      done();
    });
    child.once('exit', (code, signal) => {
      exited = signal ?? `code ${code}`;
      live.delete(child);
      done();
    });
  });
  if (child.pid === undefined) {
    await exit;
    throw new Error(`priors serve did not start: ${exited}`);
  }
  live.add(child);
  const pid = child.pid;
  const stopWith = async (signal: NodeJS.Signals, graceMs: number) => {
    if (exited) return;
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      exit.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!ended) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await exit;
    }
  };
  let stopping: Promise<void> | undefined;
  const serve: PriorsServe = {
    aeTitle: o.aeTitle,
    host: '127.0.0.1',
    port,
    pid,
    dataDir: o.dataDir,
    stop: (graceMs = 10000) => (stopping ??= stopWith('SIGINT', graceMs)),
    kill: () => (stopping ??= stopWith('SIGKILL', 5000)),
    exitReason: () => exited,
    logs: () => log,
  };
  if (o.autoStop !== false) toStop.add(serve);

  const deadline = Date.now() + (o.startTimeoutMs ?? 30000);
  try {
    while (!/listening/i.test(log)) {
      if (exited) throw new Error(`priors serve exited (${exited})`);
      if (Date.now() > deadline) throw new Error('no "listening" line in time');
      await sleep(50);
    }
    while (true) {
      // Calling with its own AE title: accepted whatever the calling AE policy (services/local-scp/policy.ts).
      const r = await runDcmtk('echoscu', ['-aet', o.aeTitle, '-aec', o.aeTitle, '127.0.0.1', String(port)], { timeoutMs: 5000 });
      if (r.code === 0) break;
      if (exited) throw new Error(`priors serve exited (${exited})`);
      if (Date.now() > deadline) throw new Error(`C-ECHO failed: ${r.stderr.trim()}`);
      await sleep(100);
    }
  } catch (err) {
    await serve.kill();
    throw new Error(`priors serve on port ${port} did not come up: ${(err as Error).message}\n--- logs ---\n${log}`, { cause: err });
  }
  return serve;
}

// ---------------------------------------------------------------------------------------------
// Part-10 files, as received by priors or by a DCMTK peer

/** The File Meta Information of a Part-10 file (PS3.10 §7.1) and where its data set starts. */
export interface Part10Info {
  /** Group 0002 values by tag, e.g. '00020010' → TransferSyntaxUID (trailing NUL/space removed). */
  meta: Map<string, string>;
  /** Value of (0002,0000) FileMetaInformationGroupLength, when present. */
  groupLength?: number;
  /** Byte offset of the first element after group 0002. */
  dataSetOffset: number;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * Reads the File Meta Information element by element (Explicit VR Little Endian) until the
 * first element outside group 0002, without trusting its group length. Throws when the file
 * has no preamble and "DICM".
 */
export function readPart10(file: string): Part10Info {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n < 132 || head.toString('latin1', 128, 132) !== 'DICM') throw new Error(`${file} is not a Part-10 file (no DICM prefix)`);
    const meta = new Map<string, string>();
    let at = 132;
    let groupLength: number | undefined;
    while (at + 8 <= n && head.readUInt16LE(at) === 0x0002) {
      const element = head.readUInt16LE(at + 2);
      const vr = head.toString('latin1', at + 4, at + 6);
      const long = LONG_VRS.has(vr);
      const length = long ? head.readUInt32LE(at + 8) : head.readUInt16LE(at + 6);
      const value = at + (long ? 12 : 8);
      if (value + length > n) throw new Error(`${file}: meta element (0002,${element.toString(16).padStart(4, '0')}) overruns the header`);
      const key = `0002${element.toString(16).padStart(4, '0')}`;
      if (element === 0 && vr === 'UL') groupLength = head.readUInt32LE(value);
      else if (vr !== 'OB') meta.set(key, head.toString('latin1', value, value + length).replace(/[\0 ]+$/, ''));
      else meta.set(key, head.subarray(value, value + length).toString('hex'));
      at = value + length;
    }
    return { meta, dataSetOffset: at, ...(groupLength !== undefined ? { groupLength } : {}) };
  } finally {
    closeSync(fd);
  }
}

/** The data set bytes of a Part-10 file: everything after its File Meta Information. */
export function dataSetBytes(file: string): Buffer {
  return readFileSync(file).subarray(readPart10(file).dataSetOffset);
}

/** Where two byte strings first differ, or -1 when equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Every file under dir (recursively), hidden files skipped. */
export function walkFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walkFiles(path, out);
    else if (e.isFile()) out.push(path);
  }
  return out;
}

/** Part-10 files of a directory tree by MediaStorageSOPInstanceUID (0002,0003); unreadable files are skipped. */
export function filesBySopInstanceUid(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of walkFiles(dir)) {
    try {
      const uid = readPart10(file).meta.get('00020003');
      if (uid) out.set(uid, file);
    } catch {
      /* not Part-10 */
    }
  }
  return out;
}

/** The instances priors has stored: <dataDir>/files/** by SOP Instance UID. */
export function priorsStoredFiles(dataDir: string): Map<string, string> {
  return filesBySopInstanceUid(join(dataDir, 'files'));
}

/**
 * What is wrong with priors' copy `ours` of an instance compared with a DCMTK peer's bit-preserved
 * copy `oracle` of the same transmission: File Meta Information (PS3.10 §7.1: version 00\01,
 * group length, SOP Class, Implementation Class UID; TransferSyntaxUID equal to the oracle's)
 * and the data set bytes. Empty when they agree.
 */
export function compareWithOracle(oracle: string, ours: string, label = ''): string[] {
  const problems: string[] = [];
  const o = readPart10(oracle);
  const p = readPart10(ours);
  const ts = o.meta.get('00020010');
  if (p.meta.get('00020010') !== ts) problems.push(`${label}TransferSyntaxUID ${p.meta.get('00020010')} ≠ the oracle's ${ts}`);
  if (p.meta.get('00020002') !== o.meta.get('00020002')) problems.push(`${label}MediaStorageSOPClassUID ${p.meta.get('00020002')} ≠ ${o.meta.get('00020002')}`);
  if (p.meta.get('00020001') !== '0001') problems.push(`${label}FileMetaInformationVersion ${p.meta.get('00020001')}`);
  if (!p.meta.get('00020012')) problems.push(`${label}no ImplementationClassUID`);
  if (p.groupLength !== p.dataSetOffset - 144) problems.push(`${label}FileMetaInformationGroupLength ${p.groupLength} ≠ ${p.dataSetOffset - 144}`);
  const a = dataSetBytes(oracle);
  const b = dataSetBytes(ours);
  const at = firstDifference(a, b);
  if (at >= 0) problems.push(`${label}data set (${ts}) differs at byte ${at} (oracle ${a.length} bytes, priors ${b.length})`);
  return problems;
}

/**
 * dcmdump's reading of each file's TransferSyntaxUID (0002,0010), 200 files per run; a file
 * dcmdump cannot read, or reads with errors, maps to an "error: ..." string.
 */
export async function dcmdumpTransferSyntaxes(files: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < files.length; i += 200) {
    const batch = files.slice(i, i + 200);
    const r = await runDcmtk('dcmdump', ['-q', '-Un', '+F', '+P', '0002,0010', ...batch], { timeoutMs: 120_000 });
    let current: string | undefined;
    for (const line of r.stdout.split('\n')) {
      const head = /^# dcmdump \(\d+\/\d+\): (.*)$/.exec(line);
      if (head) current = head[1]!.trim();
      const ts = /^\(0002,0010\) UI \[([^\]]*)\]/.exec(line);
      if (current && ts) out.set(current, ts[1]!.replace(/\0/g, '').trim());
    }
    for (const f of batch) if (!out.has(f) || r.code !== 0) out.set(f, `error: ${out.get(f) ?? 'no TransferSyntaxUID'} (${r.code}) ${r.stderr.slice(0, 300)}`);
  }
  return out;
}

async function dciodvfyErrors(file: string): Promise<Set<string>> {
  const r = await runDcmtk('dciodvfy', [file], { timeoutMs: 60_000 });
  return new Set(
    (r.stdout + r.stderr)
      .split('\n')
      .filter((l) => l.startsWith('Error'))
      .map((l) => l.trim()),
  );
}

/** The "Error - ..." lines dciodvfy reports for `ours` but not for `source`. */
export async function newDciodvfyErrors(source: string, ours: string): Promise<string[]> {
  const before = await dciodvfyErrors(source);
  return [...(await dciodvfyErrors(ours))].filter((e) => !before.has(e));
}

/** The last "DIMSE Status : 0x...." of a DCMTK tool's -d log (the final response's status). */
export function lastDimseStatus(log: string): number | undefined {
  const all = [...log.matchAll(/DIMSE Status\s*:\s*0x([0-9a-f]{4})/gi)];
  return all.length ? parseInt(all[all.length - 1]![1]!, 16) : undefined;
}

// ---------------------------------------------------------------------------------------------
// DCMTK clients driven against priors (storescu by transfer syntax, findscu with statuses)

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';

/**
 * storescu of `files` to one peer, `-nh` (go on after a failed store): the helper's grouping by
 * transfer syntax, except that Implicit VR LE and Explicit VR BE files are sent with -xi / -xb.
 * By default storescu proposes a context [ELE] and a context [EBE, ILE] per SOP class:
 * storescp accepts EBE on the second, priors ILE (both legitimate, PS3.8 §9.3.3.2), and
 * storescu then transcodes differently for each peer. With -xi / -xb every peer receives those
 * files in their own syntax, so what two peers received can be compared byte for byte.
 */
export async function storescuPerSyntax(peer: PeerAddress, files: string[]): Promise<ToolResult> {
  const byFlag = new Map<string, string[]>();
  for (const f of files) {
    const ts = transferSyntaxOf(f);
    const flag = ts === IMPLICIT_LE ? '-xi' : ts === EXPLICIT_BE ? '-xb' : '';
    byFlag.set(flag, [...(byFlag.get(flag) ?? []), f]);
  }
  const total: ToolResult = { code: 0, stdout: '', stderr: '' };
  for (const [flag, group] of [...byFlag].sort(([a], [b]) => a.localeCompare(b))) {
    const r = await storescu(peer, group, { extraArgs: ['-nh', ...(flag ? [flag] : [])], timeoutMs: 600_000 });
    total.stdout += r.stdout;
    total.stderr += r.stderr;
    total.code = total.code || r.code;
  }
  return total;
}

/** A C-FIND by findscu: the matches, the final response's status, the whole log. */
export interface FindResult {
  matches: FindMatch[];
  status?: number;
  output: string;
  code: number | null;
}

/** findscu -d (`model`: -S/-P/-O) at `level` with `-k` keys; the final status comes from the debug log. */
export async function findscuDebug(peer: PeerAddress, model: QrModel, level: string, keys: string[], extraArgs: string[] = []): Promise<FindResult> {
  const flag = { study: '-S', patient: '-P', psonly: '-O' }[model];
  const args = [
    '-d',
    '-aet',
    'FINDSCU',
    '-aec',
    peer.aeTitle,
    flag,
    '-k',
    `QueryRetrieveLevel=${level}`,
    ...keys.flatMap((k) => ['-k', k]),
    ...extraArgs,
    peer.host,
    String(peer.port),
  ];
  const r = await runDcmtk('findscu', args, { timeoutMs: 120_000, encoding: 'latin1' });
  const output = r.stdout + r.stderr;
  return { matches: parseFindscuOutput(asVerboseLog(output)), status: lastDimseStatus(output), output, code: r.code };
}

/**
 * findscu -d prints each Pending response as "Received Find Response N" and its identifier
 * on D: lines; rewritten here into the -v form parseFindscuOutput reads.
 */
function asVerboseLog(debug: string): string {
  return debug
    .split('\n')
    .map((l) => l.replace(/^I: Received Find Response (\d+)\s*$/, 'I: Find Response: $1 (Pending)').replace(/^D: (\([0-9a-f]{4},[0-9a-f]{4}\) )/, 'I: $1'))
    .join('\n');
}
