/**
 * The error of an API payload that does not match its entry's schema (shared/api/entries.ts):
 * one sentence naming the field path, e.g. `keys.PatientName must be text, got 3`. Unknown
 * fields are errors. Pure code: no Node, no DOM.
 */
import type { z } from 'zod';
import { sentence } from '../validation.js';

/** A payload that does not match its entry; the message is one sentence naming the field. */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

/**
 * The payload read by its schema, or a {@link PayloadError} with the sentence of the first issue;
 * a required field that is absent `is missing`.
 */
export function parsePayload<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw, { reportInput: true });
  if (r.success) return r.data;
  const issues = r.error.issues.map((issue) => (issue.code === 'invalid_type' && issue.input === undefined ? { ...issue, message: 'is missing' } : issue));
  throw new PayloadError(sentence(issues, '', 'the payload'));
}
