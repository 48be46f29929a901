/**
 * Retrieve SCU by C-MOVE (PS3.4 C.4.2, PS3.7 §9.1.4, §9.3.4): the peer sends the instances on
 * a separate association to `destination` (usually our own Storage SCP).
 */
import type { DataSet } from '../../../shared/dicom/dataset.js';
import type { QueryLevel, QueryModel } from '../../../shared/dicom/query.js';
import { CommandField, moveRq } from '../command.js';
import { identifierAt, queryRetrieveSopClass, requireContext, UNCOMPRESSED_SYNTAXES, withAssociation, type DicomNode, type ScuOptions } from './common.js';
import { awaitRetrieveOutcome, type RetrieveOutcome, type RetrieveProgress } from './retrieve.js';

/** A C-MOVE request. */
export interface MoveRequest {
  model: QueryModel;
  /** Written into Query/Retrieve Level (0008,0052) of the identifier. */
  level: QueryLevel;
  identifier: DataSet;
  /** Move Destination (0000,0600): the AE title the peer must know and send to. */
  destination: string;
}

/** Options of {@link move}. */
export interface MoveOptions extends ScuOptions {
  /** Called with the counts of every pending C-MOVE-RSP. */
  onProgress?: (p: RetrieveProgress) => void;
}

/**
 * Sends one C-MOVE-RQ and waits for the final C-MOVE-RSP. Aborting `options.signal` sends
 * C-CANCEL (PS3.7 §9.3.4.3) and still waits for the final response (status FE00 usually).
 * DIMSE statuses are returned; only association and transport failures throw.
 */
export async function move(node: DicomNode, request: MoveRequest, options: MoveOptions): Promise<RetrieveOutcome> {
  const sopClass = queryRetrieveSopClass(request.model, 'move');
  const contexts = [{ abstractSyntax: sopClass, transferSyntaxes: [...UNCOMPRESSED_SYNTAXES] }];
  return withAssociation(node, options, { contexts }, async (channel) => {
    const contextId = requireContext(channel, sopClass, node);
    const messageId = channel.nextMessageId();
    const command = moveRq({ messageId, affectedSopClassUid: sopClass, moveDestination: request.destination });
    await channel.sendWithDataSet(contextId, command, identifierAt(request.identifier, request.level));
    return awaitRetrieveOutcome({ channel, node, contextId, messageId, responseField: CommandField.C_MOVE_RSP, options });
  });
}
