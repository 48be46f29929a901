/**
 * Protocol Data Units of the DICOM Upper Layer (PS3.8 §9.3) and the user information
 * sub-items of PS3.7 Annex D and PS3.8 Annex D: their types, and encoding/decoding of
 * whole PDUs. The streaming side (splitting a TCP byte stream into PDUs, P-DATA-TF without
 * buffering) lives in framer.ts; large data PDVs are written by sender.ts.
 */
import { PduError, AbortReason } from './errors.js';
import { decodeAe, encodeAe, latin1, readItems, readU16, readU32, subItem, trimUid, type RawItem } from './bytes.js';

/** A presentation context proposed in an A-ASSOCIATE-RQ (PS3.8 §9.3.2.2). */
export interface PresentationContextProposal {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}
/** SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4). Roles are those of the association requestor. */
export interface RoleSelection {
  abstractSyntax: string;
  scuRole: boolean;
  scpRole: boolean;
}
/** User Identity Negotiation sub-item of the RQ (PS3.7 D.3.3.7.1): type 1 username, 2 username+passcode, 3 Kerberos, 4 SAML, 5 JWT. */
export interface UserIdentity {
  type: number;
  primary: string;
  secondary?: string;
  positiveResponseRequested: boolean;
}

/** The User Information item (PS3.8 §9.3.2.3, §9.3.3.3) and its sub-items. */
export interface UserInformation {
  /** Maximum Length sub-item (PS3.8 D.1): largest P-DATA-TF variable field the sender receives; 0 = unlimited. */
  maxLength?: number;
  /** Implementation Class UID sub-item (PS3.7 D.3.3.2). */
  implementationClassUid?: string;
  /** Implementation Version Name sub-item (PS3.7 D.3.3.2), 1 to 16 characters. */
  implementationVersionName?: string;
  /** Asynchronous Operations Window sub-item (PS3.7 D.3.3.3). */
  asyncOps?: { invoked: number; performed: number };
  /** SCP/SCU Role Selection sub-items (PS3.7 D.3.3.4). */
  roles: RoleSelection[];
  /** User Identity sub-item of an RQ (PS3.7 D.3.3.7.1). */
  userIdentity?: UserIdentity;
  /** Server response of the User Identity sub-item of an AC (PS3.7 D.3.3.7.2). */
  userIdentityResponse?: Uint8Array;
  /** Sub-items not interpreted here (e.g. 0x56/0x57 extended negotiation), kept as raw values. */
  other: { type: number; data: Uint8Array }[];
}

/** A-ASSOCIATE-RQ (PS3.8 §9.3.2). */
export interface AssociateRqPdu {
  type: 'A-ASSOCIATE-RQ';
  /** Bit 0 set = version 1 (PS3.8 §9.3.2). */
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  contexts: PresentationContextProposal[];
  userInfo: UserInformation;
}

/** A Presentation Context item of an AC (PS3.8 §9.3.3.2): result per Table 9-18. */
export interface PresentationContextResultItem {
  id: number;
  result: number;
  transferSyntax: string;
}

/** A-ASSOCIATE-AC (PS3.8 §9.3.3). */
export interface AssociateAcPdu {
  type: 'A-ASSOCIATE-AC';
  protocolVersion: number;
  /** Reserved in the AC, by custom the responding AE title. */
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  contexts: PresentationContextResultItem[];
  userInfo: UserInformation;
}

/** A-ASSOCIATE-RJ (PS3.8 §9.3.4). */
export interface AssociateRjPdu {
  type: 'A-ASSOCIATE-RJ';
  result: number;
  source: number;
  reason: number;
}
/** One Presentation Data Value item (PS3.8 §9.3.5.1, message control header of Annex E.2). */
export interface Pdv {
  contextId: number;
  isCommand: boolean;
  isLast: boolean;
  data: Uint8Array;
}
/** P-DATA-TF (PS3.8 §9.3.5). */
export interface PDataTfPdu {
  type: 'P-DATA-TF';
  pdvs: Pdv[];
}
/** A-RELEASE-RQ (PS3.8 §9.3.6). */
export interface ReleaseRqPdu {
  type: 'A-RELEASE-RQ';
}
/** A-RELEASE-RP (PS3.8 §9.3.7). */
export interface ReleaseRpPdu {
  type: 'A-RELEASE-RP';
}
/** A-ABORT (PS3.8 §9.3.8): source and reason of Table 9-26. */
export interface AbortPdu {
  type: 'A-ABORT';
  source: number;
  reason: number;
}

