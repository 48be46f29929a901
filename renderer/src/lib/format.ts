/**
 * How DICOM values are shown: dates, person names, multi-valued strings, sizes.
 * Pure code: no DOM, no Node.
 */

/** `20240131` → `2024-01-31`; anything else is shown as it came. */
export function formatDicomDate(value: string | undefined): string {
  if (!value) return '';
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : value;
}

/**
 * A Person Name (PS3.5 §6.2.1, VR PN) for reading: the alphabetic group only, components
 * `Family^Given^Middle^Prefix^Suffix` shown as `Family, Given Middle`; prefix and suffix kept.
 */
export function formatPersonName(value: string | undefined): string {
  if (!value) return '';
  const alphabetic = value.split('=')[0] ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic.split('^').map((s) => s.trim());
  const first = [prefix, given, middle].filter(Boolean).join(' ');
  let out = family;
  if (first) out = out ? `${out}, ${first}` : first;
  if (suffix) out = out ? `${out} ${suffix}` : suffix;
  return out || value;
}

/** A multi-valued string (values joined with backslash, PS3.5 §6.4) as its values. */
export function splitValues(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split('\\')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Bytes for people: the one formatter of the UI and the main process's sentences. */
export { formatBytes } from '../../../shared/format.js';

/** A duration for an ETA: `5 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const total = Math.round(seconds);
  const m = Math.floor(total / 60);
  return m < 60 ? `${m} min ${total % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A moment for lists, in local time: `2026-12-06 14:30` (the seconds add nothing there). */
export function formatDateTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A moment with seconds, in local time: `2026-12-06 14:30:05` (logs and audit events). */
export function formatDateTimeSeconds(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const seconds = String(new Date(ms).getSeconds()).padStart(2, '0');
  return `${formatDateTime(ms)}:${seconds}`;
}

/** The time of day with seconds, in local time: `14:30:05`. */
export function formatTimeOfDay(ms: number | undefined): string {
  return formatDateTimeSeconds(ms).slice(11);
}

/**
 * A day as the app writes it (`YYYY-MM-DD`, also `YYYYMMDD`) → the start of that local day in ms;
 * undefined for empty text; a sentence for anything else or a day that does not exist.
 */
export function parseIsoDay(text: string, what: string): { ok: true; value?: number } | { ok: false; error: string } {
  const t = text.trim();
  if (t === '') return { ok: true };
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(t);
  if (!m) return { ok: false, error: `${what} "${t}" is not a date: write it as YYYY-MM-DD.` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(y, mo - 1, d);
  if (day.getFullYear() !== y || day.getMonth() !== mo - 1 || day.getDate() !== d) return { ok: false, error: `${what} "${t}" does not exist.` };
  return { ok: true, value: day.getTime() };
}
