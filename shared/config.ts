/**
 * The configuration model of a Priors workstation, after dcm4che's
 * Device ⊃ ApplicationEntity ⊃ Connection: one local AE (the title and port other nodes
 * use to reach us), the remote nodes we query and retrieve from, who may associate with
 * us, and the limits and timers of the network layer.
 *
 * Pure code: the schemas below (zod) read `unknown` (what JSON.parse returned) and answer with a
 * config filled with defaults, or one sentence naming the faulty field (shared/validation.ts).
 * docs/config.schema.json is generated from them for editors (npm run config-schema).
 */

import { z } from 'zod';
import { dicomwebSettings, pemFile, type DicomwebSettings, type NodeProtocol } from './dicomweb-config.js';
import type { QueryModel } from './dicom/query.js';
import { characterSet } from './dicom/charset-terms.js';
import type { Result } from './result.js';
import { bool, expected, fault, oneOf, parseWith, settings, show, strictObject } from './validation.js';

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
  /**
   * Default true: prefetch also looks as soon as a study starts arriving, while its sender still
   * sends (the patient may still be on the table); once the study has settled it looks again if
   * series came since.
   */
  lookWhileArriving: boolean;
}

export const DEFAULT_PREFETCH: Readonly<PrefetchSettings> = Object.freeze({ enabled: true, quietSeconds: 5, lookWhileArriving: true });

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

/** The messages of the integer fields: `from 1 to 65535`, or `of at least 1` when unbounded above. */
function integerText(min: number, max: number): string {
  return max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
}

/**
 * An integer from `min` to `max`. Digits written as text are read as the number (a port typed in a
 * form, `"104"` on the command line); out of range they stay text, so the sentence shows them as written.
 */
function integer(min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) && Number(v) >= min && Number(v) <= max ? Number(v) : v),
    z
      .number({ error: expected(integerText(min, max)) })
      .int()
      .min(min)
      .max(max),
  );
}

/** What each part of a DIMSE address must be: its schema's message, and the sentence when a node lacks it. */
const ADDRESS_WHAT = { aeTitle: 'an AE title (text)', host: 'a host name or IP address', port: integerText(1, 65535) } as const;

/**
 * An AE title (PS3.5 §6.2, VR AE): 1–16 characters of the default character repertoire, no
 * backslash, no control characters, not only spaces. Leading and trailing spaces are not
 * significant and are removed.
 */
const aeTitle = z
  .string({ error: expected(ADDRESS_WHAT.aeTitle) })
  .trim()
  .min(1, { error: 'must not be empty or only spaces' })
  .max(16, { error: (i) => `must be at most 16 characters, got "${String(i.input)}" (${String(i.input).length})` })
  .regex(/^[^\\]*$/, { error: (i) => `must not contain a backslash, got "${String(i.input)}"` })
  .regex(/^[\x20-\x7e]*$/, {
    error: (i) => `must use plain ASCII letters, digits and punctuation (no control or accented characters), got ${show(i.input)}`,
  });

/** An Issuer of Patient ID (VR LO, PS3.5 §6.2): 1–64 characters, no backslash or control characters. */
const issuer = z
  .string({ error: expected('an Issuer of Patient ID: 1–64 characters without backslash or control characters') })
  .trim()
  .min(1)
  .max(64)
  .refine((v) => ![...v].some((c) => c === '\\' || c.charCodeAt(0) < 0x20));

/** A node nickname: letters, digits, '.', '_' and '-', starting with a letter or digit. */
export const nodeName = z
  .string({ error: expected("1–64 letters, digits, '.', '_' or '-' starting with a letter or digit") })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

/** A host name or IP address (no scheme, no port); an IPv6 address may come in brackets. */
const host = z
  .string({ error: expected(ADDRESS_WHAT.host) })
  .trim()
  .overwrite((v) => (v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v))
  .max(253)
  .regex(/^[A-Za-z0-9._:%-]+$/);

/** A TCP port number (1–65535). */
const port = integer(1, 65535);

