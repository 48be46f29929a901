/**
 * The configuration model of a Priors workstation, after dcm4che's
 * Device ⊃ ApplicationEntity ⊃ Connection: one local AE (the title and port other nodes
 * use to reach us), the remote nodes we query and retrieve from, who may associate with
 * us, and the limits and timers of the network layer.
 *
 * Pure code: validation takes `unknown` (what JSON.parse returned) and answers with a
 * config filled with defaults, or one sentence naming the faulty field.
 */

import { checkDicomweb, type DicomwebSettings, type NodeProtocol } from './dicomweb-config.js';
import type { QueryModel } from './dicom/query.js';
import { checkCharacterSet } from './dicom/charset-terms.js';

export type { DicomwebAuth, DicomwebSettings, NodeProtocol } from './dicomweb-config.js';
/** Query/Retrieve information model (PS3.4 C.6): Patient Root, Study Root, Patient/Study Only. */
export type { QueryModel };
/** How instances are retrieved from a node: C-MOVE to our SCP, or C-GET on the same association. */
export type RetrieveMethod = 'move' | 'get' | 'wado';

/** The local Application Entity and its network connection. */
export interface LocalAe {
  /** Our AE title: Called AE Title for incoming associations, Calling AE Title for outgoing ones. */
  aeTitle: string;
  /** TCP port our Storage/Query SCP listens on. */
  port: number;
  /** Address the SCP binds to ('0.0.0.0' = every interface). */
  bindAddress: string;
  /** Maximum PDU length we announce (PS3.8 D.1); 0 = unlimited. */
  maxPduLength: number;
  /** A DICOM TLS listener (PS3.15 Annex B) beside the plain port; absent = none. */
  tls?: LocalTls;
  /**
   * Our DICOMweb service (PS3.18, /dicom-web/) also on this address and port, for callers beyond
   * this machine (the session token still required, and each service's access of callingAePolicy);
   * absent = on the loopback web host only.
   */
  dicomweb?: LocalDicomweb;
}

/** Where our DICOMweb service listens beside the loopback web host. */
export interface LocalDicomweb {
  bindAddress: string;
  /** 0 = a free port. */
  port: number;
}

/** Our TLS listener: its port, our certificate and key (PEM files), and client certificates. */
export interface LocalTls {
  port: number;
  certFile: string;
  keyFile: string;
  /** CA bundle that client certificates must chain to. */
  caFile?: string;
  /** Require and verify a client certificate (PS3.15 B.1); needs caFile. */
  requireClientCert?: boolean;
}

/** TLS toward a node (PS3.15 Annex B): the CA its certificate must chain to, and our client certificate when it asks for one. */
export interface NodeTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** The host name its certificate must carry (default: the node's host when it is a name). */
  serverName?: string;
  /** Default true: a certificate that does not chain to caFile is refused. */
  rejectUnauthorized?: boolean;
}

/**
 * A node that provides the Modality Worklist (PS3.4 Annex K): Priors asks it for the procedures
 * scheduled soon and prefetches the priors of their patients before they are scanned.
 */
export interface WorklistSettings {
  /** Only procedures scheduled for this station (Scheduled Station AE Title); absent = every station. */
  stationAeTitle?: string;
  /** Only procedures of this modality; absent = every modality. */
  modality?: string;
  /** How far ahead to look, in hours (default 12). */
  hoursAhead: number;
  /** How often to ask, in minutes (default 5). */
  intervalMinutes: number;
}

export const DEFAULT_WORKLIST_HOURS_AHEAD = 12;
export const DEFAULT_WORKLIST_INTERVAL_MINUTES = 5;

