/**
 * The one error type of the cache. `code` says what went wrong so the caller can answer with
 * the right DICOM status: ENOSPC, EDQUOT (file system full or over the user's quota) and
 * EQUOTA (over the cache's own quota) become A700 "Out of Resources" in the Storage SCP.
 */

/** The codes a {@link CacheError} carries. Node's own errno codes pass through unchanged. */
export type CacheErrorCode =
  | 'ENOSPC' // no space left on the device
  | 'EDQUOT' // file system quota exceeded
  | 'EQUOTA' // the cache's maxBytes would be exceeded and no study could be evicted
  | 'EFREESPACE' // the data directory's disk would fall below minFreeBytes and no study could be evicted
  | 'EUID' // a Study, Series or SOP Instance UID is not a valid UID (PS3.5 §9.1): never a path
  | 'EINVALID' // not a DICOM instance the cache can index (unreadable, or lacking a UID)
  | 'EMISMATCH' // the data set's SOP Instance UID differs from the one announced
  | 'ENOTFOUND' // no such study, series or instance
  | 'ELOCKED' // another live process has the cache open
  | 'ESCHEMA' // the index was written by a newer version of Priors
  | 'ECLOSED' // the cache or writer was closed
  | 'EINDEX' // the index could not record an instance (a lock, an I/O error, damage)
  | 'EREBUILDING' // the index is being rebuilt from the files (after damage): stores are refused meanwhile
  | (string & {});

/** An error of the cache, with a code and, when it wraps one, the original error as `cause`. */
export class CacheError extends Error {
  constructor(
    readonly code: CacheErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CacheError';
  }
}

/** The codes that mean "no room": the A700 Out of Resources cases (PS3.4 B.2.3). */
const OUT_OF_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EQUOTA', 'EFREESPACE', 'SQLITE_FULL']);

/** Whether an error means the disk (or the cache quota) is full: the A700 cases. */
export function isOutOfSpace(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && OUT_OF_SPACE.has(code);
}

/** Wraps a file system error as a CacheError that keeps its `code` (ENOSPC, EDQUOT, EACCES…). */
export function fsError(e: unknown, what: string): CacheError {
  if (e instanceof CacheError) return e;
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'EIO';
  const detail = e instanceof Error ? e.message : String(e);
  return new CacheError(code, `${what}: ${detail}`, { cause: e });
}
