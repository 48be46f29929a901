// Real DICOM peers for interop tests: DCMTK storescp and dcmqrscp, and Orthanc, each on
// 127.0.0.1 with ports chosen at run time, always with TCP_NODELAY=1 (DCMTK 3.6.7 stalls on
// Nagle otherwise). Each peer is killed by its own PID only: by `peer.stop()`, else when the test
// file ends (one file-level `after`), else on process exit, SIGINT or SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { basename, join, resolve } from 'node:path';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { peerEnv, runDcmtk, type PeerAddress } from './dcmtk-scu.js';
import { freePort, waitForPort } from './ports.js';

export * from './dcmtk-scu.js';

/** A running peer. `stop()` is idempotent; `logs()` is its stdout and stderr so far. */
export interface Peer {
  aeTitle: string;
  host: '127.0.0.1';
  port: number;
  pid: number;
  stop(): Promise<void>;
  logs(): string;
}

/** Options common to all peers. */
export interface StartOptions {
  /**
   * Stop the peer when the test file ends (default true). node:test runs an `after` registered
   * inside a `before` hook right after that hook, so peers are tracked here instead and stopped by
   * one file-level `after`; stop earlier with `peer.stop()`.
   */
  autoStop?: boolean;
  /** Milliseconds to wait until the peer answers (default 15000). */
  startTimeoutMs?: number;
}

const MAX_LOG = 1 << 20;
const live = new Set<ChildProcess>();
const toStop = new Set<Peer>();
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
// On SIGINT/SIGTERM (Ctrl-C, a runner's timeout) kill the peers, then die of the same signal.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killLive();
    process.kill(process.pid, signal);
  });
}
// Registered at import, outside any test, so it is the file's root `after` (only under the test
// runner: a plain script such as a benchmark would otherwise start node:test's reporter).
if (underTestRunner())
  after(async () => {
    await Promise.all([...toStop].map((p) => p.stop()));
  });

/** True when this process runs test files (node --test, or a *.test.ts file run directly). */
export function underTestRunner(): boolean {
  return process.env.NODE_TEST_CONTEXT !== undefined || /\.test\.[cm]?[jt]s$/.test(process.argv[1] ?? '');
}

