/**
 * DIMSE command sets (PS3.7 §9.3, Annex E): the command elements of group 0000, the
 * CommandField values, builders for the C-ECHO/C-STORE/C-FIND/C-MOVE/C-GET/C-CANCEL
 * requests and responses, and a parser that turns a decoded command set into a typed record.
 *
 * Command sets are always Implicit VR Little Endian (PS3.7 §6.3.1); the association encodes
 * them and adds CommandGroupLength (0000,0000), so the builders here leave it out.
 */
import { tag, type DataSet, type Tag, type VR } from '../../shared/dicom/dataset.js';
import { SopClassUid } from '../../shared/dicom/uids.js';

/** The command elements of PS3.7 Annex E, by keyword. */
export const CommandTag = {
  CommandGroupLength: tag(0x0000, 0x0000),
  AffectedSOPClassUID: tag(0x0000, 0x0002),
  RequestedSOPClassUID: tag(0x0000, 0x0003),
  CommandField: tag(0x0000, 0x0100),
  MessageID: tag(0x0000, 0x0110),
  MessageIDBeingRespondedTo: tag(0x0000, 0x0120),
  MoveDestination: tag(0x0000, 0x0600),
  Priority: tag(0x0000, 0x0700),
  CommandDataSetType: tag(0x0000, 0x0800),
  Status: tag(0x0000, 0x0900),
  OffendingElement: tag(0x0000, 0x0901),
  ErrorComment: tag(0x0000, 0x0902),
  ErrorID: tag(0x0000, 0x0903),
  AffectedSOPInstanceUID: tag(0x0000, 0x1000),
  RequestedSOPInstanceUID: tag(0x0000, 0x1001),
  NumberOfRemainingSuboperations: tag(0x0000, 0x1020),
  NumberOfCompletedSuboperations: tag(0x0000, 0x1021),
  NumberOfFailedSuboperations: tag(0x0000, 0x1022),
  NumberOfWarningSuboperations: tag(0x0000, 0x1023),
  MoveOriginatorApplicationEntityTitle: tag(0x0000, 0x1030),
  MoveOriginatorMessageID: tag(0x0000, 0x1031),
} as const;

/** CommandField (0000,0100) values (PS3.7 §9.3, §10.3; Table E.1-1). */
export const CommandField = {
  C_STORE_RQ: 0x0001,
  C_STORE_RSP: 0x8001,
  C_GET_RQ: 0x0010,
  C_GET_RSP: 0x8010,
  C_FIND_RQ: 0x0020,
  C_FIND_RSP: 0x8020,
  C_MOVE_RQ: 0x0021,
  C_MOVE_RSP: 0x8021,
  C_ECHO_RQ: 0x0030,
  C_ECHO_RSP: 0x8030,
  N_EVENT_REPORT_RQ: 0x0100,
  N_EVENT_REPORT_RSP: 0x8100,
  N_GET_RQ: 0x0110,
  N_GET_RSP: 0x8110,
  N_SET_RQ: 0x0120,
  N_SET_RSP: 0x8120,
  N_ACTION_RQ: 0x0130,
  N_ACTION_RSP: 0x8130,
  N_CREATE_RQ: 0x0140,
  N_CREATE_RSP: 0x8140,
  N_DELETE_RQ: 0x0150,
  N_DELETE_RSP: 0x8150,
  C_CANCEL_RQ: 0x0fff,
} as const;

/** The name of a CommandField value as the standard writes it, e.g. `C-FIND-RSP`. */
export function commandName(commandField: number): string {
  return COMMAND_NAMES.get(commandField) ?? `command 0x${commandField.toString(16).padStart(4, '0')}`;
}

const COMMAND_NAMES = new Map<number, string>(Object.entries(CommandField).map(([name, value]) => [value, name.replace(/_/g, '-')]));

/** True for a response CommandField (bit 15 set, PS3.7 Table E.1-1). */
export function isResponse(commandField: number): boolean {
  return (commandField & 0x8000) !== 0 && commandField !== CommandField.C_CANCEL_RQ;
}

/** CommandDataSetType (0000,0800): 0101H means no data set follows; any other value, one does (PS3.7 Table E.1-1). */
export const NO_DATA_SET = 0x0101;
/** The value we write when a data set follows (any value but 0101H means one does). */
export const DATA_SET_PRESENT = 0x0001;

/** Priority (0000,0700) values (PS3.7 §9.1.1.1.4 ff.). */
export const Priority = { MEDIUM: 0x0000, HIGH: 0x0001, LOW: 0x0002 } as const;

