/**
 * What the app core tells of the entries that change or reach beyond this workstation, once each
 * has answered: the request, the answer, and what it had to read first (the patient of a study
 * about to be deleted). The audit trail subscribes to them (audit-outgoing.ts); the core knows
 * nothing of who listens.
 */
import type { RequestOf, ResponseOf, Result } from '../../shared/api/contract.js';
import type { StudyRecord } from '../../shared/records.js';

/** One answered entry of those the core reports. */
export type OperationEvent =
  | { entry: 'search.start'; request: RequestOf<'search.start'>; result: Result<ResponseOf<'search.start'>> }
  | { entry: 'cache.send'; request: RequestOf<'cache.send'>; result: Result<ResponseOf<'cache.send'>> }
  | {
      entry: 'cache.delete';
      request: RequestOf<'cache.delete'>;
      result: Result<ResponseOf<'cache.delete'>>;
      /** Each study asked for at STUDY level, as the cache held it before the delete. */
      studies: readonly { uid: string; study: StudyRecord | undefined }[];
    }
  | { entry: 'cache.import'; request: RequestOf<'cache.import'>; result: Result<ResponseOf<'cache.import'>> };

/** A listener of {@link OperationEvent}s. */
export type OperationListener = (e: OperationEvent) => void;
