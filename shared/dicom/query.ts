/**
 * The Query/Retrieve information models of PS3.4 C.6: their SOP classes, levels and keys, and
 * the check of a request identifier against them (PS3.4 C.4.1.2.1, C.4.2.2.1, C.4.3.2.1).
 * Tags are written out here so that this module needs no dictionary.
 */
import { type DataSet, type Tag, type VR, formatTag, getStrings } from './dataset.js';
import { type MatchingType, matchingTypesFor } from './matching.js';
import { SopClassUid } from './uids.js';

/** Query/Retrieve Level (0008,0052) values, top to bottom (PS3.4 C.6). */
export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
/** The levels in hierarchical order. */
export const QUERY_LEVELS: readonly QueryLevel[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];

/** The information models: Patient Root, Study Root and the retired Patient/Study Only. */
export type QueryModel = 'patient' | 'study' | 'patientstudy';

/** The key types of PS3.4 C.2.2.1: Unique, Required, Optional. */
export type KeyType = 'U' | 'R' | 'O';

/** The DIMSE service an identifier is sent with. */
export type QueryService = 'find' | 'move' | 'get';

/** Query/Retrieve Level (0008,0052). */
export const QUERY_RETRIEVE_LEVEL_TAG: Tag = 0x00080052;

/** A key attribute of an information model at one level. */
export interface QueryKey {
  /** PS3.6 keyword, e.g. `StudyInstanceUID`. */
  readonly keyword: string;
  /** PS3.6 name, e.g. `Study Instance UID`. */
  readonly name: string;
  readonly tag: Tag;
  readonly vr: VR;
  /** The level of the model the key belongs to. */
  readonly level: QueryLevel;
  readonly type: KeyType;
  /** The matching types of PS3.4 C.2.2.2 a key of this VR supports. */
  readonly matching: readonly MatchingType[];
  /** The table of PS3.4 that lists it. */
  readonly citation: string;
}

/** An information model: its SOP classes and levels. */
export interface QueryModelEntry {
  readonly model: QueryModel;
  readonly name: string;
  readonly find: string;
  readonly move: string;
  readonly get: string;
  /** Levels in hierarchical order. */
  readonly levels: readonly QueryLevel[];
  readonly retired: boolean;
  readonly citation: string;
}

/** The three information models of PS3.4 C.6. */
export const QUERY_MODELS: Readonly<Record<QueryModel, QueryModelEntry>> = {
  patient: {
    model: 'patient',
    name: 'Patient Root Query/Retrieve Information Model',
    find: SopClassUid.PatientRootQueryRetrieveInformationModelFind,
    move: SopClassUid.PatientRootQueryRetrieveInformationModelMove,
    get: SopClassUid.PatientRootQueryRetrieveInformationModelGet,
    levels: ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'],
    retired: false,
    citation: 'PS3.4 C.6.1',
  },
  study: {
    model: 'study',
    name: 'Study Root Query/Retrieve Information Model',
    find: SopClassUid.StudyRootQueryRetrieveInformationModelFind,
    move: SopClassUid.StudyRootQueryRetrieveInformationModelMove,
    get: SopClassUid.StudyRootQueryRetrieveInformationModelGet,
    levels: ['STUDY', 'SERIES', 'IMAGE'],
    retired: false,
    citation: 'PS3.4 C.6.2',
  },
  patientstudy: {
    model: 'patientstudy',
    name: 'Patient/Study Only Query/Retrieve Information Model',
    find: SopClassUid.PatientStudyOnlyQueryRetrieveInformationModelFind,
    move: SopClassUid.PatientStudyOnlyQueryRetrieveInformationModelMove,
    get: SopClassUid.PatientStudyOnlyQueryRetrieveInformationModelGet,
    levels: ['PATIENT', 'STUDY'],
    retired: true,
    citation: 'PS3.4 C.6.3 (retired)',
  },
};

type Row = readonly [keyword: string, name: string, tag: Tag, vr: VR, type: KeyType];

