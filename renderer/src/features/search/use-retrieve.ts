/**
 * Retrieve from the Search screen: queues transfers (transfers.add; the node's method, MOVE or
 * GET, is the default and the queue falls back GET→MOVE and skips cached instances) from the
 * node `nodeFor` names for each study (of a search of several nodes: the one the user picked
 * in "Held by", else the first that answered, said in the job's label), and
 * follows the job events to mark each study row queued / running / done and to update its
 * cache badge when a job ends.
 */
import { useCallback, useMemo, useState } from 'react';
import { type TransferJob, isFinished, newerJob } from '../../../../shared/transfers.js';
import { useApiEvents, useTransport } from '../../app/api-context.js';
import { formatDicomDate, formatPersonName } from '../../lib/format.js';
import { type CacheState, type StudyRow, cacheAfterTransfer } from './study-rows.js';

/** Where a study is retrieved from, and for a search of several nodes why that node (said in the job). */
export type RetrieveFrom = (row: StudyRow) => { node: string; why?: string } | undefined;

export function useRetrieve(nodeFor: RetrieveFrom, setCache: (uid: string, update: (row: StudyRow) => CacheState) => void, setNotice: (text: string) => void) {
  const transport = useTransport();
  const [jobs, setJobs] = useState<ReadonlyMap<string, TransferJob>>(new Map());
  // the last job of each study; of two copies of one job (the add answer, an event) the newer
  const take = useCallback(
    (job: TransferJob) =>
      setJobs((m) => {
        const held = m.get(job.StudyInstanceUID);
        const kept = held?.id === job.id ? newerJob(held, job) : job;
        return kept === held ? m : new Map(m).set(job.StudyInstanceUID, kept);
      }),
    [],
  );
  const transfers = useMemo(() => new Map([...jobs].map(([uid, job]) => [uid, job.state])), [jobs]);

  useApiEvents((event) => {
    if (event.type !== 'job.added' && event.type !== 'job.progress' && event.type !== 'job.finished') return;
    const { job } = event;
    take(job);
    if (isFinished(job.state)) setCache(job.StudyInstanceUID, (row) => cacheAfterTransfer(row.cache, job));
  });

  /**
   * Queues the rows' retrieves (`firstSeries`: a series of a study retrieve to fetch before the
   * others); answers how many were queued (0 when one was refused, said in the notice).
   */
  const add = useCallback(
    async (rows: StudyRow[], series?: string[], firstSeries?: string): Promise<number> => {
      let queued = 0;
      for (const row of rows) {
        const from = nodeFor(row);
        if (!from) {
          setNotice('These studies are in the local cache already.');
          return 0;
        }
        const label =
          `${formatPersonName(row.PatientName)} — ${row.StudyDescription || 'study'} ${formatDicomDate(row.StudyDate)}${from.why ? ` from ${from.node} (${from.why})` : ''}`.trim();
        const r = await transport.call(
          'transfers.add',
          series
            ? { node: from.node, level: 'SERIES', StudyInstanceUID: row.StudyInstanceUID, SeriesInstanceUIDs: series, label }
            : {
                node: from.node,
                level: 'STUDY',
                StudyInstanceUID: row.StudyInstanceUID,
                label,
                ...(row.NumberOfStudyRelatedInstances !== undefined ? { expected: row.NumberOfStudyRelatedInstances } : {}),
                ...(firstSeries ? { firstSeries } : {}),
              },
        );
        if (!r.ok) {
          setNotice(r.error.message);
          return 0;
        }
        take(r.value.job);
        queued++;
      }
      setNotice(queued === 1 ? 'Retrieve queued: see Transfers (Alt+2).' : `${queued} retrieves queued: see Transfers (Alt+2).`);
      return queued;
    },
    [nodeFor, transport, setNotice, take],
  );

  return { transfers, retrieve: add };
}
