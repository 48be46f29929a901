// A structure-aware fuzzer of the upper layer and DIMSE parsers (PS3.8 §9.3, PS3.7 §6.3):
// valid seeds (A-ASSOCIATE-RQ/AC/RJ, A-RELEASE, A-ABORT, P-DATA-TF carrying C-ECHO, C-STORE,
// C-FIND and C-MOVE command sets) mutated by a seeded PRNG — bit flips, length fields set to
// 0 / max / off by a little, truncation, items removed, duplicated, retyped or nested, PDVs
// split, command elements given wrong VRs and lengths. Each case runs through the PDU decoder,
// the framer (as a socket would feed it, in random chunks) and, for command sets, the data set
// decoder and the command parser. Only the parsers' own typed errors may come out; anything
// else is a crash. Used by `npm run fuzz` (scripts/fuzz.ts) and the regression test.
import { DicomParseError, decodeDataSet, IMPLICIT_LITTLE_ENDIAN } from '../../shared/dicom/codec.js';
import { DimseProtocolError, echoRq, findRq, moveRq, parseCommand, storeRq } from '../../electron/dimse/command.js';
import { PduError } from '../../electron/dimse/ul/errors.js';
import { decodePdu } from '../../electron/dimse/ul/pdu.js';
import { PduFramer, type FramerSink } from '../../electron/dimse/ul/framer.js';
import { encodeCommand } from '../../electron/dimse/ul/messages.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A P-DATA-TF with one PDV: context 1, command, last fragment (PS3.8 §9.3.5, E.2). */
function pdata(command: Uint8Array, flags = 0x03): Buffer {
  const pdv = Buffer.alloc(6 + command.length);
  pdv.writeUInt32BE(2 + command.length, 0);
  pdv[4] = 1;
  pdv[5] = flags;
  Buffer.from(command).copy(pdv, 6);
  const pdu = Buffer.alloc(6);
  pdu[0] = 0x04;
  pdu.writeUInt32BE(pdv.length, 2);
  return Buffer.concat([pdu, pdv]);
}