/** A remote DICOM node (typically a PACS). */
export interface RemoteNode {
  /** Local nickname, used on the command line and in the UI. */
  name: string;
  /** The DIMSE address (AE title, host, port): all three, or none for a DICOMweb-only node. */
  aeTitle?: string;
  host?: string;
  port?: number;
  /** How it is searched and sent to (default: 'dimse' when it has a DIMSE address, else 'dicomweb'). */
  protocol?: NodeProtocol;
  /** Its DICOMweb service (PS3.18): searched by QIDO-RS, retrieved from by WADO-RS, sent to by STOW-RS. */
  dicomweb?: DicomwebSettings;
  model: QueryModel;
  /** The first way of retrieving; then C-MOVE after C-GET, and WADO-RS last when the node has a DICOMweb URL. */
  method: RetrieveMethod;
  /** Most simultaneous associations we open to this node. */
  maxAssociations: number;
  /** Most simultaneous associations this node (its AE title) may open with us; absent = the global limits. */
  maxIncomingAssociations?: number;
  /** Connect to it with DICOM TLS; absent = plain TCP. */
  tls?: NodeTls;
  /**
   * The Issuer of Patient ID (0010,0021) of this node's patient IDs: given to its answers that
   * carry none, as dcm4chee's issuer supplementation does, so that one patient is recognised
   * across archives. Absent = answers as they come.
   */
  issuer?: string;
  /**
   * The Specific Character Set (0008,0005) this node's queries are written in, values separated by
   * a backslash (`ISO_IR 100`, `\ISO 2022 IR 87`; shared/dicom/charset-terms.ts). Absent = as
   * before: ASCII, or ISO_IR 192 when a value is not ASCII.
   */
  characterSet?: string;
  /** A worklist provider (a RIS): polled for scheduled procedures, and not searched for priors unless a rule names it. */
  worklist?: WorklistSettings;
  /** What this node is sent when it is a C-MOVE destination or a send target; absent = the defaults. */
  outgoing?: OutgoingSettings;
  /** How what this node sends us is stored, over the cache's {@link Config.compressOnArrival}: 'off' = as received. */
  compressOnArrival?: ArrivalCompression | 'off';
  /**
   * false for a node that only sends to us or receives from us (a modality, another workstation,
   * a printer): prefetch never searches it. Absent = an archive (true), or for a worklist provider
   * false.
   */
  queryRetrieve?: boolean;
}

/** Whether prefetch searches a node when a rule names no node: archives, not modalities or worklist-only nodes. */
export function isArchive(node: RemoteNode): boolean {
  return node.queryRetrieve ?? !node.worklist;
}

/**
 * The transfer syntaxes a node is sent in. An instance goes out as stored when the node takes
 * that syntax; otherwise it is converted into one the node takes (native syntaxes into one
 * another, compressed ones decompressed), except the syntaxes listed in `neverDecompress`.
 */
export interface OutgoingSettings {
  /** Compressed transfer syntaxes (UIDs) this node must get as stored, never decompressed (as dcm4chee's NoDecompressTransferSyntaxes). */
  neverDecompress?: string[];
  /** The syntax to send in when the node takes it, before the stored one (e.g. Implicit VR Little Endian for an old receiver). */
  preferred?: string;
}

/** Lossless compressions of what arrives: JPEG-LS Lossless or RLE Lossless (PS3.5 A.4.3, A.4.2). */
export type ArrivalCompression = 'jpeg-ls-lossless' | 'rle-lossless';
export const ARRIVAL_COMPRESSIONS: readonly ArrivalCompression[] = ['jpeg-ls-lossless', 'rle-lossless'];

/** How an instance a node sent is stored: the node's setting, else the cache's; undefined = as received. */
export function arrivalCompression(
  config: Pick<Config, 'compressOnArrival'>,
  node: Pick<RemoteNode, 'compressOnArrival'> | undefined,
): ArrivalCompression | undefined {
  const c = node?.compressOnArrival ?? config.compressOnArrival;
  return c === 'off' ? undefined : c;
}

/** Prefetch of priors: on or off, and how long a study must be quiet before its priors are sought. */
export interface PrefetchSettings {
  /** Default true: the rules run on arrivals and worklist entries (there is nothing to do until a node is configured). */
  enabled: boolean;
  /** Seconds without a new instance of a study, after its sender released, before prefetch looks (default 5). */
  quietSeconds: number;
}

export const DEFAULT_PREFETCH: Readonly<PrefetchSettings> = Object.freeze({ enabled: true, quietSeconds: 5 });

/** Who may open associations with our SCP. */
export interface CallingAePolicy {
  /** 'any' accepts every calling AE; 'configured' only the AE titles of the remote nodes; 'list' only `aeTitles`. */
  mode: 'any' | 'configured' | 'list';
  aeTitles?: string[];
  /**
   * An AE title that belongs to a configured node is accepted only from that node's host
   * (its address, or the addresses its name resolves to when the server starts).
   */
  bindToHost?: boolean;
  /**
   * Who may use each service once associated; absent fields take {@link DEFAULT_SERVICE_ACCESS}
   * (Verification and Storage from any caller, Query/Retrieve from configured nodes and this machine).
   */
  services?: Partial<ServiceAccessPolicy>;
}

/**
 * Who may use one service of our SCP: 'any' caller the association policy admits; 'nodes': the
 * AE title of a configured node calling from that node's host, or any caller on this machine;
 * 'local': only callers on this machine.
 */
