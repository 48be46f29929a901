/**
 * Turns every failure Priors can meet into ONE plain sentence that says what to fix.
 *
 * Input is a plain description of what happened (electron/services/nodes/diagnose.ts builds it
 * from thrown errors and DIMSE outcomes); output is a {@link Diagnosis}: a stable code for
 * programs and a sentence for people. Pure code: no Node, no Electron.
 *
 * Sources: A-ASSOCIATE-RJ result/source/reason PS3.8 §9.3.4 Table 9-21; A-ABORT PS3.8
 * §9.3.8 Table 9-26; DIMSE statuses PS3.4 B.2.3 (C-STORE), C.4.1.1.4 (C-FIND), C.4.2.1.5
 * (C-MOVE), C.4.3.1.4 (C-GET) and PS3.7 Annex C (general statuses).
 */

import { WEB_SERVICE_WORDS, webRaw, type WebFailure, type WebService } from './diagnostics-web.js';
import type { DimseService } from './dicom/status.js';

export type { WebFailure, WebService } from './diagnostics-web.js';
export type { DimseService } from './dicom/status.js';

/** Where the remote end was, when known (used to name it in sentences). */
export interface PeerRef {
  calledAeTitle?: string;
  host?: string;
  port?: number;
}

/** Where this workstation can be reached (what a PACS must be told). */
export interface LocalRef {
  localAeTitle?: string;
  localHost?: string;
  localPort?: number;
}

/** A plain description of a failure. */
export type FailureDescription =
  /** TCP could not connect or dropped; `code` is the Node error code (ECONNREFUSED...). */
  | ({ kind: 'transport'; code: string; host: string; port: number } & PeerRef)
  /** A-ASSOCIATE-RJ received (PS3.8 Table 9-21). */
  | ({ kind: 'rejected'; result: number; source: number; reason: number; callingAeTitle: string; calledAeTitle: string } & PeerRef & LocalRef)
  /** A-ABORT received or sent (PS3.8 Table 9-26). */
  | ({ kind: 'aborted'; source: number; reason: number; service?: DimseService } & PeerRef & LocalRef)
  /** A network timer expired. */
  | ({ kind: 'timeout'; which: 'connect' | 'artim' | 'dimse'; ms?: number; service?: DimseService } & PeerRef)
  /** The peer accepted none of the presentation contexts needed for the service. */
  | ({
      kind: 'no-context';
      service: DimseService;
      sopClassName?: string;
      /** What to do, when known better than in general (e.g. why it was not converted). */ fix?: string;
    } & PeerRef)
  /** A DIMSE response carried a failure (or warning) status. */
  | ({ kind: 'status'; service: DimseService; status: number; errorComment?: string; callingAeTitle?: string; destination?: string } & PeerRef & LocalRef)
  /** C-MOVE / C-GET sub-operations failed (A702, or B000 with failures). */
  | ({
      kind: 'sub-operations';
      service: 'move' | 'get';
      failed: number;
      completed: number;
      warning: number;
      failedSopInstanceUids: string[];
      errorComment?: string;
      destination?: string;
    } & PeerRef &
      LocalRef)
  /**
   * A C-MOVE failed with "unable to process" (Cxxx), no Error Comment and no sub-operation at
   * all: what Orthanc answers when it has no entry for the destination or cannot reach it.
   */
  | ({ kind: 'move-refused'; status: number; destination: string } & PeerRef & LocalRef)
  /** The PACS claimed sub-operations completed but fewer instances arrived here. */
  | ({ kind: 'move-incomplete'; claimed: number; arrived: number; destination: string; localHost: string; localPort: number } & PeerRef)
  /** Our SCP could not listen. */
  | {
      kind: 'listen';
      code: string;
      host: string;
      port: number;
      /**
       * How the user changes the port or address: the `priors serve` options (default), the web
       * UI's --ui-port, or the app's settings (Nodes & settings → This workstation).
       */
      via?: 'serve-options' | 'ui-port-option' | 'settings';
    }
  /** A file system failure in the cache or data directory. */
  | { kind: 'disk'; code: string; path?: string }
  /** The cache of the data directory is owned by another live process. */
  | { kind: 'cache-busy'; dataDir: string; pid?: number; advice: string }
  /** A node name that is not configured. */
  | { kind: 'unknown-node'; name: string }
  /** Bad input from the user (command line, form, config file); `message` says what. */
  | { kind: 'invalid-input'; message: string }
  /** The user cancelled. */
  | { kind: 'cancelled'; service?: DimseService | WebService }
  /** A DICOMweb (PS3.18) failure: an HTTP status, a failed connection, an answer not as promised. */
  | WebFailure
  /** Anything else; `message` is the best we know. */
  | { kind: 'unexpected'; message: string };