interface Managed {
  child: ChildProcess;
  pid: number;
  logs(): string;
  exitReason(): string | undefined;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

function launch(command: string, args: string[], cwd?: string): Managed {
  const child = spawn(command, args, { cwd, env: peerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = `$ ${command} ${args.join(' ')}\n`;
  const append = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > MAX_LOG) log = log.slice(-MAX_LOG);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exited: string | undefined;
  let spawnError: Error | undefined;
  const exit = new Promise<void>((done) => {
    child.once('error', (err) => {
      spawnError = err;
      exited = `failed to start: ${err.message}`;
      live.delete(child);
      done();
    });
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      live.delete(child);
      done();
    });
  });
  if (child.pid === undefined) {
    // spawn failure is reported asynchronously; surface it to the caller's wait loop
    return { child, pid: -1, logs: () => log, exitReason: () => exited ?? spawnError?.message ?? 'failed to start', stop: async () => {} };
  }
  live.add(child);
  const pid = child.pid;
  return {
    child,
    pid,
    logs: () => log,
    exitReason: () => exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000) {
      if (exited) return;
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([
        exit.then(() => true),
        new Promise<boolean>((done) => {
          timer = setTimeout(() => done(false), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (!killed) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        await exit;
      }
    },
  };
}

function toPeer(m: Managed, aeTitle: string, port: number, autoStop: boolean | undefined, signal: NodeJS.Signals): Peer {
  let stopping: Promise<void> | undefined;
  const peer: Peer = {
    aeTitle,
    host: '127.0.0.1',
    port,
    pid: m.pid,
    stop: () => (stopping ??= m.stop(signal)),
    logs: m.logs,
  };
  if (autoStop !== false) toStop.add(peer);
  return peer;
}

/**
 * Starts `make(port)` and waits until it answers a C-ECHO; when the port was chosen here and
 * the process dies at once (port taken in between), retries with another port.
 */
async function startOnFreePort(
  fixedPort: number | undefined,
  make: (port: number) => Managed | Promise<Managed>,
  ready: (port: number, m: Managed) => Promise<void>,
): Promise<{ managed: Managed; port: number }> {
  const attempts = fixedPort === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = fixedPort ?? (await freePort());
    const managed = await make(port);
    try {
      await ready(port, managed);
      return { managed, port };
    } catch (err) {
      lastError = err;
      const diedByItself = managed.exitReason() !== undefined;
      await managed.stop('SIGKILL', 1000);
      if (!diedByItself || !/bind|address already in use|listen/i.test(managed.logs())) break;
    }
  }
  throw lastError;
}

async function waitForEcho(port: number, aeTitle: string, m: Managed, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const abortIf = m.exitReason;
  try {
    // C-ECHO alone probes the port: a bare TCP probe makes DCMTK log a failed association.
    while (true) {
      const r = await runDcmtk('echoscu', ['-aec', aeTitle, '127.0.0.1', String(port)], { timeoutMs: 5000 });
      if (r.code === 0) return;
      const reason = abortIf();
      if (reason) throw new Error(reason);
      if (Date.now() > deadline) throw new Error(`C-ECHO failed: ${r.stderr.trim()}`);
      await sleep(100);
    }
  } catch (err) {
    throw new Error(`${aeTitle} on port ${port} did not come up: ${(err as Error).message}\n--- logs ---\n${m.logs()}`, { cause: err });
  }
}

// ---------------------------------------------------------------------------------------------
// storescp

export interface StorescpOptions extends StartOptions {
  aeTitle?: string;
  /** Directory the received files are written to (created). */
  dir: string;
  port?: number;
  /** +B: write data exactly as received. */
  bitPreserving?: boolean;
  /** +xa and --promiscuous: every transfer syntax DCMTK knows, and unknown SOP classes (default true). */
  acceptAll?: boolean;
  /** --fork: one child per association (default: single process, associations one at a time). */
  fork?: boolean;
  extraArgs?: string[];
}

export interface StorescpPeer extends Peer {
  dir: string;
  /** Absolute paths of the files received so far (named <Modality>.<SOPInstanceUID>.dcm). */
  receivedFiles(): string[];
}

/** Starts DCMTK storescp writing each received instance to `dir` as <Modality>.<SOPInstanceUID>.dcm. */
export async function startStorescp(options: StorescpOptions): Promise<StorescpPeer> {
  const aeTitle = options.aeTitle ?? 'STORESCP';
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const args = ['-aet', aeTitle, '-od', dir, '-fe', '.dcm', '-dhl'];
  if (options.acceptAll !== false) args.push('+xa', '--promiscuous');
  if (options.bitPreserving) args.push('+B');
  if (options.fork) args.push('--fork');
  args.push(...(options.extraArgs ?? []));
  const timeout = options.startTimeoutMs ?? 15000;
  const { managed, port } = await startOnFreePort(
    options.port,
    (p) => launch('storescp', [...args, String(p)]),
    (p, m) => waitForEcho(p, aeTitle, m, timeout),
  );
  const peer = toPeer(managed, aeTitle, port, options.autoStop, 'SIGTERM');
  return { ...peer, dir, receivedFiles: () => listFiles(dir) };
}

/** Files directly in dir, sorted, as absolute paths (hidden files skipped). */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name))
    .sort();
}

// ---------------------------------------------------------------------------------------------
// dcmqrscp

/**
 * Network transfer syntaxes of dcmqrscp: it accepts (incoming) and proposes for C-MOVE
 * sub-operations (outgoing) all uncompressed ones plus at most this one compressed syntax,
 * all in ONE presentation context per SOP class. It cannot transcode, so an archive must hold
 * files of a single family: a mix of compressed and uncompressed files fails C-MOVE.
 */
export type DcmqrscpTransferSyntax = 'uncompressed' | 'jpeg-lossless' | 'jpeg-ls-lossless' | 'j2k-lossless' | 'rle';
const dcmqrscpSyntaxFlags: Record<DcmqrscpTransferSyntax, string[]> = {
  uncompressed: [],
  'jpeg-lossless': ['+xs', '-xs'],
  'jpeg-ls-lossless': ['+xt', '-xt'],
  'j2k-lossless': ['+xv', '-xv'],
  rle: ['+xr', '-xr'],
};

