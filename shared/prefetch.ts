/**
 * Prefetch: which earlier studies ("priors") of a patient are relevant to a current study, and
 * the record of each time Priors looked for them. Rules and the body-part synonym table are
 * kept in the cache database; the main process runs them on a study's arrival, on a worklist
 * entry and by hand. Pure code: no Node, no DOM.
 */
import type { TransferState } from './transfers.js';
import type { Result } from './result.js';

/** Which earlier studies a rule counts as relevant, and where it looks for them. */
export interface PrefetchRule {
  /** Letters, digits, '.', '_' and '-', as node names. */
  name: string;
  enabled: boolean;
  /** The nodes searched, in this order; empty = every configured node (worklist-only nodes excepted). */
  nodes: string[];
  /** The rule applies to current studies of these modalities; empty = to every current study. */
  forModalities: string[];
  /** Relevant modalities: those of the current study ('same'), any, or the listed ones. */
  modalities: 'same' | 'any' | string[];
  /** Only studies of the same body part (Body Part Examined, else words of the descriptions). */
  sameBodyPart: boolean;
  /** At most this many priors, newest first. */
  maxStudies: number;
  /** Only studies at most this many years older than the current one. */
  years: number;
  /** Only studies at least this many days older than the current one (at least 1: a study of the same day is never a prior). */
  minGapDays: number;
  /** Every earlier study of the patient, whatever its modality, body part or age. */
  allStudies: boolean;
}

/** A rule as written by a user: the name, the rest defaults. */
export type PrefetchRuleInput = Pick<PrefetchRule, 'name'> & Partial<Omit<PrefetchRule, 'name'>>;

/** Groups of words naming one body part; the first word of a group names it. */
export type BodyPartSynonyms = string[][];

/** The rule shipped with Priors: same modality and body part, the newest 3 within 5 years, from every node. */
export const DEFAULT_RULE: Readonly<PrefetchRule> = Object.freeze({
  name: 'default',
  enabled: true,
  nodes: [],
  forModalities: [],
  modalities: 'same',
  sameBodyPart: true,
  maxStudies: 3,
  years: 5,
  minGapDays: 1,
  allStudies: false,
});

/**
 * The synonym table shipped with Priors: the Body Part Examined values of PS3.16 CID 4031 that
 * radiology reads most, with the words descriptions use for them.
 */
export const DEFAULT_SYNONYMS: BodyPartSynonyms = [
  ['CHEST', 'THORAX', 'LUNG', 'LUNGS', 'PULMONARY', 'THORACIC CAVITY'],
  ['HEAD', 'BRAIN', 'SKULL', 'CRANIUM', 'CEREBRAL', 'NEURO'],
  ['ABDOMEN', 'ABD', 'ABDOMINAL'],
  ['PELVIS', 'PELVIC'],
  ['NECK', 'THYROID', 'SOFT TISSUE NECK'],
  ['CSPINE', 'C-SPINE', 'CERVICAL SPINE'],
  ['TSPINE', 'T-SPINE', 'THORACIC SPINE', 'DORSAL SPINE'],
  ['LSPINE', 'L-SPINE', 'LUMBAR SPINE', 'LUMBAR'],
  ['BREAST', 'MAMMO', 'MAMMOGRAPHY', 'MAMMOGRAM'],
  ['HEART', 'CARDIAC', 'CORONARY'],
  ['KNEE'],
  ['HIP'],
  ['SHOULDER'],
  ['ANKLE'],
  ['WRIST'],
  ['HAND'],
  ['FOOT'],
  ['ELBOW'],
];

/** Modalities that are not images: they never make two studies "the same modality". */
export const NON_IMAGE_MODALITIES: readonly string[] = [
  'SR',
  'KO',
  'PR',
  'DOC',
  'REG',
  'SEG',
  'RTSTRUCT',
  'RTPLAN',
  'RTRECORD',
  'RTDOSE',
  'FID',
  'PLAN',
  'AU',
  'ECG',
  'OT',
];

/** What started a prefetch. */
export type PrefetchTrigger = 'arrival' | 'worklist' | 'manual';

/** What became of one earlier study. */
export type CandidateDecision =
  /** Relevant and queued for retrieve (or listed by a dry run). */
  | 'fetch'
  /** Relevant, and the cache holds it already. */
  | 'cached'
  /** Relevant, and a retrieve of it is queued or running already. */
  | 'in-transfer'
  /** Not relevant under any rule. */
  | 'skip'
  /** Same Patient ID, other name or birth date: never fetched by itself. */
  | 'conflict';