const UID = '1.2.826.0.1.3680043.10.1439.5.1';
/** Command sets of the services the SCP offers. */
export const COMMAND_SEEDS: readonly Uint8Array[] = [
  encodeCommand(echoRq({ messageId: 1 })),
  encodeCommand(storeRq({ messageId: 2, affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2', affectedSopInstanceUid: UID, priority: 0 })),
  encodeCommand(findRq({ messageId: 3, affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', priority: 0 })),
  encodeCommand(moveRq({ messageId: 4, affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.2', priority: 0, moveDestination: 'PRIORS' })),
];

/** DCMTK echoscu's A-ASSOCIATE-RQ, and the other PDU types. */
export const PDU_SEEDS: readonly Buffer[] = [
  hex(`01 00 000000cd 0001 0000
    414e592d534350202020202020202020 4543484f534355202020202020202020
    0000000000000000000000000000000000000000000000000000000000000000
    10 00 0015 312e322e3834302e31303030382e332e312e312e31
    20 00 002e 01 00 ff 00
    30 00 0011 312e322e3834302e31303030382e312e31
    40 00 0011 312e322e3834302e31303030382e312e32
    50 00 003a 51 00 0004 00004000
    52 00 001b 312e322e3237362e302e373233303031302e332e302e332e362e37
    55 00 000f 4f464649535f44434d544b5f333637`),
  hex(`02 00 000000b8 0001 0000
    414e592d534350202020202020202020 4543484f534355202020202020202020
    0000000000000000000000000000000000000000000000000000000000000000
    10 00 0015 312e322e3834302e31303030382e332e312e312e31
    21 00 0019 01 00 00 00 40 00 0011 312e322e3834302e31303030382e312e32
    50 00 003a 51 00 0004 00004000
    52 00 001b 312e322e3237362e302e373233303031302e332e302e332e362e37
    55 00 000f 4f464649535f44434d544b5f333637`),
  hex('03 00 00000004 00 01 01 07'),
  hex('05 00 00000004 00000000'),
  hex('06 00 00000004 00000000'),
  hex('07 00 00000004 00 00 02 06'),
  ...COMMAND_SEEDS.map((c) => pdata(c)),
];

/** The variable items of an A-ASSOCIATE-RQ/AC (after its 74-byte header), as [offset, end). */
function items(b: Buffer): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 74; at + 4 <= b.length;) {
    const end = at + 4 + b.readUInt16BE(at + 2);
    if (end > b.length) break;
    out.push([at, end]);
    at = end;
  }
  return out;
}

/** Sets the PDU length field from the bytes actually there (so deeper parsers are reached). */
function fixLength(b: Buffer): Buffer {
  if (b.length >= 6) b.writeUInt32BE(b.length - 6, 2);
  return b;
}

/** One mutation of one seed: which kind, and the bytes. */
export function mutatePdu(seed: Buffer, rnd: () => number): { kind: string; bytes: Buffer } {
  const b = Buffer.from(seed);
  const pick = Math.floor(rnd() * 9);
  const int = (n: number) => Math.floor(rnd() * n);
  switch (pick) {
    case 0:
      return { kind: 'truncate', bytes: b.subarray(0, int(b.length)) };
    case 1: {
      // the PDU length field: 0, max, or off by a little
      const v = [0, 0xffffffff, b.length - 6 + 1, b.length - 6 - 1, b.length - 6 + 1000, 0x7fffffff][int(6)]!;
      b.writeUInt32BE(v >>> 0, 2);
      return { kind: 'pdu-length', bytes: b };
    }
    case 2: {
      // bit flips anywhere, length kept right
      for (let i = 0, n = 1 + int(6); i < n; i++) {
        const at = int(b.length);
        b[at] = b[at]! ^ (1 << int(8));
      }
      return { kind: 'bit-flip', bytes: fixLength(b) };
    }
    case 3:
    case 4:
    case 5: {
      // item surgery (association PDUs) or PDV surgery (P-DATA)
      if (b[0] === 0x01 || b[0] === 0x02) {
        const list = items(b);
        if (!list.length) break;
        const [s, e] = list[int(list.length)]!;
        const item = b.subarray(s, e);
        const op = int(5);
        if (op === 0) return { kind: 'item-remove', bytes: fixLength(Buffer.concat([b.subarray(0, s), b.subarray(e)])) };
        if (op === 1) return { kind: 'item-duplicate', bytes: fixLength(Buffer.concat([b.subarray(0, e), item, b.subarray(e)])) };
        if (op === 2) {
          b[s] = [0x10, 0x20, 0x21, 0x30, 0x40, 0x50, 0x51, 0x52, 0x54, 0x55, 0x56, 0x00, 0xff][int(13)]!;
          return { kind: 'item-retype', bytes: b };
        }
        if (op === 3) {
          b.writeUInt16BE([0, 1, 0xffff, e - s - 4 + 1, e - s - 4 - 1][int(5)]! & 0xffff, s + 2);
          return { kind: 'item-length', bytes: b };
        }
        // nest: an item inside itself (a sub-item where none belongs, or a deep chain)
        const nested = Buffer.concat([item.subarray(0, 4), item]);
        nested.writeUInt16BE(Math.min(0xffff, nested.length - 4), 2);
        return { kind: 'item-nest', bytes: fixLength(Buffer.concat([b.subarray(0, s), nested, b.subarray(e)])) };
      }
      if (b[0] === 0x04 && b.length > 12) {
        const op = int(4);
        if (op === 0) {
          b.writeUInt32BE([0, 1, 2, 0xffffffff, b.length][int(5)]! >>> 0, 6);
          return { kind: 'pdv-length', bytes: b };
        }
        if (op === 1) {
          b[11] = int(256);
          return { kind: 'pdv-header', bytes: b };
        }
        if (op === 2) {
          b[10] = int(256);
          return { kind: 'pdv-context', bytes: b };
        }
        // two PDVs where the first's length swallows part of the second
        const twice = Buffer.concat([b, b.subarray(6)]);
        return { kind: 'pdv-overlap', bytes: fixLength(twice) };
      }
      break;
    }
    case 6:
    case 7: {
      // command set surgery inside a P-DATA-TF
      const cmd = Buffer.from(COMMAND_SEEDS[int(COMMAND_SEEDS.length)]!);
      return { kind: 'command', bytes: pdata(mutateCommand(cmd, rnd)) };
    }
    default: {
      // splice two seeds
      const other = PDU_SEEDS[int(PDU_SEEDS.length)]!;
      const cut = int(b.length);
      return { kind: 'splice', bytes: fixLength(Buffer.concat([b.subarray(0, cut), other.subarray(int(other.length))])) };
    }
  }
  return { kind: 'bit-flip', bytes: fixLength(b) };
}

/** A mutated command set: an element's length, its value bytes, the group length, or a truncation. */
export function mutateCommand(cmd: Buffer, rnd: () => number): Buffer {
  const int = (n: number) => Math.floor(rnd() * n);
  const starts: number[] = [];
  for (let at = 0; at + 8 <= cmd.length;) {
    starts.push(at);
    at += 8 + cmd.readUInt32LE(at + 4);
  }
  const at = starts[int(starts.length)] ?? 0;
  switch (int(5)) {
    case 0:
      cmd.writeUInt32LE([0, 1, 3, 0xffffffff, 0xfffffffe, cmd.length][int(6)]! >>> 0, at + 4);
      return cmd;
    case 1:
      cmd.writeUInt16LE([0x0000, 0x0100, 0x0700, 0x0800, 0x0900, 0x1000, 0x1020, 0xffff][int(8)]!, at + 2);
      return cmd;
    case 2:
      return cmd.subarray(0, int(cmd.length));
    case 3:
      cmd.writeUInt32LE(int(2) ? 0 : 0xffffffff, 8);
      return cmd; // (0000,0000) group length
    default:
      for (let i = 0, n = 1 + int(4); i < n; i++) cmd[int(cmd.length)] = int(256);
      return cmd;
  }
}

/** Whether an error is one of the parsers' own (a refusal, not a crash). */
export function isTypedError(err: unknown): boolean {
  return err instanceof PduError || err instanceof DicomParseError || err instanceof DimseProtocolError;
}

/**
 * Runs one case through every parser it reaches. `crash` is the first error that is not a
 * parser's own refusal; the counts say how deep the case went.
 */
export interface CaseOutcome {
  crash?: Error;
  /** The PDU decoder accepted the bytes. */
  pduAccepted: boolean;
  /** Command sets that reached the command parser, and how many it accepted. */
  commands: number;
  commandsAccepted: number;
}

export function runCase(bytes: Buffer, rnd: () => number = Math.random): CaseOutcome {
  let crash: Error | undefined;
  const guard = (f: () => void): boolean => {
    try {
      f();
      return true;
    } catch (err) {
      if (!isTypedError(err)) crash ??= err instanceof Error ? err : new Error(String(err));
      return false;
    }
  };
  const pduAccepted = guard(() => decodePdu(bytes));
  const pdvs: Uint8Array[] = [];
  let pieces: Uint8Array[] = [];
  const sink: FramerSink = {
    pdu: () => {},
    pdv: (_contextId, control, piece, end) => {
      pieces.push(Uint8Array.from(piece));
      if (!end) return;
      if (control & 1) pdvs.push(Buffer.concat(pieces));
      pieces = [];
    },
    error: () => {},
  };
  guard(() => {
    const framer = new PduFramer(sink, 16384);
    // as a socket delivers it: in chunks of any size
    for (let at = 0; at < bytes.length;) {
      const n = 1 + Math.floor(rnd() * 64);
      framer.push(bytes.subarray(at, at + n));
      at += n;
    }
  });
  let commandsAccepted = 0;
  for (const data of pdvs) if (guard(() => parseCommand(decodeDataSet(data, IMPLICIT_LITTLE_ENDIAN).dataSet))) commandsAccepted++;
  return { ...(crash ? { crash } : {}), pduAccepted, commands: pdvs.length, commandsAccepted };
}
