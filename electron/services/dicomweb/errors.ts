/**
 * What can go wrong talking to a DICOMweb node, as errors that describe themselves for
 * shared/diagnostics.ts (services/nodes/diagnose.ts asks them): the node's HTTP status, a
 * connection that failed, an answer that is not what the service gives.
 */
import type { WebFailure, WebService } from '../../../shared/diagnostics-web.js';

/** A DICOMweb failure; `describe()` is its plain description. */
export class DicomwebError extends Error {
  constructor(
    readonly failure: WebFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DicomwebError';
  }

  describe(): WebFailure {
    return this.failure;
  }
}

/** The node answered with an HTTP error status. */
export function httpStatusError(
  service: WebService,
  url: string,
  status: number,
  detail: string | undefined,
  auth: 'basic' | 'bearer' | 'none',
): DicomwebError {
  return new DicomwebError({ kind: 'http', service, url, status, ...(detail ? { detail } : {}), auth }, `HTTP ${status} from ${url}`);
}

/** No HTTP answer: the Node error code, or our own timer's (ECONNECT_TIMEOUT, ERESPONSE_TIMEOUT). */
export function httpTransportError(service: WebService, url: string, code: string, cause?: unknown, ms?: number): DicomwebError {
  return new DicomwebError({ kind: 'http-transport', service, url, code, ...(ms !== undefined ? { ms } : {}) }, `${code} on ${url}`, { cause });
}

/** An answer that breaks the service's promise (media type, JSON, multipart framing). */
export function badAnswerError(service: WebService, url: string, problem: string, midway = false): DicomwebError {
  return new DicomwebError({ kind: 'http-answer', service, url, problem, ...(midway ? { midway } : {}) }, `${url}: ${problem}`);
}

/** The Node error code of an error or of its first cause that has one. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    e = e.cause;
  }
  return undefined;
}
