/**
 * Retrieve SCP by C-MOVE (PS3.4 C.4.2.3, PS3.7 §9.1.4): locate the instances, open a
 * sub-association to the Move Destination as requestor (calling AE = ours) with contexts per
 * (SOP class, stored transfer syntax) of the instances (and the syntaxes they can be converted
 * to, for a destination that takes none of the stored one), and send each with Move Originator
 * AE Title and Message ID (PS3.7 §9.3.1.1).
 */
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { Status } from '../../../shared/dicom/status.js';
import { Association } from '../ul/association.js';
import { DimseChannel, errorMessage, type DimseMessage } from '../channel.js';
import { commandName } from '../command.js';
import { RetrieveOperation } from './retrieve.js';
import type { ScpSession } from './session.js';
import { statusOfError } from './store.js';
import type { InstanceSource } from '../handlers.js';
import { directResponses, ReadAhead, sendInstance } from '../scu/send.js';
import { contextFor, noContextReason, storeContexts } from '../scu/store.js';

/** Runs one C-MOVE operation to its final response. Rejects only when our association fails. */
export async function runMove(session: ScpSession, msg: DimseMessage, identifier: DataSet, signal: AbortSignal): Promise<void> {
  session.stats.moves += 1;
  const op = new RetrieveOperation(session, msg, signal);
  const destinationAe = msg.cmd.moveDestination ?? '';
  const handler = session.settings.handlers.retrieve;
  if (handler && destinationAe) {
    // Resolve the destination before locating: an unknown one is refused at once (A801).
    let destination;
    try {
      destination = await handler.destination(destinationAe, session.info);
    } catch (err) {
      const { status, errorComment } = statusOfError(err, Status.UnableToProcess);
      return op.fail(status, errorComment ?? 'the destination could not be resolved');
    }
    if (!destination) return op.fail(Status.MoveDestinationUnknown, `Move Destination '${destinationAe}' is not a known AE title here`);
    const instances = await op.locate(identifier);
    if (!instances) return;
    if (instances.length === 0) return op.respond(Status.Success, op.counts());
    if (signal.aborted) return op.respond(Status.Cancel, op.counts(instances.length));

    const { policy, timeouts, maxPduLength, log, transcoder } = session.settings;
    let sub: Association;
    try {
      sub = await Association.request({
        host: destination.host,
        port: destination.port,
        callingAeTitle: policy.aeTitle,
        calledAeTitle: destination.aeTitle,
        contexts: storeContexts(instances, transcoder, destination.outgoing),
        signal,
        ...(destination.tls ? { tls: destination.tls } : {}),
        ...(timeouts ? { timeouts } : {}),
        ...(maxPduLength !== undefined ? { maxPduLength } : {}),
        ...(log ? { log } : {}),
      });
    } catch (err) {
      if (signal.aborted) return op.respond(Status.Cancel, op.counts(instances.length));
      const reason = `destination ${destination.aeTitle} at ${destination.host}:${destination.port} refused or was unreachable: ${errorMessage(err)}`;
      op.markFailed(instances, reason);
      return op.fail(Status.OutOfResourcesUnableToPerformSubOperations, reason, op.counts());
    }
    const channel = new DimseChannel(sub);
    const waiter = directResponses(channel, (m) =>
      session.log('warn', `ignored an unexpected ${commandName(m.cmd.commandField)} from ${destination.aeTitle} on ${sub.id}`),
    );
    try {
      const convertible = (i: InstanceSource) => transcoder?.alternatives(i.transferSyntaxUid, destination.outgoing) ?? [];
      const choose = (i: InstanceSource) => contextFor(sub.contexts, i, convertible(i), destination.outgoing?.preferred);
      const ahead = new ReadAhead(choose, () => sub.allWritten, transcoder);
      await op.run(
        instances,
        (instance, next) => {
          const choice = choose(instance);
          if (!choice)
            return Promise.resolve({
              status: Status.SOPClassNotSupported,
              reason: `${noContextReason(instance, convertible(instance), destination.outgoing)} (destination ${destination.aeTitle})`,
            });
          return sendInstance(
            channel,
            choice.context.id,
            instance,
            waiter,
            {
              moveOriginatorAeTitle: session.info.callingAeTitle,
              moveOriginatorMessageId: op.messageId,
            },
            { ahead, next },
            choice.convertTo ? { transcoder: transcoder!, to: choice.convertTo } : undefined,
          );
        },
        ` to ${destination.aeTitle}`,
      );
    } finally {
      if (sub.isOpen) {
        await sub.release().catch((err: unknown) => {
          session.log('warn', `release of sub-association ${sub.id} to ${destination.aeTitle} failed: ${errorMessage(err)}`);
          if (sub.isOpen) sub.abort();
        });
      }
    }
    return;
  }
  if (!handler) return op.fail(Status.SOPClassNotSupported, 'C-MOVE is not offered by this node');
  return op.fail(Status.MoveDestinationUnknown, 'The C-MOVE-RQ names no Move Destination');
}
