/**
 * The DIMSE service users of Priors (PS3.7 §9.1): C-ECHO, C-FIND, C-MOVE, C-GET and C-STORE,
 * each opening its own association and closing it when done.
 */
export type { DicomNode, ScuOptions } from './common.js';
export { echo, type EchoResult } from './echo.js';
export {
  find,
  findWorklist,
  MODALITY_WORKLIST_FIND,
  cappedReason,
  ROUND_CAPS,
  type FindQuery,
  type FindOutcome,
  type FindStream,
  type FindOptions,
} from './find.js';
export { move, type MoveRequest, type MoveOptions } from './move.js';
export { get, planGetContexts, DEFAULT_GET_STORAGE_SOP_CLASSES, DEFAULT_GET_TRANSFER_SYNTAXES, type GetRequest, type GetOptions } from './get.js';
export { notDecompressedReason, store, storeContexts, type StoreResult, type StoreOptions } from './store.js';
export { FAILED_SOP_INSTANCE_UID_LIST, type RetrieveProgress, type RetrieveOutcome } from './retrieve.js';
