/**
 * Searches run for the UI: a C-FIND on a node (on several: search-nodes.ts) or a search of the cache, its matches pushed as
 * `search.match` events and its end as one `search.done`; cancel aborts the signal, and the
 * C-FIND SCU then sends C-CANCEL (PS3.7 §9.3.2.3).
 */
import { randomUUID } from 'node:crypto';
import type { ApiEvent, CacheState, MatchRow, RequestOf, SearchDone, SingleSource } from '../../shared/api/contract.js';
import type { Config, RemoteNode } from '../../shared/config.js';
import { diagnose } from '../../shared/diagnostics.js';
import type { DataSet } from '../../shared/dicom/dataset.js';
import type { QueryModel } from '../../shared/dicom/query.js';
import { toApiError } from '../../shared/errors.js';
import type { AppEnv } from './env.js';
import { ApiFailure, errorOf } from './result.js';
import { seriesAnnotations, studyAnnotation } from './search-cache.js';
import { nodesOf, runNodesSearch, searchesCache } from './search-nodes.js';
import { describeStatus } from '../services/nodes/diagnose.js';
import { identifierFromKeys, parseKey } from '../services/query/query-keys.js';
import { prepareIdentifier, searchLocal, searchRemote, searchSucceeded, type SearchRequest } from '../services/query/query.js';
import { SERIES_DATE, SERIES_TIME, STUDY_INSTANCE_UID } from '../../shared/dicom/tags.js';

/** Local matches are pushed in slices of this many, yielding between slices (cancel stays responsive). */
const LOCAL_SLICE = 200;
/** Series Date and Time (0008,0021), (0008,0031): optional SERIES-level keys (PS3.4 C.6.2.1.2), asked for the series list's Date column and order. */

/** A series number for ordering: its integer value (IS, PS3.5 §6.2), missing or unreadable ones last. */
function seriesNumberOf(row: MatchRow): number {
  const n = Number.parseInt(String(row.SeriesNumber ?? '').trim(), 10);
  return Number.isFinite(n) ? n : Number.POSITIVE_INFINITY;
}

/** Series in reading order: by Series Number, then Series Date and Time (an archive answers in any order). */
export function seriesInOrder(rows: readonly MatchRow[]): MatchRow[] {
  const when = (r: MatchRow): string => `${r.SeriesDate ?? ''}${r.SeriesTime ?? ''}`;
  return [...rows].sort((a, b) => seriesNumberOf(a) - seriesNumberOf(b) || when(a).localeCompare(when(b)) || 0);
}