/** A stable code and one sentence saying what to fix. */
export interface Diagnosis {
  code: string;
  sentence: string;
}

/** The sentence alone. */
export function explain(failure: FailureDescription): string {
  return diagnose(failure).sentence;
}

/** Diagnoses a failure: a stable code and one plain sentence. */
export function diagnose(f: FailureDescription): Diagnosis {
  const [code, text] = raw(f);
  return { code, sentence: sentence(text) };
}

const SERVICE_WORDS: Record<DimseService, string> = {
  echo: 'verification (C-ECHO)',
  find: 'query (C-FIND)',
  move: 'retrieve (C-MOVE)',
  get: 'retrieve (C-GET)',
  store: 'send (C-STORE)',
};

function raw(f: FailureDescription): [string, string] {
  switch (f.kind) {
    case 'transport':
      return transport(f);
    case 'rejected':
      return rejected(f);
    case 'aborted':
      return aborted(f);
    case 'timeout':
      return timeout(f);
    case 'no-context':
      return noContext(f);
    case 'status':
      return status(f);
    case 'sub-operations':
      return subOperations(f);
    case 'move-incomplete':
      return moveIncomplete(f);
    case 'move-refused': {
      const peer = f.calledAeTitle ? `PACS ${f.calledAeTitle}` : 'The PACS';
      const ours = f.localAeTitle === undefined || f.localAeTitle === f.destination;
      const where = ours && f.localHost && f.localPort !== undefined ? ` at ${f.localHost}:${f.localPort}` : '';
      return [
        'move-refused',
        `${peer} refused to send anything to AE title ${f.destination} without saying why: it probably has no entry for ${f.destination} or cannot connect to it; add ${f.destination}${where || ' with its host and port'} to its list of known nodes and check that it can reach ${where ? 'this workstation' : 'it'}`,
      ];
    }
    case 'listen':
      return listen(f);
    case 'disk':
      return disk(f);
    case 'cache-busy':
      return ['cache-busy', `The cache in ${f.dataDir} is in use by another Priors process${f.pid !== undefined ? ` (pid ${f.pid})` : ''}: ${f.advice}`];
    case 'unknown-node':
      return [
        'unknown-node',
        `No node named "${f.name}" is configured: add it with "priors nodes add ${f.name} AET@host:port", or give the address directly as AET@host:port`,
      ];
    case 'invalid-input':
      return ['invalid-input', f.message];
    case 'cancelled':
      return [
        'cancelled',
        f.service
          ? `The ${f.service in SERVICE_WORDS ? SERVICE_WORDS[f.service as DimseService] : WEB_SERVICE_WORDS[f.service as WebService]} was cancelled`
          : 'Cancelled',
      ];
    case 'http':
    case 'http-transport':
    case 'http-answer':
      return webRaw(f);
    case 'unexpected':
      return ['unexpected', f.message || 'Something unexpected failed; run the command again with --json for details'];
  }
}

/** "PACS X at host:port", "PACS X" or "the node at host:port". */
function peerName(p: PeerRef): string {
  const addr = p.host !== undefined && p.port !== undefined ? `${p.host}:${p.port}` : undefined;
  if (p.calledAeTitle && addr) return `${p.calledAeTitle} at ${addr}`;
  if (p.calledAeTitle) return p.calledAeTitle;
  return addr ? `the node at ${addr}` : 'the remote node';
}

function localName(l: LocalRef, fallbackAe = 'PRIORS'): string {
  const ae = l.localAeTitle ?? fallbackAe;
  if (l.localHost && l.localPort !== undefined) return `${ae} (${l.localHost}:${l.localPort})`;
  if (l.localPort !== undefined) return `${ae} (this workstation, port ${l.localPort})`;
  return `${ae} (this workstation)`;
}