/** Any PDU. */
export type Pdu = AssociateRqPdu | AssociateAcPdu | AssociateRjPdu | PDataTfPdu | ReleaseRqPdu | ReleaseRpPdu | AbortPdu;
/** Every PDU but P-DATA-TF: the ones the framer delivers whole. */
export type ControlPdu = Exclude<Pdu, PDataTfPdu>;

/** PDU-type codes of PS3.8 §9.3.1. */
export const PduTypeCode: Record<Pdu['type'], number> = {
  'A-ASSOCIATE-RQ': 0x01,
  'A-ASSOCIATE-AC': 0x02,
  'A-ASSOCIATE-RJ': 0x03,
  'P-DATA-TF': 0x04,
  'A-RELEASE-RQ': 0x05,
  'A-RELEASE-RP': 0x06,
  'A-ABORT': 0x07,
};

/** Item-type codes of PS3.8 §9.3.2–9.3.3 and PS3.7 Annex D. */
export const ItemType = {
  ApplicationContext: 0x10,
  PresentationContextRq: 0x20,
  PresentationContextAc: 0x21,
  AbstractSyntax: 0x30,
  TransferSyntax: 0x40,
  UserInformation: 0x50,
  MaximumLength: 0x51,
  ImplementationClassUid: 0x52,
  AsyncOperationsWindow: 0x53,
  RoleSelection: 0x54,
  ImplementationVersionName: 0x55,
  UserIdentityRq: 0x58,
  UserIdentityAc: 0x59,
} as const;

/** The fixed length of the A-ASSOCIATE-RQ/AC fields before the items (PS3.8 §9.3.2). */
const ASSOCIATE_FIXED = 68;

// ---------------------------------------------------------------------------------------------
// Encoding

function pduWithBody(type: number, body: Uint8Array[]): Buffer {
  const length = body.reduce((n, b) => n + b.length, 0);
  const head = Buffer.allocUnsafe(6);
  head[0] = type;
  head[1] = 0;
  head.writeUInt32BE(length, 2);
  return Buffer.concat([head, ...body], 6 + length);
}

function uidItem(type: number, uid: string): Buffer {
  return subItem(type, latin1(uid));
}

/** Encodes a User Information item (PS3.8 §9.3.2.3) with its sub-items in PS3.7 Annex D order. */
export function encodeUserInformation(ui: UserInformation): Buffer {
  const subs: Buffer[] = [];
  if (ui.maxLength !== undefined) {
    const v = Buffer.allocUnsafe(4);
    v.writeUInt32BE(ui.maxLength >>> 0, 0);
    subs.push(subItem(ItemType.MaximumLength, v));
  }
  if (ui.implementationClassUid !== undefined) subs.push(uidItem(ItemType.ImplementationClassUid, ui.implementationClassUid));
  if (ui.asyncOps) {
    const v = Buffer.allocUnsafe(4);
    v.writeUInt16BE(ui.asyncOps.invoked, 0);
    v.writeUInt16BE(ui.asyncOps.performed, 2);
    subs.push(subItem(ItemType.AsyncOperationsWindow, v));
  }
  for (const r of ui.roles) {
    const uid = latin1(r.abstractSyntax);
    const v = Buffer.allocUnsafe(4 + uid.length);
    v.writeUInt16BE(uid.length, 0);
    uid.copy(v, 2);
    v[2 + uid.length] = r.scuRole ? 1 : 0;
    v[3 + uid.length] = r.scpRole ? 1 : 0;
    subs.push(subItem(ItemType.RoleSelection, v));
  }
  if (ui.implementationVersionName !== undefined) {
    if (ui.implementationVersionName.length < 1 || ui.implementationVersionName.length > 16) {
      throw new RangeError(`Implementation Version Name must have 1 to 16 characters: "${ui.implementationVersionName}"`);
    }
    subs.push(subItem(ItemType.ImplementationVersionName, latin1(ui.implementationVersionName)));
  }
  for (const o of ui.other) subs.push(subItem(o.type, o.data));
  if (ui.userIdentity) {
    const id = ui.userIdentity;
    const p = Buffer.from(id.primary, 'utf8');
    const s = Buffer.from(id.secondary ?? '', 'utf8');
    const v = Buffer.allocUnsafe(6 + p.length + s.length);
    v[0] = id.type;
    v[1] = id.positiveResponseRequested ? 1 : 0;
    v.writeUInt16BE(p.length, 2);
    p.copy(v, 4);
    v.writeUInt16BE(s.length, 4 + p.length);
    s.copy(v, 6 + p.length);
    subs.push(subItem(ItemType.UserIdentityRq, v));
  }
  if (ui.userIdentityResponse) {
    const v = Buffer.allocUnsafe(2 + ui.userIdentityResponse.length);
    v.writeUInt16BE(ui.userIdentityResponse.length, 0);
    v.set(ui.userIdentityResponse, 2);
    subs.push(subItem(ItemType.UserIdentityAc, v));
  }
  return subItem(ItemType.UserInformation, Buffer.concat(subs));
}

