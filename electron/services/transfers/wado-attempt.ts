/**
 * A job's attempt by WADO-RS (PS3.18 §10.4) from a DICOMweb node, and the fallback chain of a node
 * that has both protocols: C-GET, then C-MOVE (run-job.ts), then WADO-RS. The same plan as a
 * DIMSE attempt (plan.ts: what the cache lacks, asked of the node by QIDO-RS), the same progress
 * and the same verdict (verdict.ts: what was expected against what is in the cache), the
 * sentence naming what worked and what failed before it.
 */
import type { TransferJob } from '../../../shared/transfers.js';
import type { Cache } from '../../cache/index.js';
import type { ScuOptions } from '../../dimse/scu/index.js';
import { DicomwebClient } from '../dicomweb/http.js';
import { webOptions } from '../dicomweb/search.js';
import { retrieveWado } from '../dicomweb/wado-retrieve.js';
import type { StoredEvent } from '../local-scp/handlers.js';
import { diagnoseError } from '../nodes/diagnose.js';
import type { RetrieveReport } from '../retrieve/retrieve.js';
import { missingSteps, remoteInstances, studySeries, wholeJob, type RetrieveStep } from './plan.js';
import type { RemoteNode } from '../../../shared/config.js';
import { runAttempt, type AttemptContext, type AttemptResult } from './run-job.js';
import { judgeJob, METHOD_NAMES } from './verdict.js';

/**
 * Runs a job by its method; when the node also has a DICOMweb URL and C-GET/C-MOVE did not bring
 * everything (refused, nothing listening, incomplete), what is missing is fetched by WADO-RS.
 */
export async function runWithFallback(ctx: AttemptContext, job: TransferJob, signal: AbortSignal): Promise<AttemptResult> {
  if (ctx.method === 'wado') return runWadoAttempt(ctx, job, signal);
  const dimse = await runAttempt(ctx, job, signal);
  const tryWado = ctx.node.dicomweb && !signal.aborted && (dimse.state === 'failed' || dimse.state === 'incomplete') && dimse.verdict.code !== 'cache-full';
  if (!tryWado) return dimse;
  ctx.scu.log?.(
    'info',
    `retrieve of study ${job.StudyInstanceUID} from ${ctx.node.name}: ${METHOD_NAMES[dimse.usedMethod]} failed (${dimse.verdict.sentence}); trying WADO-RS at ${ctx.node.dicomweb!.url}`,
  );
  return runWadoAttempt(ctx, job, signal, { method: dimse.usedMethod, sentence: dimse.verdict.sentence });
}

function cachedUids(cache: Cache, job: TransferJob): Set<string> {
  const rows = job.level === 'SERIES' ? cache.instancesFor('SERIES', job.SeriesInstanceUIDs) : cache.instancesFor('STUDY', [job.StudyInstanceUID]);
  return new Set(rows.map((r) => r.sopInstanceUid));
}

/** One attempt by WADO-RS; never throws (failures become the verdict). */
export async function runWadoAttempt(
  ctx: AttemptContext,
  job: TransferJob,
  signal: AbortSignal,
  after?: { method: AttemptResult['usedMethod']; sentence: string },
): Promise<AttemptResult> {
  const { cache, node } = ctx;
  const startedAt = Date.now();
  const before = cachedUids(cache, job);
  const skipped = before.size;
  const seen = new Set<string>();
  let bytes = 0;
  let done = { completed: 0, failed: 0 };
  let last = { completed: 0, failed: 0 };
  const report = () =>
    ctx.onProgress(
      {
        completed: done.completed + last.completed,
        failed: done.failed + last.failed,
        warning: 0,
        arrived: seen.size,
        skipped,
        bytes,
      },
      'wado',
    );
  // the size comes with the event: a lookup in the index per instance would commit its queued rows each time
  const onStored = (e: StoredEvent, fileSize: number) => {
    if (before.has(e.sopInstanceUid) || seen.has(e.sopInstanceUid)) return;
    seen.add(e.sopInstanceUid);
    bytes += fileSize;
  };
  const reports: RetrieveReport[] = [];
  let error: unknown;
  let client: DicomwebClient | undefined;
  try {
    if (!node.dicomweb) throw new Error(`Node ${node.name} has no DICOMweb URL to retrieve from by WADO-RS`);
    report();
    const scu: ScuOptions = { ...ctx.scu, signal };
    client = new DicomwebClient(node.dicomweb, webOptions(scu));
    let steps: RetrieveStep[] = wholeJob(job);
    if (skipped > 0 && (job.expected === undefined || skipped < job.expected)) {
      // what the node holds, asked by QIDO-RS whatever protocol the node is searched by
      const remote = await remoteInstances({ ...node, protocol: 'dicomweb' }, job, scu).catch(() => undefined);
      if (remote) steps = missingSteps(job.StudyInstanceUID, remote, before);
    } else if (skipped > 0) {
      steps = [];
    }
    if (job.firstSeries) steps = await firstSeriesFirst(node, job, steps, scu);
    for (const step of steps) {
      if (signal.aborted) break;
      const r = await retrieveWado(
        { node, level: step.level, identifier: step.identifier },
        {
          client,
          cache,
          signal,
          onStored,
          onProgress: (p) => {
            last = { completed: p.completed, failed: p.failed };
            report();
          },
        },
      );
      reports.push(r);
      done = { completed: done.completed + r.claimed.completed, failed: done.failed + r.claimed.failed };
      last = { completed: 0, failed: 0 };
    }
  } catch (err) {
    error = err;
  } finally {
    client?.close();
  }
  const cancelled = signal.aborted || reports.some((r) => r.verdict === 'cancelled');
  const refusal = cache.stats().lastRefusal;
  const { state, verdict } = judgeJob({
    nodeAeTitle: node.name,
    method: 'wado',
    fellBack: false,
    reports,
    cancelled,
    skipped,
    arrived: seen.size,
    cachedAfter: cachedUids(cache, job).size,
    ...(job.expected !== undefined ? { expected: job.expected } : {}),
    ...(refusal && refusal.at >= startedAt ? { refusedHere: refusal.sentence } : {}),
    ...(error !== undefined && !cancelled ? { error: diagnoseError(error, { service: 'get', node }) } : {}),
    ...(after ? { after } : {}),
  });
  // the DIMSE failure is said too when WADO-RS did not save the job
  const sentence =
    after && state !== 'completed' && state !== 'cancelled'
      ? `${METHOD_NAMES[after.method]} failed: ${after.sentence} Then WADO-RS failed too: ${verdict.sentence}`
      : verdict.sentence;
  return {
    state,
    verdict: { code: verdict.code, sentence },
    usedMethod: 'wado',
    progress: { ...done, warning: 0, arrived: seen.size, skipped, bytes, remaining: 0 },
  };
}

/**
 * The series a viewer waits for (TransferRequest.firstSeries) before the others: a whole study
 * becomes one request per series (QIDO-RS says which), that series' first; the other steps are
 * put after the ones of that series. Unchanged when the node cannot list the series.
 */
async function firstSeriesFirst(node: RemoteNode, job: TransferJob, steps: RetrieveStep[], scu: ScuOptions): Promise<RetrieveStep[]> {
  let out = steps;
  if (steps.length === 1 && steps[0]!.level === 'STUDY') {
    out = (await studySeries({ ...node, protocol: 'dicomweb' }, job.StudyInstanceUID, scu).catch(() => undefined)) ?? steps;
  }
  const first = out.filter((s) => s.SeriesInstanceUID === job.firstSeries);
  return [...first, ...out.filter((s) => s.SeriesInstanceUID !== job.firstSeries)];
}
