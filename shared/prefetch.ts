/**
 * Prefetch: which earlier studies ("priors") of a patient are relevant to a current study, and
 * the record of each time Priors looked for them. Rules and the body-part synonym table are
 * kept in the cache database; the main process runs them on a study's arrival, on a worklist
 * entry and by hand. Pure code: no Node, no DOM.
 */
import { z } from 'zod';
import { nodeName } from './config.js';
import type { TransferState } from './transfers.js';
import type { Result } from './result.js';
import { bool, expected, fault, oneOf, parseWith, type Problem, problemWith, show, strictObject } from './validation.js';

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

const MODALITY = /^[A-Z0-9]{1,16}$/;

/** A modality as a rule keeps it: upper case, no outer blanks ('' for what is no text). */
function normalModality(m: unknown): string {
  return typeof m === 'string' ? m.trim().toUpperCase() : '';
}

/** A list of modalities: upper-cased, without blanks or repeats; a bad one is named with the list's path. */
const modalityList = z
  .array(z.unknown(), { error: expected('a list of modalities (CT, MR…)') })
  .superRefine((list, ctx) => {
    const bad = list.findIndex((m) => !MODALITY.test(normalModality(m)));
    if (bad >= 0) fault(ctx, [], `must hold modalities such as CT or MR, got ${show(list[bad])}`);
  })
  .transform((list) => [...new Set(list.map(normalModality))]);

const LISTED_MODALITIES = expected('"same", "any" or a list of modalities (CT, MR…)');

/**
 * 'same', 'any' or at least one modality. A list's own fault is its sentence (a union would only
 * say that no choice fits).
 */
const relevantModalities = z.union(
  [oneOf(['same', 'any']), modalityList.refine((list) => list.length > 0, { error: 'must be "same", "any" or a list of at least one modality' })],
  { error: (issue) => (issue.code === 'invalid_union' && Array.isArray(issue.input) && issue.errors[1]?.[0]?.message) || LISTED_MODALITIES(issue) },
);

/** Node names, once each (the whole list is shown when one is not a name). */
const NODES = expected('a list of node names');
const nodeList = z
  .array(z.unknown(), { error: NODES })
  .refine((list) => list.every((n) => nodeName.safeParse(n).success), { error: NODES })
  .transform((list) => [...new Set(list as string[])]);

/** A count of the rule (studies, years, days) from `min` to `max`. */
function whole(min: number, max: number) {
  return z
    .number({ error: expected(`a whole number from ${min} to ${max}`) })
    .int()
    .min(min)
    .max(max);
}

/** A rule as written by a user; the shape's order is the order its fields are checked in. */
const ruleSchema: z.ZodType<PrefetchRule> = strictObject(
  {
    name: nodeName,
    enabled: bool.default(DEFAULT_RULE.enabled),
    nodes: nodeList.default(() => []),
    forModalities: modalityList.default(() => []),
    modalities: relevantModalities.default(DEFAULT_RULE.modalities),
    sameBodyPart: bool.default(DEFAULT_RULE.sameBodyPart),
    maxStudies: whole(1, 100).default(DEFAULT_RULE.maxStudies),
    years: whole(1, 100).default(DEFAULT_RULE.years),
    minGapDays: whole(1, 36500).default(DEFAULT_RULE.minGapDays),
    allStudies: bool.default(DEFAULT_RULE.allStudies),
  },
  { unknown: (names) => `is not a rule setting (expected one of ${names.join(', ')})` },
);

/**
 * A complete rule from what a user wrote: missing fields take the defaults of
 * {@link DEFAULT_RULE}; unknown fields and bad values are one sentence naming the field.
 */
export function checkRule(raw: unknown): Result<PrefetchRule, string> {
  return parseWith(ruleSchema, raw, '', 'a rule');
}

/** {@link checkRule} with its first problem as the setting's path and the message about it, for the editor to mark the field. */
export function checkRuleByPath(raw: unknown): Result<PrefetchRule, Problem> {
  return problemWith(ruleSchema, raw);
}

/** Words of a synonym group: upper case, letters, digits, spaces and '-' (phrases allowed). */
const WORD = /^[A-Z0-9][A-Z0-9 -]{0,63}$/;

const TABLE = 'the synonym table must be a list of at most 500 groups of words';
const GROUP = (issue: { input?: unknown }) => `must hold 1–32 words, got ${show(issue.input)}`;

/** A word upper-cased with its spaces squeezed ('' for what is no text). */
const synonymWord = z
  .unknown()
  .transform((w) => (typeof w === 'string' ? w.trim().toUpperCase().replace(/\s+/g, ' ') : ''))
  .refine((w) => WORD.test(w), { error: "is not a word (letters, digits, spaces, '-')" });

/** 1–32 words, once each; the count is checked before the words. */
const synonymGroup = z
  .array(z.unknown(), { error: GROUP })
  .min(1, { error: GROUP })
  .max(32, { error: GROUP })
  .pipe(z.array(synonymWord))
  .transform((words) => [...new Set(words)]);

/** At most 500 groups (checked before the groups), each word in one group only. */
const synonymSchema = z
  .array(z.unknown(), { error: TABLE })
  .max(500, { error: TABLE })
  .pipe(z.array(synonymGroup))
  .transform((groups, ctx) => {
    const seen = new Map<string, number>();
    for (const [i, group] of groups.entries()) {
      for (const word of group) {
        const other = seen.get(word);
        if (other !== undefined && other !== i) {
          fault(ctx, [], `"${word}" is in groups ${other + 1} and ${i + 1}: a word names one body part`);
          return z.NEVER;
        }
        seen.set(word, i);
      }
    }
    return groups;
  });

/**
 * The sentence of a synonym table's problem: groups are named by their number from 1 and words
 * as written; the table's own messages (its size, a word in two groups) are whole sentences.
 */
function synonymSentence({ path, message }: Problem, raw: unknown): string {
  const [group, word] = path;
  if (typeof group !== 'number') return message;
  if (typeof word !== 'number') return `group ${group + 1} of the synonym table ${message}`;
  return `"${String((raw as unknown[][])[group]?.[word])}" in group ${group + 1} ${message}`;
}

/**
 * A synonym table from what a user wrote: groups of 1–32 words, each word in one group only.
 * Words are upper-cased and their spaces squeezed.
 */
export function checkSynonyms(raw: unknown): Result<BodyPartSynonyms, string> {
  const checked = problemWith(synonymSchema, raw);
  return checked.ok ? checked : { ok: false, error: synonymSentence(checked.error, raw) };
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