const PATIENT_ROWS: readonly Row[] = [
  ['PatientName', "Patient's Name", 0x00100010, 'PN', 'R'],
  ['PatientID', 'Patient ID', 0x00100020, 'LO', 'U'],
  ['IssuerOfPatientID', 'Issuer of Patient ID', 0x00100021, 'LO', 'O'],
  ['PatientBirthDate', "Patient's Birth Date", 0x00100030, 'DA', 'O'],
  ['PatientBirthTime', "Patient's Birth Time", 0x00100032, 'TM', 'O'],
  ['PatientSex', "Patient's Sex", 0x00100040, 'CS', 'O'],
  ['NumberOfPatientRelatedStudies', 'Number of Patient Related Studies', 0x00201200, 'IS', 'O'],
  ['NumberOfPatientRelatedSeries', 'Number of Patient Related Series', 0x00201202, 'IS', 'O'],
  ['NumberOfPatientRelatedInstances', 'Number of Patient Related Instances', 0x00201204, 'IS', 'O'],
];

const STUDY_ROWS: readonly Row[] = [
  ['StudyDate', 'Study Date', 0x00080020, 'DA', 'R'],
  ['StudyTime', 'Study Time', 0x00080030, 'TM', 'R'],
  ['AccessionNumber', 'Accession Number', 0x00080050, 'SH', 'R'],
  ['StudyID', 'Study ID', 0x00200010, 'SH', 'R'],
  ['StudyInstanceUID', 'Study Instance UID', 0x0020000d, 'UI', 'U'],
  ['ReferringPhysicianName', "Referring Physician's Name", 0x00080090, 'PN', 'O'],
  ['StudyDescription', 'Study Description', 0x00081030, 'LO', 'O'],
  ['ModalitiesInStudy', 'Modalities in Study', 0x00080061, 'CS', 'O'],
  ['SOPClassesInStudy', 'SOP Classes in Study', 0x00080062, 'UI', 'O'],
  ['NumberOfStudyRelatedSeries', 'Number of Study Related Series', 0x00201206, 'IS', 'O'],
  ['NumberOfStudyRelatedInstances', 'Number of Study Related Instances', 0x00201208, 'IS', 'O'],
];

// Series Description, Body Part Examined, Series Date and Series Time are among "all other
// Attributes at Series level" (Type O) of Table C.6-3.
const SERIES_ROWS: readonly Row[] = [
  ['Modality', 'Modality', 0x00080060, 'CS', 'R'],
  ['SeriesNumber', 'Series Number', 0x00200011, 'IS', 'R'],
  ['SeriesInstanceUID', 'Series Instance UID', 0x0020000e, 'UI', 'U'],
  ['NumberOfSeriesRelatedInstances', 'Number of Series Related Instances', 0x00201209, 'IS', 'O'],
  ['SeriesDescription', 'Series Description', 0x0008103e, 'LO', 'O'],
  ['BodyPartExamined', 'Body Part Examined', 0x00180015, 'CS', 'O'],
  ['SeriesDate', 'Series Date', 0x00080021, 'DA', 'O'],
  ['SeriesTime', 'Series Time', 0x00080031, 'TM', 'O'],
];

const IMAGE_ROWS: readonly Row[] = [
  ['InstanceNumber', 'Instance Number', 0x00200013, 'IS', 'R'],
  ['SOPInstanceUID', 'SOP Instance UID', 0x00080018, 'UI', 'U'],
  ['SOPClassUID', 'SOP Class UID', 0x00080016, 'UI', 'O'],
];

function keys(rows: readonly Row[], level: QueryLevel, citation: string, retype: Record<string, KeyType> = {}): readonly QueryKey[] {
  return rows.map(([keyword, name, tag, vr, type]) => ({
    keyword,
    name,
    tag,
    vr,
    level,
    type: retype[keyword] ?? type,
    matching: matchingTypesFor(vr),
    citation,
  }));
}

const SERIES_KEYS = keys(SERIES_ROWS, 'SERIES', 'PS3.4 Table C.6-3');
const IMAGE_KEYS = keys(IMAGE_ROWS, 'IMAGE', 'PS3.4 Table C.6-4');

