/**
 * Query SCP: C-FIND (PS3.4 C.4.1.3, PS3.7 §9.1.2). The handler only yields matches; this loop
 * sends one Pending (FF00) per match, Cancel (FE00) after a C-CANCEL, Success (0000) at the end,
 * or a failure status (A900 bad identifier, C000 or the handler's DimseStatusError).
 */
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { QUERY_RETRIEVE_LEVEL_TAG, queryModelForSopClass, validateIdentifier } from '../../../shared/dicom/query.js';
import { describeStatus, formatStatus, Status } from '../../../shared/dicom/status.js';
import { findRsp } from '../command.js';
import type { DimseMessage } from '../channel.js';
import type { ScpSession } from './session.js';
import { statusOfError } from './store.js';

/** Longest stretch of matches sent without letting the event loop read sockets. */
const YIELD_EVERY_MS = 2;

/** What to do about a failed C-FIND, for log lines. */
function findAdvice(status: number): string {
  if (status === Status.IdentifierDoesNotMatchSOPClass) return 'the requesting application sent a malformed query; check its query settings';
  if (status === Status.SOPClassNotSupported) return 'the requestor used a service this node does not offer on that context';
  return 'see the error comment; the local database may be unavailable';
}

/** Runs one C-FIND operation to its final response. Rejects only when the association fails. */
export async function runFind(session: ScpSession, msg: DimseMessage, identifier: DataSet, signal: AbortSignal): Promise<void> {
  session.stats.finds += 1;
  const { channel, info } = session;
  const messageId = msg.cmd.messageId ?? 0;
  const sopClassUid = msg.abstractSyntax;
  let matches = 0;
  const respond = (status: number, errorComment?: string) =>
    channel.send(
      msg.contextId,
      findRsp({
        messageIdBeingRespondedTo: messageId,
        affectedSopClassUid: sopClassUid,
        status,
        hasIdentifier: false,
        ...(errorComment ? { errorComment } : {}),
      }),
    );
  const fail = async (status: number, comment: string) => {
    session.stats.failures += 1;
    const d = describeStatus('find', status);
    session.log(
      'error',
      `C-FIND from ${info.callingAeTitle} to ${info.calledAeTitle} failed after ${matches} matches: status ${formatStatus(status)} (${d.name}) - ${comment}; what to do: ${findAdvice(status)}`,
    );
    await respond(status, comment);
  };

  const model = queryModelForSopClass(sopClassUid);
  const handler = session.settings.handlers.find;
  if (!model || model.service !== 'find' || !handler) {
    return fail(Status.SOPClassNotSupported, 'C-FIND is not offered on this presentation context');
  }
  const check = validateIdentifier(identifier, model.model, 'find');
  if (check.error) return fail(Status.IdentifierDoesNotMatchSOPClass, check.error);
  const level = identifier.get(QUERY_RETRIEVE_LEVEL_TAG);

  const iterator = handler.find({ association: info, sopClassUid, identifier, signal })[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  let lastYield = performance.now();
  try {
    while (!signal.aborted) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === 'aborted' || next.done) break;
      const match = next.value;
      // PS3.4 C.4.1.1.3.2: the response identifier carries the Query/Retrieve Level.
      if (level && !match.has(QUERY_RETRIEVE_LEVEL_TAG)) match.set(QUERY_RETRIEVE_LEVEL_TAG, level);
      matches += 1;
      await channel.sendWithDataSet(
        msg.contextId,
        findRsp({
          messageIdBeingRespondedTo: messageId,
          affectedSopClassUid: sopClassUid,
          status: Status.Pending,
          hasIdentifier: true,
        }),
        match,
      );
      // A local handler answers synchronously and the socket rarely needs draining, so without
      // this the loop would never let the socket be read: a C-CANCEL (PS3.7 §9.3.2.3) would go
      // unseen and other associations would wait for the whole answer.
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  } catch (err) {
    if (!channel.association.isOpen) throw err;
    if (!signal.aborted) {
      const { status, errorComment } = statusOfError(err, Status.UnableToProcess);
      return fail(status, errorComment ?? 'the query failed');
    }
  } finally {
    if (signal.aborted) iterator.return?.().catch(() => undefined);
  }
  if (signal.aborted) {
    session.log('info', `C-FIND from ${info.callingAeTitle} cancelled after ${matches} match${matches === 1 ? '' : 'es'}`);
    return respond(Status.Cancel);
  }
  session.log('debug', `C-FIND from ${info.callingAeTitle}: ${matches} matches`);
  await respond(Status.Success);
}
