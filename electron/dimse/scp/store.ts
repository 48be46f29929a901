/**
 * Storage SCP behaviour (PS3.4 B.2.2, PS3.7 §9.1.1): hand the data set stream to the
 * StoreHandler and answer C-STORE-RSP with its status. Used by the server for incoming
 * C-STORE-RQs and by the C-GET SCU for the sub-operations interleaved with C-GET-RSPs.
 */
import { describeStatus, formatStatus, Status, statusCategory } from '../../../shared/dicom/status.js';
import { uidName } from '../../../shared/dicom/uids.js';
import type { Logger } from '../ul/association.js';
import { storeRsp } from '../command.js';
import { drain, errorMessage, type DimseChannel, type DimseMessage } from '../channel.js';
import { DimseStatusError, type AssociationInfo, type StoreHandler, type StoreOutcome, type StoreRequest } from '../handlers.js';

/** Node error codes that mean "no room left": answered with A700 Out of Resources (PS3.4 B.2.3). */
const OUT_OF_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/** The status and Error Comment a handler's throw becomes (docs/architecture.md, rule 2: the association lives on). */
export function statusOfError(err: unknown, genericFailure: number): StoreOutcome {
  if (err instanceof DimseStatusError) return { status: err.status, errorComment: err.message };
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && OUT_OF_SPACE.has(code)) {
    return { status: Status.OutOfResources, errorComment: `Out of disk space (${code})` };
  }
  return { status: genericFailure, errorComment: errorMessage(err) };
}

/** What to do about a failed or warning C-STORE status, for log lines. */
export function storeAdvice(status: number): string {
  if (status >= 0xa700 && status <= 0xa7ff) return 'free disk space on this computer or raise the cache size limit, then retrieve again';
  if (status >= 0xa900 && status <= 0xa9ff) return 'the sender sent a data set that does not match its SOP class; check the sending device';
  if (status >= 0xc000 && status <= 0xcfff) return 'the instance could not be read or stored; see the error comment and the sending device';
  if (statusCategory(status) === 'warning') return 'the instance was stored; no action needed unless this repeats';
  return 'see the error comment';
}

/** One C-STORE-RQ to answer, with who sent it. */
export interface StoreContext {
  channel: DimseChannel;
  msg: DimseMessage;
  handler: StoreHandler | undefined;
  association: AssociationInfo;
  log?: Logger;
}

/**
 * Runs the store handler on an incoming C-STORE-RQ, makes sure the data set is consumed,
 * and sends the C-STORE-RSP. Returns the outcome sent. Rejects only when the association
 * failed (the data set stream errored or the response could not be sent).
 */
export async function answerStore({ channel, msg, handler, association, log }: StoreContext): Promise<StoreOutcome> {
  const { cmd } = msg;
  const sopClassUid = cmd.affectedSopClassUid ?? msg.abstractSyntax;
  const sopInstanceUid = cmd.affectedSopInstanceUid ?? '';
  let outcome: StoreOutcome;
  if (!msg.dataSet) {
    outcome = { status: Status.CannotUnderstand, errorComment: 'C-STORE-RQ without a data set' };
  } else if (!handler) {
    outcome = { status: Status.SOPClassNotSupported, errorComment: 'This AE does not store instances' };
  } else {
    const request: StoreRequest = {
      association,
      sopClassUid,
      sopInstanceUid,
      transferSyntaxUid: msg.transferSyntax,
      dataSet: msg.dataSet,
    };
    if (cmd.moveOriginatorAeTitle) request.moveOriginatorAeTitle = cmd.moveOriginatorAeTitle;
    if (cmd.moveOriginatorMessageId !== undefined) request.moveOriginatorMessageId = cmd.moveOriginatorMessageId;
    try {
      outcome = await handler.store(request);
    } catch (err) {
      outcome = statusOfError(err, Status.CannotUnderstand);
    }
  }
  const after = outcome.afterResponse;
  try {
    await respond(channel, msg, association, sopClassUid, sopInstanceUid, outcome, log);
  } finally {
    // after the response is with the kernel, before the association reads the sender's next message or its release
    if (after) channel.association.deferUntilNextInput(() => runAfterResponse(after, association, sopInstanceUid, log));
  }
  return outcome;
}

function runAfterResponse(after: () => void, association: AssociationInfo, sopInstanceUid: string, log: Logger | undefined): void {
  try {
    after();
  } catch (err) {
    log?.('error', `${association.id} C-STORE of ${sopInstanceUid} from ${association.callingAeTitle}: answered, then failed: ${errorMessage(err)}`);
  }
}

async function respond(
  channel: DimseChannel,
  msg: DimseMessage,
  association: AssociationInfo,
  sopClassUid: string,
  sopInstanceUid: string,
  outcome: StoreOutcome,
  log: Logger | undefined,
): Promise<void> {
  const { cmd } = msg;
  await drain(msg.dataSet);
  if (msg.dataSet?.errored) throw msg.dataSet.errored;
  if (!channel.association.isOpen) throw new Error(`association ${association.id} closed during the C-STORE of ${sopInstanceUid}`);
  if (statusCategory(outcome.status) !== 'success') {
    const d = describeStatus('store', outcome.status);
    const level = d.category === 'warning' ? 'warn' : 'error';
    log?.(
      level,
      `${association.id} C-STORE of ${sopInstanceUid} (${uidName(sopClassUid)}) from ${association.callingAeTitle} to ${association.calledAeTitle}: ` +
        `status ${formatStatus(outcome.status)} (${d.name})${outcome.errorComment ? ` - ${outcome.errorComment}` : ''}; what to do: ${storeAdvice(outcome.status)}`,
    );
  }
  const rsp = storeRsp({
    messageIdBeingRespondedTo: cmd.messageId ?? 0,
    affectedSopClassUid: sopClassUid,
    ...(sopInstanceUid ? { affectedSopInstanceUid: sopInstanceUid } : {}),
    status: outcome.status,
    ...(outcome.errorComment && statusCategory(outcome.status) !== 'success' ? { errorComment: outcome.errorComment } : {}),
  });
  await channel.send(msg.contextId, rsp);
  // out now, not at the end of the loop's turn: the sender waits for this answer before its next store
  channel.association.flush();
}
