/**
 * The failures of DICOMweb (PS3.18) as plain sentences, for shared/diagnostics.ts: an HTTP
 * status answered by the node (§8.6.3 and the status tables of §10.4, §10.5 and §10.6), a
 * connection that failed (refused, TLS, timed out), or an answer that is not what the service
 * promises. Each names the URL and what to fix. Pure code.
 */

/** The DICOMweb services Priors uses. */
export type WebService = 'qido' | 'wado' | 'stow' | 'echo';

/** A DICOMweb failure, as electron/services/dicomweb/errors.ts describes it. */
export type WebFailure =
  /** The node answered with an HTTP error status. */
  | {
      kind: 'http';
      service: WebService;
      url: string;
      status: number;
      /** Its own words (body or status text), short. */ detail?: string;
      auth?: 'basic' | 'bearer' | 'none';
    }
  /** No HTTP answer: `code` is the Node error code (ECONNREFUSED, ETIMEDOUT, a TLS code…). */
  | { kind: 'http-transport'; service: WebService; url: string; code: string; ms?: number }
  /** An answer that is not what the service gives (not JSON, not multipart/related…). */
  | { kind: 'http-answer'; service: WebService; url: string; problem: string; /** It broke during a transfer that had begun well. */ midway?: boolean };

export const WEB_SERVICE_WORDS: Record<WebService, string> = {
  qido: 'search (QIDO-RS)',
  wado: 'retrieve (WADO-RS)',
  stow: 'send (STOW-RS)',
  echo: 'test (QIDO-RS)',
};

function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}

function detail(d: string | undefined): string {
  const t = d?.replace(/\s+/g, ' ').trim();
  return t ? ` ("${t.length > 120 ? `${t.slice(0, 117)}...` : t}")` : '';
}

/** The code and text (no final period) of a DICOMweb failure. */
export function webRaw(f: WebFailure): [string, string] {
  const what = WEB_SERVICE_WORDS[f.service];
  if (f.kind === 'http-answer') {
    return [
      'http-bad-answer',
      f.midway
        ? `${f.url} answered the ${what} with ${f.problem}: the node may have failed while sending; look in its log, then retry`
        : `${f.url} answered the ${what} with ${f.problem}: check that the node's URL is its DICOMweb base URL (often ending in /dicom-web)`,
    ];
  }
  if (f.kind === 'http-transport') return transport(f, what);
  const d = detail(f.detail);
  switch (f.status) {
    case 401:
      return [
        'http-unauthorized',
        f.auth === 'basic'
          ? `${f.url} refused the user name and password (HTTP 401 Unauthorized)${d}: check the node's user and password`
          : f.auth === 'bearer'
            ? `${f.url} refused the bearer token (HTTP 401 Unauthorized)${d}: the token may have expired; set a new one for the node`
            : `${f.url} asks for authentication (HTTP 401 Unauthorized)${d}: set the node's user and password (--user, --password) or bearer token (--bearer)`,
      ];
    case 403:
      return ['http-forbidden', `${f.url} refused the ${what} to this account (HTTP 403 Forbidden)${d}: ask its administrator for the permission`];
    case 404:
      return f.service === 'wado'
        ? [
            'http-not-found',
            `${f.url} does not hold what was asked (HTTP 404 Not Found)${d}: the study may have been moved or deleted there; search again, or check the node's base URL`,
          ]
        : [
            'http-not-found',
            `${f.url} is not a DICOMweb ${f.service === 'stow' ? 'STOW-RS' : 'QIDO-RS'} service (HTTP 404 Not Found)${d}: check the node's base URL (it usually ends in /dicom-web or /dicomweb)`,
          ];
    case 406:
      return [
        'http-not-acceptable',
        `${f.url} cannot answer the ${what} in the form asked (HTTP 406 Not Acceptable)${d}: it may not offer application/dicom (or application/dicom+json); look in its conformance statement`,
      ];
    case 409:
      return ['http-conflict', `${f.url} stored none of the instances sent (HTTP 409 Conflict)${d}`];
    case 413:
      return [
        'http-too-large',
        `${f.url} refused the ${what} as too large (HTTP 413 Payload Too Large)${d}: raise its upload limit, or send a series at a time`,
      ];
    case 415:
      return [
        'http-unsupported-media',
        `${f.url} does not take the data as sent (HTTP 415 Unsupported Media Type)${d}: it may not accept this transfer syntax`,
      ];
    case 429:
    case 503:
      return ['http-busy', `${f.url} is busy (HTTP ${f.status})${d}: try again later`];
    default:
      if (f.status >= 500) return ['http-server-error', `${f.url} failed with HTTP ${f.status} during the ${what}${d}: look in its log for the reason`];
      return ['http-status', `${f.url} answered the ${what} with HTTP ${f.status}${d}`];
  }
}

function transport(f: Extract<WebFailure, { kind: 'http-transport' }>, what: string): [string, string] {
  const at = hostPort(f.url);
  switch (f.code) {
    case 'ECONNREFUSED':
      return [
        'connection-refused',
        `Nothing accepts connections at ${at} (${f.url}): check the port in the node's URL and that its DICOMweb service is running`,
      ];
    case 'ETIMEDOUT':
    case 'ECONNECT_TIMEOUT':
      return [
        'connect-timeout',
        `No answer from ${at} (${f.url})${f.ms !== undefined ? ` within ${Math.round(f.ms / 100) / 10} s` : ''}: check the host in the node's URL and that a firewall allows that port`,
      ];
    case 'ERESPONSE_TIMEOUT':
      return [
        'http-timeout',
        `${f.url} stopped answering during the ${what}${f.ms !== undefined ? ` (nothing for ${Math.round(f.ms / 100) / 10} s)` : ''}: it may be busy; try again or raise timeouts.dimseMs`,
      ];
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return ['host-not-found', `The host name in ${f.url} cannot be found: check its spelling or use its IP address`];
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return [
        'host-unreachable',
        `${at} (${f.url}) cannot be reached from this workstation: check the address, the network connection and any firewall in between`,
      ];
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'CERT_UNTRUSTED':
      return [
        'tls-untrusted',
        `The HTTPS certificate of ${f.url} is not signed by a CA this workstation trusts: set the node's TLS CA file (--tls-ca) to the CA that issued it`,
      ];
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return [
        'tls-expired',
        `The HTTPS certificate of ${f.url} has expired or is not valid yet: ask its administrator to renew it, and check this workstation's clock`,
      ];
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return ['tls-name', `The HTTPS certificate of ${f.url} is not issued to its host name: use the name its certificate carries in the node's URL`];
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return ['tls-protocol', `Nothing speaks HTTPS at ${at} (${f.url}): it is probably plain HTTP; write the node's URL with http://`];
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return ['connection-reset', `${f.url} closed the connection during the ${what}: look in its log for the reason`];
    default:
      return ['transport', `The connection to ${f.url} failed (${f.code}): check the node's URL and the network`];
  }
}