/**
 * The keys of each model by level. In the Study Root model the patient attributes are keys of
 * the STUDY level, Patient ID being a Required key there (Table C.6-5).
 */
export const QUERY_KEYS: Readonly<Record<QueryModel, Readonly<Partial<Record<QueryLevel, readonly QueryKey[]>>>>> = {
  patient: {
    PATIENT: keys(PATIENT_ROWS, 'PATIENT', 'PS3.4 Table C.6-1'),
    STUDY: keys(STUDY_ROWS, 'STUDY', 'PS3.4 Table C.6-2'),
    SERIES: SERIES_KEYS,
    IMAGE: IMAGE_KEYS,
  },
  study: {
    STUDY: [...keys(PATIENT_ROWS, 'STUDY', 'PS3.4 Table C.6-5', { PatientID: 'R' }), ...keys(STUDY_ROWS, 'STUDY', 'PS3.4 Table C.6-5')],
    SERIES: SERIES_KEYS,
    IMAGE: IMAGE_KEYS,
  },
  patientstudy: {
    PATIENT: keys(PATIENT_ROWS, 'PATIENT', 'PS3.4 C.6.3 (retired)'),
    STUDY: keys(STUDY_ROWS, 'STUDY', 'PS3.4 C.6.3 (retired)'),
  },
};

/** Whether a string is one of the four Query/Retrieve Level values. */
export function isQueryLevel(s: string): s is QueryLevel {
  return (QUERY_LEVELS as readonly string[]).includes(s);
}

/** The keys of a model at a level ([] when the model has no such level). */
export function queryKeys(model: QueryModel, level: QueryLevel): readonly QueryKey[] {
  return QUERY_KEYS[model][level] ?? [];
}

/** The Unique Key of a level (PS3.4 C.2: one per level), or undefined when the model lacks the level. */
export function uniqueKey(model: QueryModel, level: QueryLevel): QueryKey | undefined {
  return queryKeys(model, level).find((k) => k.type === 'U');
}

/** Which model and service a Query/Retrieve SOP Class UID stands for. */
export function queryModelForSopClass(uid: string): { model: QueryModel; service: QueryService } | undefined {
  for (const entry of Object.values(QUERY_MODELS)) {
    for (const service of ['find', 'move', 'get'] as const) if (entry[service] === uid) return { model: entry.model, service };
  }
  return undefined;
}

/** The outcome of {@link validateIdentifier}: the level, and what is wrong if anything. */
export interface IdentifierCheck {
  /** The Query/Retrieve Level, when the identifier holds a known one. */
  level: QueryLevel | undefined;
  /** Plain language, fit for the Error Comment (0000,0902) of an A900 response (truncate to 64). */
  error?: string;
}

/** Options of {@link validateIdentifier}. */
export interface IdentifierOptions {
  /** Relational queries or retrieval were negotiated (PS3.4 C.4.1.2.2, C.4.2.2.2): higher unique keys may be absent. */
  relational?: boolean;
  /** Accept other keys in a C-MOVE or C-GET identifier instead of reporting them. */
  allowExtraKeys?: boolean;
}

const SERVICE = { find: 'C-FIND', move: 'C-MOVE', get: 'C-GET' } as const;
const SCU_BEHAVIOR = { find: 'PS3.4 C.4.1.2.1', move: 'PS3.4 C.4.2.2.1', get: 'PS3.4 C.4.3.2.1' } as const;
const IDENTIFIER = { find: 'PS3.4 C.4.1.1.3.1', move: 'PS3.4 C.4.2.1.4.1', get: 'PS3.4 C.4.3.1.3.1' } as const;
/** Elements of a retrieve identifier that are not keys: Specific Character Set, Query/Retrieve Level and View. */
const NOT_KEYS: ReadonlySet<Tag> = new Set<Tag>([0x00080005, QUERY_RETRIEVE_LEVEL_TAG, 0x00080053]);

function label(k: QueryKey): string {
  return `${k.name} ${formatTag(k.tag)}`;
}

function describeTag(model: QueryModel, t: Tag): string {
  for (const level of QUERY_LEVELS) {
    const k = queryKeys(model, level).find((key) => key.tag === t);
    if (k) return label(k);
  }
  return formatTag(t);
}

