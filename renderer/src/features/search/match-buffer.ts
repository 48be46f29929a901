/**
 * The matches of a running search between two renders: a study not seen yet becomes a new row,
 * one seen again (another node holds it, or another query of a split search found it again) is
 * merged into its row. The screen takes what gathered once per animation frame.
 */
import type { ApiEvent, SearchSource } from '../../../../shared/api/contract.js';
import { type CacheState, mergeStudyRows, type StudyRow, studyRowOf } from './study-rows.js';

type MatchEvent = Extract<ApiEvent, { type: 'search.match' }>;

const CACHE_STATES: readonly CacheState[] = ['full', 'partial', 'none'];

/** The cache badge of a match: local matches are cached; a remote match may say (field `cache`). */
function cacheStateOf(event: MatchEvent, source: SearchSource): CacheState {
  if (source.kind === 'local') return 'full';
  return CACHE_STATES.includes(event.cache as CacheState) ? (event.cache as CacheState) : 'unknown';
}

/** The row of one match event. */
export function rowOfMatch(event: MatchEvent, source: SearchSource): StudyRow {
  const row = studyRowOf(event.row, cacheStateOf(event, source), {
    ...(event.heldBy ? { heldBy: event.heldBy } : {}),
    ...(event.identifiers ? { identifiers: event.identifiers } : {}),
  });
  if (event.cacheNote) row.cacheNote = event.cacheNote;
  if (event.prefetched) row.prefetched = event.prefetched;
  return row;
}

/** Matches gathered since the last {@link MatchBuffer.take}. */
export class MatchBuffer {
  private readonly seen = new Set<string>();
  private added: StudyRow[] = [];
  private updates = new Map<string, StudyRow>();

  add(row: StudyRow): void {
    const uid = row.StudyInstanceUID;
    if (uid && this.seen.has(uid)) {
      const inAdded = this.added.findIndex((b) => b.StudyInstanceUID === uid);
      if (inAdded >= 0) this.added[inAdded] = mergeStudyRows(this.added[inAdded]!, row);
      else this.updates.set(uid, this.updates.has(uid) ? mergeStudyRows(this.updates.get(uid)!, row) : row);
      return;
    }
    if (uid) this.seen.add(uid);
    this.added.push(row);
  }

  /** Whether anything gathered since the last take. */
  get pending(): boolean {
    return this.added.length > 0 || this.updates.size > 0;
  }

  /** Empties the buffer; answers how to bring the rows on screen up to date with what it held. */
  take(): (rows: readonly StudyRow[]) => StudyRow[] {
    const added = this.added;
    const updates = this.updates;
    this.added = [];
    this.updates = new Map();
    return (rows) => [
      ...(updates.size
        ? rows.map((row) => {
            const u = updates.get(row.StudyInstanceUID);
            return u ? mergeStudyRows(row, u) : row;
          })
        : rows),
      ...added,
    ];
  }
}