function transport(f: Extract<FailureDescription, { kind: 'transport' }>): [string, string] {
  const at = `${f.host}:${f.port}`;
  switch (f.code) {
    case 'ECONNREFUSED':
      return [
        'connection-refused',
        `Nothing accepts connections at ${at}: check the port number, that the DICOM service on ${f.host} is running, and that no firewall rejects port ${f.port}`,
      ];
    case 'ETIMEDOUT':
      return ['connect-timeout', `No answer from ${at}: check the host address and that a firewall allows TCP port ${f.port}`];
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return ['host-not-found', `The host name "${f.host}" cannot be found: check its spelling or use its IP address`];
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return ['host-unreachable', `${f.host} cannot be reached from this workstation: check the address, the network connection and any firewall in between`];
    // DICOM TLS (PS3.15 Annex B): the handshake's failures, by the code Node gives them
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'CERT_UNTRUSTED':
      return [
        'tls-untrusted',
        `The TLS certificate of ${peerName(f)} at ${at} is not signed by a CA this workstation trusts: set the node's TLS CA file to the CA that issued it`,
      ];
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return [
        'tls-expired',
        `The TLS certificate of ${peerName(f)} at ${at} has expired or is not valid yet: ask its administrator to renew it, and check this workstation's clock`,
      ];
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return [
        'tls-name',
        `The TLS certificate at ${at} is not issued to "${f.host}": connect by the name its certificate carries, or set the node's TLS server name to it`,
      ];
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'EPROTO':
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return [
        'tls-protocol',
        `Nothing speaks DICOM TLS 1.2 or later at ${at}: it is probably a plain DICOM port; use the node's TLS port, or turn TLS off for this node`,
      ];
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
    case 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
      return [
        'tls-client-cert',
        `${peerName(f)} at ${at} refused this workstation's TLS client certificate (or its absence): set the node's TLS certificate and key files to a certificate it trusts`,
      ];
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return [
        'connection-reset',
        `${peerName(f)} closed the connection unexpectedly: check that port ${f.port} is its DICOM port and look in its log for the reason`,
      ];
    default:
      return ['transport', `The connection to ${at} failed (${f.code}): check the address and the network`];
  }
}

/** PS3.8 §9.3.4 Table 9-21: A-ASSOCIATE-RJ result, source and reason. */
function rejected(f: Extract<FailureDescription, { kind: 'rejected' }>): [string, string] {
  const peer = peerName(f);
  const transient = f.result === 2 ? ' for now' : '';
  const local = localName(f, f.callingAeTitle);
  if (f.source === 1) {
    switch (f.reason) {
      case 3:
        return [
          'calling-ae-not-recognized',
          `PACS ${f.calledAeTitle} does not accept calling AE title ${f.callingAeTitle}: add ${local} to its list of known nodes`,
        ];
      case 7:
        return ['called-ae-not-recognized', `The node at ${f.host ?? '?'}:${f.port ?? '?'} is not AE title ${f.calledAeTitle}: check the called AE title`];
      case 2:
        return [
          'application-context-not-supported',
          `${peer} does not support the DICOM application context: check that port ${f.port ?? '?'} is a DICOM port`,
        ];
      case 1:
        return [
          'rejected-no-reason',
          `${peer} refused the association${transient} without giving a reason: check that it knows calling AE title ${f.callingAeTitle} and that ${f.calledAeTitle} is its AE title`,
        ];
    }
  } else if (f.source === 2) {
    if (f.reason === 2)
      return ['protocol-version-not-supported', `${peer} does not support DICOM upper layer protocol version 1: it is not a compatible DICOM node`];
    return [
      'rejected-by-acse',
      `${peer} refused the association${transient} in its DICOM protocol layer without a reason: look in its log for calling AE title ${f.callingAeTitle}`,
    ];
  } else if (f.source === 3) {
    if (f.reason === 1) return ['temporary-congestion', `${peer} is temporarily congested: try again in a moment`];
    if (f.reason === 2) return ['local-limit-exceeded', `${peer} has reached its limit of simultaneous associations: try again later or raise its limit`];
  }
  return [
    'rejected',
    `${peer} refused the association${transient} (result ${f.result}, source ${f.source}, reason ${f.reason}): check that it knows calling AE title ${f.callingAeTitle}`,
  ];
}