/** Checks an AE title: the title without its outer spaces, or what is wrong with it. */
export function checkAeTitle(raw: unknown): Result<string, string> {
  return parseWith(aeTitle, raw);
}

/** Checks an Issuer of Patient ID. */
export function checkIssuer(raw: unknown): Result<string, string> {
  return parseWith(issuer, raw);
}

/** Checks a node nickname. */
export function checkNodeName(raw: unknown): Result<string, string> {
  return parseWith(nodeName, raw);
}

/** Checks a host name or IP address. */
export function checkHost(raw: unknown): Result<string, string> {
  return parseWith(host, raw);
}

/** Checks a TCP port number (1–65535); strings of digits are accepted. */
export function checkPort(raw: unknown): Result<number, string> {
  return parseWith(port, raw);
}

/** A remote address written as `AET@host:port` (IPv6 hosts in brackets: `AET@[::1]:104`). */
export interface NodeAddress {
  aeTitle: string;
  host: string;
  port: number;
}

/** Parses `AET@host:port`. */
export function parseNodeAddress(text: string): Result<NodeAddress, string> {
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

/** The Query/Retrieve information models a node may be asked in. */
export const QUERY_MODELS = ['study', 'patient', 'patientstudy'] as const satisfies readonly QueryModel[];
const METHODS = ['move', 'get', 'wado'] as const satisfies readonly RetrieveMethod[];
const POLICY_MODES = ['any', 'configured', 'list'] as const satisfies readonly CallingAePolicy['mode'][];
const SERVICE_ACCESS = ['any', 'nodes', 'local'] as const satisfies readonly ServiceAccess[];
const DAY_MS = 86_400_000;

const localTls = settings({
  port: integer(0, 65535).describe('TCP port of the DICOM TLS listener.'),
  certFile: pemFile.describe('Our certificate (PEM file).'),
  keyFile: pemFile.describe('Our private key (PEM file).'),
  caFile: pemFile.describe('CA bundle that client certificates must chain to.').optional(),
  requireClientCert: bool.describe('Require and verify a client certificate (PS3.15 B.1); needs caFile.').optional(),
}).transform((tls, ctx): LocalTls => {
  if (tls.requireClientCert && !tls.caFile) fault(ctx, ['caFile'], 'is needed to verify client certificates (requireClientCert)');
  return tls;
});

const nodeTls = settings({
  caFile: pemFile.describe("CA bundle the node's certificate must chain to.").optional(),
  certFile: pemFile.describe('Our client certificate, when the node asks for one.').optional(),
  keyFile: pemFile.describe('The key of our client certificate.').optional(),
  serverName: host.describe("The host name its certificate must carry (default: the node's host when it is a name).").optional(),
  rejectUnauthorized: bool.describe('Default true: a certificate that does not chain to caFile is refused.').optional(),
}).transform((tls, ctx): NodeTls => {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) fault(ctx, ['keyFile'], 'and certFile go together (the client certificate and its key)');
  return tls;
});

const worklist = settings({
  stationAeTitle: aeTitle.describe('Only procedures scheduled for this station (Scheduled Station AE Title).').optional(),
  modality: z
    .string({ error: expected('a modality such as CT or MR') })
    .regex(/^\s*[A-Za-z0-9]{1,16}\s*$/)
    .trim()
    .toUpperCase()
    .describe('Only procedures of this modality.')
    .optional(),
  hoursAhead: integer(1, 168).describe('How far ahead to look, in hours.').default(DEFAULT_WORKLIST_HOURS_AHEAD),
  intervalMinutes: integer(1, 1440).describe('How often to ask, in minutes.').default(DEFAULT_WORKLIST_INTERVAL_MINUTES),
}) satisfies z.ZodType<WorklistSettings>;

const transferSyntaxUid = z
  .string({ error: expected('a transfer syntax UID such as 1.2.840.10008.1.2') })
  .trim()
  .max(64)
  .regex(/^[0-9]+(\.[0-9]+)*$/);

