/**
 * How this workstation reaches a node: the SCU options (our calling AE title, PDU size, timers,
 * the log) and the context of the failure sentences (who called whom, and where the node
 * reaches us back), both from the configuration as it is now.
 */
import type { Config, RemoteNode } from '../../../shared/config.js';
import type { DimseService } from '../../../shared/diagnostics.js';
import type { ScuOptions } from '../../dimse/scu/index.js';
import type { Logger } from '../../dimse/ul/association.js';
import { localAddressToward, type FailureContext } from './diagnose.js';
import { nodeHost } from './dicom-node.js';

/** Where our SCP is: the served AE title and port when it runs, else the configured ones. */
export interface LocalEnd {
  aeTitle?: string;
  port?: number;
}

/**
 * SCU options from the configuration: the configured calling AE title, maximum PDU length and
 * timers, unless the caller gives its own (the served AE title, a command line's --aet or --timeout).
 */
export function scuOptionsFrom(
  config: Config,
  o: { callingAeTitle?: string; timeouts?: Config['timeouts']; log?: Logger; signal?: AbortSignal } = {},
): ScuOptions {
  return {
    callingAeTitle: o.callingAeTitle ?? config.local.aeTitle,
    maxPduLength: config.local.maxPduLength,
    timeouts: { ...(o.timeouts ?? config.timeouts) },
    ...(o.log ? { log: o.log } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  };
}

/** SCU options and failure contexts over a configuration. */
export class NodeReach {
  constructor(
    private readonly config: () => Config,
    private readonly local: () => LocalEnd,
    private readonly log?: Logger,
  ) {}

  /** Our AE title: the served one, else the configured one. */
  aeTitle(config: Config = this.config()): string {
    return this.local().aeTitle ?? config.local.aeTitle;
  }

  /** SCU options from the configuration. */
  scu(signal?: AbortSignal, config: Config = this.config()): ScuOptions {
    return scuOptionsFrom(config, { callingAeTitle: this.aeTitle(config), log: this.log, signal });
  }

  /** Where a node reaches us: for C-MOVE and the sentences. */
  async localFor(node: RemoteNode, config: Config = this.config()): Promise<{ aeTitle: string; host: string; port: number }> {
    return { aeTitle: this.aeTitle(config), host: await localAddressToward(nodeHost(node)), port: this.local().port ?? config.local.port };
  }

  /** The failure context of an operation on `node`. */
  async failure(node: RemoteNode, service: DimseService, config: Config = this.config()): Promise<FailureContext> {
    return {
      service,
      node: { aeTitle: node.aeTitle, host: node.host, port: node.port, dicomweb: node.dicomweb },
      callingAeTitle: this.aeTitle(config),
      timeoutMs: config.timeouts.connectMs,
      local: await this.localFor(node, config),
    };
  }
}
