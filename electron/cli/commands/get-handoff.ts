/**
 * `priors get` while a `priors serve` holds the data directory: the C-GET brings the instances
 * over its own association, so it must be the process that writes the cache. The study (or its
 * series) goes to the running serve as a transfer job, and this command follows the job to its
 * end, as the Transfers screen would.
 */
import type { RemoteNode } from '../../../shared/config.js';
import type { DataSet } from '../../../shared/dicom/dataset.js';
import type { QueryLevel } from '../../../shared/dicom/query.js';
import { isFinished, type TransferJob } from '../../../shared/transfers.js';
import { InputError } from '../../services/nodes/nodes.js';
import { openApiSession } from '../api-session.js';
import type { CommandContext } from '../context.js';
import { CommandFailure } from '../failure.js';
import { SERIES_INSTANCE_UID, STUDY_INSTANCE_UID } from '../../../shared/dicom/tags.js';

/** The UIDs of one key of the identifier (a list match is several). */
function uids(identifier: DataSet, tag: number): string[] {
  const v = identifier.get(tag)?.value;
  return Array.isArray(v) ? v.filter((u): u is string => typeof u === 'string' && u !== '') : [];
}

/** Hands the C-GET to the running serve and waits for its job; the exit code. */
export async function handOffGet(ctx: CommandContext, node: RemoteNode, level: QueryLevel, identifier: DataSet): Promise<number> {
  const config = await ctx.loadConfig();
  const studies = uids(identifier, STUDY_INSTANCE_UID);
  const series = uids(identifier, SERIES_INSTANCE_UID);
  const why = `"priors serve" holds the cache of ${ctx.dataDir} and takes C-GETs of one study or of series of one study`;
  if (!config.nodes.some((n) => n.name === node.name)) {
    throw new InputError(
      `${why} from a configured node: add ${node.aeTitle}@${node.host}:${node.port} with "priors nodes add", or use "priors move", which works alongside it`,
    );
  }
  if ((level !== 'STUDY' && level !== 'SERIES') || studies.length !== 1 || (level === 'SERIES' && series.length === 0)) {
    throw new InputError(
      `${why}: give -k StudyInstanceUID=<uid> (and -k SeriesInstanceUID=<uid> at SERIES level), or use "priors move", which works alongside it`,
    );
  }
  const api = await openApiSession(ctx);
  try {
    const { job } = await api.call('transfers.add', {
      node: node.name,
      method: 'get',
      level,
      StudyInstanceUID: studies[0]!,
      ...(level === 'SERIES' ? { SeriesInstanceUIDs: series } : {}),
      label: 'priors get',
    });
    ctx.log('info', `priors get: job ${job.id} queued in the running priors serve`);
    const done = await follow(ctx, api.call.bind(api), job);
    const p = done.progress;
    const how = done.usedMethod === 'move' ? 'C-MOVE (the node refused C-GET)' : 'C-GET';
    if (done.state !== 'completed') {
      throw new CommandFailure(
        done.verdict
          ? { code: done.verdict.code, sentence: done.verdict.sentence }
          : { code: done.state, sentence: `The retrieve from ${node.aeTitle} ended ${done.state}.` },
        { job: done },
      );
    }
    ctx.result(
      { ok: true, job: done },
      `Retrieved ${p.arrived} instance${p.arrived === 1 ? '' : 's'} from ${node.aeTitle} by ${how} through the running priors serve (job ${done.id})${done.verdict ? `: ${done.verdict.sentence}` : '.'}`,
    );
    return 0;
  } finally {
    await api.close();
  }
}

/** Polls the job until it has ended; Ctrl-C cancels it. */
async function follow(ctx: CommandContext, call: Awaited<ReturnType<typeof openApiSession>>['call'], job: TransferJob): Promise<TransferJob> {
  let current = job;
  let cancelled = false;
  while (!isFinished(current.state)) {
    if (ctx.signal.aborted && !cancelled) {
      cancelled = true;
      current = (await call('transfers.cancel', { id: current.id })).job;
      continue;
    }
    await new Promise((r) => setTimeout(r, 250));
    current = (await call('transfers.list', {})).jobs.find((j) => j.id === job.id) ?? current;
    ctx.log('debug', `get: ${current.progress.arrived} arrived, ${current.progress.completed} completed, ${current.progress.failed} failed`);
  }
  return current;
}
