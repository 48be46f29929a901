/**
 * The studies of one patient, as prefetch weighs them: those the cache holds, and those each
 * node answers for the Patient ID (a STUDY-level C-FIND, PS3.4 C.4.1), then, for the studies
 * still in the running, their series (Modality, Body Part Examined, Series Description) when
 * the study level does not tell enough.
 */
import type { RemoteNode } from '../../../shared/config.js';
import { diagnose } from '../../../shared/diagnostics.js';
import type { PrefetchNodeOutcome } from '../../../shared/prefetch.js';
import type { StudyRecord, SeriesRecord } from '../../../shared/records.js';
import type { ScuOptions } from '../../dimse/scu/index.js';
import { describeError, describeStatus, type FailureContext } from '../nodes/diagnose.js';
import { identifierFromKeys, parseKey, type MatchRow } from '../query/query-keys.js';
import { searchRemote, searchSucceeded } from '../query/query.js';
import type { BodyPartLexicon } from './body-parts.js';
import type { PatientFacts, StudyFacts } from './select.js';

/** What the cache side of a search needs. */
export interface CacheStudies {
  studies(filter: { PatientID?: string; IssuerOfPatientID?: string }): StudyRecord[];
  series(studyInstanceUid: string): SeriesRecord[];
}

/** How a node is reached: SCU options and the context of failure sentences. */
export interface NodeReach {
  scu(signal?: AbortSignal): ScuOptions;
  failure(node: RemoteNode, service: 'find'): Promise<FailureContext>;
}

/** Most studies of one patient whose series are asked for, per node. */
export const MAX_SERIES_QUERIES = 40;

const STUDY_KEYS = [
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'StudyDescription',
  'AccessionNumber',
  'ModalitiesInStudy',
  'NumberOfStudyRelatedInstances',
  'PatientName',
  'PatientBirthDate',
  'IssuerOfPatientID',
];
const SERIES_KEYS = ['SeriesInstanceUID', 'Modality', 'BodyPartExamined', 'SeriesDescription'];

function split(v: string | undefined): string[] {
  return v
    ? v
        .split('\\')
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s !== '')
    : [];
}

function optional<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  const t = v?.trim();
  return t ? ({ [key]: t } as Record<K, string>) : {};
}

/** A study of the cache as facts (its series read from the index). */
export function cachedStudyFacts(study: StudyRecord, series: readonly SeriesRecord[], lexicon: BodyPartLexicon, birthDate?: string): StudyFacts {
  const body = lexicon.ofStudy(
    series.map((s) => s.BodyPartExamined ?? '').filter((b) => b !== ''),
    [study.StudyDescription, ...series.map((s) => s.SeriesDescription)],
  );
  const modalities = study.ModalitiesInStudy.length ? study.ModalitiesInStudy : [...new Set(series.map((s) => s.Modality ?? '').filter((m) => m !== ''))];
  return {
    StudyInstanceUID: study.StudyInstanceUID,
    ...optional('StudyDate', study.StudyDate),
    ...optional('StudyTime', study.StudyTime),
    ...optional('StudyDescription', study.StudyDescription),
    ...optional('AccessionNumber', study.AccessionNumber),
    ...optional('PatientName', study.PatientName),
    ...optional('PatientBirthDate', birthDate),
    ...optional('IssuerOfPatientID', study.IssuerOfPatientID),
    modalities: modalities.map((m) => m.toUpperCase()),
    bodyParts: body.parts,
    bodyPartBasis: body.basis,
    instances: study.NumberOfStudyRelatedInstances,
    foundOn: ['cache'],
  };
}

/** The patient's studies in the cache (every issuer when ours is unknown). */
export function cachedStudies(cache: CacheStudies, patient: PatientFacts, lexicon: BodyPartLexicon): StudyFacts[] {
  const studies = cache.studies({ PatientID: patient.PatientID, ...(patient.IssuerOfPatientID ? { IssuerOfPatientID: patient.IssuerOfPatientID } : {}) });
  return studies.map((s) => cachedStudyFacts(s, cache.series(s.StudyInstanceUID), lexicon));
}

/** A node's study-level match as facts (body parts from the description until its series are known). */
function remoteStudyFacts(row: MatchRow, node: string, lexicon: BodyPartLexicon): StudyFacts | undefined {
  const uid = row.StudyInstanceUID?.trim();
  if (!uid) return undefined;
  const described = lexicon.fromDescription(row.StudyDescription ?? '');
  const count = Number(row.NumberOfStudyRelatedInstances);
  return {
    StudyInstanceUID: uid,
    ...(/^\d{8}$/.test(row.StudyDate?.trim() ?? '') ? { StudyDate: row.StudyDate!.trim() } : {}),
    ...optional('StudyTime', row.StudyTime),
    ...optional('StudyDescription', row.StudyDescription),
    ...optional('AccessionNumber', row.AccessionNumber),
    ...optional('PatientName', row.PatientName),
    ...optional('PatientBirthDate', row.PatientBirthDate),
    ...optional('IssuerOfPatientID', row.IssuerOfPatientID),
    modalities: split(row.ModalitiesInStudy),
    bodyParts: described,
    bodyPartBasis: described.length ? 'description' : 'none',
    ...(row.NumberOfStudyRelatedInstances && Number.isInteger(count) ? { instances: count } : {}),
    foundOn: [node],
  };
}

