/**
 * Study date presets of the search form turned into DICOM date range matching values
 * (PS3.4 C.2.2.2.5: `YYYYMMDD`, `YYYYMMDD-YYYYMMDD`, open ends `YYYYMMDD-` and `-YYYYMMDD`).
 * Dates are the workstation's local calendar days. Pure code: no DOM, no Node.
 */

/** The presets offered by the Study date field. */
export type DatePreset = 'today' | 'yesterday' | 'last7' | 'last30' | 'any' | 'custom';

/** The presets in the order the form shows them, with their labels. */
export const DATE_PRESETS: readonly { preset: DatePreset; label: string }[] = [
  { preset: 'today', label: 'Today' },
  { preset: 'yesterday', label: 'Yesterday' },
  { preset: 'last7', label: 'Last 7 days' },
  { preset: 'last30', label: 'Last 30 days' },
  { preset: 'any', label: 'Any' },
  { preset: 'custom', label: 'Custom range' },
];

/** A custom range as the date inputs give it: `YYYY-MM-DD` (or `YYYYMMDD`), either end may be empty. */
export interface CustomRange {
  from?: string;
  to?: string;
}

/** A StudyDate matching value, or one sentence saying what is wrong. */
export type DateRangeResult = { ok: true; value: string } | { ok: false; error: string };

/** Formats a local calendar day as a DICOM DA value (PS3.5 §6.2, VR DA: YYYYMMDD). */
export function dicomDate(day: Date): string {
  const y = String(day.getFullYear()).padStart(4, '0');
  const m = String(day.getMonth() + 1).padStart(2, '0');
  const d = String(day.getDate()).padStart(2, '0');
  return `${y}${m}${d}`;
}

/** The local calendar day `days` days before `day` (handles month ends and DST). */
export function daysBefore(day: Date, days: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() - days);
}

/**
 * Reads `YYYY-MM-DD` or `YYYYMMDD` into a DA value; undefined for empty input.
 * Throws a sentence for anything else or for a day that does not exist (2024-02-30).
 */
export function parseInputDate(text: string, what: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(t);
  if (!m) throw new Error(`The ${what} date "${t}" is not a date: write it as YYYY-MM-DD.`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(y, mo - 1, d);
  if (check.getFullYear() !== y || check.getMonth() !== mo - 1 || check.getDate() !== d) {
    throw new Error(`The ${what} date "${t}" does not exist.`);
  }
  return `${m[1]}${m[2]}${m[3]}`;
}

/**
 * The StudyDate matching value of a preset on the day `today`: `''` (universal matching) for
 * Any, a single date for Today and Yesterday, a closed range ending today for Last 7/30 days
 * (today included), and the custom range with open ends where an end is empty (PS3.4 C.2.2.2.5.1).
 */
export function studyDateRange(preset: DatePreset, today: Date, custom: CustomRange = {}): DateRangeResult {
  switch (preset) {
    case 'any':
      return { ok: true, value: '' };
    case 'today':
      return { ok: true, value: dicomDate(today) };
    case 'yesterday':
      return { ok: true, value: dicomDate(daysBefore(today, 1)) };
    case 'last7':
      return { ok: true, value: `${dicomDate(daysBefore(today, 6))}-${dicomDate(today)}` };
    case 'last30':
      return { ok: true, value: `${dicomDate(daysBefore(today, 29))}-${dicomDate(today)}` };
    case 'custom': {
      let from: string | undefined;
      let to: string | undefined;
      try {
        from = parseInputDate(custom.from ?? '', 'start');
        to = parseInputDate(custom.to ?? '', 'end');
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
      if (from === undefined && to === undefined) return { ok: true, value: '' };
      if (from !== undefined && to !== undefined) {
        if (from > to) return { ok: false, error: 'The start date comes after the end date.' };
        return { ok: true, value: from === to ? from : `${from}-${to}` };
      }
      return { ok: true, value: from !== undefined ? `${from}-` : `-${to}` };
    }
  }
}
