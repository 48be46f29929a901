/**
 * A configured node as the network layer addresses it: AE title, host, port and, when the node
 * has `tls`, the TLS client options (PS3.15 Annex B) built from its PEM files. Every SCU call
 * and every C-MOVE destination goes through here, so a TLS node is never reached in plain TCP.
 */
import type { NodeTls, RemoteNode } from '../../../shared/config.js';
import type { DicomNode } from '../../dimse/scu/index.js';
import { tlsClientOptions } from '../../dimse/ul/tls-options.js';

/** The network address of `node` (a configured node, or an AE@host:port given on the command line). */
export function dicomNodeOf(node: Pick<RemoteNode, 'aeTitle' | 'host' | 'port'> & { tls?: NodeTls }): DicomNode {
  const plain = { aeTitle: node.aeTitle, host: node.host, port: node.port };
  if (!node.tls) return plain;
  const { caFile, certFile, keyFile, serverName, rejectUnauthorized } = node.tls;
  return {
    ...plain,
    tls: tlsClientOptions({
      enabled: true,
      ...(caFile !== undefined ? { caFile } : {}), ...(certFile !== undefined ? { certFile } : {}), ...(keyFile !== undefined ? { keyFile } : {}),
      ...(serverName !== undefined ? { serverName } : {}), ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}),
    }, node.host, node.port),
  };
}
