/**
 * A configured node as the network layer addresses it: AE title, host, port and, when the node
 * has `tls`, the TLS client options (PS3.15 Annex B) built from its PEM files. Every SCU call
 * and every C-MOVE destination goes through here, so a TLS node is never reached in plain TCP.
 */
import type { NodeTls, RemoteNode } from '../../../shared/config.js';
import type { DicomNode } from '../../dimse/scu/index.js';
import { tlsClientOptions } from '../../dimse/ul/tls-options.js';
import { InputError } from './nodes.js';

/**
 * The network address of `node` (a configured node, or an AE@host:port given on the command line).
 * @throws InputError for a DICOMweb-only node: it has no DIMSE address.
 */
export function dicomNodeOf(node: Pick<RemoteNode, 'aeTitle' | 'host' | 'port'> & { tls?: NodeTls; name?: string; dicomweb?: { url: string } }): DicomNode {
  if (node.aeTitle === undefined || node.host === undefined || node.port === undefined) {
    const which = node.name ? `Node ${node.name}` : 'This node';
    throw new InputError(
      `${which} is a DICOMweb node${node.dicomweb ? ` (${node.dicomweb.url})` : ''} without a DIMSE address, so it cannot be reached by DICOM over TCP: add its AE title, host and port to use DIMSE with it`,
    );
  }
  const plain = { aeTitle: node.aeTitle, host: node.host, port: node.port };
  if (!node.tls) return plain;
  const { caFile, certFile, keyFile, serverName, rejectUnauthorized } = node.tls;
  return {
    ...plain,
    tls: tlsClientOptions(
      {
        enabled: true,
        ...(caFile !== undefined ? { caFile } : {}),
        ...(certFile !== undefined ? { certFile } : {}),
        ...(keyFile !== undefined ? { keyFile } : {}),
        ...(serverName !== undefined ? { serverName } : {}),
        ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}),
      },
      node.host,
      node.port,
    ),
  };
}

/** The host a node is reached at: its DIMSE host, else the host of its DICOMweb URL. */
export function nodeHost(node: Pick<RemoteNode, 'host' | 'dicomweb'>): string {
  if (node.host !== undefined) return node.host;
  const url = node.dicomweb?.url;
  return url ? new URL(url).hostname.replace(/^\[(.*)\]$/, '$1') : '127.0.0.1';
}