export interface DcmqrscpOptions extends StartOptions {
  aeTitle?: string;
  /** Working directory: dcmqrscp.cfg and the storage area <dir>/<aeTitle>/ go here (created). */
  dir: string;
  port?: number;
  /** Peers put in the HostTable, so C-MOVE can resolve them as destinations by AE title. */
  peers?: PeerAddress[];
  transferSyntax?: DcmqrscpTransferSyntax;
  /**
   * SpecificCharacterSet line of the config, e.g. '"ISO_IR 192", override' to answer in UTF-8.
   * Default: dcmqrscp converts answers to the request's character set, else to ASCII.
   */
  specificCharacterSet?: string;
  /** Max studies in the storage area (default 500); bytes per study are capped at 1024 MB by DCMTK. */
  maxStudies?: number;
  extraArgs?: string[];
}

export interface DcmqrscpPeer extends Peer {
  dir: string;
  /** The storage area of its AE title (index.dat and loaded files). */
  storageDir: string;
  configPath: string;
}

/** Writes dcmqrscp.cfg (format of /etc/dcmtk/dcmqrscp.cfg) for one read-write AE open to ANY peer. */
export function dcmqrscpConfig(o: {
  port: number;
  aeTitle: string;
  storageDir: string;
  peers: PeerAddress[];
  maxStudies: number;
  specificCharacterSet?: string;
}): string {
  const hosts = o.peers.map((p, i) => `peer${i + 1} = (${p.aeTitle}, ${p.host}, ${p.port})`);
  return [
    `NetworkTCPPort  = ${o.port}`,
    'MaxPDUSize      = 16384',
    'MaxAssociations = 16',
    ...(o.specificCharacterSet ? [`SpecificCharacterSet = ${o.specificCharacterSet}`] : []),
    '',
    'HostTable BEGIN',
    ...hosts,
    'HostTable END',
    '',
    'VendorTable BEGIN',
    'VendorTable END',
    '',
    'AETable BEGIN',
    // AETitle StorageArea Access (maxStudies, maxBytesPerStudy) Peers
    `${o.aeTitle} ${o.storageDir} RW (${o.maxStudies}, 1024mb) ANY`,
    'AETable END',
    '',
  ].join('\n');
}

/**
 * Starts DCMTK dcmqrscp (fork mode: one child per association) as a Query/Retrieve SCP with
 * C-FIND, C-MOVE and C-GET in Patient Root, Study Root and Patient/Study Only models.
 * Load data with `loadIntoDcmqrscp`.
 */
export async function startDcmqrscp(options: DcmqrscpOptions): Promise<DcmqrscpPeer> {
  const aeTitle = options.aeTitle ?? 'DCMQRSCP';
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(aeTitle)) throw new Error(`dcmqrscp AE title must be 1-16 of [A-Za-z0-9_-]: ${aeTitle}`);
  const dir = resolve(options.dir);
  const storageDir = join(dir, aeTitle);
  mkdirSync(storageDir, { recursive: true });
  const configPath = join(dir, 'dcmqrscp.cfg');
  const flags = dcmqrscpSyntaxFlags[options.transferSyntax ?? 'uncompressed'];
  const timeout = options.startTimeoutMs ?? 15000;
  const { managed, port } = await startOnFreePort(
    options.port,
    (p) => {
      writeFileSync(
        configPath,
        dcmqrscpConfig({
          port: p,
          aeTitle,
          storageDir,
          peers: options.peers ?? [],
          maxStudies: options.maxStudies ?? 500,
          specificCharacterSet: options.specificCharacterSet,
        }),
      );
      return launch('dcmqrscp', ['-c', configPath, '-dhl', ...flags, ...(options.extraArgs ?? []), String(p)], dir);
    },
    (p, m) => waitForEcho(p, aeTitle, m, timeout),
  );
  // dcmqrscp forks a child per association; children end with their association.
  return { ...toPeer(managed, aeTitle, port, options.autoStop, 'SIGTERM'), dir, storageDir, configPath };
}

