/**
 * The Local cache screen's sentences and its hook to the viewer, without a DOM: totals, an
 * import's progress and result, a send's result, the `priors:open-study` event the
 * viewer listens to, and the `priors:export-study` event this screen listens to.
 */
import type { ResponseOf } from '../../../../shared/api/contract.js';
import type { CacheStats, ImportResult } from '../../../../shared/records.js';
import { formatBytes } from '../../lib/format.js';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "3 patients · 4 studies · 9 series · 120 instances · 48.2 MB of 10.0 GB". */
export function statsLine(s: CacheStats): string {
  return `${plural(s.patients, 'patient')} · ${plural(s.studies, 'study', 'studies')} · ${plural(s.series, 'series', 'series')} · ${plural(s.instances, 'instance')} · ${formatBytes(s.bytes)}${s.maxBytes ? ` of ${formatBytes(s.maxBytes)}` : ''}`;
}

/**
 * The room left, when there is something to say: free space on the disk (and the free space
 * kept), studies evicted to make room, studies protected now. Undefined when nothing is known.
 */
export function roomLine(s: CacheStats): string | undefined {
  const parts: string[] = [];
  if (s.freeBytes !== undefined) {
    parts.push(`${formatBytes(s.freeBytes)} free on the disk${s.minFreeBytes ? ` (keeping ${formatBytes(s.minFreeBytes)} free)` : ''}`);
  }
  if (s.evicted && s.evicted.studies > 0) parts.push(`${plural(s.evicted.studies, 'study', 'studies')} evicted to make room (${formatBytes(s.evicted.bytes)})`);
  if (s.pinnedStudies) parts.push(`${plural(s.pinnedStudies, 'study', 'studies')} held (open or arriving)`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** The last store refused for lack of room, as the sentence to show, with how many since. */
export function refusalLine(s: CacheStats): string | undefined {
  const r = s.lastRefusal;
  if (!r) return undefined;
  return r.count > 1 ? `${r.sentence} (${r.count} instances refused so far.)` : r.sentence;
}

/** While importing: counts so far and the file just read. */
export function importProgressLine(p: { path: string; imported: number; duplicates: number; skipped: number }): string {
  const file = p.path.split(/[\\/]/).pop() ?? p.path;
  return `Importing… ${p.imported} imported, ${p.duplicates} already there, ${p.skipped} skipped (${file})`;
}

/** After an import: what happened, and the first skipped file's reason when some were skipped. */
export function importResultLine(r: ImportResult): string {
  const head = `${r.aborted ? 'Import stopped' : 'Imported'}: ${plural(r.imported, 'instance')} added, ${r.duplicates} already in the cache, ${r.skipped.length} skipped.`;
  const first = r.skipped[0];
  const d = r.dicomdir;
  const medium = d
    ? ` Read through its DICOMDIR: ${plural(d.referenced, 'file')} referenced${d.missing.length ? `, ${d.missing.length} of them missing` : ''}${d.notReferenced ? `, ${plural(d.notReferenced, 'other file')} not referenced (not imported)` : ''}.`
    : '';
  return first ? `${head}${medium} First skipped: ${first.path} (${first.reason}).` : `${head}${medium}`;
}

/** After a send: counts, with the node. */
export function sendResultLine(node: string, r: ResponseOf<'cache.send'>): string {
  return `Sent ${plural(r.sent, 'instance')} to ${node}${r.warnings ? `, ${r.warnings} with warnings` : ''}${r.failed ? `, ${r.failed} failed` : ''}.`;
}

/** The name of the event the viewer listens to (renderer/src/features/viewer). */
export const OPEN_STUDY_EVENT = 'priors:open-study';

/** The detail of that event. */
export function openStudyDetail(StudyInstanceUID: string): { StudyInstanceUID: string } {
  return { StudyInstanceUID };
}

/**
 * The name of the event that asks for a cached study's export (Search's row menu): the shell
 * shows the Local cache screen, which opens the study's patient and the export dialog.
 */
export const EXPORT_STUDY_EVENT = 'priors:export-study';

/** The detail of that event: the study to tick in the dialog. */
export function exportStudyDetail(StudyInstanceUID: string): { StudyInstanceUID: string } {
  return { StudyInstanceUID };
}
