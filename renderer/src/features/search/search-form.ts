/**
 * The Search form and the STUDY-level C-FIND query it stands for (PS3.4 C.4.1.2.1, keys of
 * Table C.6-5 in the Study Root model). Keys are DICOM keywords; an empty value is a return
 * key (universal matching, PS3.4 C.2.2.2.3). Pure code: no DOM, no Node.
 */
import type { SearchSource } from '../../../../shared/api/contract.js';
import { type CustomRange, type DatePreset, studyDateRange } from './date-presets.js';

/**
 * What the form holds. `node` is a configured node's name, {@link LOCAL_CACHE_NODE},
 * {@link ALL_ARCHIVES} or {@link SEVERAL_NODES} (then `nodes` are the ticked ones, {@link LOCAL_CACHE_NODE}
 * among them for the cache beside the nodes).
 */
export interface SearchForm {
  node: string;
  nodes: string[];
  patientName: string;
  patientId: string;
  accessionNumber: string;
  datePreset: DatePreset;
  customRange: CustomRange;
  modalities: string[];
  studyDescription: string;
  referringPhysician: string;
}

/** The node picker's value for the local cache. */
export const LOCAL_CACHE_NODE = '@local';
/** The node picker's value for every archive (shared/config.ts isArchive). */
export const ALL_ARCHIVES = '@all';
/** The node picker's value for the nodes ticked below it. */
export const SEVERAL_NODES = '@several';

/** Where the form searches. */
export function sourceOf(form: Pick<SearchForm, 'node' | 'nodes'>): SearchSource {
  if (form.node === LOCAL_CACHE_NODE) return { kind: 'local' };
  if (form.node === ALL_ARCHIVES) return { kind: 'all' };
  if (form.node === SEVERAL_NODES) {
    const nodes = form.nodes.filter((n) => n !== LOCAL_CACHE_NODE);
    return { kind: 'nodes', nodes, ...(form.nodes.includes(LOCAL_CACHE_NODE) ? { cache: true } : {}) };
  }
  return { kind: 'node', node: form.node };
}

/** Whether a source searches several nodes (its matches say which nodes hold them). */
export function isSeveral(source: SearchSource | undefined): boolean {
  return source?.kind === 'nodes' || source?.kind === 'all';
}

/** The modalities the multi-select offers (PS3.3 C.7.3.1.1.1 defined terms), most read first. */
export const MODALITIES: readonly string[] = ['CT', 'MR', 'CR', 'DX', 'US', 'MG', 'NM', 'PT', 'XA', 'RF', 'OT', 'SR', 'SC', 'DOC', 'KO', 'PR'];

/** An empty form: any date, since priors are searched by patient across years. */
export function emptyForm(node: string = LOCAL_CACHE_NODE): SearchForm {
  return {
    node,
    nodes: [],
    patientName: '',
    patientId: '',
    accessionNumber: '',
    datePreset: 'any',
    customRange: {},
    modalities: [],
    studyDescription: '',
    referringPhysician: '',
  };
}

/** The return keys every study search asks for, so the results table can be filled. */
export const STUDY_RETURN_KEYS: readonly string[] = [
  'StudyInstanceUID',
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientSex',
  'StudyDate',
  'StudyTime',
  'AccessionNumber',
  'StudyDescription',
  'ReferringPhysicianName',
  'ModalitiesInStudy',
  'NumberOfStudyRelatedSeries',
  'NumberOfStudyRelatedInstances',
];

/** A STUDY-level query: matching and return keys by keyword. */
export interface StudyQuery {
  level: 'STUDY';
  keys: Record<string, string>;
}

/**
 * The queries to send (one per selected modality, see {@link buildStudyQueries}), or one
 * sentence (naming the field) saying what to fix.
 */
export type BuiltQuery = { ok: true; queries: StudyQuery[] } | { ok: false; field: keyof SearchForm; error: string };

/** Longest values of the VRs used here (PS3.5 Table 6.2-1): LO 64, SH 16, PN 64 per component group. */
const MAX_LENGTH: Partial<Record<keyof SearchForm, number>> = {
  patientName: 64,
  patientId: 64,
  accessionNumber: 16,
  studyDescription: 64,
  referringPhysician: 64,
};

const LABEL: Record<keyof SearchForm, string> = {
  node: 'Node',
  nodes: 'Nodes',
  patientName: 'Patient name',
  patientId: 'Patient ID',
  accessionNumber: 'Accession',
  datePreset: 'Study date',
  customRange: 'Study date',
  modalities: 'Modality',
  studyDescription: 'Study description',
  referringPhysician: 'Referring physician',
};

