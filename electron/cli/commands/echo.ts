/** `priors echo <node>`: C-ECHO (Verification, PS3.4 Annex A), or for a DICOMweb node a QIDO-RS probe (limit=1). */
import { nodeProtocol } from '../../../shared/config.js';
import { probeDicomweb } from '../../services/dicomweb/probe.js';
import { diagnose } from '../../../shared/diagnostics.js';
import { formatStatus, Status } from '../../../shared/dicom/status.js';
import { echo } from '../../dimse/scu/index.js';
import { dicomNodeOf } from '../../services/nodes/dicom-node.js';
import { describeStatus } from '../../services/nodes/diagnose.js';
import { expectPositionals } from '../args.js';
import type { CommandContext } from '../context.js';
import { CommandFailure } from '../failure.js';

export async function echoCommand(ctx: CommandContext): Promise<number> {
  const [ref] = expectPositionals(ctx.args, 1, 1, 'priors echo <node>');
  const node = await ctx.node(ref!, 'echo');
  if (nodeProtocol(node) === 'dicomweb' && node.dicomweb) {
    // a DICOMweb node: a QIDO-RS search for one study stands for the C-ECHO
    const r = await probeDicomweb(node.dicomweb, await ctx.scuOptions());
    ctx.result(
      { ok: true, node: { name: node.name, url: node.dicomweb.url }, httpStatus: r.status, elapsedMs: r.elapsedMs },
      `${r.url} answered a QIDO-RS search in ${r.elapsedMs} ms.`,
    );
    return 0;
  }
  const result = await echo(dicomNodeOf(node), await ctx.scuOptions());
  if (result.status !== Status.Success) {
    throw new CommandFailure(diagnose(describeStatus('echo', result.status, undefined, ctx.failure)), { status: formatStatus(result.status) });
  }
  const version = result.peerImplementationVersionName ? ` (${result.peerImplementationVersionName})` : '';
  ctx.result(
    {
      ok: true,
      node: { aeTitle: node.aeTitle, host: node.host, port: node.port },
      status: result.status,
      elapsedMs: result.elapsedMs,
      peerImplementationVersionName: result.peerImplementationVersionName,
    },
    `${node.aeTitle} at ${node.host}:${node.port} answered the C-ECHO in ${result.elapsedMs} ms${version}.`,
  );
  return 0;
}
