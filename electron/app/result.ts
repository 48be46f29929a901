/**
 * Results of the API (shared/api/contract.ts) from what the services return or throw: payload errors,
 * the catalog codes of shared/errors.ts, and failures turned into one sentence by diagnose.ts.
 */
import type { Result } from '../../shared/api/contract.js';
import { PayloadError } from '../../shared/api/validate.js';
import { apiError, toApiError, type ApiError, type ErrorCode } from '../../shared/errors.js';
import { diagnoseError, type FailureContext } from '../services/nodes/diagnose.js';

/** A success. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failure with a code of the catalog. */
export function fail<T>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: apiError(code, message) };
}

/** Thrown inside a handler to answer with this error (not-found, unavailable, ...). */
export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'ApiFailure';
  }
}

/** The API error of anything thrown, with what is known of the operation for the sentence. */
export function errorOf(err: unknown, ctx: FailureContext = {}): ApiError {
  if (err instanceof ApiFailure) return err.error;
  if (err instanceof PayloadError) return apiError('invalid-payload', sentence(`The request is not valid: ${err.message}`));
  return toApiError(diagnoseError(err, ctx));
}

/** Capital first letter, one final period. */
export function sentence(text: string): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  return t.charAt(0).toUpperCase() + t.slice(1) + '.';
}
