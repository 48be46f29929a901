/**
 * The API contract between the UI and the main process (docs/architecture.md, rules 4 and 5): one entry per
 * operation, each with its request and response types; answers are {@link Result} data (errors
 * carry a code of shared/errors.ts); progress and streamed matches come as {@link ApiEvent}s.
 * The same contract is served over IPC (Electron) and over HTTP + SSE (electron/web). Every
 * payload is checked by the schemas of {@link API_ENTRIES} (shared/api/entries.ts) on both transports.
 * Pure code: no Node, no DOM.
 */
import type { AuditEvent, AuditFilter } from '../audit.js';
import type { Config, RemoteNode } from '../config.js';
import type { QueryLevel, QueryModel } from '../dicom/query.js';
import type { ApiError } from '../errors.js';
import type { Result } from '../result.js';
import type { ExportRequest, ExportResult } from '../export.js';
import type { NodeSearchOutcome, PatientIdentifier } from '../search.js';
import type { CacheStats, DoctorReport, ImportResult, PatientRecord, SeriesRecord, StudyRecord } from '../records.js';
import type { TransferEvent, TransferJob, TransferRequest } from '../transfers.js';
import type { BodyPartSynonyms, PrefetchedMark, PrefetchEvent, PrefetchRule, PrefetchRuleInput, PrefetchRun } from '../prefetch.js';

export type { ApiError, ErrorCode } from '../errors.js';
export { API_ENTRIES, ENTRY_NAMES, isEntryName, type EntrySpec } from './entries.js';

/** An answer: the value, or an error with a code of the catalog and one sentence (shared/result.ts). */
export type { Result } from '../result.js';

/** A match as plain data: DICOM keyword → values joined with a backslash (PS3.5 §6.4). */
export type MatchRow = Record<string, string>;

/** The settings of the workstation: the configuration without its node list (nodes.* entries). */
export type Settings = Omit<Config, 'nodes'>;

/** Our DICOM server as it runs now. */
export interface ServerStatus {
  listening: boolean;
  aeTitle: string;
  host?: string;
  port?: number;
  /** Why it is not listening, when it tried and failed (SHELL): e.g. 'port-in-use'. */
  state?: 'listening' | 'port-in-use' | 'port-not-permitted' | 'bind-address-unavailable' | 'listen-failed';
  /** The sentence that says what to do (shared/diagnostics.ts, phrased for the settings screen). */
  message?: string;
  /**
   * Where the AE title, port and bind address in effect come from: a flag of `priors serve`
   * (--aet, --port, --bind), config.json, or the default of a new configuration.
   */
  origin?: Record<'aeTitle' | 'port' | 'bindAddress', ValueOrigin>;
}

/** Where a value in effect comes from. */
export type ValueOrigin = 'flag' | 'config' | 'default';

/**
 * How much of a study (or series) found on a node the local cache holds (SEARCH): 'full' when
 * the instances held reach the count the node announced, 'partial' when some are held (or any
 * are held and the node gave no count), 'none' when none are. Local matches carry no state.
 */
export type CacheState = 'full' | 'partial' | 'none';

/** Where a search goes: a configured node (C-FIND), or the local cache. */
export type SearchSource = SingleSource | { kind: 'nodes'; nodes: string[]; cache?: boolean } | { kind: 'all' };
/**
 * One place: a node or the local cache. `nodes` searches several nodes at once (and the local
 * cache with `cache`) and `all` every archive and the local cache (shared/config.ts isArchive),
 * their answers merged by StudyInstanceUID (shared/search.ts).
 */
export type SingleSource = { kind: 'node'; node: string } | { kind: 'local' };

/** A node as the UI edits it: optional fields take their defaults (shared/config.ts). */
export type NodeInput = Pick<RemoteNode, 'name' | 'aeTitle' | 'host' | 'port'> &
  Partial<
    Pick<
      RemoteNode,
      | 'model'
      | 'method'
      | 'maxAssociations'
      | 'maxIncomingAssociations'
      | 'tls'
      | 'worklist'
      | 'queryRetrieve'
      | 'outgoing'
      | 'issuer'
      | 'characterSet'
      | 'protocol'
      | 'dicomweb'
    >
  >;