const outgoing = settings({
  neverDecompress: z
    .array(transferSyntaxUid, { error: expected('a list of transfer syntax UIDs') })
    .describe('Compressed transfer syntaxes (UIDs) this node must get as stored, never decompressed.')
    .optional(),
  preferred: transferSyntaxUid.describe('The syntax to send in when the node takes it, before the stored one.').optional(),
}) satisfies z.ZodType<OutgoingSettings>;

/** The fields of a node; how its addresses, protocol and method fit together is checked after them. */
const nodeFields = settings({
  name: nodeName.describe('Local nickname, used on the command line and in the UI.'),
  aeTitle: aeTitle.describe('AE title of the node (its DIMSE address: aeTitle, host and port, or none for a DICOMweb-only node).').optional(),
  host: host.describe('Host name or IP address of the node.').optional(),
  port: port.describe('TCP port of the node.').optional(),
  protocol: oneOf(['dimse', 'dicomweb']).describe("How it is searched and sent to (default: 'dimse' when it has a DIMSE address).").optional(),
  dicomweb: dicomwebSettings.describe('Its DICOMweb service (PS3.18): QIDO-RS, WADO-RS, STOW-RS.').optional(),
  model: oneOf(QUERY_MODELS).describe('Query/Retrieve information model (PS3.4 C.6).').default('study'),
  method: oneOf(METHODS).describe('The first way of retrieving: C-MOVE, C-GET or WADO-RS.').optional(),
  maxAssociations: integer(1, 64).describe('Most simultaneous associations we open to this node.').default(DEFAULT_NODE_MAX_ASSOCIATIONS),
  maxIncomingAssociations: integer(1, 256).describe('Most simultaneous associations this node may open with us.').optional(),
  tls: nodeTls.describe('Connect to it with DICOM TLS (PS3.15 Annex B).').optional(),
  worklist: worklist.describe('A worklist provider (a RIS), polled for scheduled procedures.').optional(),
  queryRetrieve: bool.describe('false for a node prefetch never searches (a modality, a workstation).').optional(),
  outgoing: outgoing.describe('What this node is sent when it is a C-MOVE destination or a send target.').optional(),
  compressOnArrival: oneOf([...ARRIVAL_COMPRESSIONS, 'off'])
    .describe("How what this node sends us is stored; 'off' = as received.")
    .optional(),
  issuer: issuer.describe('The Issuer of Patient ID (0010,0021) given to its answers that carry none.').optional(),
  characterSet: characterSet.describe('The Specific Character Set (0008,0005) its queries are written in, e.g. "ISO_IR 100".').optional(),
});

/**
 * A remote node. It has a DIMSE address (AE title, host and port: all three), a DICOMweb URL or
 * both; without a URL the address is required. The protocol and the retrieve method default from
 * what it has, and each must have what it needs. 'dimse', the default, is not written.
 */
export const nodeSchema = nodeFields.transform((o, ctx): RemoteNode => {
  const { protocol: given, method: asked, ...node } = o;
  const dimse = o.aeTitle !== undefined || o.host !== undefined || o.port !== undefined || o.dicomweb === undefined;
  if (dimse) {
    const missing = (['aeTitle', 'host', 'port'] as const).find((key) => o[key] === undefined);
    if (missing) fault(ctx, [missing], expected(ADDRESS_WHAT[missing])({ input: undefined }));
  }
  const protocol = given ?? (dimse ? 'dimse' : 'dicomweb');
  if (protocol === 'dicomweb' && !o.dicomweb) fault(ctx, ['dicomweb'], 'is needed for a DICOMweb node (its base URL)');
  const method = asked ?? (dimse ? 'move' : 'wado');
  if (method === 'wado' && !o.dicomweb) fault(ctx, ['method'], '"wado" needs the node\'s DICOMweb URL');
  if (method !== 'wado' && !dimse) fault(ctx, ['method'], `"${method}" needs a DIMSE address (aeTitle, host, port); a DICOMweb-only node retrieves by "wado"`);
  if (!dimse && (o.tls !== undefined || o.worklist !== undefined)) {
    fault(ctx, [o.tls !== undefined ? 'tls' : 'worklist'], 'needs a DIMSE address (aeTitle, host, port): it is DICOM over TCP');
  }
  return { ...node, ...(protocol === 'dicomweb' ? { protocol } : {}), method };
});

