/**
 * What every SCU operation shares: the node to talk to, the options, opening an association
 * and always closing it (release when it went well, A-ABORT when it did not).
 */
import type { ConnectionOptions } from 'node:tls';
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { setString } from '../../../shared/dicom/dataset.js';
import { QUERY_MODELS, QUERY_RETRIEVE_LEVEL_TAG, type QueryLevel, type QueryModel, type QueryService } from '../../../shared/dicom/query.js';
import { TransferSyntaxUid, uidName } from '../../../shared/dicom/uids.js';
import { Association, type Logger, type PresentationContextProposal, type RoleSelection, type Timeouts } from '../ul/association.js';
import { DimseChannel, errorMessage } from '../channel.js';
import { NoContextError } from '../ul/errors.js';

/** A remote Application Entity and its network address. */
export interface DicomNode {
  aeTitle: string;
  host: string;
  port: number;
  /** Connect with DICOM TLS (PS3.15 Annex B): options from ../ul/tls-options.ts `tlsClientOptions`; absent = plain TCP. */
  tls?: ConnectionOptions;
}

/** Options common to every SCU operation. */
export interface ScuOptions {
  /** Our AE title, sent as Calling AE Title. */
  callingAeTitle: string;
  /** The largest PDU we receive (default 16352; 0 = unlimited). */
  maxPduLength?: number;
  timeouts?: Partial<Timeouts>;
  log?: Logger;
  /** Aborts the association while connecting; during C-FIND/C-MOVE/C-GET it sends C-CANCEL. */
  signal?: AbortSignal;
  /**
   * After a C-CANCEL of a C-MOVE/C-GET, how long the peer has to send its final response
   * before the association is aborted and the retrieve ends as cancelled (default 10000 ms).
   */
  cancelGraceMs?: number;
}

/** Default of {@link ScuOptions.cancelGraceMs}. */
export const DEFAULT_CANCEL_GRACE_MS = 10_000;

/** Explicit then Implicit VR Little Endian: what every SCP accepts for commands and identifiers. */
export const UNCOMPRESSED_SYNTAXES: readonly string[] = [TransferSyntaxUid.ExplicitVRLittleEndian, TransferSyntaxUid.ImplicitVRLittleEndian];

/** The Q/R SOP Class of a model for a service (PS3.4 C.6). */
export function queryRetrieveSopClass(model: QueryModel, service: QueryService): string {
  return QUERY_MODELS[model][service];
}

/** A copy of the identifier with Query/Retrieve Level (0008,0052) set from `level`. */
export function identifierAt(identifier: DataSet, level: QueryLevel): DataSet {
  const ds: DataSet = new Map(identifier);
  setString(ds, QUERY_RETRIEVE_LEVEL_TAG, 'CS', level);
  return ds;
}

/** Everything {@link openAssociation} needs besides the node and options. */
export interface AssociationPlan {
  contexts: Omit<PresentationContextProposal, 'id'>[];
  roles?: RoleSelection[];
}

/**
 * Opens an association to `node` as requestor. `options.signal` aborts only the connection
 * phase here; the operations watch it themselves to send C-CANCEL.
 */
export async function openAssociation(node: DicomNode, options: ScuOptions, plan: AssociationPlan): Promise<DimseChannel> {
  const connecting = new AbortController();
  const onAbort = () => connecting.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const association = await Association.request({
      host: node.host,
      port: node.port,
      callingAeTitle: options.callingAeTitle,
      calledAeTitle: node.aeTitle,
      contexts: plan.contexts,
      ...(plan.roles?.length ? { roles: plan.roles } : {}),
      ...(options.maxPduLength !== undefined ? { maxPduLength: options.maxPduLength } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.log ? { log: options.log } : {}),
      signal: connecting.signal,
      ...(node.tls ? { tls: node.tls } : {}),
    });
    return new DimseChannel(association);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs `work` on a fresh association and closes it: A-RELEASE after success, A-ABORT after
 * a throw (the throw is passed on). A failed release after a completed operation is only logged.
 */
export async function withAssociation<T>(node: DicomNode, options: ScuOptions, plan: AssociationPlan, work: (channel: DimseChannel) => Promise<T>): Promise<T> {
  const channel = await openAssociation(node, options, plan);
  let result: T;
  try {
    result = await work(channel);
  } catch (err) {
    if (channel.association.isOpen) channel.association.abort();
    throw err;
  }
  if (channel.association.isOpen) {
    try {
      await channel.association.release();
    } catch (err) {
      options.log?.('warn', `${channel.association.id} release to ${node.aeTitle} failed after the operation completed: ${errorMessage(err)}`);
      if (channel.association.isOpen) channel.association.abort();
    }
  }
  return result;
}

/** The accepted context for an abstract syntax, or an error naming what the peer refused. */
export function requireContext(channel: DimseChannel, abstractSyntax: string, node: DicomNode): number {
  const ctx = channel.association.findContext(abstractSyntax);
  if (!ctx) throw new NoContextError(node.aeTitle, abstractSyntax, uidName(abstractSyntax));
  return ctx.id;
}

/** Calls `fn` once if the signal aborts before `until` settles. */
export function onAbort(signal: AbortSignal | undefined, until: Promise<unknown>, fn: () => void): void {
  if (!signal) return;
  if (signal.aborted) {
    queueMicrotask(fn);
    return;
  }
  signal.addEventListener('abort', fn, { once: true });
  until.finally(() => signal.removeEventListener('abort', fn)).catch(() => undefined);
}
