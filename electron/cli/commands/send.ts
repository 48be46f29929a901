/** `priors send <node> <path...> | --study UID`: C-STORE SCU (PS3.4 B.2.1), bytes as stored. */
import { nodeProtocol } from '../../../shared/config.js';
import { sendByStow, stowFailureSentence, stowSummary } from '../../services/dicomweb/send-web.js';
import { diagnose } from '../../../shared/diagnostics.js';
import { Status } from '../../../shared/dicom/status.js';
import { uidName } from '../../../shared/dicom/uids.js';
import type { InstanceSource } from '../../dimse/handlers.js';
import { notDecompressedReason } from '../../dimse/scu/index.js';
import { describeStatus } from '../../services/nodes/diagnose.js';
import { openCacheForReading } from '../../services/config/local-cache.js';
import { InputError } from '../../services/nodes/nodes.js';
import { firstFailure, instancesFromPaths, sendInstances } from '../../services/send/send.js';
import { type OptionSpec, UsageError } from '../args.js';
import type { CommandContext } from '../context.js';
import { CommandFailure } from '../failure.js';

export const SEND_OPTIONS: readonly OptionSpec[] = [{ name: 'study', kind: 'value' }];

const USAGE = 'priors send <node> <path...> | priors send <node> --study <StudyInstanceUID>';

/** The fix a diagnosis carries when there is one. */
function withFix(fix: string | undefined): { fix?: string } {
  return fix ? { fix } : {};
}

export async function sendCommand(ctx: CommandContext): Promise<number> {
  const [ref, ...paths] = ctx.args.positionals;
  const studyUid = ctx.args.values.get('study');
  if (!ref) throw new UsageError(`Missing argument: usage is "${USAGE}"`);
  if ((paths.length === 0) === (studyUid === undefined)) throw new UsageError(`Give either paths or --study: usage is "${USAGE}"`);
  const node = await ctx.node(ref, 'store');
  let instances: InstanceSource[];
  let skipped = 0;
  if (studyUid !== undefined) {
    const cache = await openCacheForReading(ctx.dataDir);
    try {
      instances = cache
        .instancesFor('STUDY', [studyUid.trim()])
        .map(({ sopClassUid, sopInstanceUid, transferSyntaxUid, path, dataSetOffset, dataSetLength }) => ({
          sopClassUid,
          sopInstanceUid,
          transferSyntaxUid,
          path,
          dataSetOffset,
          dataSetLength,
        }));
    } finally {
      await cache.close();
    }
    if (instances.length === 0) throw new InputError(`Study ${studyUid} is not in the local cache; "priors ls" lists what is`);
  } else {
    const found = await instancesFromPaths(paths);
    instances = found.instances;
    skipped = found.skipped.length;
    if (instances.length === 0) {
      const first = found.skipped[0];
      throw new InputError(first ? `No DICOM instance to send: ${first.path} is ${first.reason}` : `No files found under ${paths.join(', ')}`);
    }
  }
  if (nodeProtocol(node) === 'dicomweb' && node.dicomweb) {
    // STOW-RS (PS3.18 §10.5)
    const web = await sendByStow(node.dicomweb, instances, {
      ...(await ctx.scuOptions()),
      onProgress: (done, total) => ctx.log('debug', `sent ${done}/${total} by STOW-RS`),
    });
    const details = { sent: web.sent, failed: web.failed, warnings: web.warnings, converted: web.converted, skipped, results: web.results };
    const failure = stowFailureSentence(node.dicomweb.url, web, instances.length);
    if (failure) throw new CommandFailure({ code: 'stow-failed', sentence: failure }, details);
    ctx.result(
      { ok: true, ...details },
      stowSummary(node.name, web).replace(/\.$/, skipped ? `; ${skipped} file${skipped === 1 ? '' : 's'} skipped (not DICOM).` : '.'),
    );
    return 0;
  }
  const report = await sendInstances(node, instances, {
    ...(await ctx.scuOptions()),
    onProgress: (done, total, last) => ctx.log('debug', `sent ${done}/${total}: ${last.sopInstanceUid} status 0x${last.status.toString(16)}`),
  });
  const details = { sent: report.sent, failed: report.failed, warnings: report.warnings, skipped, results: report.results };
  const bad = firstFailure(report);
  if (bad) {
    const index = report.results.indexOf(bad);
    const instance = instances[index]!;
    const d =
      bad.status === Status.SOPClassNotSupported && bad.reason
        ? diagnose({
            kind: 'no-context',
            service: 'store',
            sopClassName: `${uidName(instance.sopClassUid)} in ${uidName(instance.transferSyntaxUid)}`,
            calledAeTitle: node.aeTitle,
            host: node.host,
            port: node.port,
            ...withFix(notDecompressedReason(instance, node.outgoing)),
          })
        : diagnose(describeStatus('store', bad.status, bad.errorComment ?? bad.reason, ctx.failure));
    const count = instances.length > 1 ? ` (${report.failed} of ${instances.length} instances not stored)` : '';
    throw new CommandFailure({ code: d.code, sentence: d.sentence.replace(/\.$/, `${count}.`) }, details);
  }
  const warn = report.warnings ? ` (${report.warnings} with warnings)` : '';
  const skip = skipped ? `; ${skipped} file${skipped === 1 ? '' : 's'} skipped (not DICOM)` : '';
  ctx.result({ ok: true, ...details }, `Sent ${report.sent} instance${report.sent === 1 ? '' : 's'} to ${node.aeTitle}${warn}${skip}.`);
  return 0;
}