/**
 * Puts files into a dcmqrscp archive: hard-links (or copies) them into its storage area and
 * registers them in index.dat with dcmqridx, which is much faster than C-STORE and accepts
 * any transfer syntax. Returns the paths inside the storage area.
 */
export async function loadIntoDcmqrscp(peer: DcmqrscpPeer, files: string[]): Promise<string[]> {
  const placed: string[] = [];
  for (const file of files) {
    const target = join(peer.storageDir, `${placed.length}_${Date.now().toString(36)}_${basename(file)}`);
    try {
      linkSync(file, target);
    } catch {
      copyFileSync(file, target);
    }
    placed.push(target);
  }
  for (let i = 0; i < placed.length; i += 200) {
    const r = await runDcmtk('dcmqridx', [peer.storageDir, ...placed.slice(i, i + 200)], { timeoutMs: 120000 });
    if (r.code !== 0) throw new Error(`dcmqridx failed (${r.code}): ${r.stderr}`);
  }
  return placed;
}

// ---------------------------------------------------------------------------------------------
// Orthanc

export interface OrthancOptions extends StartOptions {
  aeTitle?: string;
  dicomPort?: number;
  httpPort?: number;
  /** Working directory: config.json, storage and SQLite index go here (created). */
  dir: string;
  /** DicomModalities: name → [AE title, host, port]; C-MOVE destinations must be listed here. */
  modalities?: Record<string, [string, string, number]>;
  /**
   * Accept C-FIND, C-GET and C-MOVE from any calling AE title (default true). When false, as
   * in Orthanc's shipped configuration, only AE titles listed in `modalities` may query/retrieve.
   */
  allowUnknownCallers?: boolean;
  /** Extra configuration keys, merged over the generated ones. */
  config?: Record<string, unknown>;
  /**
   * Load the DICOMweb plugin (Debian's orthanc-dicomweb) at /dicom-web/: true, or its "DicomWeb"
   * settings merged over ours (e.g. "Servers"); `users` turns HTTP Basic authentication on.
   */
  dicomweb?: boolean | { settings?: Record<string, unknown>; users?: Record<string, string> };
}

/** Where Debian installs Orthanc's DICOMweb plugin. */
export const ORTHANC_DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** The configuration keys that load the DICOMweb plugin (see OrthancOptions.dicomweb). */
function dicomwebConfig(o: OrthancOptions['dicomweb']): Record<string, unknown> {
  if (!o) return {};
  const opts = o === true ? {} : o;
  return {
    Plugins: [ORTHANC_DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Host: '127.0.0.1', Ssl: false, ...opts.settings },
    ...(opts.users ? { AuthenticationEnabled: true, RegisteredUsers: opts.users } : {}),
  };
}

export interface OrthancPeer extends Peer {
  httpPort: number;
  /** http://127.0.0.1:<httpPort> */
  baseUrl: string;
  /** http://127.0.0.1:<httpPort>/dicom-web (answers only when started with `dicomweb`). */
  dicomwebUrl: string;
  dir: string;
  configPath: string;
}

/** The generated Orthanc configuration (keys as in /etc/orthanc/orthanc.json of Orthanc 1.10). */
export function orthancConfig(o: {
  aeTitle: string;
  dicomPort: number;
  httpPort: number;
  dir: string;
  modalities: Record<string, [string, string, number]>;
  allowUnknownCallers: boolean;
}): Record<string, unknown> {
  return {
    Name: `priors-test-${o.aeTitle}`,
    StorageDirectory: join(o.dir, 'storage'),
    IndexDirectory: join(o.dir, 'index'),
    Plugins: [], // the Debian package's /usr/share/orthanc/plugins/ is only loaded when listed
    LuaScripts: [],
    HttpServerEnabled: true,
    HttpPort: o.httpPort,
    RemoteAccessAllowed: false, // HTTP answers loopback only (Orthanc binds 0.0.0.0, no bind-address key)
    AuthenticationEnabled: false,
    OrthancExplorerEnabled: false,
    WebDavEnabled: false,
    HttpsCACertificates: '',
    DicomServerEnabled: true,
    DicomAet: o.aeTitle,
    DicomPort: o.dicomPort,
    DicomCheckCalledAet: false,
    DicomCheckModalityHost: false,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: true,
    DicomAlwaysAllowFind: o.allowUnknownCallers,
    DicomAlwaysAllowGet: o.allowUnknownCallers,
    DicomAlwaysAllowMove: o.allowUnknownCallers,
    DicomModalities: o.modalities,
    DicomAssociationCloseDelay: 0, // close C-MOVE sub-associations at once (default 5 s)
    SynchronousCMove: true,
    SaveJobs: false,
    MetricsEnabled: false,
    StableAge: 60,
  };
}

