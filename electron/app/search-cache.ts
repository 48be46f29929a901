/**
 * The in-cache badge of a node's match: how many instances of that study (or series) the local
 * cache holds, compared with the count the node announced in Number of Study/Series Related
 * Instances (0020,1208 / 0020,1209; PS3.4 C.6.1.1.4, optional keys a PACS may leave empty).
 */
import type { CacheState, MatchRow } from '../../shared/api/contract.js';
import type { Cache } from '../cache/index.js';

/** The state and, when the node gave no count, a sentence saying so. */
export interface CacheAnnotation {
  cache: CacheState;
  cacheNote?: string;
}

function countOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Compares the instances held with the count announced (undefined: the node gave none). */
export function cacheStateOf(held: number, announced: number | undefined): CacheAnnotation {
  if (held <= 0) return { cache: 'none' };
  if (announced === undefined) {
    return { cache: 'partial', cacheNote: `${held} instance${held === 1 ? '' : 's'} in the cache; the PACS gave no instance count, so it may be complete.` };
  }
  return held >= announced ? { cache: 'full' } : { cache: 'partial', cacheNote: `${held} of ${announced} instances in the cache.` };
}

/** The badge of a STUDY-level match (none when it has no StudyInstanceUID or the cache cannot say). */
export function studyAnnotation(cache: Cache, row: MatchRow): CacheAnnotation | undefined {
  const uid = row.StudyInstanceUID;
  if (!uid) return undefined;
  try {
    const held = cache.study(uid)?.NumberOfStudyRelatedInstances ?? 0;
    return cacheStateOf(held, countOf(row.NumberOfStudyRelatedInstances));
  } catch {
    return undefined; // a closed cache (shutting down): no badge rather than a failed search
  }
}

/** The badges of a study's SERIES-level matches, by SeriesInstanceUID. */
export function seriesAnnotations(cache: Cache, StudyInstanceUID: string, rows: readonly MatchRow[]): Record<string, CacheState> {
  const held = new Map<string, number>();
  try {
    for (const s of cache.series(StudyInstanceUID)) held.set(s.SeriesInstanceUID, s.NumberOfSeriesRelatedInstances);
  } catch {
    return {};
  }
  const out: Record<string, CacheState> = {};
  for (const row of rows) {
    const uid = row.SeriesInstanceUID;
    if (uid) out[uid] = cacheStateOf(held.get(uid) ?? 0, countOf(row.NumberOfSeriesRelatedInstances)).cache;
  }
  return out;
}
