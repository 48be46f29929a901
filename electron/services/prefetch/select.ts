/**
 * Which earlier studies of a patient are relevant to the current study, under the prefetch
 * rules, each with one sentence saying why it was chosen or skipped. Pure: the studies come
 * in as facts (from the nodes' C-FIND answers and the cache), decisions go out.
 */
import { NON_IMAGE_MODALITIES, type PrefetchRule } from '../../../shared/prefetch.js';

/** What is known of one study of the patient. */
export interface StudyFacts {
  StudyInstanceUID: string;
  /** YYYYMMDD, when valid. */
  StudyDate?: string;
  StudyTime?: string;
  StudyDescription?: string;
  AccessionNumber?: string;
  PatientName?: string;
  PatientBirthDate?: string;
  IssuerOfPatientID?: string;
  modalities: string[];
  bodyParts: string[];
  /** Where the body parts were read: Body Part Examined, the descriptions, or nowhere. */
  bodyPartBasis: 'examined' | 'description' | 'none';
  instances?: number;
  /** Node names that hold it, in the order they answered; 'cache' when the cache holds it. */
  foundOn: string[];
  /** Set when one place's answer disagrees with the patient (checked before answers are merged). */
  identity?: IdentityProblem;
}

/** Why a study answered for the same Patient ID may belong to someone else. */
export interface IdentityProblem {
  kind: 'other-issuer' | 'conflict';
  sentence: string;
}

/** The patient prefetch is for. */
export interface PatientFacts {
  PatientID: string;
  IssuerOfPatientID?: string;
  PatientName?: string;
  PatientBirthDate?: string;
}

/** The study prefetch is for. */
export interface CurrentFacts {
  StudyInstanceUID?: string;
  /** YYYYMMDD: the study's date, the procedure's scheduled date, or today. */
  date: string;
  modalities: string[];
  bodyParts: string[];
  bodyPartBasis: 'examined' | 'description' | 'none';
}

/** A rule with the nodes it searches resolved (an empty list of the rule = every node). */
export interface ActiveRule {
  rule: PrefetchRule;
  nodes: string[];
}

/** The verdict on one study. */
export interface Selection {
  StudyInstanceUID: string;
  decision: 'fetch' | 'skip' | 'conflict';
  /** The rule that chose it, or that came closest. */
  rule?: string;
  /** The node to fetch it from, when it is chosen and not only in the cache. */
  node?: string;
  reason: string;
}

const NOT_IMAGES = new Set(NON_IMAGE_MODALITIES);

/** The image modalities of a list (SR, KO, PR… say nothing of what was imaged). */
export function imageModalities(modalities: readonly string[]): string[] {
  return modalities.map((m) => m.trim().toUpperCase()).filter((m) => m !== '' && !NOT_IMAGES.has(m));
}

/** YYYYMMDD shown as YYYY-MM-DD. */
export function showDate(da: string | undefined): string {
  return da && /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : 'an unknown date';
}

function dayNumber(da: string): number {
  return Date.UTC(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8))) / 86_400_000;
}

/** The date `years` before a YYYYMMDD date (29 February goes to the 28th). */
function yearsBefore(da: string, years: number): string {
  const y = Number(da.slice(0, 4)) - years;
  let md = da.slice(4);
  if (md === '0229' && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) md = '0228';
  return `${String(y).padStart(4, '0')}${md}`;
}

/** A Patient's Name reduced to family and given names, for comparing (case, spacing, punctuation and middle names aside). */
function nameKey(pn: string | undefined): { family: string; given: string } | undefined {
  if (!pn) return undefined;
  const alphabetic = pn.split('=')[0] ?? '';
  const [family = '', given = ''] = alphabetic.split('^').map((c) => c.toUpperCase().replace(/[^A-Z0-9]/g, ''));
  if (family === '' && given === '') return undefined;
  return { family, given: given };
}

/**
 * Why a study answered for the same Patient ID may belong to someone else: another issuer,
 * another birth date, another name. Undefined when nothing disagrees (what is absent is not compared).
 */
