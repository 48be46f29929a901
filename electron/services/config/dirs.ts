/**
 * Where Priors keeps things, by each platform's conventions, the same for the `priors` command and
 * the desktop app (both resolve through {@link resolveDirs}):
 * - configuration (config.json): Linux $XDG_CONFIG_HOME/priors (~/.config/priors), macOS
 *   ~/Library/Application Support/Priors, Windows %APPDATA%\Priors (roaming);
 * - the image cache (files, index, history): Linux $XDG_DATA_HOME/priors (~/.local/share/priors),
 *   macOS ~/Library/Application Support/Priors, Windows %LOCALAPPDATA%\Priors (not roaming: a
 *   cache does not follow the user from machine to machine);
 * - logs: Linux $XDG_STATE_HOME/priors/logs, macOS ~/Library/Logs/Priors, Windows
 *   %LOCALAPPDATA%\Priors\Logs.
 * --data DIR (or $PRIORS_DATA) puts all three in DIR (a self-contained data directory, as tests
 * and portable installs use); $PRIORS_CONFIG moves the configuration alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, posix, resolve, win32 } from 'node:path';

/** The three places. */
export interface PriorsDirs {
  config: string;
  data: string;
  logs: string;
}

/** The per-user places of this platform. */
export function platformDirs(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): PriorsDirs {
  if (platform === 'win32') {
    const p = win32;
    const local = p.join(env.LOCALAPPDATA || p.join(home, 'AppData', 'Local'), 'Priors');
    return { config: p.join(env.APPDATA || p.join(home, 'AppData', 'Roaming'), 'Priors'), data: local, logs: p.join(local, 'Logs') };
  }
  const p = posix;
  if (platform === 'darwin') {
    const support = p.join(home, 'Library', 'Application Support', 'Priors');
    return { config: support, data: support, logs: p.join(home, 'Library', 'Logs', 'Priors') };
  }
  // XDG Base Directory: a relative path in these variables is invalid and is ignored
  const xdg = (name: string, fallback: string) => {
    const v = env[name];
    return v && v.startsWith('/') ? v : p.join(home, fallback);
  };
  return {
    config: p.join(xdg('XDG_CONFIG_HOME', '.config'), 'priors'),
    data: p.join(xdg('XDG_DATA_HOME', '.local/share'), 'priors'),
    logs: p.join(xdg('XDG_STATE_HOME', '.local/state'), 'priors', 'logs'),
  };
}

/** The places to use: --data (or $PRIORS_DATA) for all three, else the platform's; $PRIORS_CONFIG for the configuration. */
export function resolveDirs(
  dataFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): PriorsDirs {
  const explicit = dataFlag ? resolve(dataFlag) : env.PRIORS_DATA ? resolve(env.PRIORS_DATA) : undefined;
  const dirs = explicit ? { config: explicit, data: explicit, logs: join(explicit, 'logs') } : platformDirs(env, platform, home);
  return env.PRIORS_CONFIG ? { ...dirs, config: resolve(env.PRIORS_CONFIG) } : dirs;
}

/** The places from a command line (`--data DIR` anywhere in it), as the desktop app reads its own. */
export function dirsFromArgv(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): PriorsDirs {
  const i = argv.indexOf('--data');
  return resolveDirs(i >= 0 ? argv[i + 1] : undefined, env);
}

/** What a cache directory holds besides config.json (the index, the history, the files, their helpers). */
const CACHE_ENTRIES = /^(files|tmp|quarantine|index\.sqlite.*|history\.sqlite.*|cache\.lock.*|serve\.json|.*\.damaged-.*)$/;

/**
 * Before this layout the cache lived beside config.json in the configuration directory. Moves
 * such a cache into the data directory once, when the data directory has none and no Priors
 * runs on the old one (its serve.json names a live process); renames only, so a move never
 * copies gigabytes and never leaves half a cache. Returns one sentence of what was done or
 * why not, or undefined when there is nothing to move.
 */
export function moveLegacyCache(dirs: PriorsDirs, legacy = platformDirs().config): string | undefined {
  if (resolve(legacy) === resolve(dirs.data)) return undefined;
  const old = (name: string) => join(legacy, name);
  if (!existsSync(old('index.sqlite')) && !existsSync(old('files'))) return undefined;
  if (existsSync(join(dirs.data, 'index.sqlite')) || existsSync(join(dirs.data, 'files'))) {
    return `A cache from an earlier version is still in ${legacy} beside the one in ${dirs.data}; Priors uses ${dirs.data}: delete the old one when you no longer need it.`;
  }
  const pid = runningPid(old('serve.json'));
  if (pid !== undefined) return `The cache in ${legacy} is in use by Priors (pid ${pid}): it moves to ${dirs.data} when that process has stopped.`;
  mkdirSync(dirs.data, { recursive: true });
  const entries = readdirSync(legacy).filter((name) => CACHE_ENTRIES.test(name));
  try {
    for (const name of entries) renameSync(old(name), join(dirs.data, name));
  } catch (err) {
    return `Could not move the cache from ${legacy} to ${dirs.data} (${(err as NodeJS.ErrnoException).code ?? String(err)}): move its ${entries.join(', ')} there by hand while Priors is stopped.`;
  }
  return `Moved the image cache from ${legacy} to ${dirs.data}, where this platform keeps application data; the configuration stays in ${dirs.config}.`;
}

/** The pid a serve.json names when that process is alive. */
function runningPid(path: string): number | undefined {
  try {
    const pid = (JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown }).pid;
    if (typeof pid !== 'number') return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}
