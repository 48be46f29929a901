/**
 * `priors doctor [--repair]`: the index held against the files (rows without files, files without
 * rows, files changed since indexed), the integrity of the index and of the history, and
 * instances acknowledged but not yet indexed, each in one sentence; with --repair, what can be
 * mended is (a damaged index is rebuilt from the files; the jobs, the audit log and prefetch's
 * state are never touched). Handed to the running `priors serve` of the data directory when there
 * is one, else done on the cache directly (no transfer queue or prefetch starts). Exits 0 when
 * everything is in order (after the repair), 1 when something is not.
 */
import type { DoctorReport } from '../../../shared/records.js';
import { openCacheForWriting } from '../../services/config/local-cache.js';
import { findRunningServer } from '../../services/local-scp/serve-info.js';
import { openApiSession } from '../api-session.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';

export const DOCTOR_OPTIONS: readonly OptionSpec[] = [{ name: 'repair', kind: 'flag' }];

export async function doctorCommand(ctx: CommandContext): Promise<number> {
  expectPositionals(ctx.args, 0, 0, 'priors doctor [--repair]');
  const repair = ctx.args.flags.has('repair');
  let report: DoctorReport;
  if ((await findRunningServer(ctx.dataDir))?.api) {
    const session = await openApiSession(ctx);
    try {
      report = await session.call('cache.doctor', { repair });
    } finally {
      await session.close();
    }
  } else {
    // opening checks the index too: a damaged one is set aside and rebuilt there, and the report says so
    const cache = await openCacheForWriting(ctx.dataDir, 'close the other Priors process, or run "priors serve" and this command hands its work to it');
    try {
      report = await cache.doctor({ repair });
    } finally {
      await cache.close();
    }
  }
  const text = [
    ...report.findings.map((f) => `${f.ok ? 'ok     ' : 'PROBLEM'}  ${f.sentence}`),
    ...(report.repairs ?? []).map((r) => `REPAIRED ${r}`),
    report.ok
      ? `The cache in ${report.dataDir} is in order.`
      : `The cache in ${report.dataDir} needs attention${repair ? ': see the lines above' : ': run "priors doctor --repair"'}.`,
  ].join('\n');
  ctx.result(report, text);
  return report.ok ? 0 : 1;
}