/** A study of the patient as the viewer offers it beside the open one. */
export interface ViewerPrior {
  study: StudyRecord;
  /** An earlier study the prefetch rules keep for this one (the rule's newest N). */
  relevant: boolean;
  /** The rules' sentence: why it is relevant, or why not. */
  reason: string;
  /** The mark of a study a prefetch run brought. */
  prefetched?: PrefetchedMark;
}

/** How one poll of a worklist provider went. */
export interface WorklistPoll {
  node: string;
  /** Procedures scheduled in the window. */
  procedures: number;
  /** Those prefetched for now (not seen before). */
  started: number;
  /** The sentence of a failure. */
  error?: string;
}

/** One step of a node test. */
export interface NodeTestStep {
  step: 'echo' | 'find' | 'retrieve';
  outcome: 'ok' | 'failed' | 'skipped';
  elapsedMs: number;
  /** What happened, in one sentence; for a failure, the fix (shared/diagnostics.ts). */
  message: string;
  /** The catalog code of a failure. */
  code?: string;
}

/** One association log line of the activity log. */
export interface ActivityLine {
  /** Increasing number, to ask for lines after one already seen. */
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** Association id (a1, a2, ...) when the line is about one. */
  association?: string;
  /** AE title of the other side of that association, when known. */
  peerAeTitle?: string;
  outcome: 'ok' | 'failed' | 'info';
}

