/**
 * What a job still has to fetch, so that instances already in the cache are not fetched again.
 *
 * The choice (documented for the UI and the report): the cache is asked first, which costs
 * nothing. When it holds none of the job's instances, the job is one C-MOVE/C-GET at its own
 * level. When it holds all the query announced, nothing is fetched. Only in between is the PACS
 * asked, by C-FIND, for the SOP Instance UIDs: SERIES level for the study's series, then IMAGE
 * level per series (hierarchical: one Study and one Series UID above, PS3.4 C.4.1.2.1). A series
 * with nothing cached is fetched at SERIES level, a partly cached one at IMAGE level with the
 * list of its missing SOP Instance UIDs (UID list matching, PS3.4 C.2.2.2.2, allowed in the
 * identifier of C-MOVE and C-GET, C.4.2.2.1 and C.4.3.2.1). Should the C-FIND fail, the job
 * fetches everything (duplicates replace the cached copies).
 */
import type { RemoteNode } from '../../../shared/config.js';
import { type DataSet, setString } from '../../../shared/dicom/dataset.js';
import type { QueryLevel } from '../../../shared/dicom/query.js';
import type { TransferJob } from '../../../shared/transfers.js';
import type { ScuOptions } from '../../dimse/scu/index.js';
import { searchRemote, searchSucceeded } from '../query/query.js';
import { INSTANCE_NUMBER, NUMBER_OF_SERIES_RELATED_INSTANCES, SERIES_INSTANCE_UID, SOP_INSTANCE_UID, STUDY_INSTANCE_UID } from '../../../shared/dicom/tags.js';

/** Most SOP Instance UIDs in one IMAGE-level identifier (keeps the PDU and the PACS's SQL small). */
export const UIDS_PER_REQUEST = 200;

/** One C-MOVE/C-GET of a job. */
export interface RetrieveStep {
  level: QueryLevel;
  identifier: DataSet;
  /** The one series the step retrieves (of it), when it names one. */
  SeriesInstanceUID?: string;
}

/** The identifier of a retrieve of a study, of series of it, or of instances of one series. */
export function stepIdentifier(study: string, series?: readonly string[], instances?: readonly string[]): DataSet {
  const ds: DataSet = new Map();
  setString(ds, STUDY_INSTANCE_UID, 'UI', study);
  if (series?.length) setString(ds, SERIES_INSTANCE_UID, 'UI', [...series]);
  if (instances?.length) setString(ds, SOP_INSTANCE_UID, 'UI', [...instances]);
  return ds;
}

/** The whole job as one step. */
export function wholeJob(job: Pick<TransferJob, 'level' | 'StudyInstanceUID' | 'SeriesInstanceUIDs'>): RetrieveStep[] {
  return [{ level: job.level, identifier: stepIdentifier(job.StudyInstanceUID, job.level === 'SERIES' ? job.SeriesInstanceUIDs : undefined) }];
}

/** The steps for what the cache lacks, given the PACS's instances per series. */
export function missingSteps(study: string, remote: ReadonlyMap<string, readonly string[]>, cached: ReadonlySet<string>): RetrieveStep[] {
  const steps: RetrieveStep[] = [];
  for (const [series, instances] of remote) {
    const missing = instances.filter((uid) => !cached.has(uid));
    if (missing.length === 0) continue;
    if (missing.length === instances.length) {
      steps.push({ level: 'SERIES', identifier: stepIdentifier(study, [series]), SeriesInstanceUID: series });
      continue;
    }
    for (let i = 0; i < missing.length; i += UIDS_PER_REQUEST) {
      steps.push({ level: 'IMAGE', identifier: stepIdentifier(study, [series], missing.slice(i, i + UIDS_PER_REQUEST)), SeriesInstanceUID: series });
    }
  }
  return steps;
}

/**
 * The PACS's SOP Instance UIDs of the job, per series (two levels of C-FIND), or undefined when
 * a C-FIND does not succeed.
 */
export async function remoteInstances(
  node: RemoteNode,
  job: Pick<TransferJob, 'level' | 'StudyInstanceUID' | 'SeriesInstanceUIDs'>,
  scu: ScuOptions,
): Promise<Map<string, string[]> | undefined> {
  let series = job.level === 'SERIES' ? [...job.SeriesInstanceUIDs] : undefined;
  const model = 'study'; // Study Root: a job knows its study, not always its patient (see TRANSFER_MODEL)
  if (!series) {
    const keys = stepIdentifier(job.StudyInstanceUID);
    setString(keys, SERIES_INSTANCE_UID, 'UI', undefined);
    const found = await searchRemote(node, { model, level: 'SERIES', keys, defaultReturnKeys: false }, scu);
    if (!searchSucceeded(found)) return undefined;
    series = found.rows.map((r) => r.SeriesInstanceUID).filter((u): u is string => !!u);
  }
  const out = new Map<string, string[]>();
  for (const s of series) {
    const keys = stepIdentifier(job.StudyInstanceUID, [s]);
    setString(keys, SOP_INSTANCE_UID, 'UI', undefined);
    const found = await searchRemote(node, { model, level: 'IMAGE', keys, defaultReturnKeys: false }, scu);
    if (!searchSucceeded(found)) return undefined;
    out.set(
      s,
      found.rows.map((r) => r.SOPInstanceUID).filter((u): u is string => !!u),
    );
  }
  return out;
}

