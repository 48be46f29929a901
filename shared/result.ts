/**
 * The one answer shape of Priors: a value, or an error saying why there is none. The API answers
 * with an {@link ApiError} (a catalog code and one sentence); validators answer with the sentence
 * alone (`Result<Config, string>`). Pure code: no Node, no DOM.
 */
import type { ApiError } from './errors.js';

export type Result<T, E = ApiError> = { ok: true; value: T } | { ok: false; error: E };