export type ServiceAccess = 'any' | 'nodes' | 'local';

/** The access of each service class of our SCP (PS3.4 Annexes A, B and C). */
export interface ServiceAccessPolicy {
  /** C-ECHO. */
  verification: ServiceAccess;
  /** C-STORE (a PACS delivering a C-MOVE calls with its own AE title). */
  storage: ServiceAccess;
  /** C-FIND, C-MOVE and C-GET over the cache. */
  queryRetrieve: ServiceAccess;
}

/** Secure by default: anyone may verify and send to us; only configured nodes and this machine read the cache. */
export const DEFAULT_SERVICE_ACCESS: Readonly<ServiceAccessPolicy> = Object.freeze({ verification: 'any', storage: 'any', queryRetrieve: 'nodes' });

/** The access of each service, the configured ones over the defaults. */
export function serviceAccess(policy: CallingAePolicy): ServiceAccessPolicy {
  return { ...DEFAULT_SERVICE_ACCESS, ...policy.services };
}

/** Network timers in milliseconds (see electron/dimse Timeouts). */
export interface TimeoutsConfig {
  connectMs: number;
  artimMs: number;
  /** 0 = wait forever for a DIMSE answer. Also how long a peer may stall in the middle of a PDU. */
  dimseMs: number;
  /** How long an incoming association may sit with no request before it is aborted (default 300000; 0 = never). */
  idleMs?: number;
}

/** The whole configuration (config.json in the data directory). */
export interface Config {
  local: LocalAe;
  nodes: RemoteNode[];
  callingAePolicy: CallingAePolicy;
  /** Most simultaneous incoming associations. */
  maxAssociations: number;
  maxAssociationsPerCallingAe?: number;
  timeouts: TimeoutsConfig;
  /** Match Person Name values case-insensitively (PS3.4 C.2.2.2.1 leaves it to the SCP). */
  caseInsensitivePN: boolean;
  /** Cache size limit in bytes; absent = no limit. */
  quotaBytes?: number;
  /**
   * Free space, in bytes, kept on the file system of the data directory: a store that
   * would leave less evicts the least recently used studies first, else it is refused with A700.
   * Absent = only the disk itself limits.
   */
  minFreeBytes?: number;
  /**
   * When a received instance reaches the disk: 'deferred' (default) flushes files in groups within
   * about 0.1 s of their arrival, off the path of the response; 'instance' flushes each file before
   * its C-STORE is acknowledged (slower; for sites that need every acknowledged instance on disk even
   * through a power cut).
   */
  durability?: 'instance' | 'deferred';
  /**
   * Grey images that arrive uncompressed are stored compressed without loss, to take less disk
   * (each checked to decode to the received pixels, else stored as received); absent = as received.
   * A node's own setting overrides it for what that node sends.
   */
  compressOnArrival?: ArrivalCompression;
  /** Prefetch of priors; absent = the defaults ({@link DEFAULT_PREFETCH}). */
  prefetch?: PrefetchSettings;
}

/** Defaults for every field. */
export const DEFAULT_LOCAL_AE: Readonly<LocalAe> = Object.freeze({
  aeTitle: 'PRIORS',
  port: 11112,
  bindAddress: '0.0.0.0',
  maxPduLength: 16352,
});
export const DEFAULT_TIMEOUTS: Readonly<TimeoutsConfig> = Object.freeze({ connectMs: 10_000, artimMs: 30_000, dimseMs: 60_000 });
export const DEFAULT_NODE_MAX_ASSOCIATIONS = 4;
export const DEFAULT_MAX_ASSOCIATIONS = 10;

/** A fresh configuration holding only defaults. */
export function defaultConfig(): Config {
  return {
    local: { ...DEFAULT_LOCAL_AE },
    nodes: [],
    callingAePolicy: { mode: 'any' },
    maxAssociations: DEFAULT_MAX_ASSOCIATIONS,
    timeouts: { ...DEFAULT_TIMEOUTS },
    caseInsensitivePN: true,
  };
}

/** The answer of a validator: a value or one sentence saying what is wrong. */
export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Checks an AE title (PS3.5 §6.2, VR AE): 1–16 characters of the default character
 * repertoire, no backslash, no control characters, not only spaces. Leading and trailing
 * spaces are not significant and are removed.
 */
