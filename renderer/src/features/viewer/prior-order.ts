/**
 * The prior picker's order, without a DOM: the studies a prefetch rule chose come first (a
 * rule judged them relevant to this patient's reading), newest first, then the others, newest
 * first. Which prior opens beside the current study follows the same preference.
 */
import type { PrefetchedMark } from '../../../../shared/prefetch.js';
import type { StudyRecord } from '../../../../shared/records.js';
import { formatDicomDate } from '../../lib/format.js';

/** A study of the picker, with its prefetch mark when a rule chose it. */
export interface PriorChoice {
  study: StudyRecord;
  mark?: PrefetchedMark;
}

const newestFirst = (a: StudyRecord, b: StudyRecord): number =>
  `${b.StudyDate ?? ''}${b.StudyTime ?? ''}`.localeCompare(`${a.StudyDate ?? ''}${a.StudyTime ?? ''}`);

/** The patient's other studies in picker order: prefetched first, then the rest, each newest first. */
export function orderPriors(studies: readonly StudyRecord[], marks: Readonly<Record<string, PrefetchedMark>>, currentUid: string): PriorChoice[] {
  const others = studies.filter((s) => s.StudyInstanceUID !== currentUid);
  const choice = (study: StudyRecord): PriorChoice => {
    const mark = marks[study.StudyInstanceUID];
    return mark ? { study, mark } : { study };
  };
  const marked = others.filter((s) => marks[s.StudyInstanceUID]).sort(newestFirst);
  const rest = others.filter((s) => !marks[s.StudyInstanceUID]).sort(newestFirst);
  return [...marked, ...rest].map(choice);
}

/**
 * The prior opened with a study: the newest prefetched study not newer than it, else the
 * newest study not newer than it (the one a radiologist compares with first).
 */
export function defaultPrior(choices: readonly PriorChoice[], currentDate: string | undefined): string | undefined {
  const earlier = choices.filter((c) => (c.study.StudyDate ?? '') <= (currentDate || '~'));
  return (earlier.find((c) => c.mark) ?? [...earlier].sort((a, b) => newestFirst(a.study, b.study))[0])?.study.StudyInstanceUID;
}

/** An option's text: "2023-06-01 CT CHEST PRIOR (CT)", and " · prefetched" for a study a rule chose. */
export function priorOptionText(c: PriorChoice): string {
  const s = c.study;
  return `${formatDicomDate(s.StudyDate ?? '')} ${s.StudyDescription ?? ''} (${s.ModalitiesInStudy.join('/')})${c.mark ? ' · prefetched' : ''}`;
}