export function identityProblem(patient: PatientFacts, study: StudyFacts, where: string): IdentityProblem | undefined {
  if (patient.IssuerOfPatientID && study.IssuerOfPatientID && patient.IssuerOfPatientID !== study.IssuerOfPatientID) {
    return {
      kind: 'other-issuer',
      sentence: `another patient: ${where} has Patient ID ${patient.PatientID} from issuer "${study.IssuerOfPatientID}", ours is from "${patient.IssuerOfPatientID}"`,
    };
  }
  const differences: string[] = [];
  const a = nameKey(patient.PatientName);
  const b = nameKey(study.PatientName);
  if (a && b && (a.family !== b.family || (a.given !== '' && b.given !== '' && a.given !== b.given))) {
    differences.push(`named ${study.PatientName} there, ${patient.PatientName} here`);
  }
  if (patient.PatientBirthDate && study.PatientBirthDate && patient.PatientBirthDate !== study.PatientBirthDate) {
    differences.push(`born ${showDate(study.PatientBirthDate)} there, ${showDate(patient.PatientBirthDate)} here`);
  }
  if (differences.length === 0) return undefined;
  return {
    kind: 'conflict',
    sentence: `conflict: Patient ID ${patient.PatientID} on ${where} is ${differences.join(' and ')}; not fetched until someone confirms it is the same patient`,
  };
}

interface Judgement {
  /** How far the study went through the rule's tests (a higher stage is a closer miss). */
  stage: number;
  passed: boolean;
  reason: string;
  /** What the study has that the rule asked for, for the sentence of a chosen study. */
  because: string[];
}

function judge(rule: PrefetchRule, current: CurrentFacts, study: StudyFacts): Judgement {
  const date = study.StudyDate;
  const because: string[] = [];
  if (!date) {
    return rule.allStudies
      ? { stage: 9, passed: true, reason: '', because: ['every earlier study of the patient (its date is unknown)'] }
      : { stage: 0, passed: false, reason: 'its Study Date is unknown, so its age cannot be told', because };
  }
  if (study.StudyInstanceUID === current.StudyInstanceUID) return { stage: 0, passed: false, reason: 'it is the current study', because };
  if (date > current.date)
    return { stage: 1, passed: false, reason: `it is newer (${showDate(date)}) than the current study (${showDate(current.date)})`, because };
  if (date === current.date)
    return { stage: 1, passed: false, reason: 'it is of the same day as the current study, and a study of the same day is never a prior', because };
  const gap = dayNumber(current.date) - dayNumber(date);
  if (gap < rule.minGapDays) {
    return {
      stage: 2,
      passed: false,
      reason: `it is only ${gap} day${gap === 1 ? '' : 's'} older than the current study (the rule asks at least ${rule.minGapDays})`,
      because,
    };
  }
  if (rule.allStudies) return { stage: 9, passed: true, reason: '', because: ['every earlier study of the patient'] };
  const oldest = yearsBefore(current.date, rule.years);
  if (date < oldest)
    return { stage: 3, passed: false, reason: `it is older than ${rule.years} year${rule.years === 1 ? '' : 's'} (${showDate(date)})`, because };
  const mine = imageModalities(study.modalities);
  const theirs = imageModalities(current.modalities);
  if (rule.modalities === 'same') {
    if (theirs.length === 0) because.push("modality not compared (the current study's is unknown)");
    else if (mine.length === 0) return { stage: 4, passed: false, reason: 'its modality is unknown (the archive did not say)', because };
    else {
      const shared = mine.filter((m) => theirs.includes(m));
      if (shared.length === 0) return { stage: 4, passed: false, reason: `it is ${mine.join('/')}, not ${theirs.join('/')} like the current study`, because };
      because.push(`${shared.join('/')} like the current study`);
    }
  } else if (rule.modalities !== 'any') {
    const wanted = rule.modalities;
    const shared = mine.filter((m) => wanted.includes(m));
    if (shared.length === 0)
      return { stage: 4, passed: false, reason: `it is ${mine.join('/') || 'of an unknown modality'}, not one of ${wanted.join(', ')}`, because };
    because.push(`${shared.join('/')}, one of ${wanted.join(', ')}`);
  }
  if (rule.sameBodyPart) {
    if (current.bodyParts.length === 0) because.push("body part not compared (the current study's cannot be told)");
    else if (study.bodyParts.length === 0) {
      return { stage: 5, passed: false, reason: 'its body part cannot be told (no Body Part Examined, and no known word in its descriptions)', because };
    } else {
      const shared = study.bodyParts.filter((b) => current.bodyParts.includes(b));
      if (shared.length === 0) {
        return {
          stage: 5,
          passed: false,
          reason: `it is of the ${study.bodyParts.join('/')}, not the ${current.bodyParts.join('/')} like the current study`,
          because,
        };
      }
      because.push(`${shared.join('/')} like the current study${study.bodyPartBasis === 'description' ? ' (by its description)' : ''}`);
    }
  }
  return { stage: 6, passed: true, reason: '', because };
}

