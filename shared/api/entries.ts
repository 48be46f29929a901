/**
 * The entries of the API at run time: each name with the schema of its payload (zod), so the IPC
 * layer and the web host validate every payload the same way before a handler sees it. Payloads
 * are strict: unknown fields are refused. Pure code: no Node, no DOM.
 */
import { z } from 'zod';
import type { ApiEntries, EntryName, RequestOf } from './contract.js';
import { ENTRY_NAMES, isEntryName } from './entry-names.js';
import { PayloadError, parsePayload } from './validate.js';
import { QUERY_MODELS, nodeName, nodeSchema, settingsSchema } from '../config.js';
import { QUERY_LEVELS } from '../dicom/query.js';
import { isValidUid } from '../dicom/uids.js';
import type { TransferRequest } from '../transfers.js';
import { checkRule, checkSynonyms } from '../prefetch.js';
import type { Result } from '../result.js';
import { bool, expected, oneOf, show, strictObject } from '../validation.js';

/** One entry: its name and the reader of its payload. */
export interface EntrySpec<K extends EntryName = EntryName> {
  name: K;
  /** The typed request, or a {@link PayloadError} naming the faulty field. */
  parse(raw: unknown): RequestOf<K>;
}

/** Text of `min`–`max` characters, matching `pattern` when given (described by `what`). */
function text(min = 0, max = 1024, pattern?: RegExp, what?: string) {
  const length = (i: { input?: unknown }) => `must be ${min}–${max} characters long, got ${String(i.input).length}`;
  const s = z
    .string({ error: expected('text') })
    .min(min, { error: length })
    .max(max, { error: length });
  return pattern ? s.regex(pattern, { error: expected(what ?? `text matching ${pattern}`) }) : s;
}

/** A DICOM UID (PS3.5 §9.1). */
const uid = z.string({ error: expected('a DICOM UID (digits and dots, at most 64 characters)') }).refine(isValidUid);

/** An identifier chosen by a caller (search or send id). */
const clientId = text(1, 64, /^[A-Za-z0-9_-]+$/, 'letters, digits, "_" or "-"');

/** An integer from `min` to `max`. */
function integer(min: number, max: number) {
  return z
    .number({ error: expected(`an integer from ${min} to ${max}`) })
    .int()
    .min(min)
    .max(max);
}

/** A list of `min`–`max` values. */
function list<T extends z.ZodType>(item: T, min: number, max: number) {
  const count = (i: { input?: unknown }) => `must hold ${min}–${max} values, got ${(i.input as unknown[]).length}`;
  return z
    .array(item, { error: expected('a list') })
    .min(min, { error: count })
    .max(max, { error: count });
}

/** An object with exactly these fields (optional ones marked so); unknown fields refused. */
function object<S extends z.core.$ZodLooseShape>(shape: S) {
  return strictObject(shape, { unknown: (names) => `is not a known field${names.length ? ` (expected ${names.join(', ')})` : ''}` });
}

/** A map of text keys to text values (at most `max` entries), keys matching `keyPattern`. */
function textMap(keyPattern: RegExp, max: number, valueMax = 1024) {
  return z
    .record(z.string().regex(keyPattern), text(0, valueMax), {
      error: (i) => (i.code === 'invalid_key' ? 'is not a valid key name' : `must be an object, got ${show(i.input)}`),
    })
    .refine((o) => Object.keys(o).length <= max, { error: (i) => `must hold at most ${max} entries, got ${Object.keys(i.input as object).length}` });
}

/**
 * A value read by a check of shared/prefetch.ts, which answers with a sentence of its own (the
 * synonym table's sentences number its groups from 1, where a path would count from 0).
 */
function checkedBy<T>(check: (raw: unknown) => Result<T, string>) {
  return z.unknown().transform((raw, ctx) => {
    const r = raw === undefined ? undefined : check(raw);
    if (r?.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r ? `: ${r.error}` : 'is missing', input: raw });
    return z.NEVER;
  });
}

const empty = object({});
const page = { limit: integer(1, 100_000).optional(), offset: integer(0, Number.MAX_SAFE_INTEGER).optional() };

/** The kinds of a source, each with its own fields; an unknown kind is refused with the known ones. */
function byKind<const O extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(options: O, kinds: readonly string[]) {
  return z.discriminatedUnion('kind', options, {
    error: (i) =>
      i.code !== 'invalid_union'
        ? `must be an object, got ${show(i.input)}`
        : (i.input as { kind?: unknown }).kind === undefined
          ? 'is missing'
          : expected(`one of ${kinds.map((k) => `"${k}"`).join(', ')}`)({ input: (i.input as { kind?: unknown }).kind }),
  });
}

const localSource = object({ kind: z.literal('local') });
const nodeSource = object({ kind: z.literal('node'), node: nodeName });
/** One place: a node or the cache. */
const source = byKind([nodeSource, localSource], ['node', 'local']);
/** A search's source: one node, the cache, several nodes or every archive. */
const searchSource = byKind(
  [nodeSource, localSource, object({ kind: z.literal('nodes'), nodes: list(nodeName, 1, 64), cache: bool.optional() }), object({ kind: z.literal('all') })],
  ['node', 'local', 'nodes', 'all'],
);

/** Query keys: DICOM keywords (or gggg,eeee) → values as written (wildcards, ranges, `\`-separated). */
const queryKeys = textMap(/^(?:[A-Za-z][A-Za-z0-9]{0,63}|[0-9A-Fa-f]{4},[0-9A-Fa-f]{4})$/, 64);

