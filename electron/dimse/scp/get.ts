/**
 * Retrieve SCP by C-GET (PS3.4 C.4.3.3, PS3.7 §9.1.3): locate the instances and send each as a
 * C-STORE sub-operation on the same association, through a context the requestor proposed
 * with the SCP role (PS3.7 D.3.3.4): in the instance's own transfer syntax when one was, else
 * in one it can be converted to.
 */
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { Status } from '../../../shared/dicom/status.js';
import { uidName } from '../../../shared/dicom/uids.js';
import type { DimseMessage } from '../channel.js';
import { RetrieveOperation } from './retrieve.js';
import type { ScpSession } from './session.js';
import type { InstanceSource } from '../handlers.js';
import { ReadAhead, sendInstance } from '../scu/send.js';
import { contextFor } from '../scu/store.js';

/** Runs one C-GET operation to its final response. Rejects only when the association fails. */
export async function runGet(session: ScpSession, msg: DimseMessage, identifier: DataSet, signal: AbortSignal): Promise<void> {
  session.stats.gets += 1;
  const op = new RetrieveOperation(session, msg, signal);
  const instances = await op.locate(identifier);
  if (!instances) return;
  if (instances.length === 0) return op.respond(Status.Success, op.counts());
  const contexts = session.association.contexts.filter((c) => c.scpRole);
  const { transcoder } = session.settings;
  const convertible = (i: InstanceSource) => transcoder?.alternatives(i.transferSyntaxUid) ?? [];
  const choose = (i: InstanceSource) => contextFor(contexts, i, convertible(i));
  const ahead = new ReadAhead(choose, () => session.association.allWritten, transcoder);
  await op.run(instances, (instance, next) => {
    const choice = choose(instance);
    if (!choice) {
      const syntaxes = [instance.transferSyntaxUid, ...convertible(instance)].map(uidName).join(', ');
      const reason = `the requestor offered no context with the SCP role for ${uidName(instance.sopClassUid)} in ${syntaxes}`;
      return Promise.resolve({ status: Status.SOPClassNotSupported, reason });
    }
    return sendInstance(
      session.channel,
      choice.context.id,
      instance,
      session.awaitResponse,
      {},
      { ahead, next },
      choice.convertTo ? { transcoder: transcoder!, to: choice.convertTo } : undefined,
    );
  });
}