/**
 * Checks the identifier of a C-FIND, C-MOVE or C-GET request against an information model:
 * - Query/Retrieve Level (0008,0052) present with one known value that the model has;
 * - hierarchical requests (PS3.4 C.4.1.2.1, C.4.2.2.1, C.4.3.2.1): exactly one value, without
 *   wild cards, in the Unique Key of each level above the requested one;
 * - C-MOVE and C-GET: the Unique Key of the requested level present (a list of UIDs allowed)
 *   and, unless `allowExtraKeys`, no keys other than those Unique Keys.
 * The error reads as a sentence for the Error Comment of an A900 response.
 */
export function validateIdentifier(identifier: DataSet, model: QueryModel, forService: QueryService, options: IdentifierOptions = {}): IdentifierCheck {
  const entry = QUERY_MODELS[model];
  const service = SERVICE[forService];
  const behavior = SCU_BEHAVIOR[forService];
  if (!identifier.has(QUERY_RETRIEVE_LEVEL_TAG)) {
    return { level: undefined, error: `Query/Retrieve Level (0008,0052) is missing from the ${service} identifier (${IDENTIFIER[forService]})` };
  }
  const raw = getStrings(identifier, QUERY_RETRIEVE_LEVEL_TAG)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (raw.length !== 1) {
    const what = raw.length === 0 ? 'is empty' : `has ${raw.length} values`;
    return { level: undefined, error: `Query/Retrieve Level (0008,0052) ${what}; it needs exactly one of PATIENT, STUDY, SERIES, IMAGE (PS3.4 C.6)` };
  }
  const value = (raw[0] ?? '').toUpperCase();
  if (!isQueryLevel(value)) {
    return { level: undefined, error: `Query/Retrieve Level (0008,0052) '${raw[0]}' is not PATIENT, STUDY, SERIES or IMAGE (PS3.4 C.6)` };
  }
  const level = value;
  const index = entry.levels.indexOf(level);
  if (index < 0) return { level, error: `The ${level} level is not part of the ${entry.name} (${entry.citation})` };

  for (const above of entry.levels.slice(0, index)) {
    const key = uniqueKey(model, above);
    if (!key) continue;
    const v = keyValues(identifier, key);
    if (v.length === 0 && options.relational) continue;
    if (v.length !== 1 || /[*?]/.test(v[0] ?? '')) {
      const found = v.length === 0 ? 'is missing' : v.length > 1 ? `has ${v.length} values` : 'holds a wild card';
      return { level, error: `${label(key)} ${found}: as the unique key of the ${above} level above ${level} it needs exactly one value (${behavior})` };
    }
  }
  if (forService === 'find') return { level };

  const key = uniqueKey(model, level);
  if (key) {
    const v = keyValues(identifier, key);
    if (v.length === 0) return { level, error: `${label(key)} is missing: a ${service} at the ${level} level names what to retrieve by it (${behavior})` };
    if (v.length > 1 && key.vr !== 'UI') return { level, error: `${label(key)} has ${v.length} values; only UIDs may be listed (${behavior})` };
    if (v.some((s) => /[*?]/.test(s))) return { level, error: `${label(key)} holds a wild card, which a ${service} does not allow (${behavior})` };
  }
  if (!options.allowExtraKeys) {
    const allowed = new Set(entry.levels.slice(0, index + 1).map((l) => uniqueKey(model, l)?.tag));
    for (const t of identifier.keys()) {
      const isGroupLength = (t & 0xffff) === 0;
      const isPrivate = (t >>> 16) % 2 === 1;
      if (allowed.has(t) || NOT_KEYS.has(t) || isGroupLength || isPrivate) continue;
      return { level, error: `${describeTag(model, t)} is not allowed in a ${service} identifier: only unique keys may be sent (${behavior})` };
    }
  }
  return { level };
}

function keyValues(identifier: DataSet, key: QueryKey): string[] {
  return getStrings(identifier, key.tag)
    .map((s) => s.replace(/[\0 ]+$/, '').trim())
    .filter((s) => s !== '');
}
