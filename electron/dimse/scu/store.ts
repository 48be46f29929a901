/**
 * Storage SCU: C-STORE of stored instances (PS3.4 B.2.1, PS3.7 §9.1.1). No transcoding ever:
 * each (SOP class, stored transfer syntax) pair gets its own presentation context proposing
 * that syntax alone, and an instance goes out only in the syntax it is stored in.
 */
import { formatStatus, Status } from '../../../shared/dicom/status.js';
import { uidName } from '../../../shared/dicom/uids.js';
import type { NegotiatedContext } from '../ul/association.js';
import { errorMessage, type DimseChannel } from '../channel.js';
import { commandName } from '../command.js';
import type { InstanceSource } from '../handlers.js';
import { withAssociation, type DicomNode, type ScuOptions } from './common.js';
import { directResponses, ReadAhead, sendInstance } from './send.js';

/** The outcome of storing one instance. */
export interface StoreResult {
  sopInstanceUid: string;
  /** C-STORE-RSP Status, or a local failure status when nothing was sent (see `reason`). */
  status: number;
  errorComment?: string;
  /** Why the instance was not sent (no accepted context, unreadable file, cancelled). */
  reason?: string;
}

/** Options of {@link store}. */
export interface StoreOptions extends ScuOptions {
  /** Called after each instance with the count done, the total and the last result. */
  onProgress?: (done: number, total: number, last: StoreResult) => void;
}

/** PS3.8 §9.3.2.2: at most 128 presentation contexts per association. */
const MAX_CONTEXTS = 128;

function pairKey(i: InstanceSource): string {
  return `${i.sopClassUid}\u0000${i.transferSyntaxUid}`;
}

/** The accepted context carrying exactly this SOP class in this transfer syntax. */
export function contextFor(contexts: readonly NegotiatedContext[], instance: InstanceSource): NegotiatedContext | undefined {
  return contexts.find((c) => c.abstractSyntax === instance.sopClassUid && c.transferSyntax === instance.transferSyntaxUid);
}

/** Why an instance cannot be sent on this association: the peer accepted none of its syntax for its class. */
export function noContextReason(instance: InstanceSource): string {
  return `the node accepted none of ${uidName(instance.transferSyntaxUid)} for ${uidName(instance.sopClassUid)}`;
}

/** One presentation context per distinct (SOP class, transfer syntax) of the instances, in first-seen order. */
export function storeContexts(instances: readonly InstanceSource[]): { abstractSyntax: string; transferSyntaxes: string[] }[] {
  const seen = new Map<string, { abstractSyntax: string; transferSyntaxes: string[] }>();
  for (const i of instances) {
    const key = pairKey(i);
    if (!seen.has(key)) seen.set(key, { abstractSyntax: i.sopClassUid, transferSyntaxes: [i.transferSyntaxUid] });
  }
  return [...seen.values()];
}

/** Splits instances into batches whose distinct (class, syntax) pairs fit in 128 contexts. */
function batches(instances: readonly InstanceSource[]): InstanceSource[][] {
  const byKey = new Map<string, InstanceSource[]>();
  for (const i of instances) {
    const list = byKey.get(pairKey(i));
    if (list) list.push(i);
    else byKey.set(pairKey(i), [i]);
  }
  const keys = [...byKey.keys()];
  const out: InstanceSource[][] = [];
  for (let k = 0; k < keys.length; k += MAX_CONTEXTS) {
    const batchKeys = new Set(keys.slice(k, k + MAX_CONTEXTS));
    out.push(instances.filter((i) => batchKeys.has(pairKey(i))));
  }
  return out;
}

/**
 * Stores instances on a node, streaming each data set from its file unchanged. Results come
 * back in input order. More than 128 distinct (class, syntax) pairs take several associations
 * in turn. Aborting the signal stops after the instance in flight; the rest are reported with
 * status FE00 and a reason. Association and transport failures throw.
 */
export async function store(node: DicomNode, instances: InstanceSource[], options: StoreOptions): Promise<StoreResult[]> {
  const results = new Map<InstanceSource, StoreResult>();
  let done = 0;
  const record = (i: InstanceSource, r: StoreResult) => {
    results.set(i, r);
    done += 1;
    options.onProgress?.(done, instances.length, r);
  };
  for (const batch of batches(instances)) {
    if (options.signal?.aborted) break;
    await withAssociation(node, options, { contexts: storeContexts(batch) }, (channel) => sendBatch(channel, node, batch, options, record));
  }
  for (const i of instances) {
    if (!results.has(i)) record(i, { sopInstanceUid: i.sopInstanceUid, status: Status.Cancel, reason: 'cancelled before it was sent' });
  }
  return instances.map((i) => results.get(i) as StoreResult);
}

async function sendBatch(
  channel: DimseChannel, node: DicomNode, batch: InstanceSource[], options: StoreOptions,
  record: (i: InstanceSource, r: StoreResult) => void,
): Promise<void> {
  const id = channel.association.id;
  const waiter = directResponses(channel, (msg) => {
    options.log?.('warn', `${id} ignored an unexpected ${commandName(msg.cmd.commandField)} from ${node.aeTitle} during C-STORE`);
  });
  const ahead = new ReadAhead((i) => contextFor(channel.association.contexts, i) !== undefined, () => channel.association.allWritten);
  for (let k = 0; k < batch.length; k++) {
    const instance = batch[k]!;
    if (options.signal?.aborted) return;
    const ctx = contextFor(channel.association.contexts, instance);
    if (!ctx) {
      const reason = noContextReason(instance);
      options.log?.('warn', `${id} C-STORE of ${instance.sopInstanceUid} to ${node.aeTitle} not attempted: ${reason}`);
      record(instance, { sopInstanceUid: instance.sopInstanceUid, status: Status.SOPClassNotSupported, reason });
      continue;
    }
    let outcome;
    try {
      outcome = await sendInstance(channel, ctx.id, instance, waiter, {}, { ahead, next: batch[k + 1] });
    } catch (err) {
      options.log?.('error', `${id} C-STORE of ${instance.sopInstanceUid} to ${node.aeTitle} broke the association: ${errorMessage(err)}`);
      throw err;
    }
    const result: StoreResult = { sopInstanceUid: instance.sopInstanceUid, ...outcome };
    if (outcome.status !== Status.Success) {
      options.log?.('warn', `${id} C-STORE of ${instance.sopInstanceUid} to ${node.aeTitle}: status ${formatStatus(outcome.status)}` +
        `${outcome.errorComment ? ` (${outcome.errorComment})` : ''}${outcome.reason ? `: ${outcome.reason}` : ''}`);
    }
    record(instance, result);
  }
}