/**
 * A whole study as one SERIES-level step per series, the largest first so that the associations
 * side by side end together (C-FIND at SERIES level with Number of Series Related Instances);
 * undefined when the C-FIND does not succeed.
 */
export async function studySeries(node: RemoteNode, study: string, scu: ScuOptions): Promise<RetrieveStep[] | undefined> {
  const keys = stepIdentifier(study);
  setString(keys, SERIES_INSTANCE_UID, 'UI', undefined);
  setString(keys, NUMBER_OF_SERIES_RELATED_INSTANCES, 'IS', undefined);
  const found = await searchRemote(node, { model: 'study', level: 'SERIES', keys, defaultReturnKeys: false }, scu);
  if (!searchSucceeded(found)) return undefined;
  const series = found.rows
    .filter((r) => r.SeriesInstanceUID)
    .map((r) => ({ uid: r.SeriesInstanceUID!, count: Number(r.NumberOfSeriesRelatedInstances ?? 0) || 0 }));
  series.sort((a, b) => b.count - a.count);
  return series.map((s) => ({ level: 'SERIES', identifier: stepIdentifier(study, [s.uid]), SeriesInstanceUID: s.uid }));
}

/**
 * The SOP Instance UIDs of one series on the PACS in Instance Number order (C-FIND at IMAGE
 * level), or undefined when the C-FIND does not succeed.
 */
export async function seriesInstances(node: RemoteNode, study: string, series: string, scu: ScuOptions): Promise<string[] | undefined> {
  const keys = stepIdentifier(study, [series]);
  setString(keys, SOP_INSTANCE_UID, 'UI', undefined);
  setString(keys, INSTANCE_NUMBER, 'IS', undefined);
  const found = await searchRemote(node, { model: 'study', level: 'IMAGE', keys, defaultReturnKeys: false }, scu);
  if (!searchSucceeded(found)) return undefined;
  const rows = found.rows.filter((r) => r.SOPInstanceUID).map((r, i) => ({ uid: r.SOPInstanceUID!, n: Number(r.InstanceNumber), i }));
  // without an Instance Number, the PACS's order
  rows.sort((a, b) => (Number.isFinite(a.n) && Number.isFinite(b.n) ? a.n - b.n : 0) || a.i - b.i);
  return rows.map((r) => r.uid);
}

/**
 * `uids` (in stack order) cut into `parts` runs (more when a run would pass {@link UIDS_PER_REQUEST}) of neighbours, the run holding the middle
 * of the stack first, then those beside it alternately outwards: the slice a viewer opens on
 * comes first, and its neighbours next.
 */
export function middleOut(uids: readonly string[], parts: number): string[][] {
  // no run longer than one identifier takes
  const n = Math.max(1, Math.min(uids.length, Math.max(parts, Math.ceil(uids.length / UIDS_PER_REQUEST))));
  const size = Math.ceil(uids.length / n);
  const runs: string[][] = [];
  for (let i = 0; i < uids.length; i += size) runs.push(uids.slice(i, i + size));
  const middle = Math.min(runs.length - 1, Math.floor(Math.floor(uids.length / 2) / size));
  const order: string[][] = [];
  for (let d = 0; order.length < runs.length; d++) {
    if (middle + d < runs.length) order.push(runs[middle + d]!);
    if (d > 0 && middle - d >= 0) order.push(runs[middle - d]!);
  }
  return order;
}

/**
 * The steps with the series a viewer waits for first (`first`, a SeriesInstanceUID of the job):
 * its steps lead and `leading` says how many, the others keep their order. A series fetched
 * whole is cut into `parts` IMAGE-level retrieves of neighbouring instances (`instances`, in
 * stack order), from the middle of the stack outwards, so that it comes over every association
 * the job has; the other series start when it has arrived.
 */
export function firstSeriesSteps(
  study: string,
  steps: readonly RetrieveStep[],
  first: string,
  parts: number,
  instances?: readonly string[],
): { steps: RetrieveStep[]; leading: number } {
  const mine = steps.filter((s) => s.SeriesInstanceUID === first);
  const others = steps.filter((s) => s.SeriesInstanceUID !== first);
  if (mine.length === 0) return { steps: [...steps], leading: 0 };
  const whole = mine.length === 1 && mine[0]!.level === 'SERIES';
  const lead =
    whole && instances && instances.length > 1 && parts > 1
      ? middleOut(instances, parts).map((run): RetrieveStep => ({ level: 'IMAGE', identifier: stepIdentifier(study, [first], run), SeriesInstanceUID: first }))
      : mine;
  return { steps: [...lead, ...others], leading: lead.length };
}
