/** The overlay's text pieces, without cornerstone or a DOM. */

/** The study date as YYYY-MM-DD, from the loader's DA string or its parsed { year, month, day }. */
export function studyDateOf(d: string | { year: number; month: number; day: number } | undefined): string {
  if (!d) return '';
  if (typeof d === 'string') return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d;
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
