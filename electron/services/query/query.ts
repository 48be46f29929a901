/**
 * Searching a remote node (C-FIND) or the local cache, both answering with the same shape:
 * rows keyed by DICOM keyword, and how the search ended.
 */
import { getStrings, type DataSet } from '../../../shared/dicom/dataset.js';
import { characterSetLabel, normaliseTerm } from '../../../shared/dicom/charset-terms.js';
import type { QueryLevel, QueryModel } from '../../../shared/dicom/query.js';
import { Status, statusCategory } from '../../../shared/dicom/status.js';
import { nodeProtocol, type RemoteNode } from '../../../shared/config.js';
import { CharacterSetError } from '../../dimse/charset-encode.js';
import { find, type FindStream, type ScuOptions } from '../../dimse/scu/index.js';
import { dicomNodeOf } from '../nodes/dicom-node.js';
import { findKeysOf, responseIdentifier } from '../local-scp/handlers.js';
import type { CacheView } from '../config/local-cache.js';
import { addDefaultReturnKeys, checkIdentifier, OTHER_PATIENT_IDS_SEQUENCE, QueryKeyError, rowOf, type MatchRow } from './query-keys.js';
import { SPECIFIC_CHARACTER_SET } from '../../../shared/dicom/tags.js';
import { searchDicomweb } from '../dicomweb/search.js';

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
  /**
   * Ask for the Other Patient IDs Sequence too, for grouping one patient's studies across
   * archives; a plain find leaves it out, so that its rows keep the shape of the cache's.
   */
  otherPatientIds?: boolean;
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
  /** The Specific Character Sets (0008,0005) the node's answers were written in, as it wrote them. */
  characterSets?: string[];
}

/** A node as searched: where it is, and its issuer and query character set when it has them. */
export type SearchNode = Pick<RemoteNode, 'aeTitle' | 'host' | 'port'> &
  Partial<Pick<RemoteNode, 'name' | 'tls' | 'issuer' | 'characterSet' | 'protocol' | 'dicomweb'>>;

/** Prepares the identifier: checked against the model, default return keys added. */
export function prepareIdentifier(request: SearchRequest): DataSet {
  const ds: DataSet = new Map(request.keys);
  checkIdentifier(ds, request.model, request.level, 'find', request.relational === true);
  if (request.defaultReturnKeys !== false) addDefaultReturnKeys(ds, request.model, request.level);
  return ds;
}

/**
 * Other Patient IDs Sequence as a return key of a patient's level (STUDY in the Study Root
 * model, PATIENT otherwise): one item with its Patient ID and Issuer of Patient ID empty, the
 * keys wanted in its items (PS3.4 C.2.2.2.6).
 */
function withOtherPatientIds(identifier: DataSet, request: SearchRequest): DataSet {
  if (request.otherPatientIds !== true || identifier.has(OTHER_PATIENT_IDS_SEQUENCE)) return identifier;
  if (request.level !== 'PATIENT' && !(request.level === 'STUDY' && request.model === 'study')) return identifier;
  const item: DataSet = new Map([
    [0x00100020, { vr: 'LO', value: [] }],
    [0x00100021, { vr: 'LO', value: [] }],
  ]);
  identifier.set(OTHER_PATIENT_IDS_SEQUENCE, { vr: 'SQ', value: [item] });
  return identifier;
}

/** The node's issuer for an answer that names a patient without one (dcm4chee's issuer supplementation). */
function supplementIssuer(row: MatchRow, issuer: string | undefined): MatchRow {
  if (issuer && row.PatientID?.trim() && !row.IssuerOfPatientID?.trim()) row.IssuerOfPatientID = issuer;
  return row;
}

/** Starts the C-FIND; text the node's character set cannot hold is one sentence (an input error) before anything is sent. */
function startFind(node: SearchNode, request: SearchRequest, identifier: DataSet, options: ScuOptions): FindStream {
  const characterSet = node.characterSet?.split('\\');
  try {
    return find(
      dicomNodeOf(node),
      { model: request.model, level: request.level, identifier },
      {
        ...options,
        ...(request.limit !== undefined ? { limit: request.limit } : {}),
        ...(characterSet ? { characterSet } : {}),
      },
    );
  } catch (err) {
    if (!(err instanceof CharacterSetError)) throw err;
    const who = node.name ? `node ${node.name}` : node.aeTitle;
    throw new QueryKeyError(
      `Nothing was sent to ${who}: ${err.message}, and ${who} is queried in ${node.characterSet} (${characterSetLabel(node.characterSet)}); ` +
        `search without these characters, or change its query character set (Nodes & settings, or "priors nodes add ${node.name ?? '<name>'} … --charset ... --replace")`,
    );
  }
}

/**
 * C-FIND on a remote node, in the node's query character set. The DIMSE status is returned,
 * not thrown; association failures throw. `onRow` sees each match as it arrives, with the
 * node's issuer given to answers that name a patient without one.
 */
export async function searchRemote(node: SearchNode, request: SearchRequest, options: ScuOptions & { onRow?: (row: MatchRow) => void }): Promise<SearchResult> {
  const identifier = withOtherPatientIds(prepareIdentifier(request), request);
  // a DICOMweb node: QIDO-RS (PS3.18 §10.6) with the same identifier, rows and end
  if (nodeProtocol(node) === 'dicomweb' && node.dicomweb) {
    return searchDicomweb(node.dicomweb, request.level, identifier, {
      ...options,
      ...(request.limit !== undefined ? { limit: request.limit } : {}),
      onRow: (row) => options.onRow?.(supplementIssuer(row, node.issuer)),
    });
  }
  const stream = startFind(node, request, identifier, options);
  const rows: MatchRow[] = [];
  const characterSets = new Set<string>();
  for await (const match of stream) {
    const declared = getStrings(match, SPECIFIC_CHARACTER_SET).map(normaliseTerm).join('\\');
    if (declared !== '') characterSets.add(declared);
    const row = supplementIssuer(rowOf(match), node.issuer);
    rows.push(row);
    options.onRow?.(row);
  }
  const outcome = await stream.outcome;
  const result: SearchResult = { source: 'remote', rows, status: outcome.status, limitReached: outcome.limitReached };
  if (outcome.errorComment) result.errorComment = outcome.errorComment;
  if (outcome.looksCapped) result.looksCapped = outcome.looksCapped;
  if (characterSets.size) result.characterSets = [...characterSets];
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
  cache: Pick<CacheView, 'find'>,
  request: SearchRequest,
  options: { caseInsensitivePN?: boolean; aeTitle?: string } = {},
): SearchResult {
  const identifier = prepareIdentifier({ ...request, relational: true });
  const rows: MatchRow[] = [];
  const found = cache.find(request.level, request.model, findKeysOf(identifier), {
    caseInsensitivePN: options.caseInsensitivePN ?? true,
    ...(request.limit !== undefined ? { limit: request.limit } : {}),
  });
  for (const row of found) rows.push(rowOf(responseIdentifier(identifier, row, request.level, options.aeTitle ?? '')));
  const limitReached = request.limit !== undefined && rows.length >= request.limit;
  for (const r of rows) delete r.RetrieveAETitle;
  return { source: 'local', rows, status: Status.Success, limitReached };
}
