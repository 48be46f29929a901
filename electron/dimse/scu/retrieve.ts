/**
 * What C-MOVE and C-GET SCUs share (PS3.4 C.4.2, C.4.3; PS3.7 §9.1.3, §9.1.4): reading the
 * sub-operation counts of pending responses, the final status and its Failed SOP Instance
 * UID List (0008,0058), and C-CANCEL when the caller's signal aborts.
 */
import { getStrings, tag } from '../../../shared/dicom/dataset.js';
import { Status, statusCategory } from '../../../shared/dicom/status.js';
import { cancelRq, CommandField, commandName, type DimseCommand } from '../command.js';
import { drain, readDataSet, type DimseChannel, type DimseMessage } from '../channel.js';
import { DEFAULT_CANCEL_GRACE_MS, onAbort, type DicomNode, type ScuOptions } from './common.js';

/** Failed SOP Instance UID List (0008,0058): the data set of a final C-MOVE/C-GET response (PS3.4 C.4.2.1.4). */
export const FAILED_SOP_INSTANCE_UID_LIST = tag(0x0008, 0x0058);

/** Sub-operation counts reported by C-MOVE/C-GET responses (PS3.7 §9.3.3.2, §9.3.4.2). */
export interface RetrieveProgress {
  /** Number of Remaining Sub-operations (0000,1020); absent from most final responses. */
  remaining?: number;
  completed: number;
  failed: number;
  warning: number;
}

/** How a C-MOVE or C-GET ended. */
export interface RetrieveOutcome extends RetrieveProgress {
  /** Status of the final response. */
  status: number;
  errorComment?: string;
  /** From the Failed SOP Instance UID List (0008,0058) of the final response, when sent. */
  failedSopInstanceUids: string[];
  /** We sent C-CANCEL (the signal aborted). */
  cancelled: boolean;
}

/** The counts of a response command. */
export function progressOf(cmd: DimseCommand): RetrieveProgress {
  const p: RetrieveProgress = { completed: cmd.completed ?? 0, failed: cmd.failed ?? 0, warning: cmd.warning ?? 0 };
  if (cmd.remaining !== undefined) p.remaining = cmd.remaining;
  return p;
}

/** What the shared response loop needs from C-MOVE or C-GET. */
export interface RetrieveLoop {
  channel: DimseChannel;
  node: DicomNode;
  contextId: number;
  messageId: number;
  responseField: typeof CommandField.C_MOVE_RSP | typeof CommandField.C_GET_RSP;
  options: ScuOptions & { onProgress?: (p: RetrieveProgress) => void };
  /** Handles a request the peer sends on the same association (C-STORE-RQ of C-GET); absent for C-MOVE. */
  onRequest?: (msg: DimseMessage) => Promise<void>;
}

/**
 * Reads responses to a sent C-MOVE-RQ / C-GET-RQ until the final one. Pending responses go to
 * `onProgress`; an aborted signal sends C-CANCEL once and the loop goes on to the final response.
 */
export async function awaitRetrieveOutcome(loop: RetrieveLoop): Promise<RetrieveOutcome> {
  const { channel, node, contextId, messageId, options } = loop;
  const id = channel.association.id;
  const name = commandName(loop.responseField).replace('-RSP', '');
  let cancelled = false;
  let gaveUp = false;
  let grace: NodeJS.Timeout | undefined;
  let last: RetrieveProgress = { completed: 0, failed: 0, warning: 0 };
  let settle: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  onAbort(options.signal, done, () => {
    if (cancelled || !channel.association.isOpen) return;
    cancelled = true;
    options.log?.('info', `${id} C-CANCEL of ${name} ${messageId} to ${node.aeTitle}`);
    channel.send(contextId, cancelRq({ messageIdBeingRespondedTo: messageId })).catch((err: unknown) => {
      options.log?.('warn', `${id} could not send C-CANCEL to ${node.aeTitle}: ${String(err)}`);
    });
    // a peer that ignores C-CANCEL would keep the user waiting for the whole retrieve (or the DIMSE timer)
    const graceMs = options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS;
    grace = setTimeout(() => {
      if (!channel.association.isOpen) return;
      gaveUp = true;
      options.log?.('warn', `${id} ${node.aeTitle} sent no final ${name} response within ${graceMs} ms of our C-CANCEL: aborting the association`);
      channel.association.abort();
    }, graceMs);
    grace.unref?.();
  });
  try {
    while (true) {
      const msg = await channel.receive().catch((err: unknown) => {
        if (gaveUp) return undefined;
        throw err;
      });
      if (!msg && gaveUp) return { ...last, status: Status.Cancel, failedSopInstanceUids: [], cancelled: true };
      if (!msg) throw new Error(`${node.aeTitle} closed the association before the final ${name} response`);
      const { cmd } = msg;
      if (cmd.commandField === CommandField.C_STORE_RQ && loop.onRequest) {
        await loop.onRequest(msg);
        continue;
      }
      if (cmd.commandField !== loop.responseField || cmd.messageIdBeingRespondedTo !== messageId) {
        await drain(msg.dataSet);
        options.log?.('warn', `${id} ignored an unexpected ${commandName(cmd.commandField)} from ${node.aeTitle} during ${name}`);
        continue;
      }
      const status = cmd.status ?? Status.UnableToProcess;
      if (statusCategory(status) === 'pending') {
        await drain(msg.dataSet);
        last = progressOf(cmd);
        options.onProgress?.(last);
        continue;
      }
      let failedSopInstanceUids: string[] = [];
      try {
        const ds = await readDataSet(msg);
        if (ds) failedSopInstanceUids = getStrings(ds, FAILED_SOP_INSTANCE_UID_LIST).filter((u) => u !== '');
      } catch (err) {
        options.log?.('warn', `${id} the data set of the final ${name} response from ${node.aeTitle} could not be read: ${String(err)}`);
      }
      const outcome: RetrieveOutcome = { ...progressOf(cmd), status, failedSopInstanceUids, cancelled };
      if (cmd.errorComment) outcome.errorComment = cmd.errorComment;
      return outcome;
    }
  } finally {
    clearTimeout(grace);
    settle();
  }
}
