/**
 * Storage SCU: C-STORE of stored instances (PS3.4 B.2.1, PS3.7 §9.1.1). Each (SOP class, stored
 * transfer syntax) pair gets a presentation context proposing that syntax alone, so that an
 * instance goes out as stored whenever the receiver takes it; with a transcoder, a second
 * context proposes the syntaxes it can be converted to (PS3.5 §10.1: every receiver takes
 * Implicit VR Little Endian), used only when the first is refused.
 */
import { formatStatus, Status } from '../../../shared/dicom/status.js';
import { transferSyntax, uidName } from '../../../shared/dicom/uids.js';
import type { NegotiatedContext } from '../ul/association.js';
import { errorMessage, type DimseChannel } from '../channel.js';
import { commandName } from '../command.js';
import type { InstanceSource, OutgoingPolicy, Transcoder } from '../handlers.js';
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
  /** The transfer syntax it went out in, when not the stored one (converted on the way). */
  convertedTo?: string;
}

/** Options of {@link store}. */
export interface StoreOptions extends ScuOptions {
  /** Called after each instance with the count done, the total and the last result. */
  onProgress?: (done: number, total: number, last: StoreResult) => void;
  /** Converts instances the node does not take as stored; absent = as stored only. */
  transcoder?: Transcoder;
  /** What this node is sent (syntaxes never decompressed for it). */
  outgoing?: OutgoingPolicy;
}

/** PS3.8 §9.3.2.2: at most 128 presentation contexts per association. */
const MAX_CONTEXTS = 128;

function pairKey(i: InstanceSource): string {
  return `${i.sopClassUid}\u0000${i.transferSyntaxUid}`;
}

/** How an instance goes out on an association: the context, and the syntax when it must be converted. */
export interface ContextChoice {
  context: NegotiatedContext;
  /** Set when the data set must be converted into this syntax first. */
  convertTo?: string;
}

/**
 * The accepted context for an instance: one carrying its class in its own syntax first, else
 * (with `convertible`) one carrying its class in a syntax it can be converted to, in the order of
 * `convertible`.
 */
export function contextFor(
  contexts: readonly NegotiatedContext[],
  instance: InstanceSource,
  convertible: readonly string[] = [],
  preferred?: string,
): ContextChoice | undefined {
  if (preferred && preferred !== instance.transferSyntaxUid && convertible.includes(preferred)) {
    const c = contexts.find((x) => x.abstractSyntax === instance.sopClassUid && x.transferSyntax === preferred);
    if (c) return { context: c, convertTo: preferred };
  }
  const own = contexts.find((c) => c.abstractSyntax === instance.sopClassUid && c.transferSyntax === instance.transferSyntaxUid);
  if (own) return { context: own };
  for (const ts of convertible) {
    const c = contexts.find((x) => x.abstractSyntax === instance.sopClassUid && x.transferSyntax === ts);
    if (c) return { context: c, convertTo: ts };
  }
  return undefined;
}

/** Why an instance cannot be sent on this association: the peer accepted none of the syntaxes it could go out in. */
export function noContextReason(instance: InstanceSource, convertible: readonly string[] = [], outgoing?: OutgoingPolicy): string {
  const syntaxes = [instance.transferSyntaxUid, ...convertible].map(uidName).join(', ');
  const base = `the node accepted none of ${syntaxes} for ${uidName(instance.sopClassUid)}`;
  const why = convertible.length ? undefined : notDecompressedReason(instance, outgoing);
  return why ? `${base}, and ${why}` : base;
}

/**
 * Why a compressed instance was not offered decompressed, as the fix: the node's settings, or no
 * decoder here; undefined for a native one.
 */
export function notDecompressedReason(instance: InstanceSource, outgoing?: OutgoingPolicy): string | undefined {
  if (!transferSyntax(instance.transferSyntaxUid)?.encapsulated) return undefined;
  const name = uidName(instance.transferSyntaxUid);
  return outgoing?.neverDecompress?.includes(instance.transferSyntaxUid)
    ? `its settings say never to decompress ${name} (outgoing.neverDecompress): have it accept ${name}, or take ${name} off that list`
    : `Priors cannot decompress ${name}: have the node accept it`;
}

/**
 * Presentation contexts for the instances: per distinct (SOP class, stored syntax), one with the
 * stored syntax alone, and one with the syntaxes it can be converted to when there are any, in
 * first-seen order.
 */
export function storeContexts(
  instances: readonly InstanceSource[],
  transcoder?: Transcoder,
  outgoing?: OutgoingPolicy,
): { abstractSyntax: string; transferSyntaxes: string[] }[] {
  const seen = new Map<string, { abstractSyntax: string; transferSyntaxes: string[] }[]>();
  for (const i of instances) {
    const key = pairKey(i);
    if (seen.has(key)) continue;
    const own = { abstractSyntax: i.sopClassUid, transferSyntaxes: [i.transferSyntaxUid] };
    const other = transcoder?.alternatives(i.transferSyntaxUid, outgoing) ?? [];
    seen.set(key, other.length ? [own, { abstractSyntax: i.sopClassUid, transferSyntaxes: other }] : [own]);
  }
  return [...seen.values()].flat();
}