/** One earlier study of the patient, found on a node or in the cache, and what was decided. */
export interface PrefetchCandidate {
  StudyInstanceUID: string;
  /** The node it is fetched from (the first of the rule's nodes that holds it). */
  node?: string;
  /** Every node that answered with it; 'cache' when the cache holds it. */
  foundOn: string[];
  StudyDate?: string;
  StudyDescription?: string;
  AccessionNumber?: string;
  PatientName?: string;
  modalities: string[];
  /** Body parts by the first word of their synonym group. */
  bodyParts: string[];
  /** Number of Study Related Instances, as the node announced it. */
  instances?: number;
  decision: CandidateDecision;
  /** The rule that chose it (or the first rule that judged it). */
  rule?: string;
  /** One sentence: why it was chosen or skipped. */
  reason: string;
  /** The transfer job that fetches it. */
  jobId?: string;
  jobState?: TransferState;
}

/** The study prefetch is for. */
export interface PrefetchCurrent {
  /** Absent for a scheduled procedure whose study does not exist yet. */
  StudyInstanceUID?: string;
  StudyDate?: string;
  StudyDescription?: string;
  AccessionNumber?: string;
  modalities: string[];
  bodyParts: string[];
  /** Where it was learnt: an arrived study, a worklist entry, or the newest study found. */
  source: 'cache' | 'worklist' | 'archive';
  /** The node it came from (worklist provider, or the archive that holds it). */
  node?: string;
  /** How many series the cache held of it when prefetch looked (a study that gains one is looked at again). */
  seriesCount?: number;
}

/** How one node answered the search for the patient's studies. */
export interface PrefetchNodeOutcome {
  node: string;
  outcome: 'ok' | 'failed' | 'capped';
  studies: number;
  /** For a failure or a capped answer: one sentence saying what to fix. */
  sentence?: string;
}

/** The state of a run: planned by a dry run, running while its retrieves go, then how it ended. */
export type PrefetchRunState = 'planned' | 'running' | 'completed' | 'incomplete' | 'stopped' | 'failed';

/** One look for a patient's priors, with every candidate and why. */
export interface PrefetchRun {
  id: string;
  trigger: PrefetchTrigger;
  /** What set it off, e.g. "CT from MODALITY1" or "worklist RIS: CT CHEST at 14:30". */
  triggerDetail?: string;
  dryRun: boolean;
  PatientID: string;
  IssuerOfPatientID?: string;
  PatientName?: string;
  PatientBirthDate?: string;
  current?: PrefetchCurrent;
  state: PrefetchRunState;
  /** One sentence: what was found and what is done about it. */
  sentence: string;
  candidates: PrefetchCandidate[];
  nodes: PrefetchNodeOutcome[];
  /** Milliseconds since the epoch. */
  startedAt: number;
  finishedAt?: number;
  /** Goes up with every stored change (as transfer jobs do). */
  revision: number;
}

/** Events pushed to the UI about runs; each carries the whole run as it now is. */
export type PrefetchEvent = { type: 'prefetch.run'; run: PrefetchRun };