/** Validates one remote node; missing optional fields take their defaults. Errors name the field under `path`. */
export function validateNode(raw: unknown, path = 'node'): Result<RemoteNode, string> {
  return parseWith(nodeSchema, raw, path);
}

const callingAePolicy = settings({
  mode: oneOf(POLICY_MODES).describe("'any' accepts every calling AE; 'configured' only the nodes' AE titles; 'list' only aeTitles."),
  aeTitles: z
    .array(aeTitle, { error: expected('a list of AE titles') })
    .describe("The AE titles of the 'list' mode.")
    .optional(),
  bindToHost: bool.describe("A configured node's AE title is accepted only from that node's host.").optional(),
  services: settings({
    verification: oneOf(SERVICE_ACCESS).optional(),
    storage: oneOf(SERVICE_ACCESS).optional(),
    queryRetrieve: oneOf(SERVICE_ACCESS).optional(),
  })
    .describe('Who may use each service once associated.')
    .optional(),
}).transform((policy, ctx): CallingAePolicy => {
  if (policy.mode === 'list' && !policy.aeTitles?.length) fault(ctx, ['aeTitles'], 'must list at least one AE title when mode is "list"');
  return policy;
});

/** The settings of config.json, its node list aside; absent ones take the defaults of {@link defaultConfig}. */
const settingsShape = {
  local: settings({
    aeTitle: aeTitle.describe('Our AE title.').default(DEFAULT_LOCAL_AE.aeTitle),
    port: integer(0, 65535).describe('TCP port our DICOM server listens on.').default(DEFAULT_LOCAL_AE.port),
    bindAddress: host.describe("Address our DICOM server binds to ('0.0.0.0' = every interface).").default(DEFAULT_LOCAL_AE.bindAddress),
    maxPduLength: integer(0, 0xffffffff)
      .refine((n) => n === 0 || n >= 4096, { error: (i) => `must be 0 (unlimited) or at least 4096, got ${show(i.input)}` })
      .describe('Maximum PDU length we announce (PS3.8 D.1); 0 = unlimited.')
      .default(DEFAULT_LOCAL_AE.maxPduLength),
    tls: localTls.describe('A DICOM TLS listener beside the plain port.').optional(),
    dicomweb: settings({ bindAddress: host, port: integer(0, 65535).describe('0 = a free port.').default(0) })
      .describe('Our DICOMweb service also on this address and port, for callers beyond this machine.')
      .optional(),
  })
    .describe('The local Application Entity and its network connection.')
    .prefault({}),
  callingAePolicy: callingAePolicy.describe('Who may open associations with our DICOM server.').default((): CallingAePolicy => ({ mode: 'any' })),
  maxAssociations: integer(1, 1000).describe('Most simultaneous incoming associations.').default(DEFAULT_MAX_ASSOCIATIONS),
  maxAssociationsPerCallingAe: integer(1, 1000).describe('Most simultaneous incoming associations per calling AE title.').optional(),
  timeouts: settings({
    connectMs: integer(1, DAY_MS).default(DEFAULT_TIMEOUTS.connectMs),
    artimMs: integer(1, DAY_MS).default(DEFAULT_TIMEOUTS.artimMs),
    dimseMs: integer(0, DAY_MS).default(DEFAULT_TIMEOUTS.dimseMs),
    idleMs: integer(0, DAY_MS).describe('How long an incoming association may sit idle before it is aborted (0 = never).').optional(),
  })
    .describe('Network timers in milliseconds; dimseMs 0 = wait forever.')
    .prefault({}),
  caseInsensitivePN: bool.describe('Match Person Name values case-insensitively.').default(true),
  quotaBytes: integer(1, Number.MAX_SAFE_INTEGER).describe('Cache size limit in bytes; absent = no limit.').optional(),
  durability: oneOf(['instance', 'deferred'])
    .describe("When a received instance reaches the disk: 'deferred' (default) or each 'instance' before it is acknowledged.")
    .optional(),
  minFreeBytes: integer(0, Number.MAX_SAFE_INTEGER).describe('Free space, in bytes, kept on the file system of the data directory.').optional(),
  prefetch: settings({
    enabled: bool.default(DEFAULT_PREFETCH.enabled),
    quietSeconds: integer(0, 3600).describe('Seconds without a new instance of a study before prefetch looks.').default(DEFAULT_PREFETCH.quietSeconds),
    lookWhileArriving: bool
      .describe('Prefetch also looks as soon as a study starts arriving, and again once it has settled if series came since.')
      .default(DEFAULT_PREFETCH.lookWhileArriving),
  })
    .describe('Prefetch of priors.')
    .optional(),
  compressOnArrival: oneOf(ARRIVAL_COMPRESSIONS).describe('Grey images that arrive uncompressed are stored compressed without loss.').optional(),
};

