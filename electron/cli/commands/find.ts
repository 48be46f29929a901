/**
 * `priors find <node> [-L level] [-m model] [-k Keyword=Value]... [--limit N]`: C-FIND (PS3.4 C.4.1);
 * `<node>` may be `a,b,c` or `all` (find-nodes.ts).
 */
import { diagnose } from '../../../shared/diagnostics.js';
import { QUERY_LEVELS, type QueryLevel, type QueryModel } from '../../../shared/dicom/query.js';
import { formatStatus } from '../../../shared/dicom/status.js';
import { describeStatus } from '../../services/nodes/diagnose.js';
import { identifierFromKeys, parseKey } from '../../services/query/query-keys.js';
import { searchRemote, searchSucceeded, type SearchResult } from '../../services/query/query.js';
import { choiceOption, expectPositionals, intOption, type OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';
import { CommandFailure } from '../failure.js';
import { table } from '../output.js';
import { findNodesCommand, namesSeveralNodes } from './find-nodes.js';

export const QUERY_OPTIONS: readonly OptionSpec[] = [
  { name: 'level', short: 'L', kind: 'value' },
  { name: 'model', short: 'm', kind: 'value' },
  { name: 'key', short: 'k', kind: 'list' },
  { name: 'limit', kind: 'value' },
];

/** -L, -m and -k as a search request (model defaulting to `fallbackModel`). */
export function searchArgs(ctx: CommandContext, fallbackModel: QueryModel, defaultLevel: QueryLevel | undefined) {
  const level = choiceOption<QueryLevel>(ctx.args, 'level', QUERY_LEVELS, '-L') ?? defaultLevel;
  const model = choiceOption<QueryModel>(ctx.args, 'model', ['study', 'patient', 'patientstudy'], '-m') ?? fallbackModel;
  const keys = identifierFromKeys((ctx.args.lists.get('key') ?? []).map(parseKey));
  const limit = intOption(ctx.args, 'limit', 1, 1_000_000);
  return { level, model, keys, limit };
}

/** Prints a search result; the human form is a table then a count line. */
export function printSearch(ctx: CommandContext, result: SearchResult, what: string): void {
  const count = `${result.rows.length} match${result.rows.length === 1 ? '' : 'es'}${result.limitReached ? ' (limit reached)' : ''}`;
  ctx.result({ ok: true, ...result }, [table(result.rows), `${count} ${what}.`].filter((s) => s !== '').join('\n'));
  if (result.looksCapped && !ctx.json) ctx.io.err(`Warning: the answer may be incomplete: ${result.looksCapped.reason}.`);
}

export async function findCommand(ctx: CommandContext): Promise<number> {
  const [ref] = expectPositionals(
    ctx.args,
    1,
    1,
    'priors find <node>|<a,b,c>|all [-L PATIENT|STUDY|SERIES|IMAGE] [-m study|patient|patientstudy] [-k Keyword=Value]... [--limit N]',
  );
  if (namesSeveralNodes(ref!)) {
    const { level, model, keys, limit } = searchArgs(ctx, 'study', 'STUDY');
    return findNodesCommand(ctx, ref!, { model, level: level!, keys, ...(limit ? { limit } : {}) });
  }
  const node = await ctx.node(ref!, 'find');
  const { level, model, keys, limit } = searchArgs(ctx, node.model, 'STUDY');
  const result = await searchRemote(node, { model, level: level!, keys, ...(limit ? { limit } : {}) }, await ctx.scuOptions());
  if (!searchSucceeded(result)) {
    throw new CommandFailure(diagnose(describeStatus('find', result.status, result.errorComment, ctx.failure)), {
      status: formatStatus(result.status),
      matches: result.rows.length,
    });
  }
  printSearch(ctx, result, `from ${node.aeTitle}`);
  return 0;
}
