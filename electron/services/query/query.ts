/**
 * Searching a remote node (C-FIND) or the local cache, both answering with the same shape:
 * rows keyed by DICOM keyword, and how the search ended.
 */
import type { DataSet } from '../../../shared/dicom/dataset.js';
import type { QueryLevel, QueryModel } from '../../../shared/dicom/query.js';
import { Status, statusCategory } from '../../../shared/dicom/status.js';
import type { NodeTls, RemoteNode } from '../../../shared/config.js';
import { find, type ScuOptions } from '../../dimse/scu/index.js';
import { dicomNodeOf } from '../nodes/dicom-node.js';
import { findKeysOf, responseIdentifier } from '../local-scp/handlers.js';
import type { CacheView } from '../config/local-cache.js';
import { addDefaultReturnKeys, checkIdentifier, rowOf, type MatchRow } from './query-keys.js';

/** A search: information model, level, keys (an identifier without Query/Retrieve Level). */
export interface SearchRequest {
  model: QueryModel;
  level: QueryLevel;
  keys: DataSet;
  /** Most matches wanted. */
  limit?: number;
  /** Relational query (PS3.4 C.4.1.2.2): higher-level unique keys may be absent. Local searches are always relational. */
  relational?: boolean;
  /** Add the level's usual return keys (default true). */
  defaultReturnKeys?: boolean;
}

/** How a search ended, for remote and local searches alike. */
export interface SearchResult {
  source: 'remote' | 'local';
  rows: MatchRow[];
  /** Final status (0000 for a local search). */
  status: number;
  errorComment?: string;
  limitReached: boolean;
  /** The remote answer looks truncated by the node. */
  looksCapped?: { count: number; reason: string };
}

/** Prepares the identifier: checked against the model, default return keys added. */
export function prepareIdentifier(request: SearchRequest): DataSet {
  const ds: DataSet = new Map(request.keys);
  checkIdentifier(ds, request.model, request.level, 'find', request.relational === true);
  if (request.defaultReturnKeys !== false) addDefaultReturnKeys(ds, request.model, request.level);
  return ds;
}

/**
 * C-FIND on a remote node. The DIMSE status is returned, not thrown; association failures throw.
 * `onRow` sees each match as it arrives.
 */
export async function searchRemote(
  node: Pick<RemoteNode, 'aeTitle' | 'host' | 'port'> & { tls?: NodeTls }, request: SearchRequest, options: ScuOptions & { onRow?: (row: MatchRow) => void },
): Promise<SearchResult> {
  const identifier = prepareIdentifier(request);
  const stream = find(dicomNodeOf(node), { model: request.model, level: request.level, identifier }, {
    ...options, ...(request.limit !== undefined ? { limit: request.limit } : {}),
  });
  const rows: MatchRow[] = [];
  for await (const match of stream) {
    const row = rowOf(match);
    rows.push(row);
    options.onRow?.(row);
  }
  const outcome = await stream.outcome;
  const result: SearchResult = { source: 'remote', rows, status: outcome.status, limitReached: outcome.limitReached };
  if (outcome.errorComment) result.errorComment = outcome.errorComment;
  if (outcome.looksCapped) result.looksCapped = outcome.looksCapped;
  return result;
}

/** Whether a search ended well (success, or cancelled because our limit was reached). */
export function searchSucceeded(result: SearchResult): boolean {
  if (result.status === Status.Success) return true;
  if (result.limitReached && statusCategory(result.status) === 'cancel') return true;
  return statusCategory(result.status) === 'warning';
}

/**
 * The same search over the local cache: the same matching as our C-FIND SCP and rows of the
 * same shape (the requested keys, filled from the index).
 */
export function searchLocal(
  cache: Pick<CacheView, 'find'>, request: SearchRequest, options: { caseInsensitivePN?: boolean; aeTitle?: string } = {},
): SearchResult {
  const identifier = prepareIdentifier({ ...request, relational: true });
  const rows: MatchRow[] = [];
  const found = cache.find(request.level, request.model, findKeysOf(identifier), {
    caseInsensitivePN: options.caseInsensitivePN ?? true, ...(request.limit !== undefined ? { limit: request.limit } : {}),
  });
  for (const row of found) rows.push(rowOf(responseIdentifier(identifier, row, request.level, options.aeTitle ?? '')));
  const limitReached = request.limit !== undefined && rows.length >= request.limit;
  for (const r of rows) delete r.RetrieveAETitle;
  return { source: 'local', rows, status: Status.Success, limitReached };
}