function associateFixed(pdu: AssociateRqPdu | AssociateAcPdu): Buffer {
  const f = Buffer.alloc(ASSOCIATE_FIXED);
  f.writeUInt16BE(pdu.protocolVersion, 0);
  encodeAe(pdu.calledAeTitle, 'Called AE Title').copy(f, 4);
  encodeAe(pdu.callingAeTitle, 'Calling AE Title').copy(f, 20);
  return f;
}

/** Encodes one PDU, header included. */
export function encodePdu(pdu: Pdu): Buffer {
  const code = PduTypeCode[pdu.type];
  switch (pdu.type) {
    case 'A-ASSOCIATE-RQ': {
      const items: Buffer[] = [associateFixed(pdu), uidItem(ItemType.ApplicationContext, pdu.applicationContext)];
      for (const pc of pdu.contexts) {
        const subs = [uidItem(ItemType.AbstractSyntax, pc.abstractSyntax), ...pc.transferSyntaxes.map((ts) => uidItem(ItemType.TransferSyntax, ts))];
        items.push(subItem(ItemType.PresentationContextRq, Buffer.concat([Buffer.from([pc.id, 0, 0, 0]), ...subs])));
      }
      items.push(encodeUserInformation(pdu.userInfo));
      return pduWithBody(code, items);
    }
    case 'A-ASSOCIATE-AC': {
      const items: Buffer[] = [associateFixed(pdu), uidItem(ItemType.ApplicationContext, pdu.applicationContext)];
      for (const pc of pdu.contexts) {
        items.push(
          subItem(ItemType.PresentationContextAc, Buffer.concat([Buffer.from([pc.id, 0, pc.result, 0]), uidItem(ItemType.TransferSyntax, pc.transferSyntax)])),
        );
      }
      items.push(encodeUserInformation(pdu.userInfo));
      return pduWithBody(code, items);
    }
    case 'A-ASSOCIATE-RJ':
      return pduWithBody(code, [Buffer.from([0, pdu.result, pdu.source, pdu.reason])]);
    case 'P-DATA-TF':
      return pduWithBody(
        code,
        pdu.pdvs.flatMap((pdv) => {
          const h = Buffer.allocUnsafe(6);
          h.writeUInt32BE(pdv.data.length + 2, 0);
          h[4] = pdv.contextId;
          h[5] = (pdv.isCommand ? 1 : 0) | (pdv.isLast ? 2 : 0);
          return [h, pdv.data];
        }),
      );
    case 'A-RELEASE-RQ':
    case 'A-RELEASE-RP':
      return pduWithBody(code, [Buffer.alloc(4)]);
    case 'A-ABORT':
      return pduWithBody(code, [Buffer.from([0, 0, pdu.source, pdu.reason])]);
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Decodes the sub-items of a User Information item (PS3.7 Annex D; unknown sub-items are kept raw). */
export function decodeUserInformation(value: Uint8Array): UserInformation {
  const ui: UserInformation = { roles: [], other: [] };
  for (const it of readItems(value, 'User Information sub-item')) {
    const v = it.value;
    switch (it.type) {
      case ItemType.MaximumLength:
        if (v.length !== 4) throw new PduError(`Maximum Length sub-item has length ${v.length}, not 4`);
        ui.maxLength = readU32(v, 0);
        break;
      case ItemType.ImplementationClassUid:
        ui.implementationClassUid = trimUid(v);
        break;
      case ItemType.ImplementationVersionName:
        ui.implementationVersionName = decodeAe(v);
        break;
      case ItemType.AsyncOperationsWindow:
        if (v.length !== 4) throw new PduError(`Asynchronous Operations Window sub-item has length ${v.length}, not 4`);
        ui.asyncOps = { invoked: readU16(v, 0), performed: readU16(v, 2) };
        break;
      case ItemType.RoleSelection: {
        const n = v.length >= 2 ? readU16(v, 0) : -1;
        if (n < 0 || v.length !== n + 4) throw new PduError(`SCP/SCU Role Selection sub-item is malformed (length ${v.length})`);
        ui.roles.push({ abstractSyntax: trimUid(v.subarray(2, 2 + n)), scuRole: v[2 + n] === 1, scpRole: v[3 + n] === 1 });
        break;
      }
      case ItemType.UserIdentityRq: {
        const p = v.length >= 4 ? readU16(v, 2) : -1;
        const s = p >= 0 && v.length >= 6 + p ? readU16(v, 4 + p) : -1;
        if (s < 0 || v.length !== 6 + p + s) throw new PduError(`User Identity sub-item is malformed (length ${v.length})`);
        const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
        ui.userIdentity = {
          type: v[0]!,
          positiveResponseRequested: v[1] === 1,
          primary: text(v.subarray(4, 4 + p)),
          ...(s > 0 ? { secondary: text(v.subarray(6 + p, 6 + p + s)) } : {}),
        };
        break;
      }
      case ItemType.UserIdentityAc: {
        const n = v.length >= 2 ? readU16(v, 0) : -1;
        if (n < 0 || v.length !== n + 2) throw new PduError(`User Identity response sub-item is malformed (length ${v.length})`);
        ui.userIdentityResponse = new Uint8Array(v.subarray(2));
        break;
      }
      default:
        ui.other.push({ type: it.type, data: new Uint8Array(v) });
    }
  }
  return ui;
}

function decodeRqContext(it: RawItem): PresentationContextProposal {
  if (it.value.length < 4) throw new PduError(`Presentation Context item too short (${it.value.length} bytes)`);
  let abstractSyntax: string | undefined;
  const transferSyntaxes: string[] = [];
  for (const sub of readItems(it.value.subarray(4), 'Presentation Context sub-item')) {
    if (sub.type === ItemType.AbstractSyntax) {
      if (abstractSyntax !== undefined)
        throw new PduError(`Presentation Context ${it.value[0]} has two Abstract Syntax sub-items`, AbortReason.UnexpectedPduParameter);
      abstractSyntax = trimUid(sub.value);
    } else if (sub.type === ItemType.TransferSyntax) {
      transferSyntaxes.push(trimUid(sub.value));
    }
    // other sub-item types are ignored (robustness, as for items of PS3.8 §9.3.1)
  }
  if (abstractSyntax === undefined) throw new PduError(`Presentation Context ${it.value[0]} has no Abstract Syntax sub-item`);
  return { id: it.value[0]!, abstractSyntax, transferSyntaxes };
}

function decodeAcContext(it: RawItem): PresentationContextResultItem {
  if (it.value.length < 4) throw new PduError(`Presentation Context item too short (${it.value.length} bytes)`);
  let transferSyntax = '';
  for (const sub of readItems(it.value.subarray(4), 'Presentation Context sub-item')) {
    if (sub.type === ItemType.TransferSyntax) transferSyntax = trimUid(sub.value);
  }
  return { id: it.value[0]!, result: it.value[2]!, transferSyntax };
}

function decodeAssociate(type: 'A-ASSOCIATE-RQ' | 'A-ASSOCIATE-AC', body: Uint8Array): AssociateRqPdu | AssociateAcPdu {
  if (body.length < ASSOCIATE_FIXED) throw new PduError(`${type} too short: ${body.length} bytes, at least ${ASSOCIATE_FIXED}`);
  let applicationContext: string | undefined;
  let userInfo: UserInformation | undefined;
  const rqContexts: PresentationContextProposal[] = [];
  const acContexts: PresentationContextResultItem[] = [];
  for (const it of readItems(body.subarray(ASSOCIATE_FIXED), `${type} item`)) {
    if (it.type === ItemType.ApplicationContext) applicationContext = trimUid(it.value);
    else if (it.type === ItemType.UserInformation) userInfo = decodeUserInformation(it.value);
    else if (it.type === ItemType.PresentationContextRq && type === 'A-ASSOCIATE-RQ') rqContexts.push(decodeRqContext(it));
    else if (it.type === ItemType.PresentationContextAc && type === 'A-ASSOCIATE-AC') acContexts.push(decodeAcContext(it));
    // items of other types are ignored: a newer peer may send items this version does not know
  }
  if (applicationContext === undefined) throw new PduError(`${type} has no Application Context item`);
  const common = {
    protocolVersion: readU16(body, 0),
    calledAeTitle: decodeAe(body.subarray(4, 20)),
    callingAeTitle: decodeAe(body.subarray(20, 36)),
    applicationContext,
    userInfo: userInfo ?? { roles: [], other: [] },
  };
  return type === 'A-ASSOCIATE-RQ' ? { type, ...common, contexts: rqContexts } : { type, ...common, contexts: acContexts };
}

function decodePData(body: Uint8Array): PDataTfPdu {
  const pdvs: Pdv[] = [];
  let pos = 0;
  while (pos < body.length) {
    if (body.length - pos < 6) throw new PduError(`P-DATA-TF: truncated PDV item header at offset ${pos}`);
    const len = readU32(body, pos);
    if (len < 2 || len > body.length - pos - 4) throw new PduError(`P-DATA-TF: PDV item length ${len} does not fit the PDU`);
    const control = body[pos + 5]!;
    pdvs.push({ contextId: body[pos + 4]!, isCommand: (control & 1) !== 0, isLast: (control & 2) !== 0, data: body.subarray(pos + 6, pos + 4 + len) });
    pos += 4 + len;
  }
  if (pdvs.length === 0) throw new PduError('P-DATA-TF without any PDV item');
  return { type: 'P-DATA-TF', pdvs };
}

function fourBytes(type: string, body: Uint8Array): Uint8Array {
  if (body.length !== 4) throw new PduError(`${type} has length ${body.length}, not 4`);
  return body;
}

/** Decodes the body (the bytes after the 6-byte header) of a PDU of the given type code. */
export function decodePduBody(typeCode: number, body: Uint8Array): Pdu {
  switch (typeCode) {
    case 0x01:
      return decodeAssociate('A-ASSOCIATE-RQ', body);
    case 0x02:
      return decodeAssociate('A-ASSOCIATE-AC', body);
    case 0x03: {
      const b = fourBytes('A-ASSOCIATE-RJ', body);
      return { type: 'A-ASSOCIATE-RJ', result: b[1]!, source: b[2]!, reason: b[3]! };
    }
    case 0x04:
      return decodePData(body);
    case 0x05:
      fourBytes('A-RELEASE-RQ', body);
      return { type: 'A-RELEASE-RQ' };
    case 0x06:
      fourBytes('A-RELEASE-RP', body);
      return { type: 'A-RELEASE-RP' };
    case 0x07: {
      const b = fourBytes('A-ABORT', body);
      return { type: 'A-ABORT', source: b[2]!, reason: b[3]! };
    }
    default:
      throw new PduError(`unrecognized PDU type 0x${typeCode.toString(16).padStart(2, '0')}`, AbortReason.UnrecognizedPdu);
  }
}

/** Decodes one whole PDU (header included); the length field must match the bytes given. */
export function decodePdu(bytes: Uint8Array): Pdu {
  if (bytes.length < 6) throw new PduError(`PDU truncated: ${bytes.length} bytes, the header alone is 6`);
  const length = readU32(bytes, 2);
  if (length !== bytes.length - 6) throw new PduError(`PDU length field says ${length} bytes, ${bytes.length - 6} present`);
  return decodePduBody(bytes[0]!, bytes.subarray(6));
}