/** Splits instances into batches whose contexts fit in 128 (two per pair when converting). */
function batches(instances: readonly InstanceSource[], perPair: number): InstanceSource[][] {
  const byKey = new Map<string, InstanceSource[]>();
  for (const i of instances) {
    const list = byKey.get(pairKey(i));
    if (list) list.push(i);
    else byKey.set(pairKey(i), [i]);
  }
  const keys = [...byKey.keys()];
  const size = Math.floor(MAX_CONTEXTS / perPair);
  const out: InstanceSource[][] = [];
  for (let k = 0; k < keys.length; k += size) {
    const batchKeys = new Set(keys.slice(k, k + size));
    out.push(instances.filter((i) => batchKeys.has(pairKey(i))));
  }
  return out;
}

/**
 * Stores instances on a node, streaming each data set from its file (converted on the way only
 * when the node takes none of the stored syntax). Results come back in input order. More
 * distinct (class, syntax) pairs than fit in 128 contexts take several associations in turn.
 * Aborting the signal stops after the instance in flight; the rest are reported with status
 * FE00 and a reason. Association and transport failures throw.
 */
export async function store(node: DicomNode, instances: InstanceSource[], options: StoreOptions): Promise<StoreResult[]> {
  const results = new Map<InstanceSource, StoreResult>();
  let done = 0;
  const record = (i: InstanceSource, r: StoreResult) => {
    results.set(i, r);
    done += 1;
    options.onProgress?.(done, instances.length, r);
  };
  for (const batch of batches(instances, options.transcoder ? 2 : 1)) {
    if (options.signal?.aborted) break;
    const contexts = storeContexts(batch, options.transcoder, options.outgoing);
    await withAssociation(node, options, { contexts }, (channel) => sendBatch(channel, node, batch, options, record));
  }
  for (const i of instances) {
    if (!results.has(i)) record(i, { sopInstanceUid: i.sopInstanceUid, status: Status.Cancel, reason: 'cancelled before it was sent' });
  }
  return instances.map((i) => results.get(i) as StoreResult);
}

async function sendBatch(
  channel: DimseChannel,
  node: DicomNode,
  batch: InstanceSource[],
  options: StoreOptions,
  record: (i: InstanceSource, r: StoreResult) => void,
): Promise<void> {
  const id = channel.association.id;
  const waiter = directResponses(channel, (msg) => {
    options.log?.('warn', `${id} ignored an unexpected ${commandName(msg.cmd.commandField)} from ${node.aeTitle} during C-STORE`);
  });
  const convertible = (i: InstanceSource) => options.transcoder?.alternatives(i.transferSyntaxUid, options.outgoing) ?? [];
  const choose = (i: InstanceSource) => contextFor(channel.association.contexts, i, convertible(i), options.outgoing?.preferred);
  // read ahead: instances going out as stored or converted in memory (a decompression streams when its turn comes)
  const ahead = new ReadAhead(choose, () => channel.association.allWritten, options.transcoder);
  for (let k = 0; k < batch.length; k++) {
    const instance = batch[k]!;
    if (options.signal?.aborted) return;
    const choice = choose(instance);
    if (!choice) {
      const reason = noContextReason(instance, convertible(instance), options.outgoing);
      options.log?.('warn', `${id} C-STORE of ${instance.sopInstanceUid} to ${node.aeTitle} not attempted: ${reason}`);
      record(instance, { sopInstanceUid: instance.sopInstanceUid, status: Status.SOPClassNotSupported, reason });
      continue;
    }
    let outcome;
    try {
      outcome = await sendInstance(
        channel,
        choice.context.id,
        instance,
        waiter,
        {},
        { ahead, next: batch[k + 1] },
        choice.convertTo ? { transcoder: options.transcoder!, to: choice.convertTo } : undefined,
      );
    } catch (err) {
      options.log?.('error', `${id} C-STORE of ${instance.sopInstanceUid} to ${node.aeTitle} broke the association: ${errorMessage(err)}`);
      throw err;
    }
    const result: StoreResult = { sopInstanceUid: instance.sopInstanceUid, ...outcome, ...(choice.convertTo ? { convertedTo: choice.convertTo } : {}) };
    if (outcome.status !== Status.Success) {
      options.log?.(
        'warn',
        `${id} C-STORE of ${instance.sopInstanceUid} to ${node.aeTitle}: status ${formatStatus(outcome.status)}` +
          `${outcome.errorComment ? ` (${outcome.errorComment})` : ''}${outcome.reason ? `: ${outcome.reason}` : ''}`,
      );
    }
    record(instance, result);
  }
}
