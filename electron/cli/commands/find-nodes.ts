/**
 * `priors find a,b,c …` and `priors find all …`: one C-FIND on each node, a few at a time, the
 * answers merged by their unique key with the nodes that hold each (JSON rows carry `heldBy`).
 * Exit status: 0 when every node answered, 3 when some failed (their sentences on stderr, the
 * others' answers printed), 1 when none answered.
 */
import { isArchive, type RemoteNode } from '../../../shared/config.js';
import type { NodeSearchOutcome } from '../../../shared/search.js';
import type { FailureContext } from '../../services/nodes/diagnose.js';
import { InputError, resolveNode } from '../../services/nodes/nodes.js';
import { searchNodes } from '../../services/query/search-nodes.js';
import type { CommandContext } from '../context.js';
import { CommandFailure } from '../failure.js';
import { table } from '../output.js';
import type { SearchRequest } from '../../services/query/query.js';

/** Exit status of a search in which some nodes failed and others answered. */
export const SOME_NODES_FAILED = 3;

/** Whether `<node>` names several nodes: a comma-separated list, or `all`. */
export function namesSeveralNodes(ref: string): boolean {
  return ref === 'all' || ref.includes(',');
}

/** The nodes of `all` (every archive) or of `a,b,c` (each once, in the order given). */
async function nodesOf(ctx: CommandContext, ref: string): Promise<RemoteNode[]> {
  const config = await ctx.loadConfig();
  if (ref === 'all') {
    const archives = config.nodes.filter(isArchive);
    if (archives.length === 0) throw new InputError('No archive is configured to search: add one with "priors nodes add <name> AET@host:port"');
    return archives;
  }
  const names = ref
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new InputError(`"${ref}" names no node: write them as a,b,c or "all"`);
  const nodes: RemoteNode[] = [];
  for (const name of names) {
    const node = resolveNode(config, name);
    if (!nodes.some((n) => n.name === node.name)) nodes.push(node);
  }
  return nodes;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line: how many matches from whom, and who failed. */
function summary(matches: number, outcomes: readonly NodeSearchOutcome[], limitReached: boolean): string {
  const answered = outcomes.filter((o) => o.outcome === 'completed' || o.outcome === 'capped');
  const failed = outcomes.filter((o) => o.outcome === 'failed');
  const from = answered.map((o) => `${o.node} (${o.matches})`).join(', ');
  const head = `${plural(matches, 'match', 'matches')}${limitReached ? ' (limit reached on a node)' : ''} from ${answered.length ? from : 'no node'}`;
  return failed.length ? `${head}; ${failed.map((o) => o.node).join(', ')} failed.` : `${head}.`;
}

/** Searches the nodes `ref` names with `request` (its model only when -m was given, else each node's own). */
export async function findNodesCommand(ctx: CommandContext, ref: string, request: SearchRequest): Promise<number> {
  const nodes = await nodesOf(ctx, ref);
  // each node's failure context (who we are to it, where it is), made before the searches run side by side
  const contexts = new Map<string, FailureContext>();
  for (const node of nodes) {
    await ctx.node(node.name, 'find');
    contexts.set(node.name, ctx.failure);
  }
  const explicitModel = ctx.args.values.has('model');
  const scu = await ctx.scuOptions();
  const result = await searchNodes(nodes, request, {
    scu: () => scu,
    failure: async (node) => contexts.get(node.name) ?? {},
    signal: ctx.signal,
    ...(explicitModel ? {} : { modelOf: (node: RemoteNode) => node.model }),
  });
  const rows = result.matches.map((m) => ({ ...m.row, heldBy: m.heldBy }));
  const failed = result.nodes.filter((o) => o.outcome === 'failed');
  const limitReached = result.nodes.some((o) => o.limitReached === true);
  const line = summary(rows.length, result.nodes, limitReached);
  const human = rows.map((r) => ({ ...r, heldBy: r.heldBy.join(', ') }));
  const json = { ok: failed.length === 0, rows, nodes: result.nodes, limitReached, summary: line };
  if (failed.length === nodes.length) {
    throw new CommandFailure(
      {
        code: failed[0]?.code ?? 'unavailable',
        sentence: `No node answered: ${failed.map((o) => `${o.node}: ${(o.sentence ?? '').replace(/\.$/, '')}`).join('; ')}.`,
      },
      { rows, nodes: result.nodes },
    );
  }
  // the nodes that hold each study first: what this search adds to a one-node answer
  const columns = ['heldBy', ...new Set(human.flatMap((r) => Object.keys(r)).filter((k) => k !== 'heldBy'))];
  ctx.result(json, [table(human, columns), line].filter((s) => s !== '').join('\n'));
  for (const o of result.nodes) {
    if (o.outcome === 'failed') ctx.io.err(`${o.node} failed: ${o.sentence ?? 'no answer'}`);
    if (o.outcome === 'capped') ctx.io.err(`Warning: the answer may be incomplete: ${o.sentence ?? ''}`);
  }
  return failed.length ? SOME_NODES_FAILED : 0;
}
