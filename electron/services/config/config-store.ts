/**
 * Where Priors keeps its data (the data directory) and its configuration (config.json in
 * it, written atomically: temp file, fsync, rename). Node add/remove/list live here too.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { platformDirs, resolveDirs } from './dirs.js';
import { type Config, type RemoteNode, defaultConfig, findNode, validateConfig, validateNode } from '../../../shared/config.js';

/** Thrown for an unreadable or invalid config.json, or a refused change; the message is one sentence. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The default data directory (the image cache) of this OS: see dirs.ts. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  return platformDirs(env, platform, home).data;
}

/** The data directory to use: --data, else $PRIORS_DATA, else the OS default. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolveDirs(flag, env).data;
}

/** Reads, validates and writes config.json in the configuration directory. */
export class ConfigStore {
  readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, 'config.json');
  }

  /** The configuration; defaults when config.json does not exist yet. */
  async load(): Promise<Config> {
    return (await this.read()).config;
  }

  /** The configuration and the `$schema` config.json names, if it names one. */
  private async read(): Promise<{ config: Config; $schema?: string }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { config: defaultConfig() };
      throw new ConfigError(`Cannot read ${this.path} (${(e as NodeJS.ErrnoException).code ?? String(e)}): check its permissions`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${this.path} is not valid JSON (${(e as Error).message}): fix it or delete it to start from defaults`);
    }
    const r = validateConfig(raw);
    if (!r.ok) throw new ConfigError(`In ${this.path}, ${r.error}`);
    const $schema = schemaOf(raw);
    return $schema === undefined ? { config: r.value } : { config: r.value, $schema };
  }

  /**
   * The configuration as config.json holds it now, if it changed since `mtimeMs` (another
   * process, such as a `priors nodes add`, may write it): undefined when it did not change, is
   * absent, or does not validate (the last good one stays in use).
   */
  readIfChanged(mtimeMs: number): { config: Config; mtimeMs: number } | undefined {
    try {
      const m = statSync(this.path).mtimeMs;
      if (m === mtimeMs) return undefined;
      const r = validateConfig(JSON.parse(readFileSync(this.path, 'utf8')));
      return r.ok ? { config: r.value, mtimeMs: m } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Validates and writes the configuration atomically. The `$schema` the file names (an editor's
   * link to docs/config.schema.json) is kept; none is added.
   */
  async save(config: Config): Promise<void> {
    await this.write(config, await this.schemaOfFile());
  }

  /** Validates and writes `config` atomically, naming `$schema` when given. */
  private async write(config: Config, $schema: string | undefined): Promise<void> {
    const r = validateConfig(JSON.parse(JSON.stringify(config)));
    if (!r.ok) throw new ConfigError(`Refusing to save the configuration: ${r.error}`);
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify($schema === undefined ? r.value : { $schema, ...r.value }, null, 2) + '\n', 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  /** The `$schema` config.json names now, if it names one. */
  private async schemaOfFile(): Promise<string | undefined> {
    try {
      return schemaOf(JSON.parse(await readFile(this.path, 'utf8')));
    } catch {
      return undefined;
    }
  }

  /** Applies a change to the stored configuration and saves it (read once); returns the new configuration. */
  async update(change: (config: Config) => void): Promise<Config> {
    const { config, $schema } = await this.read();
    change(config);
    await this.write(config, $schema);
    return config;
  }

  /** Adds a node (fields validated, defaults applied); refuses a name already in use. */
  async addNode(raw: Partial<RemoteNode> & { name: string }, options: { replace?: boolean } = {}): Promise<RemoteNode> {
    const v = validateNode(raw, 'node');
    if (!v.ok) throw new ConfigError(v.error);
    await this.update((config) => {
      const existing = findNode(config, v.value.name);
      if (existing && !options.replace) {
        throw new ConfigError(`A node named "${existing.name}" already exists: remove it first with "priors nodes rm ${existing.name}"`);
      }
      config.nodes = config.nodes.filter((n) => n !== existing);
      config.nodes.push(v.value);
    });
    return v.value;
  }

  /** Removes a node by name; returns false when there was none. */
  async removeNode(name: string): Promise<boolean> {
    let found = false;
    await this.update((config) => {
      const node = findNode(config, name);
      found = node !== undefined;
      config.nodes = config.nodes.filter((n) => n !== node);
    });
    return found;
  }

  /** The configured nodes. */
  async listNodes(): Promise<RemoteNode[]> {
    return (await this.load()).nodes;
  }
}

/** The `$schema` a parsed config.json names, if it names one. */
function schemaOf(raw: unknown): string | undefined {
  const ref = typeof raw === 'object' && raw !== null ? (raw as { $schema?: unknown }).$schema : undefined;
  return typeof ref === 'string' ? ref : undefined;
}
