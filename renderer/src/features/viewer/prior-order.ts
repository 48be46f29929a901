/**
 * Which of the patient's other studies the viewer offers and opens, without a DOM. The order is
 * the main process's (`viewer.priors`: the earlier studies the prefetch rules keep for the open
 * one — same modality and body part with the shipped rule — newest first, then the others,
 * newest first); the prior opened is the first relevant one, else the newest study not newer
 * than the open one. Of two studies shown together, the newer is always "Current".
 */
import type { ViewerPrior } from '../../../../shared/api/contract.js';
import type { PrefetchedMark } from '../../../../shared/prefetch.js';
import type { StudyRecord } from '../../../../shared/records.js';
import { formatDicomDate } from '../../lib/format.js';

/** A study of the picker: whether the rules hold it relevant, why, and its prefetch mark. */
export interface PriorChoice {
  study: StudyRecord;
  relevant?: boolean;
  reason?: string;
  mark?: PrefetchedMark;
}

const dateKey = (s: StudyRecord): string => `${s.StudyDate ?? ''}${s.StudyTime ?? ''}`;

/** Newest first by Study Date and Time. */
export const newestFirst = (a: StudyRecord, b: StudyRecord): number => dateKey(b).localeCompare(dateKey(a));

/** The picker's choices from `viewer.priors` (its order kept). */
export function choicesOf(priors: readonly ViewerPrior[]): PriorChoice[] {
  return priors.map((p) => ({ study: p.study, relevant: p.relevant, reason: p.reason, ...(p.prefetched ? { mark: p.prefetched } : {}) }));
}

/**
 * The prior opened with a study: the first relevant choice (the newest relevant earlier study),
 * else the newest study not newer than it (any, when its date is unknown).
 */
export function defaultPrior(choices: readonly PriorChoice[], currentDate: string | undefined): string | undefined {
  const relevant = choices.find((c) => c.relevant);
  if (relevant) return relevant.study.StudyInstanceUID;
  const earlier = choices.filter((c) => (c.study.StudyDate ?? '') <= (currentDate || '~'));
  return [...earlier].sort((a, b) => newestFirst(a.study, b.study))[0]?.study.StudyInstanceUID;
}

/** More priors for the 2×2 layout: after `first`, the next choices in order (relevant first), at most `n`. */
export function morePriors(choices: readonly PriorChoice[], first: string | undefined, n: number): string[] {
  return choices
    .map((c) => c.study.StudyInstanceUID)
    .filter((uid) => uid !== first)
    .slice(0, n);
}

/**
 * The studies of the panes in reading order: the newest first ("Current"), the others newest
 * first. The opened study stays first unless another is of a later day (a study without a date
 * is never assumed older; of one day, the one opened is the one being read).
 */
export function readingOrder<T extends { study: StudyRecord }>(opened: T, others: readonly T[]): T[] {
  const rest = [...others].sort((a, b) => newestFirst(a.study, b.study));
  const newer = rest[0];
  const day = (s: StudyRecord): string | undefined => (/^\d{8}$/.test(s.StudyDate ?? '') ? s.StudyDate : undefined);
  const [mine, theirs] = [day(opened.study), newer ? day(newer.study) : undefined];
  if (newer && mine && theirs && theirs > mine) {
    return [newer, ...[opened, ...rest.slice(1)].sort((a, b) => newestFirst(a.study, b.study))];
  }
  return [opened, ...rest];
}

/** An option's text: "2023-06-01 CT CHEST PRIOR (CT)", and " · prefetched" for a study a rule brought. */
export function priorOptionText(c: PriorChoice): string {
  const s = c.study;
  return `${formatDicomDate(s.StudyDate ?? '')} ${s.StudyDescription ?? ''} (${s.ModalitiesInStudy.join('/')})${c.mark ? ' · prefetched' : ''}`;
}
