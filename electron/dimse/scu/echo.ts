/**
 * Verification SCU: C-ECHO (PS3.4 Annex A, PS3.7 §9.1.5, §9.3.5).
 */
import { SopClassUid } from '../../../shared/dicom/uids.js';
import { CommandField, echoRq } from '../command.js';
import { drain } from '../channel.js';
import { requireContext, UNCOMPRESSED_SYNTAXES, withAssociation, type DicomNode, type ScuOptions } from './common.js';

/** What a C-ECHO told us. */
export interface EchoResult {
  /** The C-ECHO-RSP Status (0000 = success). */
  status: number;
  /** Round trip from sending the A-ASSOCIATE-RQ to the C-ECHO-RSP, in milliseconds. */
  elapsedMs: number;
  /** The peer's Implementation Version Name (PS3.7 D.3.3.2), when it sent one. */
  peerImplementationVersionName?: string;
}

/**
 * Opens an association proposing the Verification SOP Class, sends one C-ECHO-RQ, waits for
 * its C-ECHO-RSP and releases. Association and transport failures throw.
 */
export async function echo(node: DicomNode, options: ScuOptions): Promise<EchoResult> {
  const started = performance.now();
  const contexts = [{ abstractSyntax: SopClassUid.Verification, transferSyntaxes: [...UNCOMPRESSED_SYNTAXES] }];
  return withAssociation(node, options, { contexts }, async (channel) => {
    const contextId = requireContext(channel, SopClassUid.Verification, node);
    const messageId = channel.nextMessageId();
    await channel.send(contextId, echoRq({ messageId }));
    while (true) {
      const msg = await channel.receive();
      if (!msg) throw new Error(`${node.aeTitle} closed the association before answering the C-ECHO`);
      await drain(msg.dataSet);
      if (msg.cmd.commandField !== CommandField.C_ECHO_RSP || msg.cmd.messageIdBeingRespondedTo !== messageId) {
        options.log?.('warn', `${channel.association.id} ignored an unexpected message from ${node.aeTitle} while waiting for the C-ECHO-RSP`);
        continue;
      }
      const result: EchoResult = { status: msg.cmd.status ?? 0xc000, elapsedMs: Math.round(performance.now() - started) };
      const version = channel.association.peerImplementationVersionName;
      if (version) result.peerImplementationVersionName = version;
      return result;
    }
  });
}
