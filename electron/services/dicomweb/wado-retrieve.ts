/**
 * WADO-RS retrieve (PS3.18 §10.4) of a study, of series or of instances from a DICOMweb node into
 * the cache: the answer, multipart/related; type="application/dicom" (§8.6.1.2), is parsed as it
 * arrives and each part streams into the cache's store path as delivered (part-store.ts), so no
 * study, nor even an instance, is ever held in memory. Asked for `transfer-syntax=*` (§8.7.3.5.2):
 * the instances as the node stores them, not converted. Judged like a C-GET: what the node sent
 * against what was stored here, each refusal with its reason.
 */
import type { RemoteNode } from '../../../shared/config.js';
import { diagnose } from '../../../shared/diagnostics.js';
import { type DataSet, getStrings } from '../../../shared/dicom/dataset.js';
import type { QueryLevel } from '../../../shared/dicom/query.js';
import type { Cache } from '../../cache/index.js';
import type { RetrieveProgress } from '../../dimse/scu/index.js';
import type { StoredEvent } from '../local-scp/handlers.js';
import type { RetrieveReport } from '../retrieve/retrieve.js';
import { badAnswerError, DicomwebError, errorCode, httpTransportError } from './errors.js';
import type { DicomwebClient } from './http.js';
import { MultipartError, parseMediaType, parseMultipart } from './multipart.js';
import { storePart } from './part-store.js';

/** What to retrieve: the level and the identifier of a C-MOVE/C-GET of it (study, series, SOP Instance UIDs). */
export interface WadoSpec {
  node: Pick<RemoteNode, 'name' | 'dicomweb'>;
  level: QueryLevel;
  identifier: DataSet;
}

/** What a WADO-RS retrieve needs. */
export interface WadoEnv {
  client: DicomwebClient;
  cache: Cache;
  signal?: AbortSignal;
  /** Told of each instance stored, with its file's size (the transfer queue counts arrivals and bytes with it). */
  onStored?: (event: StoredEvent, fileSize: number) => void;
  onProgress?: (p: RetrieveProgress) => void;
}

/** The Accept of a WADO-RS retrieve: Part-10 instances in the syntax they are stored in. */
export const WADO_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

const uids = (ds: DataSet, t: number) =>
  getStrings(ds, t)
    .map((v) => v.replace(/[\0 ]+$/, '').trim())
    .filter((v) => v !== '');

/** The resources to ask for (§10.4.1): the study, each series, or each instance. */
export function wadoPaths(level: QueryLevel, identifier: DataSet): string[] {
  const enc = encodeURIComponent;
  const [study] = uids(identifier, 0x0020000d);
  const series = uids(identifier, 0x0020000e);
  const instances = uids(identifier, 0x00080018);
  if (!study) throw new Error('A WADO-RS retrieve needs the Study Instance UID');
  const base = `/studies/${enc(study)}`;
  if (level === 'STUDY' || (level !== 'IMAGE' && series.length === 0)) return [base];
  if (level === 'SERIES') return series.map((s) => `${base}/series/${enc(s)}`);
  if (series.length !== 1) throw new Error('A WADO-RS retrieve of instances needs exactly one Series Instance UID');
  return instances.map((i) => `${base}/series/${enc(series[0]!)}/instances/${enc(i)}`);
}

/** Runs the retrieve; HTTP failures throw (after counting what was stored before them). */
export async function retrieveWado(spec: WadoSpec, env: WadoEnv): Promise<RetrieveReport> {
  const { client, cache } = env;
  const source = spec.node.name.slice(0, 16);
  const association = { id: `wado-${spec.node.name}`, callingAeTitle: source, calledAeTitle: '', peerAddress: new URL(client.baseUrl).hostname, peerPort: 0 };
  let completed = 0;
  let failed = 0;
  const failedSopInstanceUids: string[] = [];
  let firstReason: string | undefined;
  const progress = () => env.onProgress?.({ completed, failed, warning: 0 });
  for (const path of wadoPaths(spec.level, spec.identifier)) {
    if (env.signal?.aborted) break;
    const answer = await client.request('wado', { path, headers: { accept: WADO_ACCEPT }, ...(env.signal ? { signal: env.signal } : {}) });
    const media = parseMediaType(answer.headers['content-type']);
    if (answer.status === 204) {
      answer.body.resume();
      continue;
    }
    if (media.type !== 'multipart/related' || !media.params.boundary) {
      answer.body.destroy();
      throw badAnswerError('wado', answer.url, `${media.type || 'no content type'} instead of multipart/related with a boundary`);
    }
    try {
      for await (const part of parseMultipart(answer.body, media.params.boundary)) {
        const type = parseMediaType(part.headers['content-type'] ?? media.params.type).type;
        if (type !== 'application/dicom') {
          for await (const _ of part.body) {
            /* not an instance */
          }
          failed++;
          firstReason ??= `a part of type ${type || '(none)'} instead of application/dicom`;
          progress();
          continue;
        }
        const stored = await storePart(cache, part.body, { sourceAeTitle: source });
        if (stored.ok) {
          completed++;
          env.onStored?.(
            {
              association,
              sopInstanceUid: stored.sopInstanceUid,
              studyInstanceUid: stored.result.studyInstanceUid,
              seriesInstanceUid: stored.seriesInstanceUid,
              duplicate: stored.result.duplicate,
            },
            stored.result.fileSize,
          );
        } else {
          failed++;
          if (stored.sopInstanceUid) failedSopInstanceUids.push(stored.sopInstanceUid);
          firstReason ??= stored.reason;
        }
        progress();
      }
    } catch (e) {
      if (e instanceof MultipartError) throw badAnswerError('wado', answer.url, `a multipart answer that breaks its syntax (${e.message})`, true);
      // the answer broke off (connection reset, idle timer): a transport failure of the node, not of this disk
      const code = errorCode(e);
      if (!answer.body.complete && !env.signal?.aborted && code && !(e instanceof DicomwebError)) throw httpTransportError('wado', answer.url, code, e);
      throw e;
    }
  }
  const report: RetrieveReport = {
    verdict: env.signal?.aborted ? 'cancelled' : failed === 0 ? 'complete' : completed > 0 ? 'incomplete' : 'failed',
    method: 'wado',
    status: 0,
    statusName: failed === 0 ? 'Success' : 'Failure',
    claimed: { completed, failed, warning: 0 },
    arrived: completed,
    failedSopInstanceUids,
  };
  if (report.verdict === 'cancelled') report.diagnosis = diagnose({ kind: 'cancelled', service: 'wado' });
  else if (failed > 0) {
    report.diagnosis = {
      code: 'wado-not-stored',
      sentence: `${failed} of ${completed + failed} instances sent by ${spec.node.name} (${client.baseUrl}) by WADO-RS could not be stored here: ${firstReason ?? 'see the log'}.`,
    };
  }
  return report;
}