/** Longest Error Comment (0000,0902): LO, 64 characters (PS3.5 §6.2). */
const ERROR_COMMENT_MAX = 64;

/** A malformed or unexpected command set (a protocol error, not a DIMSE status). */
export class DimseProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DimseProtocolError';
  }
}

/**
 * Hands out Message IDs (0000,0110) for one association: 1, 2, ... 65535, then wraps to 1
 * (PS3.7 §9.1.1.1.2: unique among the outstanding requests of the association).
 */
export class MessageIdAllocator {
  private last = 0;
  /** The next Message ID. */
  next(): number {
    this.last = this.last >= 0xffff ? 1 : this.last + 1;
    return this.last;
  }
}

/** A decoded command set, its fields named after the keywords of PS3.7 Annex E. */
export interface DimseCommand {
  commandField: number;
  messageId?: number;
  messageIdBeingRespondedTo?: number;
  affectedSopClassUid?: string;
  requestedSopClassUid?: string;
  affectedSopInstanceUid?: string;
  requestedSopInstanceUid?: string;
  priority?: number;
  /** False when CommandDataSetType is 0101H. */
  hasDataSet: boolean;
  status?: number;
  errorComment?: string;
  offendingElement?: Tag[];
  errorId?: number;
  moveDestination?: string;
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
  remaining?: number;
  completed?: number;
  failed?: number;
  warning?: number;
}

function bytesOf(value: unknown): Uint8Array | undefined {
  return value instanceof Uint8Array ? value : undefined;
}

/** The first numeric value of a command element; tolerates UN bytes (a dictionary without group 0000). */
function numberAt(ds: DataSet, t: Tag): number | undefined {
  const el = ds.get(t);
  if (!el) return undefined;
  const raw = bytesOf(el.value);
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (raw.byteLength === 2) return view.getUint16(0, true);
    if (raw.byteLength >= 4) return view.getUint32(0, true);
    return undefined;
  }
  const list = el.value as unknown[];
  const v = list[0];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function numbersAt(ds: DataSet, t: Tag): number[] | undefined {
  const el = ds.get(t);
  if (!el) return undefined;
  const raw = bytesOf(el.value);
  if (raw) {
    // AT in implicit VR LE: pairs of 16-bit group, element (PS3.5 §6.2).
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: number[] = [];
    for (let i = 0; i + 4 <= raw.byteLength; i += 4) out.push(tag(view.getUint16(i, true), view.getUint16(i + 2, true)));
    return out;
  }
  return (el.value as unknown[]).filter((v): v is number => typeof v === 'number');
}

function stringAt(ds: DataSet, t: Tag): string | undefined {
  const el = ds.get(t);
  if (!el) return undefined;
  const raw = bytesOf(el.value);
  const text = raw ? new TextDecoder('latin1').decode(raw) : (el.value as unknown[]).map((v) => String(v)).join('\\');
  const trimmed = text.replace(/[\0 ]+$/, '').replace(/^ +/, '');
  return trimmed === '' ? undefined : trimmed;
}

/**
 * Reads a command set into a {@link DimseCommand}. Throws {@link DimseProtocolError} when
 * CommandField is missing, a request lacks MessageID, or a response lacks
 * MessageIDBeingRespondedTo or Status (PS3.7 §9.3).
 */