export function checkAeTitle(raw: unknown): Validated<string> {
  if (typeof raw !== 'string') return { ok: false, error: `must be an AE title (text), got ${show(raw)}` };
  const value = raw.trim();
  if (value === '') return { ok: false, error: 'must not be empty or only spaces' };
  if (value.length > 16) return { ok: false, error: `must be at most 16 characters, got "${value}" (${value.length})` };
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code === 0x5c) return { ok: false, error: `must not contain a backslash, got "${value}"` };
    if (code < 0x20 || code > 0x7e) {
      return { ok: false, error: `must use plain ASCII letters, digits and punctuation (no control or accented characters), got ${show(value)}` };
    }
  }
  return { ok: true, value };
}

/** Checks an Issuer of Patient ID (VR LO, PS3.5 §6.2): 1–64 characters, no backslash or control characters. */
export function checkIssuer(raw: unknown): Validated<string> {
  const value = typeof raw === 'string' ? raw.trim() : '';
  if (value === '' || value.length > 64 || [...value].some((c) => c === '\\' || c.charCodeAt(0) < 0x20)) {
    return { ok: false, error: `must be an Issuer of Patient ID: 1–64 characters without backslash or control characters, got ${show(raw)}` };
  }
  return { ok: true, value };
}

/** Checks a node nickname: letters, digits, '.', '_' and '-', starting with a letter or digit. */
export function checkNodeName(raw: unknown): Validated<string> {
  if (typeof raw !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(raw)) {
    return { ok: false, error: `must be 1–64 letters, digits, '.', '_' or '-' starting with a letter or digit, got ${show(raw)}` };
  }
  return { ok: true, value: raw };
}

/** Checks a host name or IP address (no scheme, no port). */
export function checkHost(raw: unknown): Validated<string> {
  if (typeof raw !== 'string') return { ok: false, error: `must be a host name or IP address, got ${show(raw)}` };
  const value = raw.trim();
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (bare === '' || bare.length > 253 || !/^[A-Za-z0-9._:%-]+$/.test(bare)) {
    return { ok: false, error: `must be a host name or IP address, got ${show(raw)}` };
  }
  return { ok: true, value: bare };
}

/** Checks a TCP port number (1–65535); strings of digits are accepted. */
export function checkPort(raw: unknown): Validated<number> {
  return checkInteger(raw, 1, 65535);
}

function checkInteger(raw: unknown, min: number, max: number): Validated<number> {
  const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    return { ok: false, error: `must be an integer ${range}, got ${show(raw)}` };
  }
  return { ok: true, value: n };
}

/** A remote address written as `AET@host:port` (IPv6 hosts in brackets: `AET@[::1]:104`). */
export interface NodeAddress {
  aeTitle: string;
  host: string;
  port: number;
}

/** Parses `AET@host:port`. */
export function parseNodeAddress(text: string): Validated<NodeAddress> {
  const at = text.lastIndexOf('@');
  const colon = text.lastIndexOf(':');
  if (at <= 0 || colon < at) {
    return { ok: false, error: `"${text}" is not a node address: write it as AET@host:port, e.g. PACS@10.0.0.5:104` };
  }
  const ae = checkAeTitle(text.slice(0, at));
  if (!ae.ok) return { ok: false, error: `the AE title in "${text}" ${ae.error}` };
  const host = checkHost(text.slice(at + 1, colon));
  if (!host.ok) return { ok: false, error: `the host in "${text}" ${host.error}` };
  const port = checkPort(text.slice(colon + 1));
  if (!port.ok) return { ok: false, error: `the port in "${text}" ${port.error}` };
  return { ok: true, value: { aeTitle: ae.value, host: host.value, port: port.value } };
}

/** Writes a node address back as `AET@host:port`. */
export function formatNodeAddress(node: NodeAddress): string {
  const host = node.host.includes(':') ? `[${node.host}]` : node.host;
  return `${node.aeTitle}@${host}:${node.port}`;
}

/** Where a node is, for people: `AET@host:port`, its DICOMweb URL, or both. */
export function nodeAddressText(node: Pick<RemoteNode, 'aeTitle' | 'host' | 'port' | 'dicomweb'>): string {
  const dimse =
    node.aeTitle !== undefined && node.host !== undefined && node.port !== undefined
      ? formatNodeAddress({ aeTitle: node.aeTitle, host: node.host, port: node.port })
      : undefined;
  return [dimse, node.dicomweb?.url].filter((t) => t !== undefined).join(' and ') || '(no address)';
}

