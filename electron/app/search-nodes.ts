/**
 * A search of several nodes for the UI (`search.start` with source `nodes` or `all`): the local
 * cache's matches first (held by no node yet, badge "in cache"), then each node's answer pushed
 * as the merged match it makes (the same StudyInstanceUID again when another node answers with
 * it, `heldBy` growing), and one `search.done` saying how each node's part ended.
 */
import type { ApiEvent, SearchDone, SearchSource } from '../../shared/api/contract.js';
import { isArchive, type Config, type RemoteNode } from '../../shared/config.js';
import { identifiersOf, type NodeSearchOutcome } from '../../shared/search.js';
import type { AppEnv } from './env.js';
import { ApiFailure } from './result.js';
import { studyAnnotation } from './search-cache.js';
import { searchNodes } from '../services/query/search-nodes.js';
import { searchLocal, type SearchRequest } from '../services/query/query.js';

/** The name the local cache's part goes by among the nodes' outcomes (no node name has a space). */
export const LOCAL_CACHE_OUTCOME = 'local cache';

/** Whether a source searches the local cache beside its nodes: `all` does, `nodes` when asked. */
export function searchesCache(source: Extract<SearchSource, { kind: 'nodes' | 'all' }>): boolean {
  return source.kind === 'all' || source.cache === true;
}

/** The nodes a source names: the listed ones (each once, unknown names refused), or every archive. */
export function nodesOf(env: AppEnv, config: Config, source: Extract<SearchSource, { kind: 'nodes' | 'all' }>): RemoteNode[] {
  if (source.kind === 'all') {
    const archives = config.nodes.filter(isArchive);
    if (archives.length === 0) {
      throw new ApiFailure({
        code: 'invalid-input',
        message: 'No archive is configured to search: add one on Nodes & settings (a node that is searched for priors).',
      });
    }
    return archives;
  }
  const nodes: RemoteNode[] = [];
  for (const name of source.nodes) {
    const node = env.node(config, name);
    if (!nodes.includes(node)) nodes.push(node);
  }
  return nodes;
}

/**
 * The local cache's matches, pushed at once with the badge of a cached study and no node yet:
 * a study only the cache holds (imported, or from an archive gone) is listed too, and a node's
 * answer with the same StudyInstanceUID joins its row.
 */
function searchCache(env: AppEnv, emit: (e: ApiEvent) => void, searchId: string, config: Config, request: SearchRequest): NodeSearchOutcome {
  const started = performance.now();
  const result = searchLocal(env.deps.cache, request, { caseInsensitivePN: config.caseInsensitivePN });
  for (const row of result.rows) {
    const prefetched = request.level === 'STUDY' && row.StudyInstanceUID ? env.prefetchedMark(row.StudyInstanceUID) : undefined;
    emit({ type: 'search.match', searchId, row, cache: 'full', ...(prefetched ? { prefetched } : {}), heldBy: [], identifiers: identifiersOf(row) });
  }
  return {
    node: LOCAL_CACHE_OUTCOME,
    outcome: 'completed',
    matches: result.rows.length,
    ms: Math.round(performance.now() - started),
    ...(result.limitReached ? { limitReached: true } : {}),
  };
}

/** The sentence of a search in which every node failed: each node's own sentence. */
function everyNodeFailed(outcomes: readonly NodeSearchOutcome[]): string {
  return `No node answered: ${outcomes.map((o) => `${o.node}: ${(o.sentence ?? o.outcome).replace(/\.$/, '')}`).join('; ')}.`;
}

/**
 * Runs `request` on `nodes` (each in its own model unless `request` was given one) and pushes
 * the merged matches; resolves with the `search.done` event.
 */
export async function runNodesSearch(
  env: AppEnv,
  emit: (e: ApiEvent) => void,
  o: { searchId: string; config: Config; nodes: RemoteNode[]; request: SearchRequest; ownModel: boolean; cache: boolean; signal: AbortSignal },
): Promise<SearchDone> {
  const { searchId, config, request, signal } = o;
  const local = o.cache ? searchCache(env, emit, searchId, config, request) : undefined;
  const result = await searchNodes(o.nodes, request, {
    scu: () => env.scu(config, signal),
    failure: (node) => env.failure(config, node, 'find'),
    signal,
    ...(o.ownModel ? { modelOf: (node: RemoteNode) => node.model } : {}),
    onMatch: (merged) => {
      const note = request.level === 'STUDY' ? studyAnnotation(env.deps.cache, merged.row) : undefined;
      const held = note !== undefined && note.cache !== 'none';
      const prefetched = held && merged.row.StudyInstanceUID ? env.prefetchedMark(merged.row.StudyInstanceUID) : undefined;
      emit({
        type: 'search.match',
        searchId,
        row: merged.row,
        ...note,
        ...(prefetched ? { prefetched } : {}),
        heldBy: merged.heldBy,
        identifiers: merged.identifiers,
      });
    },
  });
  const done: SearchDone = {
    type: 'search.done',
    searchId,
    outcome: 'completed',
    matches: result.matches.length,
    limitReached: result.nodes.some((n) => n.limitReached === true),
    nodes: local ? [local, ...result.nodes] : result.nodes,
  };
  const capped = result.nodes.find((n) => n.outcome === 'capped');
  if (capped) done.looksCapped = { count: capped.matches, reason: capped.sentence ?? `${capped.node} may have left matches out` };
  if (signal.aborted) return { ...done, outcome: 'cancelled' };
  const failed = result.nodes.filter((n) => n.outcome === 'failed');
  if (failed.length === result.nodes.length) {
    return { ...done, outcome: 'failed', error: { code: failed[0]?.code ?? 'unavailable', message: everyNodeFailed(failed) } };
  }
  return done;
}
