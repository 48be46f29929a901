/**
 * The diagnostics bundle a PACS administrator attaches to a ticket: one ZIP with the
 * configuration (secrets removed), the log files, the versions of everything involved and the
 * state of the data directory. The log lines name AE titles, addresses, statuses and UIDs,
 * and prefetch's lines Patient IDs (never names): the bundle goes where such data may go.
 */
import { readFileSync, statfsSync, createWriteStream } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import type { PriorsDirs } from '../config/dirs.js';
import { packageVersion } from '../config/package-root.js';
import { logFiles } from './log-file.js';

/** What a bundle holds besides the files themselves. */
export interface DiagnosticsExtras {
  /** The running instance's last activity lines (the UI's Activity screen), newest last. */
  activity?: readonly string[];
}

/** Keys whose values are secrets wherever they appear in config.json (passwords, tokens). */
const SECRET = /pass(word)?|secret|token|bearer|credential/i;

/** config.json as an administrator may share it: every secret value replaced. */
export function redactConfig(raw: unknown): unknown {
  if (Array.isArray(raw)) return raw.map(redactConfig);
  if (raw === null || typeof raw !== 'object') return raw;
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, SECRET.test(k) && (typeof v === 'string' || typeof v === 'number') ? '(removed)' : redactConfig(v)]),
  );
}

/** The versions and the machine, for the first line of a ticket. */
export function versions(): Record<string, unknown> {
  return {
    priors: packageVersion(),
    ...process.versions,
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    cpus: cpus().length,
    memoryBytes: totalmem(),
  };
}

/** A bundle's name: priors-diagnostics-20261206-073105.zip, or -2, -3… after the time when saved again within the second. */
export const DIAGNOSTICS_NAME = /^priors-diagnostics-\d{8}-\d{6}(?:-\d{1,4})?\.zip$/;

/** The name of a bundle saved at `now`: one that `taken` does not hold yet (two saves never overwrite each other). */
export function diagnosticsFileName(now: Date, taken: (name: string) => boolean = () => false): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stem = `priors-diagnostics-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  let name = `${stem}.zip`;
  for (let n = 2; taken(name) && n < 10_000; n++) name = `${stem}-${n}.zip`;
  return name;
}

/** Writes the bundle to `out` (a .zip path); resolves with the names it holds. */
export async function writeDiagnostics(dirs: PriorsDirs, out: string, extras: DiagnosticsExtras = {}, now = new Date()): Promise<string[]> {
  const zip = new ZipFile();
  const names: string[] = [];
  const add = (name: string, text: string) => {
    zip.addBuffer(Buffer.from(text, 'utf8'), name, { mtime: now });
    names.push(name);
  };
  add('versions.json', `${JSON.stringify(versions(), null, 2)}\n`);
  const configPath = join(dirs.config, 'config.json');
  try {
    add('config.json', `${JSON.stringify(redactConfig(JSON.parse(readFileSync(configPath, 'utf8'))), null, 2)}\n`);
  } catch (err) {
    add('config.json.txt', `${configPath}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'none (the defaults apply)' : (err as Error).message}\n`);
  }
  add('environment.json', `${JSON.stringify(environment(dirs, now), null, 2)}\n`);
  for (const file of logFiles(dirs.logs)) {
    zip.addFile(file, `logs/${basename(file)}`, { mtime: now });
    names.push(`logs/${basename(file)}`);
  }
  if (extras.activity?.length) add('activity.txt', `${extras.activity.join('\n')}\n`);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(out, { mode: 0o600 }));
  return names;
}

/** Where things are and how full the disk is; which Priors serves the data directory, without its API token. */
function environment(dirs: PriorsDirs, now: Date): Record<string, unknown> {
  let disk: Record<string, number> | string;
  try {
    const s = statfsSync(dirs.data);
    disk = { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch (err) {
    disk = (err as Error).message;
  }
  let serving: unknown = 'no serve.json: no Priors was serving this data directory';
  try {
    const info = JSON.parse(readFileSync(join(dirs.data, 'serve.json'), 'utf8')) as Record<string, unknown>;
    const { api, ...rest } = info as { api?: { url?: string } };
    serving = { ...rest, ...(api?.url ? { api: api.url } : {}) };
  } catch {
    /* none */
  }
  return { createdAt: now.toISOString(), dirs, disk, serving };
}
