/**
 * The transfer queue: persisted retrieve jobs with per-node concurrency, GET→MOVE fallback,
 * skipping cached instances, progress, cancel, retry and a verified end.
 */
export { TransferQueue, type TransferQueueOptions, type LocalAeHandle } from './queue.js';
export { judgeJob, refusesGet, type JobOutcome } from './verdict.js';
export { missingSteps, stepIdentifier, UIDS_PER_REQUEST, type RetrieveStep } from './plan.js';
export { TRANSFER_MODEL } from './run-job.js';
export { Throttle } from './throttle.js';
