/**
 * When a PACS answer looks capped (many PACS stop a C-FIND at a configured number of matches
 * and still answer Success), the Search screen shows a banner; the remedy is to split the
 * query by study date until every part comes back complete. Pure code: no DOM, no Node.
 */
import { daysBefore, dicomDate } from './date-presets.js';

/** What the core says about an answer that looks truncated. */
export interface CappedInfo {
  count: number;
  reason?: string;
}

/**
 * The banner's sentence. Whether an answer looks capped is decided by the core (electron/dimse
 * electron/dimse/scu/find.ts `cappedReason`); `splitTried`: the search was already split by date down to parts
 * that could not be split further.
 */
export function cappedBannerText(info: CappedInfo, nodeName: string, splitTried = false): string {
  const n = info.count === 1 ? '1 match' : `${info.count} matches`;
  const why = info.reason ? ` (${info.reason.replace(/\.$/, '')})` : '';
  const remedy = splitTried
    ? 'Even split by date, one part stayed capped: narrow the search with other criteria.'
    : 'Narrow the search, or split it by date to get every study.';
  return `${nodeName} answered ${n} and may have stopped there${why}: the list is probably incomplete. ${remedy}`;
}

function parseDa(da: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/**
 * Splits a closed StudyDate range (`YYYYMMDD-YYYYMMDD`, PS3.4 C.2.2.2.5) into two halves that
 * cover it without overlap, for re-running a capped query. Undefined when the range is one day
 * or not a closed range (an open end must be closed first, e.g. with {@link closeRange}).
 */
export function splitDateRange(range: string): [string, string] | undefined {
  const m = /^(\d{8})-(\d{8})$/.exec(range);
  if (!m) return undefined;
  const from = parseDa(m[1]!);
  const to = parseDa(m[2]!);
  if (!from || !to || from >= to) return undefined;
  const days = Math.round((to.getTime() - from.getTime()) / 86_400_000);
  const midEnd = daysBefore(to, days - Math.floor(days / 2));
  const secondStart = daysBefore(midEnd, -1);
  const first = dicomDate(from) === dicomDate(midEnd) ? dicomDate(from) : `${dicomDate(from)}-${dicomDate(midEnd)}`;
  const second = dicomDate(secondStart) === dicomDate(to) ? dicomDate(to) : `${dicomDate(secondStart)}-${dicomDate(to)}`;
  return [first, second];
}

/**
 * A StudyDate value closed at both ends: universal (`''`) and open ranges get `earliest`
 * (default 1900-01-01) or `today` for their missing end; a single date stays as it is.
 */
export function closeRange(value: string, today: Date, earliest = '19000101'): string {
  const v = value.trim();
  if (v === '') return `${earliest}-${dicomDate(today)}`;
  if (/^\d{8}-$/.test(v)) return `${v}${dicomDate(today)}`;
  if (/^-\d{8}$/.test(v)) return `${earliest}${v}`;
  return v;
}

/** Most queries one search may become by splitting (each split doubles a part). */
export const MAX_SPLIT_QUERIES = 64;

/**
 * The two halves of a capped query, by StudyDate: the date key is closed ({@link closeRange})
 * and split ({@link splitDateRange}); every other key stays. Undefined when the range is a
 * single day (it cannot be split by date any more).
 */
export function splitStudyQuery(keys: Readonly<Record<string, string>>, today: Date): [Record<string, string>, Record<string, string>] | undefined {
  const halves = splitDateRange(closeRange(keys.StudyDate ?? '', today));
  if (!halves) return undefined;
  return [
    { ...keys, StudyDate: halves[0] },
    { ...keys, StudyDate: halves[1] },
  ];
}