/** Debian installs Orthanc in /usr/sbin, which a non-root PATH may lack. */
const ORTHANC = existsSync('/usr/sbin/Orthanc') ? '/usr/sbin/Orthanc' : 'Orthanc';

/** Starts Orthanc (no plugins, loopback HTTP) and waits until both HTTP and C-ECHO answer. */
export async function startOrthanc(options: OrthancOptions): Promise<OrthancPeer> {
  const aeTitle = options.aeTitle ?? 'ORTHANC';
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'config.json');
  const timeout = options.startTimeoutMs ?? 30000;
  let httpPort = 0;
  const { managed, port } = await startOnFreePort(
    options.dicomPort,
    async (p) => {
      httpPort = options.httpPort ?? (await freePort());
      const config = {
        ...orthancConfig({
          aeTitle,
          dicomPort: p,
          httpPort,
          dir,
          modalities: options.modalities ?? {},
          allowUnknownCallers: options.allowUnknownCallers ?? true,
        }),
        ...dicomwebConfig(options.dicomweb),
        ...options.config,
      };
      writeFileSync(configPath, JSON.stringify(config, null, 2));
      return launch(ORTHANC, [configPath], dir);
    },
    async (p, m) => {
      await waitForEcho(p, aeTitle, m, timeout);
      await waitForPort(httpPort, timeout, { abortIf: m.exitReason });
    },
  );
  // Orthanc needs ~2.5 s to stop gracefully; its data is disposable, so it is killed at once.
  const peer = toPeer(managed, aeTitle, port, options.autoStop, 'SIGKILL');
  return { ...peer, httpPort, baseUrl: `http://127.0.0.1:${httpPort}`, dicomwebUrl: `http://127.0.0.1:${httpPort}/dicom-web`, dir, configPath };
}

/**
 * Stores files in Orthanc through its REST API (POST /instances), `concurrency` at a time
 * (default 4), over kept-alive connections. Throws on the first file Orthanc refuses, with its
 * answer. (node:http rather than fetch: fetch costs about 2 ms of this process's CPU per
 * request, more than Orthanc's own work for a small file; 100,000 files took 5 minutes.)
 */
