// DCMTK's command line SCUs (echoscu, findscu, movescu, getscu, storescu) as test clients,
// always run with TCP_NODELAY=1 and a time limit, killed by PID when it expires.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';

/** Where a DICOM application entity can be reached. */
export interface PeerAddress {
  aeTitle: string;
  host: string;
  port: number;
}

/** The environment every DCMTK/Orthanc process gets (DCMTK 3.6.7 stalls on Nagle without it). */
export function peerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, TCP_NODELAY: '1' };
}

/** Result of a command line tool. */
export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a DCMTK (or any) tool with TCP_NODELAY=1, killing it by PID after timeoutMs (default 60 s). */
export function runDcmtk(tool: string, args: string[], options: { timeoutMs?: number; cwd?: string; encoding?: BufferEncoding } = {}): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? 60000;
  const encoding = options.encoding ?? 'utf8';
  return new Promise((resolve) => {
    const child = spawn(tool, args, { cwd: options.cwd, env: peerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const text = () => {
      stdout = Buffer.concat(out).toString(encoding);
      stderr = Buffer.concat(err).toString(encoding) + stderr;
    };
    const timer = setTimeout(() => {
      stderr += `\n[${tool} killed after ${timeoutMs} ms]`;
      if (child.pid)
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      text();
      resolve({ code: null, stdout, stderr: stderr + e.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      text();
      resolve({ code, stdout, stderr });
    });
  });
}

function target(peer: PeerAddress, callingAeTitle: string): string[] {
  return ['-aet', callingAeTitle, '-aec', peer.aeTitle];
}

/** C-ECHO with echoscu; throws with the tool's output if it fails. */
export async function echo(peer: PeerAddress, callingAeTitle = 'ECHOSCU'): Promise<void> {
  const r = await runDcmtk('echoscu', [...target(peer, callingAeTitle), peer.host, String(peer.port)], { timeoutMs: 10000 });
  if (r.code !== 0) throw new Error(`C-ECHO to ${peer.aeTitle}@${peer.host}:${peer.port} failed (${r.code}): ${r.stderr}`);
}

/** Query/Retrieve information model: Patient Root, Study Root, Patient/Study Only (PS3.4 C.6). */
export type QrModel = 'patient' | 'study' | 'psonly';
const modelFlag: Record<QrModel, string> = { patient: '-P', study: '-S', psonly: '-O' };

/** A query or retrieve: model, keys as DCMTK `-k` arguments ('QueryRetrieveLevel=STUDY', 'PatientName'). */
export interface QrRequest {
  model?: QrModel;
  keys: string[];
  callingAeTitle?: string;
  timeoutMs?: number;
  extraArgs?: string[];
}

/** One C-FIND response identifier: DICOM keyword → value as DCMTK prints it ('' when empty; long values are cut with "..."; UIDs DCMTK knows appear by name). */
export type FindMatch = Record<string, string>;

/**
 * Parses the identifiers of the Pending responses in findscu -v output, read as latin1 (one char
 * per byte, as DCMTK prints values undecoded). Values are then decoded per the response's
 * SpecificCharacterSet: UTF-8 for ISO_IR 192, Latin-1 for ISO_IR 100 or none; other character
 * sets are left as latin1-read bytes.
 */
export function parseFindscuOutput(output: string): FindMatch[] {
  const matches: FindMatch[] = [];
  let current: FindMatch | undefined;
  for (const line of output.split('\n')) {
    if (/Find Response: \d+ \(Pending/.test(line)) {
      current = {};
      matches.push(current);
    } else if (/Received Final Find Response|Find Response: \d+ \((?!Pending)/.test(line)) {
      current = undefined;
    } else if (current) {
      const m = /^I: \(([0-9a-f]{4},[0-9a-f]{4})\) [A-Z]{2} (?:\[(.*)\]|\(no value available\)|=?(\S*)).*#\s*\d+,\s*\d+\s+(\S+)\s*$/.exec(line);
      if (m) current[m[4]!] = (m[2] ?? m[3] ?? '').replace(/[\s\0]+$/, '');
    }
  }
  for (const match of matches) {
    if (match.SpecificCharacterSet !== 'ISO_IR 192') continue;
    for (const key of Object.keys(match)) match[key] = Buffer.from(match[key]!, 'latin1').toString('utf8');
  }
  return matches;
}

/** C-FIND with findscu; returns the matches, or throws if findscu fails. */
export async function findscu(peer: PeerAddress, request: QrRequest): Promise<FindMatch[]> {
  const args = [
    '-v',
    ...target(peer, request.callingAeTitle ?? 'FINDSCU'),
    modelFlag[request.model ?? 'study'],
    ...request.keys.flatMap((k) => ['-k', k]),
    ...(request.extraArgs ?? []),
    peer.host,
    String(peer.port),
  ];
  const r = await runDcmtk('findscu', args, { timeoutMs: request.timeoutMs ?? 60000, encoding: 'latin1' });
  if (r.code !== 0) throw new Error(`findscu failed (${r.code}): ${r.stderr}${r.stdout}`);
  return parseFindscuOutput(r.stdout + r.stderr);
}

/** C-MOVE with movescu to `destination` (an AE title the peer knows); resolves with the tool's result. */
export function movescu(peer: PeerAddress, destination: string, request: QrRequest): Promise<ToolResult> {
  const args = [
    ...target(peer, request.callingAeTitle ?? 'MOVESCU'),
    '-aem',
    destination,
    modelFlag[request.model ?? 'study'],
    ...request.keys.flatMap((k) => ['-k', k]),
    ...(request.extraArgs ?? []),
    peer.host,
    String(peer.port),
  ];
  return runDcmtk('movescu', args, { timeoutMs: request.timeoutMs ?? 120000 });
}

/** C-GET with getscu, writing the received instances to `dir` (created). */
export function getscu(peer: PeerAddress, dir: string, request: QrRequest): Promise<ToolResult> {
  mkdirSync(dir, { recursive: true });
  const args = [
    ...target(peer, request.callingAeTitle ?? 'GETSCU'),
    '-od',
    dir,
    modelFlag[request.model ?? 'study'],
    ...request.keys.flatMap((k) => ['-k', k]),
    ...(request.extraArgs ?? []),
    peer.host,
    String(peer.port),
  ];
  return runDcmtk('getscu', args, { timeoutMs: request.timeoutMs ?? 120000 });
}

/** storescu flag proposing one compressed (or non-default) transfer syntax plus the uncompressed ones. */
const storescuProposal: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': '-xy',
  '1.2.840.10008.1.2.4.51': '-xx',
  '1.2.840.10008.1.2.4.70': '-xs',
  '1.2.840.10008.1.2.4.80': '-xt',
  '1.2.840.10008.1.2.4.81': '-xu',
  '1.2.840.10008.1.2.4.90': '-xv',
  '1.2.840.10008.1.2.4.91': '-xw',
  '1.2.840.10008.1.2.5': '-xr',
  '1.2.840.10008.1.2.1.99': '-xd',
  '1.2.840.10008.1.2.4.100': '-xm',
  '1.2.840.10008.1.2.4.101': '-xh',
  '1.2.840.10008.1.2.4.102': '-xn',
};

/** TransferSyntaxUID (0002,0010) of a Part-10 file, read from its File Meta Information (PS3.10 7.1). */
export function transferSyntaxOf(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(144);
    if (readSync(fd, head, 0, 144, 0) < 144 || head.toString('latin1', 128, 132) !== 'DICM') throw new Error(`${file} is not a Part-10 file`);
    const meta = Buffer.alloc(head.readUInt32LE(140));
    readSync(fd, meta, 0, meta.length, 144);
    for (let at = 0; at + 8 <= meta.length;) {
      const element = meta.readUInt16LE(at + 2);
      const vr = meta.toString('latin1', at + 4, at + 6);
      const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
      const length = long ? meta.readUInt32LE(at + 8) : meta.readUInt16LE(at + 6);
      const value = at + (long ? 12 : 8);
      if (element === 0x0010) return meta.toString('latin1', value, value + length).replace(/[\0 ]+$/, '');
      at = value + length;
    }
    throw new Error(`${file} has no TransferSyntaxUID`);
  } finally {
    closeSync(fd);
  }
}

/**
 * C-STORE of files with storescu. storescu proposes the uncompressed transfer syntaxes plus at
 * most one other, so files are grouped by transfer syntax and each group is sent over its own
 * association (uncompressed ones first, together). Resolves with the combined result.
 */
export async function storescu(
  peer: PeerAddress,
  files: string[],
  options: { callingAeTitle?: string; timeoutMs?: number; extraArgs?: string[] } = {},
): Promise<ToolResult> {
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const flag = storescuProposal[transferSyntaxOf(file)] ?? '';
    groups.set(flag, [...(groups.get(flag) ?? []), file]);
  }
  const total: ToolResult = { code: 0, stdout: '', stderr: '' };
  for (const [flag, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const args = [
      ...target(peer, options.callingAeTitle ?? 'STORESCU'),
      ...(flag ? [flag] : []),
      ...(options.extraArgs ?? []),
      peer.host,
      String(peer.port),
      ...group,
    ];
    const r = await runDcmtk('storescu', args, { timeoutMs: options.timeoutMs ?? 300000 });
    total.stdout += r.stdout;
    total.stderr += r.stderr;
    if (r.code !== 0) return { ...total, code: r.code };
  }
  return total;
}
