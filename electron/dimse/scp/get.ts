/**
 * Retrieve SCP by C-GET (PS3.4 C.4.3.3, PS3.7 §9.1.3): locate the instances and send each as a
 * C-STORE sub-operation on the same association, through a context the requestor proposed
 * with the SCP role (PS3.7 D.3.3.4) in the instance's own transfer syntax.
 */
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { Status } from '../../../shared/dicom/status.js';
import { uidName } from '../../../shared/dicom/uids.js';
import type { DimseMessage } from '../channel.js';
import { RetrieveOperation } from './retrieve.js';
import type { ScpSession } from './session.js';
import type { InstanceSource } from '../handlers.js';
import { ReadAhead, sendInstance } from '../scu/send.js';

/** Runs one C-GET operation to its final response. Rejects only when the association fails. */
export async function runGet(session: ScpSession, msg: DimseMessage, identifier: DataSet, signal: AbortSignal): Promise<void> {
  session.stats.gets += 1;
  const op = new RetrieveOperation(session, msg, signal);
  const instances = await op.locate(identifier);
  if (!instances) return;
  if (instances.length === 0) return op.respond(Status.Success, op.counts());
  const contexts = session.association.contexts;
  const contextOf = (instance: InstanceSource) =>
    contexts.find((c) => c.scpRole && c.abstractSyntax === instance.sopClassUid && c.transferSyntax === instance.transferSyntaxUid);
  const ahead = new ReadAhead((i) => contextOf(i) !== undefined, () => session.association.allWritten);
  await op.run(instances, (instance, next) => {
    const ctx = contextOf(instance);
    if (!ctx) {
      const reason = `the requestor offered no context with the SCP role for ${uidName(instance.sopClassUid)} in ${uidName(instance.transferSyntaxUid)}`;
      return Promise.resolve({ status: Status.SOPClassNotSupported, reason });
    }
    return sendInstance(session.channel, ctx.id, instance, session.awaitResponse, {}, { ahead, next });
  });
}