/** A config file may name its JSON Schema (docs/config.schema.json) for editors; validation ignores it. */
const schemaKey = z
  .string({ error: expected('the address of a JSON Schema') })
  .describe('The JSON Schema of this file, for editors.')
  .optional();

const { local, ...afterLocal } = settingsShape;

/**
 * config.json as written: unknown fields are errors (they are usually typos). This is what
 * docs/config.schema.json describes.
 */
export const configFileSchema = settings({
  $schema: schemaKey,
  local,
  nodes: z
    .array(nodeSchema, { error: expected('a list') })
    .describe('The remote nodes we query and retrieve from.')
    .default(() => []),
  ...afterLocal,
});

/** The configuration, defaults filled and node names unique (case-insensitively). */
export const configSchema = configFileSchema.transform(({ $schema: _schema, ...config }, ctx): Config => {
  const seen = new Set<string>();
  config.nodes.forEach((node, i) => {
    if (seen.has(node.name.toLowerCase())) fault(ctx, ['nodes', i, 'name'], `"${node.name}" is used by another node`);
    seen.add(node.name.toLowerCase());
  });
  return config;
});

/** The settings an API caller saves: the configuration without its nodes, which have their own entries. */
export const settingsSchema = strictObject(
  { $schema: schemaKey, ...settingsShape },
  {
    unknown: (names, key) => (key === 'nodes' ? 'is not a setting: use the nodes entries' : `is not a known setting (expected one of ${names.join(', ')})`),
  },
).transform(({ $schema: _schema, ...rest }): Omit<Config, 'nodes'> => rest);

/**
 * Validates a configuration as read from config.json. Missing fields take their defaults;
 * unknown fields are errors. The error names the field path, e.g.
 * `nodes[1].port must be an integer from 1 to 65535, got "abc"`.
 */
export function validateConfig(raw: unknown): Result<Config, string> {
  return parseWith(configSchema, raw ?? {}, '', 'the configuration');
}

/** How a node is searched and sent to: its protocol, or DIMSE when it has a DIMSE address. */
export function nodeProtocol(node: Pick<RemoteNode, 'protocol' | 'aeTitle' | 'dicomweb'>): NodeProtocol {
  return node.protocol ?? (node.aeTitle === undefined && node.dicomweb ? 'dicomweb' : 'dimse');
}

/** Whether a node has a DIMSE address (AE title, host and port). */
export function hasDimse<T extends Pick<RemoteNode, 'aeTitle' | 'host' | 'port'>>(node: T): node is T & { aeTitle: string; host: string; port: number } {
  return node.aeTitle !== undefined && node.host !== undefined && node.port !== undefined;
}

/** Finds a node by name (case-insensitive). */
export function findNode(config: Config, name: string): RemoteNode | undefined {
  const key = name.toLowerCase();
  return config.nodes.find((n) => n.name.toLowerCase() === key);
}