/** PS3.8 §9.3.8 Table 9-26: A-ABORT source and reason. */
function aborted(f: Extract<FailureDescription, { kind: 'aborted' }>): [string, string] {
  const peer = peerName(f);
  const during = f.service ? ` during the ${SERVICE_WORDS[f.service]}` : '';
  if (f.source === 0) {
    // A PACS that refuses queries or retrieves from an AE title it does not know often accepts
    // the association (for C-ECHO) and aborts at the first C-FIND/C-MOVE/C-GET (Orthanc does).
    if ((f.service === 'find' || f.service === 'move' || f.service === 'get') && f.localAeTitle) {
      const local = f.localHost ? `${f.localAeTitle} (${f.localHost}${f.localPort !== undefined ? `:${f.localPort}` : ''})` : f.localAeTitle;
      return [
        'aborted-by-peer',
        `${peer} aborted the association${during}: most often it does not allow ${SERVICE_WORDS[f.service]} from calling AE title ${f.localAeTitle}; add ${local} to its list of known nodes, or else its log says why`,
      ];
    }
    return ['aborted-by-peer', `${peer} aborted the association${during}: its log says why (often a SOP class, transfer syntax or limit it does not accept)`];
  }
  const reasons: Record<number, string> = {
    1: 'an unrecognized PDU',
    2: 'an unexpected PDU',
    4: 'an unrecognized PDU parameter',
    5: 'an unexpected PDU parameter',
    6: 'an invalid PDU parameter value',
  };
  const why = reasons[f.reason];
  return [
    'aborted-protocol-error',
    why
      ? `The association with ${peer} was aborted${during} because of ${why}: the two DICOM implementations disagree; look in the peer's log`
      : `The association with ${peer} was aborted${during} by the DICOM protocol layer: look in the peer's log for the reason`,
  ];
}

function timeout(f: Extract<FailureDescription, { kind: 'timeout' }>): [string, string] {
  const peer = peerName(f);
  const after = f.ms !== undefined ? ` within ${Math.round(f.ms / 100) / 10} s` : '';
  switch (f.which) {
    case 'connect':
      return [
        'connect-timeout',
        `No answer from ${f.host ?? peer}${f.port !== undefined ? `:${f.port}` : ''}${after}: check the host address and that a firewall allows TCP port ${f.port ?? 'of the PACS'}`,
      ];
    case 'artim':
      return [
        'artim-timeout',
        `${peer} accepted the connection but did not answer the DICOM association request${after}: check that this port is its DICOM port`,
      ];
    case 'dimse':
      return [
        'dimse-timeout',
        `${peer} stopped answering${f.service ? ` during the ${SERVICE_WORDS[f.service]}` : ''}${after}: it may be busy; try again or raise timeouts.dimseMs`,
      ];
  }
}

function noContext(f: Extract<FailureDescription, { kind: 'no-context' }>): [string, string] {
  const what = f.sopClassName ?? `the ${SERVICE_WORDS[f.service]} service`;
  const fix =
    f.fix ??
    (f.service === 'store'
      ? 'it does not accept this kind of object or its transfer syntax; convert it or ask for the SOP class to be enabled'
      : f.service === 'echo'
        ? 'it does not support verification, though it accepts associations'
        : 'choose another query model for this node (--model study, patient or patientstudy) or, for retrieval, the other method (--method move or get)');
  return ['no-presentation-context', `${peerName(f)} does not support ${what}: ${fix}`];
}

function comment(c: string | undefined): string {
  const t = c?.trim();
  return t ? ` ("${t}")` : '';
}