/** The running searches of one core. */
export class SearchRunner {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly env: AppEnv,
    private readonly emit: (e: ApiEvent) => void,
  ) {}

  /** Checks the request, then runs it in the background; returns its id. Bad keys and unknown nodes answer at once. */
  async start(req: RequestOf<'search.start'>): Promise<{ searchId: string }> {
    const searchId = req.searchId ?? randomUUID();
    if (this.running.has(searchId)) throw new ApiFailure({ code: 'invalid-payload', message: `A search with id ${searchId} is already running.` });
    const config = await this.env.config();
    const node = req.source.kind === 'node' ? this.env.node(config, req.source.node) : undefined;
    const several = req.source.kind === 'nodes' || req.source.kind === 'all' ? req.source : undefined;
    const nodes = several ? nodesOf(this.env, config, several) : undefined;
    const model: QueryModel = req.model ?? node?.model ?? (req.level === 'PATIENT' ? 'patient' : 'study');
    const keys = identifierFromKeys(Object.entries(req.keys).map(([k, v]) => parseKey(`${k}=${v}`)));
    const request: SearchRequest = { model, level: req.level, keys, ...(req.limit !== undefined ? { limit: req.limit } : {}) };
    prepareIdentifier({ ...request, relational: !node }); // throws QueryKeyError (invalid-input) now
    const controller = new AbortController();
    this.running.set(searchId, controller);
    const { signal } = controller;
    setImmediate(() => {
      (several && nodes
        ? runNodesSearch(this.env, this.emit, { searchId, config, nodes, request, ownModel: req.model === undefined, cache: searchesCache(several), signal })
        : this.run(searchId, config, node, request, signal)
      )
        .catch((err: unknown): SearchDone => ({ type: 'search.done', searchId, outcome: 'failed', matches: 0, limitReached: false, error: errorOf(err) }))
        .then((done) => {
          this.running.delete(searchId);
          this.emit(done);
        });
    });
    return { searchId };
  }

  /** Cancels a running search; false when none runs under this id. */
  cancel(searchId: string): boolean {
    const controller = this.running.get(searchId);
    if (!controller || controller.signal.aborted) return false;
    controller.abort(new DOMException('The search was cancelled', 'AbortError'));
    return true;
  }

  /** Cancels every running search (closing). */
  cancelAll(): void {
    for (const id of this.running.keys()) this.cancel(id);
  }

  /** The series of a study, as one answer. */
  async series(source: SingleSource, StudyInstanceUID: string): Promise<{ rows: MatchRow[]; cache?: Record<string, CacheState> }> {
    const keys: DataSet = new Map([
      [STUDY_INSTANCE_UID, { vr: 'UI', value: [StudyInstanceUID] }],
      [SERIES_DATE, { vr: 'DA', value: [] }],
      [SERIES_TIME, { vr: 'TM', value: [] }],
    ]);
    const config = await this.env.config();
    if (source.kind === 'local')
      return {
        rows: seriesInOrder(searchLocal(this.env.deps.cache, { model: 'study', level: 'SERIES', keys }, { caseInsensitivePN: config.caseInsensitivePN }).rows),
      };
    const node = this.env.node(config, source.node);
    try {
      // Study Root (PS3.4 C.6.2): a SERIES-level query needs only the StudyInstanceUID above it.
      const result = await searchRemote(node, { model: 'study', level: 'SERIES', keys }, this.env.scu(config));
      if (!searchSucceeded(result)) {
        throw new ApiFailure(toApiError(diagnose(describeStatus('find', result.status, result.errorComment, await this.env.failure(config, node, 'find')))));
      }
      return { rows: seriesInOrder(result.rows), cache: seriesAnnotations(this.env.deps.cache, StudyInstanceUID, result.rows) };
    } catch (err) {
      if (err instanceof ApiFailure) throw err;
      throw new ApiFailure(errorOf(err, await this.env.failure(config, node, 'find')));
    }
  }

  private async run(searchId: string, config: Config, node: RemoteNode | undefined, request: SearchRequest, signal: AbortSignal): Promise<SearchDone> {
    let matches = 0;
    // A node's STUDY-level match carries the local cache state (its badge); local matches are cached.
    const annotate = node && request.level === 'STUDY';
    const match = (row: MatchRow) => {
      matches++;
      const note = annotate ? studyAnnotation(this.env.deps.cache, row) : undefined;
      const held = !node || (note !== undefined && note.cache !== 'none');
      const prefetched = request.level === 'STUDY' && held && row.StudyInstanceUID ? this.env.prefetchedMark(row.StudyInstanceUID) : undefined;
      this.emit({ type: 'search.match', searchId, row, ...note, ...(prefetched ? { prefetched } : {}) });
    };
    const base = { type: 'search.done' as const, searchId };
    if (!node) {
      const result = searchLocal(this.env.deps.cache, request, { caseInsensitivePN: config.caseInsensitivePN });
      for (let i = 0; i < result.rows.length; i += LOCAL_SLICE) {
        if (signal.aborted) return { ...base, outcome: 'cancelled', matches, limitReached: false };
        for (const row of result.rows.slice(i, i + LOCAL_SLICE)) match(row);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { ...base, outcome: signal.aborted ? 'cancelled' : 'completed', matches, limitReached: result.limitReached };
    }
    try {
      // the patient view groups studies by every identifier a node gives (Other Patient IDs too)
      const result = await searchRemote(node, { ...request, otherPatientIds: true }, { ...this.env.scu(config, signal), onRow: match });
      const done: SearchDone = { ...base, outcome: 'completed', matches, limitReached: result.limitReached };
      if (result.looksCapped) done.looksCapped = result.looksCapped;
      if (signal.aborted && !result.limitReached) return { ...done, outcome: 'cancelled' };
      // A node that caps its answers by ending it with Cancel or Out of Resources (Orthanc's
      // LimitFindResults) gave a partial answer, not a failure: the UI offers to split it.
      if (!searchSucceeded(result) && !result.looksCapped) {
        const failure = await this.env.failure(config, node, 'find');
        return { ...done, outcome: 'failed', error: toApiError(diagnose(describeStatus('find', result.status, result.errorComment, failure))) };
      }
      return done;
    } catch (err) {
      if (signal.aborted) return { ...base, outcome: 'cancelled', matches, limitReached: false };
      return { ...base, outcome: 'failed', matches, limitReached: false, error: errorOf(err, await this.env.failure(config, node, 'find')) };
    }
  }
}
