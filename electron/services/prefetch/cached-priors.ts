/**
 * The cached studies to put beside an open one, chosen by the prefetch rules (select.ts) rather
 * than by date alone: the earlier studies a rule keeps for it (same modality and body part with
 * the shipped rule), newest first, then the patient's other studies, newest first. The viewer
 * so opens the prior that prefetch would have fetched for the study.
 */
import type { BodyPartSynonyms, PrefetchRule } from '../../../shared/prefetch.js';
import type { StudyRecord } from '../../../shared/records.js';
import { BodyPartLexicon } from './body-parts.js';
import { cachedStudyFacts, type CacheStudies } from './candidates.js';
import { selectPriors, type CurrentFacts, type PatientFacts } from './select.js';

/** A study of the patient with the rules' verdict on it. */
export interface RankedPrior {
  study: StudyRecord;
  /** An earlier study a rule keeps for the open one. */
  relevant: boolean;
  /** The rules' sentence. */
  reason: string;
}

const newestFirst = (a: StudyRecord, b: StudyRecord): number =>
  `${b.StudyDate ?? ''}${b.StudyTime ?? ''}`.localeCompare(`${a.StudyDate ?? ''}${a.StudyTime ?? ''}`);

/** The patient's other cached studies, relevant ones first; undefined when the study is not cached. */
export function rankCachedPriors(
  cache: CacheStudies & { study(uid: string): StudyRecord | undefined },
  studyInstanceUid: string,
  rules: readonly PrefetchRule[],
  synonyms: BodyPartSynonyms,
): RankedPrior[] | undefined {
  const open = cache.study(studyInstanceUid);
  if (!open) return undefined;
  const lexicon = new BodyPartLexicon(synonyms);
  const facts = cachedStudyFacts(open, cache.series(studyInstanceUid), lexicon);
  const patient: PatientFacts = {
    PatientID: open.PatientID ?? '',
    ...(open.IssuerOfPatientID ? { IssuerOfPatientID: open.IssuerOfPatientID } : {}),
    ...(open.PatientName ? { PatientName: open.PatientName } : {}),
  };
  // the open study's own date: a study of that day or later is never its prior (select.ts)
  const current: CurrentFacts = {
    StudyInstanceUID: studyInstanceUid,
    date: facts.StudyDate ?? '99991231',
    modalities: facts.modalities,
    bodyParts: facts.bodyParts,
    bodyPartBasis: facts.bodyPartBasis,
  };
  const records = new Map(
    cache
      .studies({ PatientID: patient.PatientID, ...(patient.IssuerOfPatientID ? { IssuerOfPatientID: patient.IssuerOfPatientID } : {}) })
      .filter((s) => s.StudyInstanceUID !== studyInstanceUid)
      .map((s) => [s.StudyInstanceUID, s]),
  );
  const others = [...records.values()].map((s) => cachedStudyFacts(s, cache.series(s.StudyInstanceUID), lexicon));
  // only the cache is looked at: a rule's nodes do not matter here
  const verdicts = selectPriors(
    patient,
    current,
    others,
    rules.filter((r) => r.enabled).map((rule) => ({ rule, nodes: [] })),
  );
  const ranked = verdicts.flatMap((v): RankedPrior[] => {
    const study = records.get(v.StudyInstanceUID);
    return study ? [{ study, relevant: v.decision === 'fetch', reason: v.reason }] : [];
  });
  return ranked.sort((a, b) => Number(b.relevant) - Number(a.relevant) || newestFirst(a.study, b.study));
}
