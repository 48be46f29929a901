/**
 * One search over several nodes: a C-FIND on each (a few at a time), the answers merged by the
 * unique key of the level with the nodes that hold each (shared/search.ts), and each node's end
 * in its own outcome: one node down, refusing or capping its answer does not fail the others.
 * Aborting the signal sends C-CANCEL on every running C-FIND (PS3.7 §9.3.2.3) and starts no other.
 */
import type { RemoteNode } from '../../../shared/config.js';
import { diagnose } from '../../../shared/diagnostics.js';
import { toApiError } from '../../../shared/errors.js';
import { MatchMerger, type MergedMatch, type NodeSearchOutcome } from '../../../shared/search.js';
import type { ScuOptions } from '../../dimse/scu/index.js';
import { describeError, describeStatus, type FailureContext } from '../nodes/diagnose.js';
import { searchRemote, searchSucceeded, type SearchRequest } from './query.js';

/** Nodes searched at once: enough that a slow archive does not hold up the rest, few enough for two cores. */
export const MAX_PARALLEL_NODES = 4;

/** What {@link searchNodes} needs besides the nodes and the request. */
export interface NodesSearchOptions {
  /** The SCU options toward a node (its signal is added here). */
  scu(node: RemoteNode): ScuOptions;
  /** The context of a node's failure sentence. */
  failure(node: RemoteNode): Promise<FailureContext>;
  signal?: AbortSignal;
  /** The information model to query a node in (default: the request's). */
  modelOf?(node: RemoteNode): SearchRequest['model'];
  /** Nodes searched at once (default {@link MAX_PARALLEL_NODES}). */
  concurrency?: number;
  /** Each answer as it comes: the merged match as it stands now, and the node that gave it. */
  onMatch?(match: MergedMatch, node: string): void;
  /** Each node's end, as it comes. */
  onNodeDone?(outcome: NodeSearchOutcome): void;
}

/** How the search over several nodes ended. */
export interface NodesSearchResult {
  matches: MergedMatch[];
  /** One per node, in the order the nodes were given. */
  nodes: NodeSearchOutcome[];
}

/** Searches one node; its failure is an outcome with a sentence, never thrown. */
async function searchOne(node: RemoteNode, request: SearchRequest, merger: MatchMerger, options: NodesSearchOptions): Promise<NodeSearchOutcome> {
  if (options.signal?.aborted) return { node: node.name, outcome: 'cancelled', matches: 0 };
  const started = performance.now();
  const outcome = await searchOneTimed(node, request, merger, options);
  return { ...outcome, ms: Math.round(performance.now() - started) };
}

async function searchOneTimed(node: RemoteNode, request: SearchRequest, merger: MatchMerger, options: NodesSearchOptions): Promise<NodeSearchOutcome> {
  const base = { node: node.name };
  let matches = 0;
  try {
    const model = options.modelOf?.(node) ?? request.model;
    const result = await searchRemote(
      node,
      { ...request, model, otherPatientIds: true },
      {
        ...options.scu(node),
        ...(options.signal ? { signal: options.signal } : {}),
        onRow: (row) => {
          matches++;
          const merged = merger.add(row, node.name);
          options.onMatch?.(merged, node.name);
        },
      },
    );
    const seen = result.characterSets ? { characterSets: result.characterSets } : {};
    const limited = result.limitReached ? { limitReached: true } : {};
    if (options.signal?.aborted && !result.limitReached) return { ...base, outcome: 'cancelled', matches, ...seen };
    if (result.looksCapped)
      return { ...base, outcome: 'capped', matches, sentence: `${node.name} may have left matches out: ${result.looksCapped.reason}.`, ...seen };
    if (!searchSucceeded(result)) {
      const e = toApiError(diagnose(describeStatus('find', result.status, result.errorComment, await options.failure(node))));
      return { ...base, outcome: 'failed', matches, sentence: e.message, code: e.code, ...seen };
    }
    return { ...base, outcome: 'completed', matches, ...limited, ...seen };
  } catch (err) {
    if (options.signal?.aborted) return { ...base, outcome: 'cancelled', matches };
    const e = toApiError(diagnose(describeError(err, await options.failure(node))));
    return { ...base, outcome: 'failed', matches, sentence: e.message, code: e.code };
  }
}

/**
 * Runs `request` on every node, at most `concurrency` at once, merging the answers as they
 * come. Resolves when every node has ended; never rejects for a node's failure.
 */
export async function searchNodes(nodes: readonly RemoteNode[], request: SearchRequest, options: NodesSearchOptions): Promise<NodesSearchResult> {
  const merger = new MatchMerger(request.level);
  const outcomes: NodeSearchOutcome[] = new Array<NodeSearchOutcome>(nodes.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < nodes.length) {
      const i = next++;
      const outcome = await searchOne(nodes[i]!, request, merger, options);
      outcomes[i] = outcome;
      options.onNodeDone?.(outcome);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? MAX_PARALLEL_NODES, nodes.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return { matches: merger.matches(), nodes: outcomes };
}

/** The sentence of the nodes that failed or capped, one per node (empty when all answered in full). */
export function nodeProblems(outcomes: readonly NodeSearchOutcome[]): string[] {
  return outcomes.filter((o) => o.outcome === 'failed' || o.outcome === 'capped').map((o) => `${o.node}: ${o.sentence ?? o.outcome}`);
}
