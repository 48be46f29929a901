/**
 * Formatting shared by the command line, the sentences of the main process and the UI, so that
 * a size reads the same everywhere.
 */

/**
 * Bytes for people, in decimal units as disks are sold: `0 B`, `512 kB`, `1.40 MB`, `2.31 GB`
 * (three significant digits from 1 kB on). Empty for a negative or non-finite count.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[i]}`;
}
