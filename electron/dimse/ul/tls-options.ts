/**
 * TLS options for DICOM Secure Transport (PS3.15 Annex B: B.1 Basic TLS, B.3 AES TLS,
 * B.9 BCP 195 non-downgrading profile): TLS 1.2 or later only, AES-GCM / AES-CBC suites with
 * ephemeral key exchange. Pure builders: no sockets here; scp/server.ts / the SCU connect path
 * pass the result to `tls.createServer` / `tls.connect` (hook not yet made).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TlsOptions } from 'node:tls';

/** BCP 195 (RFC 7525 §4.2) recommended suites, plus the AES profile's TLS_RSA_WITH_AES_128_CBC_SHA
 * equivalent with forward secrecy (PS3.15 B.3). TLS 1.3 suites are negotiated by Node by default. */
export const DICOM_TLS_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-SHA',
].join(':');

/** The SCP's TLS listener configuration (a separate port beside the plain one, as DCMTK/dcm4che do). */
export interface TlsListenConfig {
  /** Port of the TLS listener (0 = any free port). */
  port: number;
  certFile: string;
  keyFile: string;
  /** CA bundle that client certificates must chain to. */
  caFile?: string;
  /** PS3.15 B.1: require and verify a client certificate. */
  requireClientCert?: boolean;
}

/** A node's SCU-side TLS configuration. */
export interface TlsConnectConfig {
  enabled: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** SNI / certificate host name to check; defaults to the node's host. */
  serverName?: string;
  /** Default true: a server certificate that does not chain to `caFile` is refused. */
  rejectUnauthorized?: boolean;
}

const read = (what: string, file: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`TLS ${what} file ${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
};

/** Options for `tls.createServer` (PS3.15 B.1/B.3/B.9). Throws a clear Error when a file is unreadable. */
export function tlsServerOptions(c: TlsListenConfig): TlsOptions {
  const requireCert = c.requireClientCert === true;
  if (requireCert && !c.caFile) throw new Error('TLS requireClientCert needs caFile (the CA client certificates must chain to)');
  return {
    cert: read('certificate', c.certFile),
    key: read('key', c.keyFile),
    ...(c.caFile ? { ca: read('CA', c.caFile) } : {}),
    minVersion: 'TLSv1.2',
    ciphers: DICOM_TLS_CIPHERS,
    honorCipherOrder: true,
    requestCert: requireCert,
    rejectUnauthorized: requireCert,
  };
}

/** Options for `tls.connect` to `host:port` of a node. */
export function tlsClientOptions(c: TlsConnectConfig, host: string, port: number): ConnectionOptions {
  if ((c.certFile === undefined) !== (c.keyFile === undefined)) throw new Error('TLS certFile and keyFile go together');
  return {
    host,
    port,
    servername: c.serverName ?? (/^[\d.]+$|:/.test(host) ? undefined : host),
    ...(c.caFile ? { ca: read('CA', c.caFile) } : {}),
    ...(c.certFile && c.keyFile ? { cert: read('certificate', c.certFile), key: read('key', c.keyFile) } : {}),
    minVersion: 'TLSv1.2',
    ciphers: DICOM_TLS_CIPHERS,
    rejectUnauthorized: c.rejectUnauthorized !== false,
    // Loopback/IP peers: check the certificate chain only, not the host name, when serverName is absent.
    ...(c.serverName === undefined && /^[\d.]+$|:/.test(host) ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** One sentence for a handshake failure, naming what to do (for diagnostics). */
export function tlsFailureSentence(code: string | undefined, message: string): string {
  if (
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
  )
    return "The peer's TLS certificate is not signed by the configured CA: set the node's TLS CA file to the CA that issued the peer's certificate.";
  if (/certificate required|alert number 116|handshake failure/i.test(message))
    return 'The peer requires a client certificate: set the TLS certificate and key files for this node.';
  if (/wrong version number|unsupported protocol/i.test(message))
    return 'The peer does not speak TLS 1.2 or later on this port: check that the port is the TLS port and TLS is enabled on both sides.';
  return `TLS handshake failed: ${message}`;
}