/** Failure and warning statuses of PS3.4 and PS3.7 Annex C. */
function status(f: Extract<FailureDescription, { kind: 'status' }>): [string, string] {
  const peer = f.calledAeTitle ? `PACS ${f.calledAeTitle}` : 'The PACS';
  const s = f.status;
  const c = comment(f.errorComment);
  const hex = `0x${s.toString(16).toUpperCase().padStart(4, '0')}`;
  if (s === 0xfe00) return ['cancelled', `The ${SERVICE_WORDS[f.service]} was cancelled`];
  if (s === 0xa801) {
    const dest = f.destination ?? f.localAeTitle ?? 'PRIORS';
    if (f.localAeTitle !== undefined && dest !== f.localAeTitle) {
      return [
        'move-destination-unknown',
        `${peer} has no entry for AE title ${dest}; add ${dest} with its host and port to its list of known nodes, or check the destination AE title`,
      ];
    }
    const at =
      f.localHost && f.localPort !== undefined
        ? `${f.localHost}:${f.localPort}`
        : f.localPort !== undefined
          ? `this workstation, port ${f.localPort}`
          : 'this workstation';
    return ['move-destination-unknown', `${peer} has no entry for AE title ${dest}; add ${dest} at ${at} to its list of known nodes`];
  }
  if (s === 0x0122)
    return [
      'sop-class-not-supported',
      `${peer} does not support this SOP class for the ${SERVICE_WORDS[f.service]}${c}: choose another query model for this node or check what the PACS accepts`,
    ];
  if (s === 0x0124)
    return [
      'not-authorized',
      `${peer} does not allow ${f.callingAeTitle ?? 'this AE title'} to use the ${SERVICE_WORDS[f.service]}${c}: ask its administrator for the permission`,
    ];
  if (s === 0x0211) return ['unrecognized-operation', `${peer} does not recognize the ${SERVICE_WORDS[f.service]} operation${c}`];
  if (s === 0x0213 || s === 0xa700 || s === 0xa701 || ((s & 0xff00) === 0xa700 && f.service === 'store')) {
    if (f.service === 'store') return ['out-of-resources', `${peer} has no room to store the instance${c}: free space on the PACS or raise its quota`];
    if (s === 0xa701)
      return [
        'out-of-resources',
        `${peer} ran out of resources counting the instances to retrieve${c}: retrieve a narrower set (a series instead of a study) or try later`,
      ];
    return [
      'out-of-resources',
      `${peer} ran out of resources for the ${SERVICE_WORDS[f.service]}${c}: narrow the query (more keys, a --limit) or try again later`,
    ];
  }
  if (s === 0xa702)
    return [
      'sub-operations-failed',
      `${peer} could not perform the retrieval sub-operations${c}: check that it can reach ${f.destination ?? 'the destination'} and that the destination accepts the instances`,
    ];
  if ((s & 0xff00) === 0xa900) {
    if (f.service === 'store')
      return [
        'data-set-mismatch',
        `${peer} refused the instance because its data set does not match its SOP class${c}: the file may be damaged or mislabelled`,
      ];
    return [
      'identifier-mismatch',
      `${peer} refused the query keys as not matching its information model${c}: check the level (-L) and keys (-k) for this query model`,
    ];
  }
  if ((s & 0xf000) === 0xc000) {
    if (f.service === 'store')
      return ['cannot-understand', `${peer} could not understand the instance${c}: the file may be damaged or use a transfer syntax it cannot read`];
    return ['unable-to-process', `${peer} could not process the ${SERVICE_WORDS[f.service]}${c}: check the keys and their values`];
  }
  if (s === 0xb000 && f.service === 'store') return ['coercion-of-data-elements', `${peer} stored the instance but changed some of its data elements${c}`];
  if (s === 0xb007) return ['data-set-does-not-match-sop-class', `${peer} stored the instance with a warning: its data set does not match its SOP class${c}`];
  if (s === 0xb006) return ['elements-discarded', `${peer} stored the instance but discarded some of its elements${c}`];
  if (s === 0x0111) return ['duplicate-sop-instance', `${peer} already holds this SOP instance${c}`];
  if (s === 0x0110) return ['processing-failure', `${peer} failed while processing the ${SERVICE_WORDS[f.service]}${c}: look in its log for the reason`];
  return ['status', `${peer} answered the ${SERVICE_WORDS[f.service]} with status ${hex}${c}`];
}

function listUids(uids: string[]): string {
  if (uids.length === 0) return '';
  const shown = uids.slice(0, 3).join(', ');
  return uids.length > 3 ? ` (${shown} and ${uids.length - 3} more)` : ` (${shown})`;
}

