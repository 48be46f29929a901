/**
 * The association policy of our SCP (electron/dimse AssociationPolicy) built from the
 * configuration: our AE title, who may call (PS3.8 §7.1.1: otherwise rejected with
 * calling-AE-title-not-recognized), from where (`bindToHost`: a configured node's AE title
 * only from that node's host), and the association limits (global, per calling AE, per node).
 * A refused peer learns only the reject reason; the log line says who, from where and what to
 * change.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Config, RemoteNode } from '../../../shared/config.js';
import type { AssociationPolicy } from '../../dimse/handlers.js';

/** An address as compared: IPv4-mapped IPv6 as IPv4, lower case. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** The addresses of each node host that is a name (not an address), resolved once; unresolvable names map to none. */
export async function resolveNodeHosts(nodes: readonly RemoteNode[], timeoutMs = 2000): Promise<Map<string, string[]>> {
  const names = [...new Set(nodes.map((n) => n.host).filter((h): h is string => h !== undefined && isIP(h) === 0))];
  const out = new Map<string, string[]>();
  await Promise.all(
    names.map(async (name) => {
      const found = await Promise.race([
        lookup(name, { all: true })
          .then((r) => r.map((x) => normalizeAddress(x.address)))
          .catch(() => []),
        new Promise<string[]>((r) => setTimeout(() => r([]), timeoutMs).unref()),
      ]);
      out.set(name, found);
    }),
  );
  return out;
}

/** Whether `peer` is the host of `node` (its address, its resolved addresses, or loopback for localhost). */
export function fromHost(node: RemoteNode, peer: string, resolved: ReadonlyMap<string, string[]>): boolean {
  const p = normalizeAddress(peer);
  if (node.host === undefined) return false; // a DICOMweb-only node never calls our SCP
  const host = node.host.trim().toLowerCase();
  if (isIP(host) !== 0) return normalizeAddress(host) === p;
  if (host === 'localhost') return LOOPBACK.has(p);
  return (resolved.get(node.host) ?? []).includes(p);
}

/**
 * Builds the policy; `aeTitle` overrides the configured local AE title (e.g. `serve --aet`);
 * `resolved` holds the addresses of node host names (see {@link resolveNodeHosts}).
 */
export function associationPolicy(config: Config, aeTitle = config.local.aeTitle, resolved: ReadonlyMap<string, string[]> = new Map()): AssociationPolicy {
  const { mode, bindToHost } = config.callingAePolicy;
  const allowed = new Set<string>(
    mode === 'list' ? (config.callingAePolicy.aeTitles ?? []) : mode === 'configured' ? config.nodes.flatMap((n) => n.aeTitle ?? []) : [],
  );
  // A workstation always accepts its own AE title: `priors move` sends with the served title.
  allowed.add(aeTitle);
  const nodesOf = (callingAeTitle: string) => config.nodes.filter((n) => n.aeTitle === callingAeTitle);
  const wrongHost = (callingAeTitle: string, peer: string): RemoteNode[] | undefined => {
    if (!bindToHost) return undefined;
    const nodes = nodesOf(callingAeTitle);
    if (nodes.length === 0 || nodes.some((n) => fromHost(n, peer, resolved))) return undefined;
    return nodes;
  };
  const policy: AssociationPolicy = {
    aeTitle,
    acceptCallingAeTitle: (callingAeTitle: string, peerAddress: string) => {
      const calling = callingAeTitle.trim();
      if (mode !== 'any' && !allowed.has(calling)) return false;
      return calling === aeTitle || !wrongHost(calling, peerAddress);
    },
    maxAssociations: config.maxAssociations,
    maxAssociationsFor: (callingAeTitle: string) => {
      const limits = nodesOf(callingAeTitle)
        .map((n) => n.maxIncomingAssociations)
        .filter((n): n is number => n !== undefined);
      return limits.length ? Math.max(...limits) : undefined;
    },
    refusalAdvice: (callingAeTitle: string, peerAddress: string) => {
      const nodes = wrongHost(callingAeTitle, peerAddress);
      if (nodes && (mode === 'any' || allowed.has(callingAeTitle))) {
        return (
          `'${callingAeTitle}' is the AE title of node ${nodes.map((n) => `'${n.name}' (${n.host})`).join(', ')} but called from ${normalizeAddress(peerAddress)}: ` +
          'correct the node\'s host in Nodes & settings if it moved, or turn off "only from the node\'s host"'
        );
      }
      if (mode === 'configured')
        return `'${callingAeTitle}' is not the AE title of any configured node: add it as a node in Nodes & settings, or set the calling-AE policy to any`;
      if (mode === 'list')
        return `'${callingAeTitle}' is not in the list of AE titles allowed to connect: add it in Nodes & settings, or set the calling-AE policy to any`;
      return undefined;
    },
  };
  if (config.maxAssociationsPerCallingAe !== undefined) policy.maxAssociationsPerCallingAe = config.maxAssociationsPerCallingAe;
  return policy;
}
