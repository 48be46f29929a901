/**
 * What every CLI command receives: parsed arguments, the data directory and its configuration,
 * where to write, and how to build SCU options and failure contexts.
 */
import { checkAeTitle, type Config, type RemoteNode } from '../../shared/config.js';
import type { DimseService } from '../../shared/diagnostics.js';
import type { Logger } from '../dimse/ul/association.js';
import type { ScuOptions } from '../dimse/scu/index.js';
import { ConfigStore } from '../services/config/config-store.js';
import { moveLegacyCache, platformDirs, resolveDirs, type PriorsDirs } from '../services/config/dirs.js';
import { localAddressToward, type FailureContext } from '../services/nodes/diagnose.js';
import { findRunningServer } from '../services/local-scp/serve-info.js';
import { resolveNode } from '../services/nodes/nodes.js';
import { scuOptionsFrom } from '../services/nodes/reach.js';
import { nodeHost } from '../services/nodes/dicom-node.js';
import { intOption, type ParsedArgs } from './args.js';
import { InputError } from '../services/nodes/nodes.js';
import { stderrLogger, type Io } from './output.js';

/** The environment of one command run. */
export class CommandContext {
  /** Configuration, cache and logs (see dirs.ts). */
  readonly dirs: PriorsDirs;
  /** The image cache's directory (`dirs.data`). */
  readonly dataDir: string;
  readonly store: ConfigStore;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly log: Logger;
  private config?: Config;
  /** Filled in as the command learns it, for the failure sentence. */
  failure: FailureContext = {};

  constructor(
    readonly args: ParsedArgs,
    readonly io: Io,
    readonly env: NodeJS.ProcessEnv,
    readonly signal: AbortSignal,
  ) {
    const dataFlag = args.values.get('data');
    this.dirs = resolveDirs(dataFlag, env);
    this.dataDir = this.dirs.data;
    this.store = new ConfigStore(this.dirs.config);
    this.json = args.flags.has('json');
    this.verbose = args.flags.has('verbose');
    this.log = stderrLogger(io, this.verbose, 'error');
    // The platform's own places only: an explicit data directory is used as it is.
    if (!dataFlag && !env.PRIORS_DATA) {
      const moved = moveLegacyCache(this.dirs, platformDirs(env).config);
      if (moved) io.err(moved);
    }
  }

  /** The configuration (loaded once). */
  async loadConfig(): Promise<Config> {
    this.config ??= await this.store.load();
    return this.config;
  }

  /** Resolves `<node>` and records it for the failure sentence. */
  async node(ref: string, service: DimseService): Promise<RemoteNode> {
    const config = await this.loadConfig();
    const node = resolveNode(config, ref);
    // Where the peer would reach us: the running `priors serve`, else the configured port.
    const served = await findRunningServer(this.dataDir);
    const host = await localAddressToward(nodeHost(node));
    this.failure = {
      ...this.failure,
      service,
      node: { aeTitle: node.aeTitle, host: node.host, port: node.port, dicomweb: node.dicomweb },
      callingAeTitle: this.callingAeTitle(config),
      timeoutMs: this.timeouts(config).connectMs,
      local: { aeTitle: served?.aeTitle ?? config.local.aeTitle, host, port: served?.port ?? config.local.port },
    };
    return node;
  }

  /** Our calling AE title: --aet, else the configured one. */
  private callingAeTitle(config: Config): string {
    const aet = this.args.values.get('aet');
    if (aet === undefined) return config.local.aeTitle;
    const v = checkAeTitle(aet);
    if (!v.ok) throw new InputError(`--aet ${v.error}`);
    return v.value;
  }

  /** The configured timeouts; --timeout SECONDS bounds the connection, the association's answer and every DIMSE answer. */
  private timeouts(config: Config): Config['timeouts'] {
    const seconds = intOption(this.args, 'timeout', 1, 86_400);
    const ms = seconds === undefined ? undefined : seconds * 1000;
    return ms === undefined ? { ...config.timeouts } : { ...config.timeouts, connectMs: ms, artimMs: ms, dimseMs: ms };
  }

  /** SCU options from the configuration and the command line. */
  async scuOptions(): Promise<ScuOptions> {
    const config = await this.loadConfig();
    return scuOptionsFrom(config, { callingAeTitle: this.callingAeTitle(config), timeouts: this.timeouts(config), log: this.log, signal: this.signal });
  }

  /** Writes the result: JSON when --json, else the human text (skipped when empty). */
  result(json: unknown, human: string): void {
    if (this.json) this.io.out(JSON.stringify(json, null, 2));
    else if (human !== '') this.io.out(human);
  }
}
