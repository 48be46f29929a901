/**
 * The public API of the network layer (PS3.7 DIMSE over the PS3.8 upper layer): the SCU
 * operations, the server, the handler interfaces the services implement, and the errors
 * association failures throw. Nothing here knows about storage, SQLite or Electron.
 */
export * from './scu/index.js';
export { DicomServer, type DicomServerOptions } from './scp/server.js';
export type {
  AssociationInfo,
  AssociationPolicy,
  FindHandler,
  FindRequest,
  InstanceSource,
  MoveDestination,
  RetrieveHandler,
  RetrieveRequest,
  StoreHandler,
  StoreOutcome,
  StoreRequest,
} from './handlers.js';
export { DimseStatusError } from './handlers.js';
export { divertDataSet, type DataSink } from './ul/messages.js';
export {
  AssociationAbortedError,
  AssociationClosedError,
  AssociationRejectedError,
  NoContextError,
  TimeoutError,
  TransportError,
  describeAbort,
  describeRejection,
} from './ul/errors.js';
export type { Logger, Timeouts } from './ul/association.js';
export { CommandField, Priority, type DimseCommand } from './command.js';