/** What {@link studiesOnNode} answers. */
export interface NodeStudies {
  studies: StudyFacts[];
  outcome: PrefetchNodeOutcome;
}

/** The patient's studies on one node (STUDY-level C-FIND by Patient ID). Failures are an outcome with a sentence, never thrown. */
export async function studiesOnNode(
  node: RemoteNode,
  patient: PatientFacts,
  reach: NodeReach,
  lexicon: BodyPartLexicon,
  signal?: AbortSignal,
): Promise<NodeStudies> {
  const keys = identifierFromKeys([`PatientID=${patient.PatientID}`, ...STUDY_KEYS].map(parseKey));
  try {
    const result = await searchRemote(node, { model: node.model, level: 'STUDY', keys, defaultReturnKeys: false }, reach.scu(signal));
    const studies = result.rows.map((r) => remoteStudyFacts(r, node.name, lexicon)).filter((s): s is StudyFacts => !!s);
    if (result.looksCapped) {
      return {
        studies,
        outcome: {
          node: node.name,
          outcome: 'capped',
          studies: studies.length,
          sentence: `${node.name} may have left studies out: ${result.looksCapped.reason}`,
        },
      };
    }
    if (!searchSucceeded(result)) {
      const d = diagnose(describeStatus('find', result.status, result.errorComment, await reach.failure(node, 'find')));
      return { studies, outcome: { node: node.name, outcome: 'failed', studies: studies.length, sentence: d.sentence } };
    }
    return { studies, outcome: { node: node.name, outcome: 'ok', studies: studies.length } };
  } catch (err) {
    const d = diagnose(describeError(err, await reach.failure(node, 'find')));
    return { studies: [], outcome: { node: node.name, outcome: 'failed', studies: 0, sentence: d.sentence } };
  }
}

/**
 * Fills in modalities and body parts from the series of a study (SERIES-level C-FIND). A node
 * that cannot answer leaves the study as it was: its reason will say what is unknown.
 */
export async function addSeriesFacts(
  study: StudyFacts,
  node: RemoteNode,
  reach: NodeReach,
  lexicon: BodyPartLexicon,
  signal?: AbortSignal,
): Promise<StudyFacts> {
  const keys = identifierFromKeys([`StudyInstanceUID=${study.StudyInstanceUID}`, ...SERIES_KEYS].map(parseKey));
  try {
    const result = await searchRemote(node, { model: node.model, level: 'SERIES', keys, defaultReturnKeys: false, relational: true }, reach.scu(signal));
    if (!searchSucceeded(result) && result.rows.length === 0) return study;
    const modalities = new Set([...study.modalities, ...result.rows.flatMap((r) => split(r.Modality))]);
    const body = lexicon.ofStudy(
      result.rows.map((r) => r.BodyPartExamined ?? '').filter((b) => b.trim() !== ''),
      [study.StudyDescription, ...result.rows.map((r) => r.SeriesDescription)],
    );
    return { ...study, modalities: [...modalities], ...(body.basis !== 'none' ? { bodyParts: body.parts, bodyPartBasis: body.basis } : {}) };
  } catch {
    return study;
  }
}

/**
 * Merges the studies found in several places by Study Instance UID: the facts of the first
 * place that knew a field win, `foundOn` lists every place, the cache first.
 */
export function mergeStudies(lists: readonly StudyFacts[][]): StudyFacts[] {
  const byUid = new Map<string, StudyFacts>();
  for (const list of lists) {
    for (const s of list) {
      const held = byUid.get(s.StudyInstanceUID);
      if (!held) {
        byUid.set(s.StudyInstanceUID, { ...s, foundOn: [...s.foundOn] });
        continue;
      }
      for (const where of s.foundOn) if (!held.foundOn.includes(where)) held.foundOn.push(where);
      for (const key of ['StudyDate', 'StudyTime', 'StudyDescription', 'AccessionNumber', 'PatientName', 'PatientBirthDate', 'IssuerOfPatientID'] as const) {
        if (held[key] === undefined && s[key] !== undefined) held[key] = s[key];
      }
      if (held.modalities.length === 0) held.modalities = s.modalities;
      if (!held.identity && s.identity) held.identity = s.identity;
      if (held.bodyPartBasis === 'none' || (held.bodyPartBasis === 'description' && s.bodyPartBasis === 'examined')) {
        held.bodyParts = s.bodyParts;
        held.bodyPartBasis = s.bodyPartBasis;
      }
      // the count a node announces is the study's size; the cache's is only what it holds so far
      if (s.instances !== undefined && (held.instances === undefined || !s.foundOn.includes('cache'))) held.instances = s.instances;
    }
  }
  return [...byUid.values()];
}