function newestFirst(a: StudyFacts, b: StudyFacts): number {
  const ka = `${a.StudyDate ?? ''}${a.StudyTime ?? ''}`;
  const kb = `${b.StudyDate ?? ''}${b.StudyTime ?? ''}`;
  return ka < kb ? 1 : ka > kb ? -1 : 0;
}

const ORDINALS = ['newest', '2nd newest', '3rd newest'];
function rank(i: number): string {
  return ORDINALS[i] ?? `${i + 1}th newest`;
}

/**
 * Decides every study: chosen by the first rule that keeps it (within that rule's newest
 * `maxStudies`), else skipped with the reason of the rule that came closest. Studies whose
 * patient disagrees (issuer, name, birth date) are never chosen.
 */
export function selectPriors(patient: PatientFacts, current: CurrentFacts, studies: readonly StudyFacts[], rules: readonly ActiveRule[]): Selection[] {
  const out = new Map<string, Selection>();
  const eligible: StudyFacts[] = [];
  for (const study of studies) {
    const where = study.foundOn.filter((n) => n !== 'cache').join(', ') || 'the cache';
    const problem = study.identity ?? identityProblem(patient, study, where);
    if (problem) {
      out.set(study.StudyInstanceUID, {
        StudyInstanceUID: study.StudyInstanceUID,
        decision: problem.kind === 'conflict' ? 'conflict' : 'skip',
        reason: cap(problem.sentence),
      });
      continue;
    }
    eligible.push(study);
  }
  const currentImage = imageModalities(current.modalities);
  const applicable = rules.filter(({ rule }) => rule.enabled && (rule.forModalities.length === 0 || rule.forModalities.some((m) => currentImage.includes(m))));
  const closest = new Map<string, { stage: number; rule: string; reason: string }>();
  for (const { rule, nodes } of applicable) {
    const reachable = (s: StudyFacts) => s.foundOn.includes('cache') || s.foundOn.some((n) => nodes.includes(n));
    const kept: { study: StudyFacts; because: string[] }[] = [];
    for (const study of eligible) {
      if (!reachable(study)) {
        note(closest, study, { stage: -1, rule: rule.name, reason: `it is on ${study.foundOn.join(', ')}, which the rule does not search` });
        continue;
      }
      const j = judge(rule, current, study);
      if (j.passed) kept.push({ study, because: j.because });
      else note(closest, study, { stage: j.stage, rule: rule.name, reason: j.reason });
    }
    kept.sort((a, b) => newestFirst(a.study, b.study));
    const max = rule.allStudies ? kept.length : rule.maxStudies;
    for (const [i, { study, because }] of kept.entries()) {
      if (out.has(study.StudyInstanceUID)) continue;
      if (i >= max) {
        note(closest, study, { stage: 7, rule: rule.name, reason: `it is relevant, but older than the ${max} newest relevant studies the rule keeps` });
        continue;
      }
      const node = nodes.find((n) => study.foundOn.includes(n));
      const kind = rule.allStudies
        ? because.join(', ')
        : [...because, `the ${rank(i)} of at most ${max} within ${rule.years} year${rule.years === 1 ? '' : 's'}`].join(', ');
      out.set(study.StudyInstanceUID, {
        StudyInstanceUID: study.StudyInstanceUID,
        decision: 'fetch',
        rule: rule.name,
        ...(node ? { node } : {}),
        reason: cap(`${showDate(study.StudyDate)}: ${kind} (rule "${rule.name}")`),
      });
    }
  }
  for (const study of eligible) {
    if (out.has(study.StudyInstanceUID)) continue;
    const near = closest.get(study.StudyInstanceUID);
    const reason = near
      ? `Not fetched: ${near.reason} (rule "${near.rule}")`
      : applicable.length === 0
        ? `Not fetched: no enabled rule applies to a ${currentImage.join('/') || 'current'} study`
        : 'Not fetched';
    out.set(study.StudyInstanceUID, { StudyInstanceUID: study.StudyInstanceUID, decision: 'skip', ...(near ? { rule: near.rule } : {}), reason });
  }
  return studies.map((s) => out.get(s.StudyInstanceUID)!);
}

function note(
  closest: Map<string, { stage: number; rule: string; reason: string }>,
  study: StudyFacts,
  j: { stage: number; rule: string; reason: string },
): void {
  const held = closest.get(study.StudyInstanceUID);
  if (!held || j.stage > held.stage) closest.set(study.StudyInstanceUID, j);
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