export function parseCommand(ds: DataSet): DimseCommand {
  const commandField = numberAt(ds, CommandTag.CommandField);
  if (commandField === undefined) throw new DimseProtocolError('command set without CommandField (0000,0100)');
  const cmd: DimseCommand = {
    commandField,
    hasDataSet: (numberAt(ds, CommandTag.CommandDataSetType) ?? NO_DATA_SET) !== NO_DATA_SET,
  };
  const set = <K extends keyof DimseCommand>(key: K, value: DimseCommand[K] | undefined) => {
    if (value !== undefined) cmd[key] = value;
  };
  set('messageId', numberAt(ds, CommandTag.MessageID));
  set('messageIdBeingRespondedTo', numberAt(ds, CommandTag.MessageIDBeingRespondedTo));
  set('affectedSopClassUid', stringAt(ds, CommandTag.AffectedSOPClassUID));
  set('requestedSopClassUid', stringAt(ds, CommandTag.RequestedSOPClassUID));
  set('affectedSopInstanceUid', stringAt(ds, CommandTag.AffectedSOPInstanceUID));
  set('requestedSopInstanceUid', stringAt(ds, CommandTag.RequestedSOPInstanceUID));
  set('priority', numberAt(ds, CommandTag.Priority));
  set('status', numberAt(ds, CommandTag.Status));
  set('errorComment', stringAt(ds, CommandTag.ErrorComment));
  set('offendingElement', numbersAt(ds, CommandTag.OffendingElement));
  set('errorId', numberAt(ds, CommandTag.ErrorID));
  set('moveDestination', stringAt(ds, CommandTag.MoveDestination));
  set('moveOriginatorAeTitle', stringAt(ds, CommandTag.MoveOriginatorApplicationEntityTitle));
  set('moveOriginatorMessageId', numberAt(ds, CommandTag.MoveOriginatorMessageID));
  set('remaining', numberAt(ds, CommandTag.NumberOfRemainingSuboperations));
  set('completed', numberAt(ds, CommandTag.NumberOfCompletedSuboperations));
  set('failed', numberAt(ds, CommandTag.NumberOfFailedSuboperations));
  set('warning', numberAt(ds, CommandTag.NumberOfWarningSuboperations));

  if (commandField === CommandField.C_CANCEL_RQ) {
    if (cmd.messageIdBeingRespondedTo === undefined) throw new DimseProtocolError('C-CANCEL-RQ without MessageIDBeingRespondedTo (0000,0120)');
  } else if (isResponse(commandField)) {
    if (cmd.messageIdBeingRespondedTo === undefined) throw new DimseProtocolError(`${commandName(commandField)} without MessageIDBeingRespondedTo (0000,0120)`);
    if (cmd.status === undefined) throw new DimseProtocolError(`${commandName(commandField)} without Status (0000,0900)`);
  } else if (cmd.messageId === undefined) {
    throw new DimseProtocolError(`${commandName(commandField)} without MessageID (0000,0110)`);
  }
  return cmd;
}

// ---------------------------------------------------------------------------------------
// Builders. Each returns the command set without CommandGroupLength.

function put(ds: DataSet, t: Tag, vr: VR, value: string | number | number[] | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'string') ds.set(t, { vr, value: [value] });
  else ds.set(t, { vr, value: Array.isArray(value) ? value : [value] });
}

function base(commandField: number, hasDataSet: boolean): DataSet {
  const ds: DataSet = new Map();
  put(ds, CommandTag.CommandField, 'US', commandField);
  put(ds, CommandTag.CommandDataSetType, 'US', hasDataSet ? DATA_SET_PRESENT : NO_DATA_SET);
  return ds;
}

/** Fields common to every request builder. */
export interface RequestFields {
  messageId: number;
  affectedSopClassUid: string;
  /** Priority (0000,0700); default MEDIUM. */
  priority?: number;
}

/** Fields common to every response builder. */
export interface ResponseFields {
  messageIdBeingRespondedTo: number;
  affectedSopClassUid?: string;
  status: number;
  /** Error Comment (0000,0902), cut to 64 characters. */
  errorComment?: string;
  offendingElement?: Tag[];
}

/** Sub-operation counts of C-MOVE/C-GET responses (PS3.7 §9.3.3.2, §9.3.4.2). */
export interface SuboperationCounts {
  remaining?: number;
  completed?: number;
  failed?: number;
  warning?: number;
}

function request(commandField: number, f: RequestFields, hasDataSet: boolean, withPriority: boolean): DataSet {
  const ds = base(commandField, hasDataSet);
  put(ds, CommandTag.AffectedSOPClassUID, 'UI', f.affectedSopClassUid);
  put(ds, CommandTag.MessageID, 'US', f.messageId);
  if (withPriority) put(ds, CommandTag.Priority, 'US', f.priority ?? Priority.MEDIUM);
  return ds;
}

function response(commandField: number, f: ResponseFields, hasDataSet: boolean): DataSet {
  const ds = base(commandField, hasDataSet);
  put(ds, CommandTag.AffectedSOPClassUID, 'UI', f.affectedSopClassUid);
  put(ds, CommandTag.MessageIDBeingRespondedTo, 'US', f.messageIdBeingRespondedTo);
  put(ds, CommandTag.Status, 'US', f.status);
  if (f.offendingElement?.length) put(ds, CommandTag.OffendingElement, 'AT', f.offendingElement);
  if (f.errorComment) put(ds, CommandTag.ErrorComment, 'LO', truncateComment(f.errorComment));
  return ds;
}

/** An Error Comment fit for LO: one line, at most 64 characters, no backslash. */
export function truncateComment(text: string): string {
  const clean = text.replace(/[\r\n\\]+/g, ' ').trim();
  return clean.length <= ERROR_COMMENT_MAX ? clean : clean.slice(0, ERROR_COMMENT_MAX);
}

