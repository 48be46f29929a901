/** `priors import <path...>` and `priors ls [-L level] [-m model] [-k Keyword=Value]...`: the local cache. */
import type { ImportResult } from '../../../shared/records.js';
import { cacheOptionsFrom, openCacheForReading, openCacheForWriting } from '../../services/config/local-cache.js';
import { searchLocal } from '../../services/query/query.js';
import { findRunningServer } from '../../services/local-scp/serve-info.js';
import { InputError } from '../../services/nodes/nodes.js';
import { expectPositionals } from '../args.js';
import type { CommandContext } from '../context.js';
import { printSearch, searchArgs } from './find.js';

export async function importCommand(ctx: CommandContext): Promise<number> {
  const paths = expectPositionals(ctx.args, 1, Number.MAX_SAFE_INTEGER, 'priors import <path...>');
  const config = await ctx.loadConfig();
  const served = await findRunningServer(ctx.dataDir);
  const advice = served
    ? `stop "priors serve" first, or send the files to it with "priors send ${served.aeTitle}@127.0.0.1:${served.port} <path...>"`
    : 'close the other Priors first';
  const cache = await openCacheForWriting(ctx.dataDir, advice, cacheOptionsFrom(config));
  try {
    const result = await cache.importPaths(paths, { signal: ctx.signal, sourceAeTitle: 'IMPORT' });
    if (result.imported + result.duplicates === 0 && result.skipped.length > 0) {
      const first = result.skipped[0]!;
      throw new InputError(
        `No DICOM instance was imported: ${first.path} was skipped because ${first.reason.replace(/\.$/, '')}` +
          (result.skipped.length > 1 ? ` (and ${result.skipped.length - 1} more files)` : ''),
      );
    }
    const skipped = result.skipped.length ? `, ${result.skipped.length} file${result.skipped.length === 1 ? '' : 's'} skipped` : '';
    const lines = [
      `Imported ${result.imported} instance${result.imported === 1 ? '' : 's'} (${result.duplicates} already cached${skipped}) into ${ctx.dataDir}.`,
    ];
    if (result.dicomdir) lines.push(dicomdirLine(result.dicomdir));
    if (ctx.verbose) for (const s of result.skipped) lines.push(`skipped ${s.path}: ${s.reason}`);
    ctx.result({ ok: true, ...result }, lines.join('\n'));
    return result.aborted ? 1 : 0;
  } finally {
    await cache.close();
  }
}

/** What the DICOMDIR of an imported medium said: the files it references, missing ones, files it does not reference. */
function dicomdirLine(d: NonNullable<ImportResult['dicomdir']>): string {
  const missing = d.missing.length ? `; ${d.missing.length} of them missing from the medium (first: ${d.missing[0]})` : '';
  const others = d.notReferenced
    ? `; ${d.notReferenced} other file${d.notReferenced === 1 ? '' : 's'} on the medium not referenced, so not imported (first: ${d.firstNotReferenced})`
    : '';
  return `Read through ${d.path}: it references ${d.referenced} file${d.referenced === 1 ? '' : 's'}${missing}${others}.`;
}

export async function lsCommand(ctx: CommandContext): Promise<number> {
  expectPositionals(ctx.args, 0, 0, 'priors ls [-L PATIENT|STUDY|SERIES|IMAGE] [-m study|patient|patientstudy] [-k Keyword=Value]...');
  const config = await ctx.loadConfig();
  const { level, model, keys, limit } = searchArgs(ctx, 'study', 'STUDY');
  const cache = await openCacheForReading(ctx.dataDir);
  try {
    const result = searchLocal(cache, { model, level: level!, keys, ...(limit ? { limit } : {}) }, { caseInsensitivePN: config.caseInsensitivePN });
    printSearch(ctx, result, 'in the local cache');
    return 0;
  } finally {
    await cache.close();
  }
}
