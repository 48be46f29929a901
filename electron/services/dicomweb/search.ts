/**
 * A search of a DICOMweb node as services/query/query.ts's searchRemote runs it: a client for the
 * node with the SCU options' timers and log, the QIDO-RS search, and the client closed after.
 */
import type { DicomwebSettings } from '../../../shared/config.js';
import type { DataSet } from '../../../shared/dicom/dataset.js';
import type { QueryLevel } from '../../../shared/dicom/query.js';
import type { ScuOptions } from '../../dimse/scu/index.js';
import type { MatchRow } from '../query/query-keys.js';
import type { SearchResult } from '../query/query.js';
import { DicomwebClient, type DicomwebClientOptions } from './http.js';
import { qidoSearch } from './qido.js';

/** The HTTP timers and log of a DICOMweb client, from SCU options: the connect timer, and the DIMSE timer as the idle one. */
export function webOptions(options: Pick<ScuOptions, 'timeouts' | 'log'>): DicomwebClientOptions {
  return {
    timeouts: {
      ...(options.timeouts?.connectMs !== undefined ? { connectMs: options.timeouts.connectMs } : {}),
      ...(options.timeouts?.dimseMs !== undefined ? { idleMs: options.timeouts.dimseMs } : {}),
    },
    ...(options.log ? { log: options.log } : {}),
  };
}

/** QIDO-RS search of a node; HTTP failures throw (DicomwebError), as association failures do for C-FIND. */
export async function searchDicomweb(
  settings: DicomwebSettings,
  level: QueryLevel,
  identifier: DataSet,
  options: ScuOptions & { limit?: number; onRow?: (row: MatchRow) => void },
): Promise<SearchResult> {
  const client = new DicomwebClient(settings, webOptions(options));
  try {
    return await qidoSearch(client, level, identifier, {
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onRow ? { onRow: options.onRow } : {}),
    });
  } finally {
    client.close();
  }
}
