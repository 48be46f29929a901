/**
 * A send to a DICOMweb node (STOW-RS, stow.ts) as `priors send` and the app's send run it: a client
 * with the SCU options' timers, the outgoing transcoder for instances the node refuses in their
 * stored syntax, and the report in sentences.
 */
import type { DicomwebSettings } from '../../../shared/config.js';
import { uidName } from '../../../shared/dicom/uids.js';
import type { InstanceSource } from '../../../shared/records.js';
import type { ScuOptions } from '../../dimse/scu/index.js';
import { outgoingTranscoder } from '../transcode/index.js';
import { DicomwebClient } from './http.js';
import { webOptions } from './search.js';
import { failureReasonText, stowInstances, type StowReport } from './stow.js';

/** Sends by STOW-RS; HTTP failures throw (DicomwebError). */
export async function sendByStow(
  settings: DicomwebSettings,
  instances: readonly InstanceSource[],
  options: Pick<ScuOptions, 'timeouts' | 'log' | 'signal'> & { onProgress?: (done: number, total: number) => void },
): Promise<StowReport> {
  const client = new DicomwebClient(settings, webOptions(options));
  try {
    return await stowInstances(client, instances, {
      transcoder: outgoingTranscoder(),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    client.close();
  }
}

/** The sentence of instances the node did not store, or undefined when it stored all. */
export function stowFailureSentence(url: string, report: StowReport, total: number): string | undefined {
  const bad = report.results.filter((r) => r.outcome === 'failed');
  if (bad.length === 0) return undefined;
  const first = bad[0]!;
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more)` : '';
  const fix =
    first.reason !== undefined && (first.reason & 0xff00) === 0xa700
      ? 'free space on it or raise its quota'
      : first.reason === 0xc122
        ? 'it takes neither the stored transfer syntax nor Explicit VR Little Endian'
        : 'its log says why';
  return `${url} did not store ${bad.length} of ${total} instance${total === 1 ? '' : 's'} sent by STOW-RS: ${first.sopInstanceUid} was refused, ${failureReasonText(first.reason)}${more}; ${fix}.`;
}

/** What was sent, in one sentence (with the conversions made, if any). */
export function stowSummary(name: string, report: StowReport): string {
  const warn = report.warnings ? ` (${report.warnings} with warnings)` : '';
  const conv = report.converted
    ? `; ${report.converted} refused in their stored transfer syntax were sent again converted to ${uidName('1.2.840.10008.1.2.1')}`
    : '';
  return `Sent ${report.sent} instance${report.sent === 1 ? '' : 's'} to ${name} by STOW-RS${warn}${conv}.`;
}