const transferRequest = object({
  node: nodeName,
  method: oneOf(['move', 'get', 'wado']).optional(),
  level: oneOf(['STUDY', 'SERIES']),
  StudyInstanceUID: uid,
  SeriesInstanceUIDs: list(uid, 1, 10_000).optional(),
  expected: integer(0, 100_000_000).optional(),
  label: text(0, 256).optional(),
  firstSeries: uid.optional(),
}) satisfies z.ZodType<TransferRequest>;

const uidList = list(uid, 1, 10_000);
const patientId = text(1, 64);
/** The filter of the audit entries (shared/audit.ts AuditFilter). */
const auditFilter = {
  since: integer(0, Number.MAX_SAFE_INTEGER).optional(),
  until: integer(0, Number.MAX_SAFE_INTEGER).optional(),
  what: oneOf(['query', 'retrieve', 'store', 'send', 'delete', 'import', 'export', 'prefetch', 'association-refused', 'move-destination-refused']).optional(),
  peer: text(0, 64).optional(),
  patient: text(0, 64).optional(),
  outcome: oneOf(['ok', 'failed']).optional(),
  limit: integer(1, 10_000).optional(),
  offset: integer(0, Number.MAX_SAFE_INTEGER).optional(),
};

const schemas: { [K in EntryName]: z.ZodType<RequestOf<K>> } = {
  'settings.get': empty,
  'settings.save': object({ settings: settingsSchema }),
  'nodes.list': empty,
  'nodes.save': object({ node: nodeSchema, previousName: nodeName.optional() }),
  'nodes.delete': object({ name: nodeName }),
  'nodes.test': object({ name: nodeName }),
  'search.start': object({
    source: searchSource,
    level: oneOf(QUERY_LEVELS),
    keys: queryKeys,
    limit: integer(1, 1_000_000).optional(),
    model: oneOf(QUERY_MODELS).optional(),
    searchId: clientId.optional(),
  }),
  'search.cancel': object({ searchId: clientId }),
  'search.series': object({ source, StudyInstanceUID: uid }),
  'cache.stats': empty,
  'cache.doctor': object({ repair: bool.optional() }),
  'cache.patients': object(page),
  'cache.studies': object({ ...page, PatientID: text(0, 64).optional(), IssuerOfPatientID: text(0, 64).optional(), StudyInstanceUID: text(1, 64).optional() }),
  'cache.series': object({ StudyInstanceUID: uid }),
  'viewer.instances': object({ StudyInstanceUID: uid, SeriesInstanceUID: uid }),
  'viewer.hold': object({ StudyInstanceUID: uid, holdId: clientId.optional() }),
  'viewer.release': object({ holdId: clientId }),
  'viewer.priors': object({ StudyInstanceUID: uid }),
  'cache.delete': object({ level: oneOf(['STUDY', 'SERIES']), uids: uidList }),
  'cache.import': object({ path: text(1, 4096), importId: clientId.optional() }),
  'cache.export': object({
    studies: uidList,
    out: text(1, 4096),
    dicomdir: bool.optional(),
    zip: bool.optional(),
    exportId: clientId.optional(),
    deidentify: object({
      pseudonym: text(1, 64).optional(),
      retainDates: bool.optional(),
      cleanDescriptors: bool.optional(),
      allowBurnedIn: bool.optional(),
    }).optional(),
  }),
  'cache.send': object({ node: nodeName, level: oneOf(['STUDY', 'SERIES']), uids: uidList, sendId: clientId.optional() }),
  'transfers.list': empty,
  'transfers.add': transferRequest,
  'transfers.cancel': object({ id: text(1, 64) }),
  'transfers.retry': object({ id: text(1, 64) }),
  'activity.query': object({
    node: text(0, 64).optional(),
    outcome: oneOf(['ok', 'failed', 'info']).optional(),
    afterSeq: integer(0, Number.MAX_SAFE_INTEGER).optional(),
    limit: integer(1, 10_000).optional(),
  }),
  'prefetch.rules': empty,
  'prefetch.saveRule': object({ rule: checkedBy(checkRule), previousName: nodeName.optional() }),
  'prefetch.deleteRule': object({ name: nodeName }),
  'prefetch.saveSynonyms': object({ synonyms: checkedBy(checkSynonyms) }),
  'prefetch.run': object({ PatientID: patientId, IssuerOfPatientID: text(0, 64).optional(), StudyInstanceUID: uid.optional(), dryRun: bool.optional() }),
  'prefetch.runs': object({ limit: integer(1, 500).optional(), PatientID: patientId.optional() }),
  'prefetch.pollWorklist': object({ node: nodeName }),
  'audit.query': object(auditFilter),
  'audit.export': object({ ...auditFilter, format: oneOf(['csv', 'json']) }),
  'logs.tail': object({ maxBytes: integer(1024, 4 * 1024 * 1024).optional() }),
  'diagnostics.save': empty,
};

function spec<K extends EntryName>(name: K): EntrySpec<K> {
  return { name, parse: (raw) => parsePayload(schemas[name], raw ?? {}) };
}

/** Every entry with its payload schema, by name. */
export const API_ENTRIES: { readonly [K in EntryName]: EntrySpec<K> } = Object.freeze(
  Object.fromEntries(ENTRY_NAMES.map((n) => [n, spec(n)])) as { [K in EntryName]: EntrySpec<K> },
);

export { PayloadError };
export { ENTRY_NAMES, isEntryName };
export type { ApiEntries };