function subOperations(f: Extract<FailureDescription, { kind: 'sub-operations' }>): [string, string] {
  const peer = f.calledAeTitle ? `PACS ${f.calledAeTitle}` : 'The PACS';
  const total = f.failed + f.completed + f.warning;
  const which = `${f.failed} of ${total} instance${total === 1 ? '' : 's'}${listUids(f.failedSopInstanceUids)}`;
  const c = comment(f.errorComment);
  if (f.service === 'get') {
    return [
      'sub-operations-failed',
      `${peer} could not send ${which} over the C-GET association${c}: this workstation may not have offered their SOP class or transfer syntax, or refused them (see its log)`,
    ];
  }
  const dest = f.destination ?? f.localAeTitle ?? 'the destination';
  const where = f.localHost && f.localPort !== undefined ? ` at ${f.localHost}:${f.localPort}` : '';
  return [
    'sub-operations-failed',
    `${peer} could not send ${which} to ${dest}${c}: check that the PACS can reach ${dest}${where} and that ${dest} accepts their SOP classes`,
  ];
}

function moveIncomplete(f: Extract<FailureDescription, { kind: 'move-incomplete' }>): [string, string] {
  const peer = f.calledAeTitle ? `PACS ${f.calledAeTitle}` : 'The PACS';
  const cause = `the PACS could not reach this workstation at ${f.localHost}:${f.localPort}, or its entry for AE title ${f.destination} points elsewhere`;
  if (f.arrived === 0) {
    return ['nothing-arrived', `${peer} reported ${f.claimed} instance${f.claimed === 1 ? '' : 's'} sent but none arrived: ${cause}`];
  }
  return ['move-incomplete', `${peer} reported ${f.claimed} instances sent but only ${f.arrived} arrived: ${cause}`];
}

function listen(f: Extract<FailureDescription, { kind: 'listen' }>): [string, string] {
  const via = f.via ?? 'serve-options';
  const port =
    via === 'settings'
      ? 'choose another port in Nodes & settings → This workstation'
      : via === 'ui-port-option'
        ? 'choose another port for the web UI with --ui-port (0 picks a free one)'
        : 'choose another port with --port';
  const bind = via === 'settings' ? 'choose another bind address in Nodes & settings → This workstation' : 'choose another with --bind';
  const what = via === 'ui-port-option' ? 'the web UI' : 'the DICOM server';
  switch (f.code) {
    case 'EADDRINUSE':
      return [
        'port-in-use',
        `Port ${f.port} is already in use on this workstation, so ${what} cannot listen: stop the program using it (perhaps another "priors serve") or ${port}`,
      ];
    case 'EACCES':
    case 'EPERM':
      return ['port-not-permitted', `Port ${f.port} needs administrator rights on this system: ${port.replace('another port', 'a port above 1023')}`];
    case 'EADDRNOTAVAIL':
      return ['bind-address-unavailable', `Address ${f.host} does not belong to this workstation: ${bind} (0.0.0.0 means every interface)`];
    default:
      return ['listen-failed', `Cannot listen on ${f.host}:${f.port} (${f.code}): ${port}, or ${bind.replace('choose another', 'another address')}`];
  }
}

function disk(f: Extract<FailureDescription, { kind: 'disk' }>): [string, string] {
  const where = f.path ? ` (${f.path})` : '';
  switch (f.code) {
    case 'ENOSPC':
      return ['disk-full', `The disk holding the data directory is full${where}: free space or choose another data directory with --data`];
    case 'EDQUOT':
    case 'EQUOTA':
      return ['disk-quota', `The disk quota for the data directory is exhausted${where}: free space or raise the quota`];
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return ['not-writable', `Priors cannot write to the data directory${where}: check its permissions or choose another with --data`];
    case 'ENOENT':
      return ['not-found', `A file or directory does not exist${where}: check the path`];
    default:
      return ['disk', `A file operation failed with ${f.code}${where}: check the data directory and its disk`];
  }
}

/** Capital first letter, one final period. */
function sentence(text: string): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  if (/^https?:\/\//.test(t)) return `${t}.`; // a sentence that opens with a URL keeps it as written
  return t.charAt(0).toUpperCase() + t.slice(1) + '.';
}