const hasWildcard = (s: string): boolean => /[*?]/.test(s);

/**
 * A name as people type it, as a PN matching value (PS3.4 C.2.2.2.4 wild card matching):
 * `doe john` or `doe, john` → `doe^john*`, `doe` → `doe*`; text with `*` or `?` or `^` is kept.
 */
export function personNameKey(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  if (hasWildcard(t) || t.includes('^')) return t;
  const parts = t.split(/\s*,\s*|\s+/).filter(Boolean);
  return `${parts.join('^')}*`;
}

/** Free text matched anywhere: `chest` → `*chest*` (PS3.4 C.2.2.2.4); text with wildcards is kept. */
export function containsKey(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  return hasWildcard(t) ? t : `*${t}*`;
}

function checkText(form: SearchForm, field: keyof SearchForm): string | undefined {
  const value = String(form[field]).trim();
  if (value.includes('\\')) return `${LABEL[field]} must not contain a backslash (it separates DICOM values).`;
  if ([...value].some((ch) => ch.charCodeAt(0) < 0x20)) return `${LABEL[field]} must not contain control characters.`;
  const max = MAX_LENGTH[field];
  if (max !== undefined && value.length > max) return `${LABEL[field]} is ${value.length} characters long; DICOM allows ${max}.`;
  return undefined;
}

/** Whether the form asks for anything at all (an empty query lists a whole PACS). */
export function hasCriteria(form: SearchForm): boolean {
  return (
    [form.patientName, form.patientId, form.accessionNumber, form.studyDescription, form.referringPhysician].some((v) => v.trim() !== '') ||
    form.modalities.length > 0 ||
    form.datePreset !== 'any'
  );
}

/**
 * Builds the STUDY-level queries from the form on the day `today`. Patient ID and Accession
 * match exactly (single value matching, PS3.4 C.2.2.2.1) unless they hold wildcards; names
 * match by prefix; the description anywhere. Several modalities mean "any of them": a key
 * with several values is undefined without extended negotiation, and means "all of them"
 * with it (PS3.4 C.2.2.2.8), so one query is built per modality and the answers are merged
 * by StudyInstanceUID (features/search/use-search.ts). A search of a remote node needs a criterion.
 */
export function buildStudyQueries(form: SearchForm, today: Date): BuiltQuery {
  for (const field of ['patientName', 'patientId', 'accessionNumber', 'studyDescription', 'referringPhysician'] as const) {
    const error = checkText(form, field);
    if (error) return { ok: false, field, error };
  }
  for (const m of form.modalities) {
    if (!/^[A-Z0-9_ ]{1,16}$/.test(m)) return { ok: false, field: 'modalities', error: `"${m}" is not a modality code.` };
  }
  if (form.node === SEVERAL_NODES && !form.nodes.some((n) => n !== LOCAL_CACHE_NODE))
    return { ok: false, field: 'nodes', error: 'Tick at least one node to search.' };
  const date = studyDateRange(form.datePreset, today, form.customRange);
  if (!date.ok) return { ok: false, field: 'customRange', error: date.error };
  if (form.node !== LOCAL_CACHE_NODE && !hasCriteria(form)) {
    return {
      ok: false,
      field: 'patientName',
      error: 'Give at least one criterion (a name, an ID, an accession or a date): an empty search would ask the PACS for every study it holds.',
    };
  }
  const keys: Record<string, string> = {};
  for (const k of STUDY_RETURN_KEYS) keys[k] = '';
  keys.PatientName = personNameKey(form.patientName);
  keys.PatientID = form.patientId.trim();
  keys.AccessionNumber = form.accessionNumber.trim();
  keys.StudyDate = date.value;
  keys.StudyDescription = containsKey(form.studyDescription);
  keys.ReferringPhysicianName = personNameKey(form.referringPhysician);
  const modalities = [...new Set(form.modalities)];
  if (modalities.length === 0) return { ok: true, queries: [{ level: 'STUDY', keys }] };
  return { ok: true, queries: modalities.map((m) => ({ level: 'STUDY' as const, keys: { ...keys, ModalitiesInStudy: m } })) };
}

/** The matching keys of a query (those with a value), for a one-line summary. */
export function describeQuery(query: StudyQuery): string {
  const parts = Object.entries(query.keys)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(' ') : 'all studies';
}
