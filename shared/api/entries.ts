/**
 * The entries of the API at run time: each name with the checker of its payload, so the IPC
 * layer and the web host validate every payload the same way before a handler sees it.
 * Pure code: no Node, no DOM.
 */
import type { ApiEntries, EntryName, NodeInput, RequestOf, SearchSource, Settings, SingleSource } from './contract.js';
import { PayloadError, bool, clientId, custom, integer, list, object, oneOf, text, textMap, uid, type Check } from './validate.js';
import { validateConfig, validateNode } from '../config.js';
import { QUERY_LEVELS } from '../dicom/query.js';
import type { TransferRequest } from '../transfers.js';
import { checkRule, checkSynonyms, type BodyPartSynonyms, type PrefetchRuleInput } from '../prefetch.js';

/** One entry: its name and the checker of its payload. */
export interface EntrySpec<K extends EntryName = EntryName> {
  name: K;
  /** The typed request, or a {@link PayloadError} naming the faulty field. */
  parse(raw: unknown): RequestOf<K>;
}

const nodeName = text(1, 64, /^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a node name (letters, digits, '.', '_', '-')");
const MODELS = ['study', 'patient', 'patientstudy'] as const;
const empty = object<Record<string, never>>({});
const page = { 'limit?': integer(1, 100_000), 'offset?': integer(0, Number.MAX_SAFE_INTEGER) };

const settings: Check<Settings> = custom((raw, path) => {
  if (typeof raw === 'object' && raw !== null && 'nodes' in raw) return { ok: false, error: `${path}.nodes is not a setting: use the nodes entries` };
  const r = validateConfig(raw);
  if (!r.ok) return { ok: false, error: `${path}: ${r.error}` };
  const { nodes: _nodes, ...rest } = r.config;
  return { ok: true, value: rest };
});

const node: Check<NodeInput> = custom((raw, path) => validateNode(raw, path));

const localSource = object<{ kind: 'local' }>({ kind: oneOf(['local']) });
const nodeSource = object<{ kind: 'node'; node: string }>({ kind: oneOf(['node', 'local']), node: nodeName });
const source: Check<SingleSource> = (raw, path) =>
  (typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'local' ? localSource : nodeSource)(raw, path);
const nodesSource = object<{ kind: 'nodes'; nodes: string[]; cache?: boolean }>({ kind: oneOf(['nodes']), nodes: list(nodeName, 1, 64), 'cache?': bool });
const allSource = object<{ kind: 'all' }>({ kind: oneOf(['all']) });
/** A search's source: one node, the cache, several nodes or every archive. */
const searchSource: Check<SearchSource> = (raw, path) => {
  const kind = typeof raw === 'object' && raw !== null ? (raw as { kind?: unknown }).kind : undefined;
  return (kind === 'nodes' ? nodesSource : kind === 'all' ? allSource : source)(raw, path);
};

/** Query keys: DICOM keywords (or gggg,eeee) → values as written (wildcards, ranges, `\`-separated). */
const queryKeys = textMap(/^(?:[A-Za-z][A-Za-z0-9]{0,63}|[0-9A-Fa-f]{4},[0-9A-Fa-f]{4})$/, 64);

const transferRequest = object<TransferRequest>({
  node: nodeName,
  'method?': oneOf(['move', 'get', 'wado']),
  level: oneOf(['STUDY', 'SERIES']),
  StudyInstanceUID: uid,
  'SeriesInstanceUIDs?': list(uid, 1, 10_000),
  'expected?': integer(0, 100_000_000),
  'label?': text(0, 256),
  'firstSeries?': uid,
});

const uidList = list(uid, 1, 10_000);
const rule: Check<PrefetchRuleInput> = custom((raw, path) => {
  const r = checkRule(raw);
  return r.ok ? r : { ok: false, error: `${path}: ${r.error}` };
});
const synonyms: Check<BodyPartSynonyms> = custom((raw, path) => {
  const r = checkSynonyms(raw);
  return r.ok ? r : { ok: false, error: `${path}: ${r.error}` };
});
const patientId = text(1, 64);
/** The filter of the audit entries (shared/audit.ts AuditFilter). */
const auditFilter = {
  'since?': integer(0, Number.MAX_SAFE_INTEGER),
  'until?': integer(0, Number.MAX_SAFE_INTEGER),
  'what?': oneOf(['query', 'retrieve', 'store', 'send', 'delete', 'import', 'export', 'prefetch', 'association-refused', 'move-destination-refused']),
  'peer?': text(0, 64),
  'patient?': text(0, 64),
  'outcome?': oneOf(['ok', 'failed']),
  'limit?': integer(1, 10_000),
  'offset?': integer(0, Number.MAX_SAFE_INTEGER),
} as const;

const checks: { [K in EntryName]: Check<RequestOf<K>> } = {
  'settings.get': empty,
  'settings.save': object({ settings }),
  'nodes.list': empty,
  'nodes.save': object({ node, 'previousName?': nodeName }),
  'nodes.delete': object({ name: nodeName }),
  'nodes.test': object({ name: nodeName }),
  'search.start': object({
    source: searchSource,
    level: oneOf(QUERY_LEVELS),
    keys: queryKeys,
    'limit?': integer(1, 1_000_000),
    'model?': oneOf(MODELS),
    'searchId?': clientId,
  }),
  'search.cancel': object({ searchId: clientId }),
  'search.series': object({ source, StudyInstanceUID: uid }),
  'cache.stats': empty,
  'cache.doctor': object({ 'repair?': bool }),
  'cache.patients': object(page),
  'cache.studies': object({ ...page, 'PatientID?': text(0, 64), 'IssuerOfPatientID?': text(0, 64), 'StudyInstanceUID?': text(1, 64) }),
  'cache.series': object({ StudyInstanceUID: uid }),
  'viewer.instances': object({ StudyInstanceUID: uid, SeriesInstanceUID: uid }),
  'viewer.hold': object({ StudyInstanceUID: uid, 'holdId?': clientId }),
  'viewer.release': object({ holdId: clientId }),
  'viewer.priors': object({ StudyInstanceUID: uid }),
  'cache.delete': object({ level: oneOf(['STUDY', 'SERIES']), uids: uidList }),
  'cache.import': object({ path: text(1, 4096), 'importId?': clientId }),
  'cache.export': object({
    studies: uidList,
    out: text(1, 4096),
    'dicomdir?': bool,
    'zip?': bool,
    'exportId?': clientId,
    'deidentify?': object({ 'pseudonym?': text(1, 64), 'retainDates?': bool, 'cleanDescriptors?': bool, 'allowBurnedIn?': bool }),
  }),
  'cache.send': object({ node: nodeName, level: oneOf(['STUDY', 'SERIES']), uids: uidList, 'sendId?': clientId }),
  'transfers.list': empty,
  'transfers.add': transferRequest,
  'transfers.cancel': object({ id: text(1, 64) }),
  'transfers.retry': object({ id: text(1, 64) }),
  'activity.query': object({
    'node?': text(0, 64),
    'outcome?': oneOf(['ok', 'failed', 'info']),
    'afterSeq?': integer(0, Number.MAX_SAFE_INTEGER),
    'limit?': integer(1, 10_000),
  }),
  'prefetch.rules': empty,
  'prefetch.saveRule': object({ rule, 'previousName?': nodeName }),
  'prefetch.deleteRule': object({ name: nodeName }),
  'prefetch.saveSynonyms': object({ synonyms }),
  'prefetch.run': object({ PatientID: patientId, 'IssuerOfPatientID?': text(0, 64), 'StudyInstanceUID?': uid, 'dryRun?': bool }),
  'prefetch.runs': object({ 'limit?': integer(1, 500), 'PatientID?': patientId }),
  'prefetch.pollWorklist': object({ node: nodeName }),
  'audit.query': object(auditFilter),
  'audit.export': object({ ...auditFilter, format: oneOf(['csv', 'json']) }),
  'logs.tail': object({ 'maxBytes?': integer(1024, 4 * 1024 * 1024) }),
  'diagnostics.save': empty,
};

function spec<K extends EntryName>(name: K): EntrySpec<K> {
  return { name, parse: (raw) => checks[name](raw, '') };
}

/** Every entry with its payload checker, by name. */
export const API_ENTRIES: { readonly [K in EntryName]: EntrySpec<K> } = Object.freeze(
  Object.fromEntries((Object.keys(checks) as EntryName[]).map((n) => [n, spec(n)])) as { [K in EntryName]: EntrySpec<K> },
);

/** The entry names, in contract order. */
export const ENTRY_NAMES: readonly EntryName[] = Object.freeze(Object.keys(checks) as EntryName[]);

/** Whether `name` is an entry of the contract. */
export function isEntryName(name: string): name is EntryName {
  return Object.prototype.hasOwnProperty.call(checks, name);
}

export { PayloadError };
export type { ApiEntries };
