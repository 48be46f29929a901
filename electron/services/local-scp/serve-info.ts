/**
 * <dataDir>/serve.json: written by a running `priors serve` (pid, AE title, port) so that
 * other commands on the same data directory find it and use it as their C-MOVE destination
 * instead of listening themselves. A file whose pid is dead is stale and ignored.
 */
import { chmod, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SERVE_INFO_FILE = 'serve.json';

/** What a running server publishes about itself. */
export interface ServeInfo {
  pid: number;
  aeTitle: string;
  host: string;
  port: number;
  startedAt: string;
  /** Its API on loopback, for the commands that hand their work to it (the token is why the file is readable by its owner only). */
  api?: { url: string; token: string };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Publishes the server of this process. */
export async function writeServeInfo(dataDir: string, info: Omit<ServeInfo, 'pid' | 'startedAt'>): Promise<void> {
  const full: ServeInfo = { pid: process.pid, startedAt: new Date().toISOString(), ...info };
  const path = join(dataDir, SERVE_INFO_FILE);
  await writeFile(path, JSON.stringify(full, null, 2) + '\n', { mode: 0o600 });
  await chmod(path, 0o600); // a file left by an older Priors keeps its mode otherwise
}

/** Removes the file if it is this process's. */
export async function removeServeInfo(dataDir: string): Promise<void> {
  const current = await readServeFile(dataDir);
  if (current && current.pid !== process.pid) return;
  await unlink(join(dataDir, SERVE_INFO_FILE)).catch(() => undefined);
}

async function readServeFile(dataDir: string): Promise<ServeInfo | undefined> {
  try {
    const raw = JSON.parse(await readFile(join(dataDir, SERVE_INFO_FILE), 'utf8')) as Partial<ServeInfo>;
    if (typeof raw.pid !== 'number' || typeof raw.port !== 'number' || typeof raw.aeTitle !== 'string') return undefined;
    const api = raw.api && typeof raw.api.url === 'string' && typeof raw.api.token === 'string' ? { api: { url: raw.api.url, token: raw.api.token } } : {};
    return { pid: raw.pid, aeTitle: raw.aeTitle, host: String(raw.host ?? '0.0.0.0'), port: raw.port, startedAt: String(raw.startedAt ?? ''), ...api };
  } catch {
    return undefined;
  }
}

/** The server running on this data directory in another live process, if any. */
export async function findRunningServer(dataDir: string): Promise<ServeInfo | undefined> {
  const info = await readServeFile(dataDir);
  if (!info || info.pid === process.pid || !alive(info.pid)) return undefined;
  return info;
}