/** Every entry: its request and its response. */
export interface ApiEntries {
  'settings.get': { request: Record<string, never>; response: { settings: Settings; server: ServerStatus } };
  /** Saves the settings; `restartRequired` when the local AE, port or bind address changed. */
  'settings.save': { request: { settings: Settings }; response: { settings: Settings; restartRequired: boolean } };
  'nodes.list': { request: Record<string, never>; response: { nodes: RemoteNode[] } };
  /** Adds a node or replaces the one named `previousName` (a rename) or of the same name. */
  'nodes.save': { request: { node: NodeInput; previousName?: string }; response: { node: RemoteNode } };
  'nodes.delete': { request: { name: string }; response: { deleted: boolean } };
  /** echo → a small find → a one-instance retrieve to ourselves; each step's outcome. */
  /** `characterSets`: the Specific Character Sets the node's answers were written in (to offer as its query set). */
  'nodes.test': { request: { name: string }; response: { ok: boolean; steps: NodeTestStep[]; characterSets?: string[] } };
  /**
   * Starts a search; matches come as `search.match` events, then one `search.done`. A caller
   * may choose `searchId` (to subscribe before the answer); else one is made.
   */
  'search.start': {
    request: { source: SearchSource; level: QueryLevel; keys: Record<string, string>; limit?: number; model?: QueryModel; searchId?: string };
    response: { searchId: string };
  };
  /** Cancels a running search (C-CANCEL for a node); false when it had already ended. */
  'search.cancel': { request: { searchId: string }; response: { cancelled: boolean } };
  /** The series of one study (SERIES-level C-FIND on demand, or the cache). */
  'search.series': {
    request: { source: SingleSource; StudyInstanceUID: string };
    /** `cache` (SEARCH): how much of each series (by SeriesInstanceUID) the local cache holds, for a node's answer. */
    response: { rows: MatchRow[]; cache?: Record<string, CacheState> };
  };
  'cache.stats': { request: Record<string, never>; response: CacheStats };
  /**
   * Holds the index against the files (rows without files, files without rows) and checks the
   * index and the history for damage, each finding in one sentence; `repair` mends what it can
   * (a damaged index rebuilt from the files, rows and files brought into agreement) without
   * touching the jobs, the audit log or prefetch's state.
   */
  'cache.doctor': { request: { repair?: boolean }; response: DoctorReport };
  'cache.patients': { request: { limit?: number; offset?: number }; response: { patients: PatientRecord[] } };
  'cache.studies': {
    /** `StudyInstanceUID`: that one study (the viewer opening it). */
    request: { PatientID?: string; IssuerOfPatientID?: string; StudyInstanceUID?: string; limit?: number; offset?: number };
    /** `prefetched`: the studies a prefetch rule chose, by StudyInstanceUID (their badges). */
    response: { studies: StudyRecord[]; prefetched?: Record<string, PrefetchedMark> };
  };
  'cache.series': { request: { StudyInstanceUID: string }; response: { series: SeriesRecord[] } };
  /** The instances of a cached series, for the image loader's imageIds (wado-uri over the host or the protocol). */
  'viewer.instances': {
    request: { StudyInstanceUID: string; SeriesInstanceUID: string };
    response: { instances: { SOPInstanceUID: string; SOPClassUID: string; InstanceNumber?: string; transferSyntaxUid: string }[] };
  };
  /**
   * The viewer has a study open: it is not evicted, nor are the other studies of its patient.
   * A lease (`leaseMs`): renew with the same `holdId` while open, release on close.
   */
  'viewer.hold': { request: { StudyInstanceUID: string; holdId?: string }; response: { holdId: string; leaseMs: number } };
  'viewer.release': { request: { holdId: string }; response: { released: boolean } };
  /**
   * The other cached studies of a study's patient, the ones to compare with first: the earlier
   * studies the prefetch rules hold relevant (shared/prefetch.ts), newest first, then the
   * others, newest first; each with the rules' sentence.
   */
  'viewer.priors': { request: { StudyInstanceUID: string }; response: { priors: ViewerPrior[] } };
  'cache.delete': { request: { level: 'STUDY' | 'SERIES'; uids: string[] }; response: { deleted: number } };
  /** Imports a folder or file of this machine into the cache; `import.progress` events (with `importId`) while it runs. */
  'cache.import': { request: { path: string; importId?: string }; response: ImportResult };
  /**
   * Exports cached studies to a folder or a ZIP, as stored, as a CD/USB medium with a DICOMDIR, or
   * de-identified (shared/export.ts); `export.progress` events (with `exportId`) while it runs.
   */
  'cache.export': { request: ExportRequest & { exportId?: string }; response: ExportResult };
  /** Sends studies or series of the cache to a node (C-STORE); `send.progress` events while it runs. */
  'cache.send': {
    request: { node: string; level: 'STUDY' | 'SERIES'; uids: string[]; sendId?: string };
    response: { sendId: string; sent: number; warnings: number; failed: number; error?: ApiError };
  };
  'transfers.list': { request: Record<string, never>; response: { jobs: TransferJob[] } };
  'transfers.add': { request: TransferRequest; response: { job: TransferJob } };
  'transfers.cancel': { request: { id: string }; response: { job: TransferJob } };
  'transfers.retry': { request: { id: string }; response: { job: TransferJob } };
  /** The activity log, newest last, filtered by node (AE title or node name) and outcome. */
  'activity.query': {
    request: { node?: string; outcome?: ActivityLine['outcome']; afterSeq?: number; limit?: number };
    response: { lines: ActivityLine[] };
  };
  /** The prefetch rules in the order they are tried, and the body-part synonym table. */
  'prefetch.rules': { request: Record<string, never>; response: { rules: PrefetchRule[]; synonyms: BodyPartSynonyms } };
  /** Adds a rule, or replaces the one named `previousName` (a rename) or of the same name. */
  'prefetch.saveRule': { request: { rule: PrefetchRuleInput; previousName?: string }; response: { rules: PrefetchRule[] } };
  'prefetch.deleteRule': { request: { name: string }; response: { deleted: boolean } };
  'prefetch.saveSynonyms': { request: { synonyms: BodyPartSynonyms }; response: { synonyms: BodyPartSynonyms } };
  /**
   * Looks for a patient's priors now: against `StudyInstanceUID` as the current study, else the
   * patient's newest (in the cache or on the nodes). `dryRun` decides and reports only.
   */
  'prefetch.run': {
    request: { PatientID: string; IssuerOfPatientID?: string; StudyInstanceUID?: string; dryRun?: boolean };
    response: { run: PrefetchRun };
  };
  /** The last runs, newest first (of one patient when asked). */
  'prefetch.runs': { request: { limit?: number; PatientID?: string }; response: { runs: PrefetchRun[] } };
  /** Asks a worklist provider now, as the timer does. */
  'prefetch.pollWorklist': { request: { node: string }; response: WorklistPoll };
  /** The audit log (PS3.15 A.5 events), newest first, narrowed by the filter; `total` counts every match. */
  'audit.query': {
    request: AuditFilter;
    /** `studies`: what the cache knows of the events' studies (date, description), by StudyInstanceUID. */
    response: { events: AuditEvent[]; total: number; studies?: Record<string, Pick<StudyRecord, 'StudyDate' | 'StudyDescription' | 'ModalitiesInStudy'>> };
  };
  /** The audit log as a file: CSV, or JSON audit messages (PS3.15 A.5 structure). */
  'audit.export': { request: AuditFilter & { format: 'csv' | 'json' }; response: { filename: string; mediaType: string; content: string; events: number } };
  /** The end of the current log file (at most `maxBytes`, whole lines), where it is, and why it is not kept if it is not. */
  'logs.tail': { request: { maxBytes?: number }; response: LogTail };
  /**
   * Writes the diagnostics bundle a PACS administrator attaches to a ticket (configuration without
   * secrets, the log files, versions, the data directory's state, the recent activity) into the
   * data directory's diagnostics folder; `download` is its address on the web host.
   */
  'diagnostics.save': { request: Record<string, never>; response: { path: string; filename: string; entries: string[]; bytes: number; download: string } };
}

