/**
 * `priors export --study <UID>... --out <dir> [--dicomdir] [--zip] [--deidentify [--pseudonym NAME]
 * [--retain-dates] [--clean-descriptors] [--allow-burned-in]]`: cached studies to a folder, a CD/USB medium (DICOMDIR,
 * PS3.11 STD-GEN-CD) or a ZIP, identified or de-identified (PS3.15 E.1). Handed to the running
 * `priors serve` when there is one (which records the audit event), else done here. Exits 0 when
 * anything was exported (what was left out is said), 1 when nothing could be.
 */
import { exportResultSentence, type ExportRequest } from '../../../shared/export.js';
import { resolveOut } from '../../services/export/index.js';
import { openApiSession } from '../api-session.js';
import { UsageError, type OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';
import { CommandFailure } from '../failure.js';

export const EXPORT_OPTIONS: readonly OptionSpec[] = [
  { name: 'study', kind: 'list' },
  { name: 'out', short: 'o', kind: 'value' },
  { name: 'dicomdir', kind: 'flag' },
  { name: 'zip', kind: 'flag' },
  { name: 'deidentify', kind: 'flag' },
  { name: 'pseudonym', kind: 'value' },
  { name: 'retain-dates', kind: 'flag' },
  { name: 'clean-descriptors', kind: 'flag' },
  { name: 'allow-burned-in', kind: 'flag' },
];

const USAGE =
  'priors export --study <UID>... --out <dir|file.zip> [--dicomdir] [--zip] [--deidentify [--pseudonym NAME] [--retain-dates] [--clean-descriptors] [--allow-burned-in]]';

/** The request the arguments make: study UIDs after --study (repeated, or several in a row), and the options. */
export function exportRequestOf(ctx: CommandContext): ExportRequest {
  const studies = [...(ctx.args.lists.get('study') ?? []), ...ctx.args.positionals]
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const out = ctx.args.values.get('out');
  if (studies.length === 0 || !out) throw new UsageError(`Give the studies and where to: usage is "${USAGE}"`);
  const flags = ctx.args.flags;
  const pseudonym = ctx.args.values.get('pseudonym');
  const deidentify = flags.has('deidentify');
  if (!deidentify && (pseudonym !== undefined || flags.has('retain-dates') || flags.has('clean-descriptors') || flags.has('allow-burned-in'))) {
    throw new UsageError('--pseudonym, --retain-dates, --clean-descriptors and --allow-burned-in go with --deidentify');
  }
  return {
    studies,
    out: resolveOut(out),
    ...(flags.has('dicomdir') ? { dicomdir: true } : {}),
    ...(flags.has('zip') ? { zip: true } : {}),
    ...(deidentify
      ? {
          deidentify: {
            ...(pseudonym !== undefined ? { pseudonym } : {}),
            ...(flags.has('retain-dates') ? { retainDates: true } : {}),
            ...(flags.has('clean-descriptors') ? { cleanDescriptors: true } : {}),
            ...(flags.has('allow-burned-in') ? { allowBurnedIn: true } : {}),
          },
        }
      : {}),
  };
}

export async function exportCommand(ctx: CommandContext): Promise<number> {
  const request = exportRequestOf(ctx);
  const session = await openApiSession(ctx);
  const exportId = `cli-export-${process.pid}`;
  const stop = session.subscribe((e) => {
    if (e.type === 'export.progress' && e.exportId === exportId && (e.done === e.total || e.done % 50 === 0)) {
      ctx.log('info', `exported ${e.done - e.leftOut} of ${e.total} instances${e.leftOut ? ` (${e.leftOut} left out)` : ''}`);
    }
  });
  try {
    const result = await session.call('cache.export', { ...request, exportId });
    const sentence = exportResultSentence(result);
    if (result.instances === 0) throw new CommandFailure({ code: 'invalid-input', sentence }, { ...result });
    const lines = [sentence];
    if (ctx.verbose) for (const l of result.leftOut) lines.push(`left out ${l.what}: ${l.reason}`);
    ctx.result({ ok: true, ...result }, lines.join('\n'));
    return 0;
  } finally {
    stop();
    await session.close();
  }
}