const MODELS: readonly QueryModel[] = ['study', 'patient', 'patientstudy'];
const METHODS: readonly RetrieveMethod[] = ['move', 'get', 'wado'];
const POLICY_MODES: readonly CallingAePolicy['mode'][] = ['any', 'configured', 'list'];
const SERVICE_ACCESS: readonly ServiceAccess[] = ['any', 'nodes', 'local'];

/** Thrown inside validation; carries the field path and the complaint. */
class FieldError extends Error {
  constructor(
    readonly path: string,
    readonly complaint: string,
  ) {
    super(`${path} ${complaint}`);
  }
}

function need<T>(path: string, v: Validated<T>): T {
  if (!v.ok) throw new FieldError(path, v.error);
  return v.value;
}

function objectAt(path: string, raw: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new FieldError(path || 'the configuration', `must be an object, got ${show(raw)}`);
  }
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      throw new FieldError(path ? `${path}.${key}` : key, `is not a known setting (expected one of ${known.join(', ')})`);
    }
  }
  return raw as Record<string, unknown>;
}

function oneOf<T extends string>(path: string, raw: unknown, allowed: readonly T[]): T {
  if (typeof raw !== 'string' || !allowed.includes(raw as T)) {
    throw new FieldError(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${show(raw)}`);
  }
  return raw as T;
}

function bool(path: string, raw: unknown): boolean {
  if (typeof raw !== 'boolean') throw new FieldError(path, `must be true or false, got ${show(raw)}`);
  return raw;
}

/** Validates one remote node; missing optional fields take their defaults. */
export function validateNode(raw: unknown, path = 'node'): Validated<RemoteNode> {
  try {
    return { ok: true, value: readNode(raw, path) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e.message };
    throw e;
  }
}

/** A file path of the TLS configuration: a non-empty string (whether it can be read is checked when it is used). */
function filePath(path: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new FieldError(path, `must be the path of a PEM file, got ${show(raw)}`);
  return raw;
}

function readLocalTls(raw: unknown): LocalTls {
  const t = objectAt('local.tls', raw, ['port', 'certFile', 'keyFile', 'caFile', 'requireClientCert']);
  const tls: LocalTls = {
    port: need('local.tls.port', checkInteger(t.port, 0, 65535)),
    certFile: filePath('local.tls.certFile', t.certFile),
    keyFile: filePath('local.tls.keyFile', t.keyFile),
  };
  if (t.caFile !== undefined) tls.caFile = filePath('local.tls.caFile', t.caFile);
  if (t.requireClientCert !== undefined) tls.requireClientCert = bool('local.tls.requireClientCert', t.requireClientCert);
  if (tls.requireClientCert && !tls.caFile) throw new FieldError('local.tls.caFile', 'is needed to verify client certificates (requireClientCert)');
  return tls;
}

function readNodeTls(raw: unknown, path: string): NodeTls {
  const t = objectAt(path, raw, ['caFile', 'certFile', 'keyFile', 'serverName', 'rejectUnauthorized']);
  const tls: NodeTls = {};
  if (t.caFile !== undefined) tls.caFile = filePath(`${path}.caFile`, t.caFile);
  if (t.certFile !== undefined) tls.certFile = filePath(`${path}.certFile`, t.certFile);
  if (t.keyFile !== undefined) tls.keyFile = filePath(`${path}.keyFile`, t.keyFile);
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined))
    throw new FieldError(`${path}.keyFile`, 'and certFile go together (the client certificate and its key)');
  if (t.serverName !== undefined) tls.serverName = need(`${path}.serverName`, checkHost(t.serverName));
  if (t.rejectUnauthorized !== undefined) tls.rejectUnauthorized = bool(`${path}.rejectUnauthorized`, t.rejectUnauthorized);
  return tls;
}

function readWorklist(raw: unknown, path: string): WorklistSettings {
  const w = objectAt(path, raw, ['stationAeTitle', 'modality', 'hoursAhead', 'intervalMinutes']);
  const out: WorklistSettings = {
    hoursAhead: w.hoursAhead === undefined ? DEFAULT_WORKLIST_HOURS_AHEAD : need(`${path}.hoursAhead`, checkInteger(w.hoursAhead, 1, 168)),
    intervalMinutes:
      w.intervalMinutes === undefined ? DEFAULT_WORKLIST_INTERVAL_MINUTES : need(`${path}.intervalMinutes`, checkInteger(w.intervalMinutes, 1, 1440)),
  };
  if (w.stationAeTitle !== undefined) out.stationAeTitle = need(`${path}.stationAeTitle`, checkAeTitle(w.stationAeTitle));
  if (w.modality !== undefined) {
    const m = typeof w.modality === 'string' ? w.modality.trim().toUpperCase() : '';
    if (!/^[A-Z0-9]{1,16}$/.test(m)) throw new FieldError(`${path}.modality`, `must be a modality such as CT or MR, got ${show(w.modality)}`);
    out.modality = m;
  }
  return out;
}

function uidText(path: string, raw: unknown): string {
  if (typeof raw !== 'string' || !/^[0-9]+(\.[0-9]+)*$/.test(raw.trim()) || raw.trim().length > 64) {
    throw new FieldError(path, `must be a transfer syntax UID such as 1.2.840.10008.1.2, got ${show(raw)}`);
  }
  return raw.trim();
}

function readOutgoing(raw: unknown, path: string): OutgoingSettings {
  const o = objectAt(path, raw, ['neverDecompress', 'preferred']);
  const out: OutgoingSettings = {};
  if (o.neverDecompress !== undefined) {
    if (!Array.isArray(o.neverDecompress))
      throw new FieldError(`${path}.neverDecompress`, `must be a list of transfer syntax UIDs, got ${show(o.neverDecompress)}`);
    out.neverDecompress = o.neverDecompress.map((u, i) => uidText(`${path}.neverDecompress[${i}]`, u));
  }
  if (o.preferred !== undefined) out.preferred = uidText(`${path}.preferred`, o.preferred);
  return out;
}

function readNode(raw: unknown, path: string): RemoteNode {
  const o = objectAt(path, raw, [
    'name',
    'aeTitle',
    'host',
    'port',
    'protocol',
    'dicomweb',
    'model',
    'method',
    'maxAssociations',
    'maxIncomingAssociations',
    'tls',
    'worklist',
    'queryRetrieve',
    'outgoing',
    'compressOnArrival',
    'issuer',
    'characterSet',
  ]);
  return {
    ...(o.issuer === undefined ? {} : { issuer: need(`${path}.issuer`, checkIssuer(o.issuer)) }),
    ...(o.characterSet === undefined ? {} : { characterSet: need(`${path}.characterSet`, checkCharacterSet(o.characterSet)) }),
    ...(o.compressOnArrival === undefined
      ? {}
      : { compressOnArrival: oneOf(`${path}.compressOnArrival`, o.compressOnArrival, [...ARRIVAL_COMPRESSIONS, 'off'] as const) }),
    ...(o.outgoing === undefined ? {} : { outgoing: readOutgoing(o.outgoing, `${path}.outgoing`) }),
    ...(o.queryRetrieve === undefined ? {} : { queryRetrieve: bool(`${path}.queryRetrieve`, o.queryRetrieve) }),
    ...(o.tls === undefined ? {} : { tls: readNodeTls(o.tls, `${path}.tls`) }),
    ...(o.worklist === undefined ? {} : { worklist: readWorklist(o.worklist, `${path}.worklist`) }),
    ...(o.maxIncomingAssociations === undefined
      ? {}
      : { maxIncomingAssociations: need(`${path}.maxIncomingAssociations`, checkInteger(o.maxIncomingAssociations, 1, 256)) }),
    ...readAddresses(o, path),
    name: need(`${path}.name`, checkNodeName(o.name)),
    model: o.model === undefined ? 'study' : oneOf(`${path}.model`, o.model, MODELS),
    maxAssociations: o.maxAssociations === undefined ? DEFAULT_NODE_MAX_ASSOCIATIONS : need(`${path}.maxAssociations`, checkInteger(o.maxAssociations, 1, 64)),
  };
}

/** The DIMSE address, the DICOMweb service, the protocol and the method of a node, checked together. */
function readAddresses(o: Record<string, unknown>, path: string): Pick<RemoteNode, 'aeTitle' | 'host' | 'port' | 'protocol' | 'dicomweb' | 'method'> {
  const dimse = o.aeTitle !== undefined || o.host !== undefined || o.port !== undefined || o.dicomweb === undefined;
  const out: Pick<RemoteNode, 'aeTitle' | 'host' | 'port' | 'protocol' | 'dicomweb' | 'method'> = { method: 'move' };
  if (dimse) {
    out.aeTitle = need(`${path}.aeTitle`, checkAeTitle(o.aeTitle));
    out.host = need(`${path}.host`, checkHost(o.host));
    out.port = need(`${path}.port`, checkPort(o.port));
  }
  if (o.dicomweb !== undefined) out.dicomweb = need(`${path}.dicomweb`, checkDicomweb(o.dicomweb, `${path}.dicomweb`));
  const protocol = o.protocol === undefined ? (dimse ? 'dimse' : 'dicomweb') : oneOf(`${path}.protocol`, o.protocol, ['dimse', 'dicomweb'] as const);
  if (protocol === 'dicomweb' && !out.dicomweb) throw new FieldError(`${path}.dicomweb`, 'is needed for a DICOMweb node (its base URL)');
  if (protocol === 'dicomweb') out.protocol = 'dicomweb';
  out.method = o.method === undefined ? (dimse ? 'move' : 'wado') : oneOf(`${path}.method`, o.method, METHODS);
  if (out.method === 'wado' && !out.dicomweb) throw new FieldError(`${path}.method`, '"wado" needs the node\'s DICOMweb URL');
  if (out.method !== 'wado' && !dimse)
    throw new FieldError(`${path}.method`, `"${out.method}" needs a DIMSE address (aeTitle, host, port); a DICOMweb-only node retrieves by "wado"`);
  if (!dimse && (o.tls !== undefined || o.worklist !== undefined))
    throw new FieldError(`${path}.${o.tls !== undefined ? 'tls' : 'worklist'}`, 'needs a DIMSE address (aeTitle, host, port): it is DICOM over TCP');
  return out;
}

/** How a node is searched and sent to: its protocol, or DIMSE when it has a DIMSE address. */
export function nodeProtocol(node: Pick<RemoteNode, 'protocol' | 'aeTitle' | 'dicomweb'>): NodeProtocol {
  return node.protocol ?? (node.aeTitle === undefined && node.dicomweb ? 'dicomweb' : 'dimse');
}

/** Whether a node has a DIMSE address (AE title, host and port). */
export function hasDimse<T extends Pick<RemoteNode, 'aeTitle' | 'host' | 'port'>>(node: T): node is T & { aeTitle: string; host: string; port: number } {
  return node.aeTitle !== undefined && node.host !== undefined && node.port !== undefined;
}

/**
 * Validates a configuration as read from config.json. Missing fields take their defaults;
 * unknown fields are errors (they are usually typos). The error names the field path, e.g.
 * `nodes[1].port must be an integer from 1 to 65535, got "abc"`.
 */
export function validateConfig(raw: unknown): { ok: true; config: Config } | { ok: false; error: string } {
  try {
    return { ok: true, config: readConfig(raw) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e.message };
    throw e;
  }
}

function readConfig(raw: unknown): Config {
  const d = defaultConfig();
  const o = objectAt('', raw ?? {}, [
    'local',
    'nodes',
    'callingAePolicy',
    'maxAssociations',
    'maxAssociationsPerCallingAe',
    'timeouts',
    'caseInsensitivePN',
    'quotaBytes',
    'durability',
    'minFreeBytes',
    'prefetch',
    'compressOnArrival',
  ]);
  const config = d;
  if (o.local !== undefined) {
    const l = objectAt('local', o.local, ['aeTitle', 'port', 'bindAddress', 'maxPduLength', 'tls', 'dicomweb']);
    if (l.tls !== undefined) config.local.tls = readLocalTls(l.tls);
    if (l.dicomweb !== undefined) {
      const w = objectAt('local.dicomweb', l.dicomweb, ['bindAddress', 'port']);
      config.local.dicomweb = {
        bindAddress: need('local.dicomweb.bindAddress', checkHost(w.bindAddress)),
        port: need('local.dicomweb.port', checkInteger(w.port ?? 0, 0, 65535)),
      };
    }
    if (l.aeTitle !== undefined) config.local.aeTitle = need('local.aeTitle', checkAeTitle(l.aeTitle));
    if (l.port !== undefined) config.local.port = need('local.port', checkInteger(l.port, 0, 65535));
    if (l.bindAddress !== undefined) config.local.bindAddress = need('local.bindAddress', checkHost(l.bindAddress));
    if (l.maxPduLength !== undefined) {
      const n = need('local.maxPduLength', checkInteger(l.maxPduLength, 0, 0xffffffff));
      if (n !== 0 && n < 4096) throw new FieldError('local.maxPduLength', `must be 0 (unlimited) or at least 4096, got ${n}`);
      config.local.maxPduLength = n;
    }
  }
  if (o.nodes !== undefined) {
    if (!Array.isArray(o.nodes)) throw new FieldError('nodes', `must be a list, got ${show(o.nodes)}`);
    const seen = new Set<string>();
    config.nodes = o.nodes.map((n, i) => {
      const node = readNode(n, `nodes[${i}]`);
      if (seen.has(node.name.toLowerCase())) throw new FieldError(`nodes[${i}].name`, `"${node.name}" is used by another node`);
      seen.add(node.name.toLowerCase());
      return node;
    });
  }
  if (o.callingAePolicy !== undefined) {
    const p = objectAt('callingAePolicy', o.callingAePolicy, ['mode', 'aeTitles', 'bindToHost', 'services']);
    const mode = oneOf('callingAePolicy.mode', p.mode, POLICY_MODES);
    const policy: CallingAePolicy = { mode };
    if (p.bindToHost !== undefined) policy.bindToHost = bool('callingAePolicy.bindToHost', p.bindToHost);
    if (p.services !== undefined) {
      const services = objectAt('callingAePolicy.services', p.services, Object.keys(DEFAULT_SERVICE_ACCESS));
      policy.services = {};
      for (const [name, access] of Object.entries(services)) {
        policy.services[name as keyof ServiceAccessPolicy] = oneOf(`callingAePolicy.services.${name}`, access, SERVICE_ACCESS);
      }
    }
    if (p.aeTitles !== undefined) {
      if (!Array.isArray(p.aeTitles)) throw new FieldError('callingAePolicy.aeTitles', `must be a list of AE titles, got ${show(p.aeTitles)}`);
      policy.aeTitles = p.aeTitles.map((t, i) => need(`callingAePolicy.aeTitles[${i}]`, checkAeTitle(t)));
    }
    if (mode === 'list' && !policy.aeTitles?.length) {
      throw new FieldError('callingAePolicy.aeTitles', 'must list at least one AE title when mode is "list"');
    }
    config.callingAePolicy = policy;
  }
  if (o.maxAssociations !== undefined) config.maxAssociations = need('maxAssociations', checkInteger(o.maxAssociations, 1, 1000));
  if (o.maxAssociationsPerCallingAe !== undefined) {
    config.maxAssociationsPerCallingAe = need('maxAssociationsPerCallingAe', checkInteger(o.maxAssociationsPerCallingAe, 1, 1000));
  }
  if (o.timeouts !== undefined) {
    const t = objectAt('timeouts', o.timeouts, ['connectMs', 'artimMs', 'dimseMs', 'idleMs']);
    const day = 86_400_000;
    if (t.connectMs !== undefined) config.timeouts.connectMs = need('timeouts.connectMs', checkInteger(t.connectMs, 1, day));
    if (t.artimMs !== undefined) config.timeouts.artimMs = need('timeouts.artimMs', checkInteger(t.artimMs, 1, day));
    if (t.dimseMs !== undefined) config.timeouts.dimseMs = need('timeouts.dimseMs', checkInteger(t.dimseMs, 0, day));
    if (t.idleMs !== undefined) config.timeouts.idleMs = need('timeouts.idleMs', checkInteger(t.idleMs, 0, day));
  }
  if (o.caseInsensitivePN !== undefined) config.caseInsensitivePN = bool('caseInsensitivePN', o.caseInsensitivePN);
  if (o.quotaBytes !== undefined) config.quotaBytes = need('quotaBytes', checkInteger(o.quotaBytes, 1, Number.MAX_SAFE_INTEGER));
  if (o.minFreeBytes !== undefined) config.minFreeBytes = need('minFreeBytes', checkInteger(o.minFreeBytes, 0, Number.MAX_SAFE_INTEGER));
  if (o.durability !== undefined) config.durability = oneOf('durability', o.durability, ['instance', 'deferred'] as const);
  if (o.compressOnArrival !== undefined) config.compressOnArrival = oneOf('compressOnArrival', o.compressOnArrival, ARRIVAL_COMPRESSIONS);
  if (o.prefetch !== undefined) {
    const p = objectAt('prefetch', o.prefetch, ['enabled', 'quietSeconds']);
    config.prefetch = {
      enabled: p.enabled === undefined ? DEFAULT_PREFETCH.enabled : bool('prefetch.enabled', p.enabled),
      quietSeconds: p.quietSeconds === undefined ? DEFAULT_PREFETCH.quietSeconds : need('prefetch.quietSeconds', checkInteger(p.quietSeconds, 0, 3600)),
    };
  }
  return config;
}

/** Finds a node by name (case-insensitive). */
export function findNode(config: Config, name: string): RemoteNode | undefined {
  const key = name.toLowerCase();
  return config.nodes.find((n) => n.name.toLowerCase() === key);
}

/** A value shown in an error sentence: strings quoted, the rest as JSON. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}