/** The end of the log file, as the Activity screen shows it. */
export interface LogTail {
  /** The log directory, and the current file when there is one. */
  dir: string;
  path?: string;
  text: string;
  /** Older lines were left out. */
  truncated: boolean;
  /** Why the log is not being written, when it is not (the app keeps working). */
  problem?: string;
}

/** The name of an entry. */
export type EntryName = keyof ApiEntries;
/** The request of an entry. */
export type RequestOf<K extends EntryName> = ApiEntries[K]['request'];
/** The response of an entry. */
export type ResponseOf<K extends EntryName> = ApiEntries[K]['response'];

/** How a search ended. */
export interface SearchDone {
  type: 'search.done';
  searchId: string;
  outcome: 'completed' | 'cancelled' | 'failed';
  matches: number;
  limitReached: boolean;
  /** The node's answer looks capped (a round count, an unasked Cancel): offer to split the query. */
  looksCapped?: { count: number; reason: string };
  /** A search of several nodes: how each node's part ended (a failure or a cap in one sentence); 'failed' only when every node failed. */
  nodes?: NodeSearchOutcome[];
  /** The cause when `outcome` is 'failed'. */
  error?: ApiError;
}

/** Everything pushed to the UI. */
export type ApiEvent =
  /**
   * A match; of a search of several nodes, the merged match as it stands (sent again, with the
   * same StudyInstanceUID, when another node answers with it): `heldBy` the nodes that hold it,
   * `identifiers` every patient identifier they gave.
   */
  | {
      type: 'search.match';
      searchId: string;
      row: MatchRow;
      cache?: CacheState;
      cacheNote?: string;
      prefetched?: PrefetchedMark;
      heldBy?: string[];
      identifiers?: PatientIdentifier[];
    }
  | SearchDone
  | { type: 'send.progress'; sendId: string; done: number; total: number }
  /** After each file of a `cache.import`: the counts so far and the file just read. */
  | { type: 'import.progress'; importId: string; path: string; imported: number; duplicates: number; skipped: number }
  /** After each instance of a `cache.export`: how many of how many are done, how many left out so far. */
  | { type: 'export.progress'; exportId: string; done: number; total: number; leftOut: number }
  | { type: 'log'; line: ActivityLine }
  /** Instances of a study were stored by our SCP, whoever sent them: at once, then at most twice a second while more come. */
  | { type: 'study.arrived'; StudyInstanceUID: string; SeriesInstanceUID: string }
  | TransferEvent
  | PrefetchEvent;

/** The functions behind the contract, one per entry (implemented by electron/app/core.ts). */
export type ApiHandlers = { [K in EntryName]: (request: RequestOf<K>) => Promise<Result<ResponseOf<K>>> };

/** The settings part of a configuration. */
export function settingsOf(config: Config): Settings {
  const { nodes: _nodes, ...settings } = config;
  return settings;
}