/** The answer to "was this study prefetched": the rule and the reason, for a badge's tooltip. */
export interface PrefetchedMark {
  rule: string;
  reason: string;
  /** Milliseconds since the epoch. */
  at: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MODALITY = /^[A-Z0-9]{1,16}$/;

/** A copy of a modality list, upper-cased, without blanks or repeats; an error naming a bad one. */
function modalityList(raw: unknown, path: string): string[] {
  if (!Array.isArray(raw)) throw new Error(`${path} must be a list of modalities (CT, MR…), got ${JSON.stringify(raw)}`);
  const out: string[] = [];
  for (const m of raw) {
    const v = typeof m === 'string' ? m.trim().toUpperCase() : '';
    if (!MODALITY.test(v)) throw new Error(`${path} must hold modalities such as CT or MR, got ${JSON.stringify(m)}`);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

function whole(raw: unknown, path: string, min: number, max: number): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    throw new Error(`${path} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/**
 * A complete rule from what a user wrote: missing fields take the defaults of
 * {@link DEFAULT_RULE}; unknown fields and bad values are one sentence naming the field.
 */
export function checkRule(raw: unknown): Result<PrefetchRule, string> {
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`a rule must be an object, got ${JSON.stringify(raw)}`);
    const o = raw as Record<string, unknown>;
    const known = Object.keys(DEFAULT_RULE);
    for (const key of Object.keys(o)) if (!known.includes(key)) throw new Error(`${key} is not a rule setting (expected one of ${known.join(', ')})`);
    if (typeof o.name !== 'string' || !NAME.test(o.name)) {
      throw new Error(`name must be 1–64 letters, digits, '.', '_' or '-' starting with a letter or digit, got ${JSON.stringify(o.name)}`);
    }
    const rule: PrefetchRule = { ...DEFAULT_RULE, nodes: [], forModalities: [], name: o.name };
    if (o.enabled !== undefined) {
      if (typeof o.enabled !== 'boolean') throw new Error(`enabled must be true or false, got ${JSON.stringify(o.enabled)}`);
      rule.enabled = o.enabled;
    }
    if (o.nodes !== undefined) {
      if (!Array.isArray(o.nodes) || o.nodes.some((n) => typeof n !== 'string' || !NAME.test(n))) {
        throw new Error(`nodes must be a list of node names, got ${JSON.stringify(o.nodes)}`);
      }
      rule.nodes = [...new Set(o.nodes as string[])];
    }
    if (o.forModalities !== undefined) rule.forModalities = modalityList(o.forModalities, 'forModalities');
    if (o.modalities !== undefined) {
      if (o.modalities === 'same' || o.modalities === 'any') rule.modalities = o.modalities;
      else {
        rule.modalities = modalityList(o.modalities, 'modalities');
        if (rule.modalities.length === 0) throw new Error('modalities must be "same", "any" or a list of at least one modality');
      }
    }
    if (o.sameBodyPart !== undefined) {
      if (typeof o.sameBodyPart !== 'boolean') throw new Error(`sameBodyPart must be true or false, got ${JSON.stringify(o.sameBodyPart)}`);
      rule.sameBodyPart = o.sameBodyPart;
    }
    if (o.maxStudies !== undefined) rule.maxStudies = whole(o.maxStudies, 'maxStudies', 1, 100);
    if (o.years !== undefined) rule.years = whole(o.years, 'years', 1, 100);
    if (o.minGapDays !== undefined) rule.minGapDays = whole(o.minGapDays, 'minGapDays', 1, 36500);
    if (o.allStudies !== undefined) {
      if (typeof o.allStudies !== 'boolean') throw new Error(`allStudies must be true or false, got ${JSON.stringify(o.allStudies)}`);
      rule.allStudies = o.allStudies;
    }
    return { ok: true, value: rule };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Words of a synonym group: upper case, letters, digits, spaces and '-' (phrases allowed). */
const WORD = /^[A-Z0-9][A-Z0-9 -]{0,63}$/;

/**
 * A synonym table from what a user wrote: groups of 1–32 words, each word in one group only.
 * Words are upper-cased and their spaces squeezed.
 */
export function checkSynonyms(raw: unknown): Result<BodyPartSynonyms, string> {
  if (!Array.isArray(raw) || raw.length > 500) return { ok: false, error: 'the synonym table must be a list of at most 500 groups of words' };
  const seen = new Map<string, number>();
  const out: BodyPartSynonyms = [];
  for (const [i, group] of raw.entries()) {
    if (!Array.isArray(group) || group.length === 0 || group.length > 32) {
      return { ok: false, error: `group ${i + 1} of the synonym table must hold 1–32 words, got ${JSON.stringify(group)}` };
    }
    const words: string[] = [];
    for (const w of group) {
      const word = typeof w === 'string' ? w.trim().toUpperCase().replace(/\s+/g, ' ') : '';
      if (!WORD.test(word)) return { ok: false, error: `"${String(w)}" in group ${i + 1} is not a word (letters, digits, spaces, '-')` };
      const other = seen.get(word);
      if (other !== undefined && other !== i) return { ok: false, error: `"${word}" is in groups ${other + 1} and ${i + 1}: a word names one body part` };
      seen.set(word, i);
      if (!words.includes(word)) words.push(word);
    }
    out.push(words);
  }
  return { ok: true, value: out };
}

/** A rule in one line for lists: "same modality, same body part, newest 3 within 5 years, from PACS". */
export function describeRule(rule: PrefetchRule): string {
  const from = rule.nodes.length ? `from ${rule.nodes.join(', ')}` : 'from every node';
  const whenFor = rule.forModalities.length ? `for ${rule.forModalities.join('/')} studies: ` : '';
  if (rule.allStudies) return `${whenFor}every earlier study of the patient, ${from}`;
  const modality = rule.modalities === 'same' ? 'same modality' : rule.modalities === 'any' ? 'any modality' : rule.modalities.join('/');
  const parts = [
    modality,
    ...(rule.sameBodyPart ? ['same body part'] : []),
    `newest ${rule.maxStudies} within ${rule.years} year${rule.years === 1 ? '' : 's'}`,
  ];
  if (rule.minGapDays > 1) parts.push(`at least ${rule.minGapDays} days older`);
  return `${whenFor}${parts.join(', ')}, ${from}`;
}