function counts(ds: DataSet, c: SuboperationCounts): DataSet {
  put(ds, CommandTag.NumberOfRemainingSuboperations, 'US', c.remaining);
  put(ds, CommandTag.NumberOfCompletedSuboperations, 'US', c.completed);
  put(ds, CommandTag.NumberOfFailedSuboperations, 'US', c.failed);
  put(ds, CommandTag.NumberOfWarningSuboperations, 'US', c.warning);
  return ds;
}

/** C-ECHO-RQ (PS3.7 §9.3.5.1). */
export function echoRq(f: { messageId: number }): DataSet {
  return request(CommandField.C_ECHO_RQ, { messageId: f.messageId, affectedSopClassUid: SopClassUid.Verification }, false, false);
}

/** C-ECHO-RSP (PS3.7 §9.3.5.2). */
export function echoRsp(f: ResponseFields): DataSet {
  return response(CommandField.C_ECHO_RSP, { affectedSopClassUid: SopClassUid.Verification, ...f }, false);
}

/** C-STORE-RQ (PS3.7 §9.3.1.1); the data set always follows. */
export function storeRq(f: RequestFields & { affectedSopInstanceUid: string; moveOriginatorAeTitle?: string; moveOriginatorMessageId?: number }): DataSet {
  const ds = request(CommandField.C_STORE_RQ, f, true, true);
  put(ds, CommandTag.AffectedSOPInstanceUID, 'UI', f.affectedSopInstanceUid);
  put(ds, CommandTag.MoveOriginatorApplicationEntityTitle, 'AE', f.moveOriginatorAeTitle);
  put(ds, CommandTag.MoveOriginatorMessageID, 'US', f.moveOriginatorMessageId);
  return ds;
}

/** C-STORE-RSP (PS3.7 §9.3.1.2). */
export function storeRsp(f: ResponseFields & { affectedSopInstanceUid?: string }): DataSet {
  const ds = response(CommandField.C_STORE_RSP, f, false);
  put(ds, CommandTag.AffectedSOPInstanceUID, 'UI', f.affectedSopInstanceUid);
  return ds;
}

/** C-FIND-RQ (PS3.7 §9.3.2.1); the identifier follows. */
export function findRq(f: RequestFields): DataSet {
  return request(CommandField.C_FIND_RQ, f, true, true);
}

/** C-FIND-RSP (PS3.7 §9.3.2.2); an identifier follows only with Pending statuses. */
export function findRsp(f: ResponseFields & { hasIdentifier: boolean }): DataSet {
  return response(CommandField.C_FIND_RSP, f, f.hasIdentifier);
}

/** C-MOVE-RQ (PS3.7 §9.3.4.1); the identifier follows. */
export function moveRq(f: RequestFields & { moveDestination: string }): DataSet {
  const ds = request(CommandField.C_MOVE_RQ, f, true, true);
  put(ds, CommandTag.MoveDestination, 'AE', f.moveDestination);
  return ds;
}

/** C-MOVE-RSP (PS3.7 §9.3.4.2); a data set (Failed SOP Instance UID List) may follow a final response. */
export function moveRsp(f: ResponseFields & SuboperationCounts & { hasDataSet?: boolean }): DataSet {
  return counts(response(CommandField.C_MOVE_RSP, f, f.hasDataSet ?? false), f);
}

/** C-GET-RQ (PS3.7 §9.3.3.1); the identifier follows. */
export function getRq(f: RequestFields): DataSet {
  return request(CommandField.C_GET_RQ, f, true, true);
}

/** C-GET-RSP (PS3.7 §9.3.3.2); a data set (Failed SOP Instance UID List) may follow a final response. */
export function getRsp(f: ResponseFields & SuboperationCounts & { hasDataSet?: boolean }): DataSet {
  return counts(response(CommandField.C_GET_RSP, f, f.hasDataSet ?? false), f);
}

/** C-CANCEL-RQ (PS3.7 §9.3.2.3, §9.3.3.3, §9.3.4.3): names the request it cancels. */
export function cancelRq(f: { messageIdBeingRespondedTo: number }): DataSet {
  const ds = base(CommandField.C_CANCEL_RQ, false);
  put(ds, CommandTag.MessageIDBeingRespondedTo, 'US', f.messageIdBeingRespondedTo);
  return ds;
}

/** A response to a request we do not support: the request's CommandField with bit 15 set (PS3.7 §9.1.1.1.1). */
export function genericRsp(requestField: number, f: ResponseFields): DataSet {
  return response((requestField | 0x8000) & 0xffff, f, false);
}
