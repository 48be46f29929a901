/**
 * `priors get` and `priors move` of a DICOMweb node: a WADO-RS retrieve (PS3.18 §10.4) of a study or
 * of series, queued in the transfer queue of the running `priors serve` (so the instances go into
 * the cache it owns, as a C-MOVE to it does), or of this command's own core when none runs; the
 * job's verified verdict (expected, from QIDO-RS, against what is in the cache) is the answer.
 */
import type { RemoteNode } from '../../../shared/config.js';
import { getStrings, type DataSet } from '../../../shared/dicom/dataset.js';
import type { QueryLevel } from '../../../shared/dicom/query.js';
import type { TransferJob } from '../../../shared/transfers.js';
import { InputError } from '../../services/nodes/nodes.js';
import { searchRemote, searchSucceeded } from '../../services/query/query.js';
import { openApiSession, type ApiSession } from '../api-session.js';
import type { CommandContext } from '../context.js';
import { CommandFailure } from '../failure.js';
import { NUMBER_OF_SERIES_RELATED_INSTANCES, NUMBER_OF_STUDY_RELATED_INSTANCES, SERIES_INSTANCE_UID, STUDY_INSTANCE_UID } from '../../../shared/dicom/tags.js';

const uidsOf = (ds: DataSet, t: number) =>
  getStrings(ds, t)
    .map((v) => v.trim())
    .filter((v) => v !== '');

/** The instances the node lists for the study or series (NumberOf…RelatedInstances by QIDO-RS), when it says. */
async function expectedCount(ctx: CommandContext, node: RemoteNode, level: 'STUDY' | 'SERIES', study: string, series: string[]): Promise<number | undefined> {
  const keys: DataSet = new Map([[STUDY_INSTANCE_UID, { vr: 'UI', value: [study] }]]);
  if (level === 'SERIES') keys.set(SERIES_INSTANCE_UID, { vr: 'UI', value: series });
  const count = level === 'STUDY' ? NUMBER_OF_STUDY_RELATED_INSTANCES : NUMBER_OF_SERIES_RELATED_INSTANCES;
  keys.set(count, { vr: 'IS', value: [] });
  try {
    const found = await searchRemote(
      { ...node, protocol: 'dicomweb' },
      { model: 'study', level, keys, defaultReturnKeys: false, relational: true },
      await ctx.scuOptions(),
    );
    if (!searchSucceeded(found)) return undefined;
    const n = found.rows.reduce((sum, r) => sum + Number(r[level === 'STUDY' ? 'NumberOfStudyRelatedInstances' : 'NumberOfSeriesRelatedInstances'] || NaN), 0);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined; // the retrieve says what fails
  }
}

/** Runs the retrieve as a transfer job and waits for its verdict. */
export async function webRetrieveCommand(ctx: CommandContext, node: RemoteNode, level: QueryLevel, identifier: DataSet): Promise<number> {
  if (level !== 'STUDY' && level !== 'SERIES') {
    throw new InputError(
      `A DICOMweb node is retrieved from by study or series (WADO-RS): give -k StudyInstanceUID=<uid> [-k SeriesInstanceUID=<uid>], not a ${level}-level retrieve`,
    );
  }
  const [study] = uidsOf(identifier, STUDY_INSTANCE_UID);
  const series = uidsOf(identifier, SERIES_INSTANCE_UID);
  if (!study) throw new InputError('Give the study: -k StudyInstanceUID=<uid> (WADO-RS retrieves studies and series of a study)');
  const expected = await expectedCount(ctx, node, level, study, series);
  const api = await openApiSession(ctx);
  try {
    const { job } = await api.call('transfers.add', {
      node: node.name,
      method: 'wado',
      level,
      StudyInstanceUID: study,
      ...(level === 'SERIES' ? { SeriesInstanceUIDs: series } : {}),
      ...(expected !== undefined ? { expected } : {}),
      label: `priors retrieve from ${node.name}`,
    });
    ctx.log('info', `WADO-RS retrieve of study ${study} from ${node.name} queued as job ${job.id}${api.remote ? ' in the running "priors serve"' : ''}`);
    const done = await waitForJob(ctx, api, job);
    const details = {
      job: done.id,
      state: done.state,
      method: done.usedMethod ?? done.method,
      arrived: done.progress.arrived,
      skipped: done.progress.skipped,
      expected: done.expected,
    };
    if (done.state !== 'completed') {
      throw new CommandFailure(done.verdict ?? { code: done.state, sentence: `The retrieve from ${node.name} ended ${done.state}.` }, details);
    }
    ctx.result({ ok: true, ...details, verdict: done.verdict }, done.verdict?.sentence ?? `Retrieved ${done.progress.arrived} instances from ${node.name}.`);
    return 0;
  } finally {
    await api.close();
  }
}

/** Until the job has ended (events of our own core, or polling the running serve); an interrupt cancels it. */
function waitForJob(ctx: CommandContext, api: ApiSession, job: TransferJob): Promise<TransferJob> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const finish = (j: TransferJob) => {
      if (ended) return;
      ended = true;
      off();
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(j);
    };
    const onAbort = () => {
      void api.call('transfers.cancel', { id: job.id }).catch(() => undefined);
    };
    const off = api.subscribe((e) => {
      if (e.type === 'job.finished' && e.job.id === job.id) finish(e.job);
    });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (!api.remote) return;
    const poll = async () => {
      try {
        const { jobs } = await api.call('transfers.list', {});
        const now = jobs.find((j) => j.id === job.id);
        if (now && ['completed', 'incomplete', 'failed', 'cancelled'].includes(now.state)) return finish(now);
      } catch {
        /* the serve went away: try again until interrupted */
      }
      timer = setTimeout(() => {
        void poll();
      }, 300);
    };
    void poll();
  });
}