export async function loadIntoOrthanc(peer: OrthancPeer, files: string[], concurrency = 4): Promise<void> {
  const workers = Math.max(1, Math.min(concurrency, files.length));
  const agent = new HttpAgent({ keepAlive: true, maxSockets: workers });
  const post = (file: string) =>
    new Promise<void>((resolvePost, reject) => {
      const body = readFileSync(file);
      const req = httpRequest(
        `${peer.baseUrl}/instances`,
        {
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/dicom', 'Content-Length': body.length },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            if (res.statusCode === 200) resolvePost();
            else reject(new Error(`Orthanc refused ${file}: HTTP ${res.statusCode} ${Buffer.concat(parts).toString()}`));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const worker = async () => {
    while (next < files.length) await post(files[next++]!);
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    agent.destroy();
  }
}

/** GET a JSON resource of Orthanc's REST API, e.g. '/statistics' or '/studies'. */
export async function orthancGet<T = unknown>(peer: OrthancPeer, path: string): Promise<T> {
  const res = await fetch(`${peer.baseUrl}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

// ---------------------------------------------------------------------------------------------
// wlmscpfs: DCMTK's Modality Worklist SCP over .wl files

/** One scheduled procedure, written as a worklist file. */
export interface WorklistEntry {
  PatientID: string;
  PatientName: string;
  PatientBirthDate?: string;
  PatientSex?: 'M' | 'F' | 'O';
  AccessionNumber: string;
  StudyInstanceUID: string;
  RequestedProcedureID?: string;
  RequestedProcedureDescription?: string;
  /** Scheduled Procedure Step: modality, station, start date (YYYYMMDD) and time (HHMMSS), description. */
  Modality: string;
  ScheduledStationAETitle: string;
  StartDate: string;
  StartTime: string;
  StepDescription?: string;
  StepID?: string;
}

export interface WlmscpfsOptions extends StartOptions {
  aeTitle?: string;
  /** Working directory: <dir>/<aeTitle>/*.wl and its lockfile (created). */
  dir: string;
  port?: number;
  entries: WorklistEntry[];
}

export interface WlmscpfsPeer extends Peer {
  /** Adds entries while it runs (it reads the files at each query). */
  add(entries: WorklistEntry[]): Promise<void>;
}

/** The dump2dcm text of an entry (the layout of DCMTK's examples/wlistdb), with every return key of type 1 that wlmscpfs checks filled. */
function worklistDump(e: WorklistEntry): string {
  const v = (tag: string, vr: string, value: string | undefined) => (value === undefined ? `${tag} ${vr}\n` : `${tag} ${vr} [${value}]\n`);
  return (
    '(0008,0005) CS [ISO_IR 100]\n' +
    v('(0008,0050)', 'SH', e.AccessionNumber) +
    v('(0010,0010)', 'PN', e.PatientName) +
    v('(0010,0020)', 'LO', e.PatientID) +
    v('(0010,0030)', 'DA', e.PatientBirthDate ?? '') +
    v('(0010,0040)', 'CS', e.PatientSex ?? 'O') +
    '(0008,1110) SQ\n(fffe,e0dd) -\n(0008,1120) SQ\n(fffe,e0dd) -\n' +
    v('(0020,000d)', 'UI', e.StudyInstanceUID) +
    v('(0032,1060)', 'LO', e.RequestedProcedureDescription ?? 'PROCEDURE') +
    '(0040,0100) SQ\n(fffe,e000) -\n' +
    v('(0008,0060)', 'CS', e.Modality) +
    v('(0040,0001)', 'AE', e.ScheduledStationAETitle) +
    v('(0040,0002)', 'DA', e.StartDate) +
    v('(0040,0003)', 'TM', e.StartTime) +
    v('(0040,0007)', 'LO', e.StepDescription ?? e.RequestedProcedureDescription ?? 'PROCEDURE') +
    v('(0040,0009)', 'SH', e.StepID ?? `${e.AccessionNumber}-1`) +
    '(fffe,e00d) -\n(fffe,e0dd) -\n' +
    v('(0040,1001)', 'SH', e.RequestedProcedureID ?? e.AccessionNumber)
  );
}

/** Starts DCMTK wlmscpfs serving `entries` (made into .wl files with dump2dcm) under its AE title. */
export async function startWlmscpfs(options: WlmscpfsOptions): Promise<WlmscpfsPeer> {
  const aeTitle = options.aeTitle ?? 'WORKLIST';
  const root = resolve(options.dir);
  const dir = join(root, aeTitle);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lockfile'), '');
  let n = 0;
  const add = async (entries: WorklistEntry[]) => {
    for (const e of entries) {
      const dump = join(root, `entry${++n}.dump`);
      writeFileSync(dump, worklistDump(e), 'latin1');
      const r = await runDcmtk('dump2dcm', ['-g', dump, join(dir, `entry${n}.wl`)]);
      if (r.code !== 0) throw new Error(`dump2dcm failed (${r.code}): ${r.stderr}`);
    }
  };
  await add(options.entries);
  const timeout = options.startTimeoutMs ?? 15000;
  const { managed, port } = await startOnFreePort(
    options.port,
    (p) => launch('wlmscpfs', ['-dfp', root, '-dhl', String(p)], root),
    (p, m) => waitForEcho(p, aeTitle, m, timeout),
  );
  return { ...toPeer(managed, aeTitle, port, options.autoStop, 'SIGTERM'), add };
}
