/**
 * Resolving a node reference: a configured node name, or `AET@host:port` for a node that is
 * not configured (it then takes the default model and method).
 */
import { type Config, type RemoteNode, DEFAULT_NODE_MAX_ASSOCIATIONS, findNode, formatNodeAddress, parseNodeAddress } from '../../../shared/config.js';

/** Thrown when a reference names no configured node and is not an address. */
export class UnknownNodeError extends Error {
  constructor(readonly nodeName: string) {
    super(`No node named "${nodeName}" is configured`);
    this.name = 'UnknownNodeError';
  }
}

/** Thrown for a malformed `AET@host:port`; the message is one sentence. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The node a reference stands for. */
export function resolveNode(config: Config, ref: string): RemoteNode {
  const configured = findNode(config, ref);
  if (configured) return configured;
  if (!ref.includes('@')) throw new UnknownNodeError(ref);
  const parsed = parseNodeAddress(ref);
  if (!parsed.ok) throw new InputError(parsed.error);
  const { aeTitle, host, port } = parsed.value;
  return { name: formatNodeAddress(parsed.value), aeTitle, host, port, model: 'study', method: 'move', maxAssociations: DEFAULT_NODE_MAX_ASSOCIATIONS };
}
