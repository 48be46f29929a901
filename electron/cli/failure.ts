/** A command that ends with a known diagnosis (e.g. a failure status) rather than a thrown network error. */
import type { Diagnosis } from '../../shared/diagnostics.js';

export class CommandFailure extends Error {
  constructor(
    readonly diagnosis: Diagnosis,
    readonly details: Record<string, unknown> = {},
    readonly exitCode = 1,
  ) {
    super(diagnosis.sentence);
    this.name = 'CommandFailure';
  }
}
