/**
 * The DICOMweb counterpart of C-ECHO: a QIDO-RS search for one study (`/studies?limit=1`,
 * PS3.18 §10.6), which checks the URL, the authentication and that a DICOMweb service answers.
 */
import type { DicomwebSettings } from '../../../shared/config.js';
import type { ScuOptions } from '../../dimse/scu/index.js';
import { badAnswerError } from './errors.js';
import { DicomwebClient } from './http.js';
import { webOptions } from './search.js';

/** How the probe went: the time to the answer and the HTTP status. */
export interface ProbeResult {
  elapsedMs: number;
  status: number;
  /** The URL asked. */
  url: string;
}

/** Probes the node; throws a DicomwebError (a sentence with the fix) when it does not answer as a QIDO-RS service. */
export async function probeDicomweb(settings: DicomwebSettings, options: Pick<ScuOptions, 'timeouts' | 'log' | 'signal'>): Promise<ProbeResult> {
  const client = new DicomwebClient(settings, webOptions(options));
  const started = performance.now();
  try {
    const query = new URLSearchParams({ limit: '1' });
    const answer = await client.request('echo', {
      path: '/studies',
      query,
      headers: { accept: 'application/dicom+json' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const body = await client.json('echo', answer);
    // an array of study IDs is what Orthanc's own REST API answers at /studies: not the DICOMweb root
    if (body !== undefined && (!Array.isArray(body) || body.some((m) => typeof m !== 'object' || m === null || Array.isArray(m)))) {
      throw badAnswerError('echo', answer.url, 'JSON that is not an array of studies in the DICOM JSON model (PS3.18 F.2)');
    }
    return { elapsedMs: Math.round(performance.now() - started), status: answer.status, url: answer.url };
  } finally {
    client.close();
  }
}
