// A bare C-STORE receiver in Node, for the ingest-by-PDU benchmark only: what the runtime itself
// allows on this machine, beside storescp and priors serve. It accepts any association (the first
// offered transfer syntax of each context, Explicit VR Little Endian when offered), answers
// C-ECHO, writes each data set to a temp file at the end of each socket read (one writev of the
// PDV slices, no copy) and renames it into files/ before answering Success. No File Meta, no
// header parsing, no checks, no index: not a Storage SCP, a floor to measure Priors against.
//   node --import tsx bench/bare-receiver.ts <port> <dir> <maxPdu> <default|own>
// "default" reads the socket the way Node does unless told otherwise (a new 64 KiB buffer per
// read, through the socket's Readable); "own" reads it as Priors' link does (ul/link.ts).
import { createServer, type Socket } from 'node:net';
import { closeSync, mkdirSync, openSync, renameSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { readIntoOwnBuffer, takeOwnReads } from '../electron/dimse/ul/link.js';
import { decodePduBody, encodePdu, type AssociateRqPdu } from '../electron/dimse/ul/pdu.js';
import { EXPLICIT_LE } from '../test/helpers/raw-peer.js';

const uidBytes = (uid: string) => Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
const us = (n: number) => Buffer.from([n & 0xff, n >> 8]);

function element(elementNumber: number, value: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16LE(elementNumber, 2);
  h.writeUInt32LE(value.length, 4);
  return Buffer.concat([h, value]);
}

/** A command set with its group length, in one P-DATA-TF of one last-fragment command PDV. */
function commandPdu(contextId: number, elements: Buffer[]): Buffer {
  const body = Buffer.concat(elements);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  const data = Buffer.concat([element(0, length), body]);
  const h = Buffer.alloc(12);
  h[0] = 0x04;
  h.writeUInt32BE(data.length + 6, 2);
  h.writeUInt32BE(data.length + 2, 6);
  h[10] = contextId;
  h[11] = 0x03;
  return Buffer.concat([h, data]);
}

/** A Success response (C-ECHO-RSP 0x8030, C-STORE-RSP 0x8001 with the SOP Instance UID) to `command`. */
function success(contextId: number, command: Command, field: number): Buffer {
  const elements = [
    element(2, uidBytes(command.sopClass)),
    element(0x100, us(field)),
    element(0x120, us(command.messageId)),
    element(0x800, us(0x0101)),
    element(0x900, us(0)),
  ];
  if (command.sopInstance) elements.push(element(0x1000, uidBytes(command.sopInstance)));
  return commandPdu(contextId, elements);
}

interface Command {
  field: number;
  messageId: number;
  sopClass: string;
  sopInstance: string;
}

function parseCommand(b: Buffer): Command {
  const c: Command = { field: 0, messageId: 0, sopClass: '', sopInstance: '' };
  for (let at = 0; at + 8 <= b.length;) {
    const group = b.readUInt16LE(at);
    const el = b.readUInt16LE(at + 2);
    const length = b.readUInt32LE(at + 4);
    const v = b.subarray(at + 8, at + 8 + length);
    if (group === 0 && el === 0x0100) c.field = v.readUInt16LE(0);
    else if (group === 0 && el === 0x0110) c.messageId = v.readUInt16LE(0);
    else if (group === 0 && el === 0x0002) c.sopClass = v.toString('latin1').replace(/\0$/, '');
    else if (group === 0 && el === 0x1000) c.sopInstance = v.toString('latin1').replace(/\0$/, '');
    at += 8 + length;
  }
  return c;
}

/**
 * The A-ASSOCIATE-AC for an A-ASSOCIATE-RQ's body (PS3.8 §9.3.2, §9.3.3), through Priors' PDU
 * codec (once per association, outside what is measured per instance): every context accepted,
 * with Explicit VR Little Endian when offered, else its first transfer syntax.
 */
function associateAc(body: Buffer, maxPdu: number): Buffer {
  const rq = decodePduBody(0x01, body) as AssociateRqPdu;
  return encodePdu({
    type: 'A-ASSOCIATE-AC',
    protocolVersion: 1,
    calledAeTitle: rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContext: rq.applicationContext,
    contexts: rq.contexts.map((pc) => ({
      id: pc.id,
      result: 0,
      transferSyntax: pc.transferSyntaxes.includes(EXPLICIT_LE) ? EXPLICIT_LE : pc.transferSyntaxes[0]!,
    })),
    userInfo: { maxLength: maxPdu, implementationClassUid: '1.2.826.0.1.3680043.10.1.99', roles: [], other: [] },
  });
}

function serve(socket: Socket, dir: string, maxPdu: number, ownReads: boolean): void {
  let pending: Buffer | null = null; // an incomplete header or control PDU, copied
  let pduLeft = 0;
  let pdvLeft = 0;
  let pdvContext = 0;
  let pdvControl = 0;
  let commandParts: Buffer[] = [];
  let command: Command | undefined;
  let fd = -1;
  let written = 0;
  let temp = '';
  let slices: Buffer[] = [];
  let serial = 0;
  const flush = () => {
    if (slices.length > 0 && fd >= 0) written += writevSync(fd, slices, written);
    slices = [];
  };
  const pdvEnd = () => {
    if (pdvControl & 1) {
      if (!(pdvControl & 2)) return;
      command = parseCommand(Buffer.concat(commandParts));
      commandParts = [];
      if (command.field === 0x0030) {
        socket.write(success(pdvContext, command, 0x8030));
        return;
      }
      temp = join(dir, 'tmp', `${process.pid}-${serial++}.part`);
      fd = openSync(temp, 'wx');
      written = 0;
    } else if (pdvControl & 2 && command) {
      flush();
      closeSync(fd);
      fd = -1;
      renameSync(temp, join(dir, 'files', `${command.sopInstance}.dcm`));
      socket.write(success(pdvContext, command, 0x8001));
    }
  };
  const onChunk = (read: Buffer) => {
    let chunk = read;
    if (pending) {
      chunk = Buffer.concat([pending, read]);
      pending = null;
    }
    const n = chunk.length;
    let at = 0;
    while (at < n) {
      if (pduLeft === 0) {
        if (n - at < 6) break;
        const type = chunk[at]!;
        const length = chunk.readUInt32BE(at + 2);
        if (type !== 0x04) {
          if (n - at < 6 + length) break;
          const body = chunk.subarray(at + 6, at + 6 + length);
          if (type === 0x01) socket.write(associateAc(body, maxPdu));
          else if (type === 0x05) socket.end(encodePdu({ type: 'A-RELEASE-RP' }));
          else socket.destroy();
          at += 6 + length;
          continue;
        }
        pduLeft = length;
        at += 6;
        continue;
      }
      if (pdvLeft === 0) {
        if (n - at < 6) break;
        pdvLeft = chunk.readUInt32BE(at) - 2;
        pdvContext = chunk[at + 4]!;
        pdvControl = chunk[at + 5]!;
        at += 6;
        pduLeft -= 6;
        if (pdvLeft === 0) pdvEnd();
        continue;
      }
      const take = Math.min(pdvLeft, n - at);
      const piece = chunk.subarray(at, at + take);
      if (pdvControl & 1) commandParts.push(Buffer.from(piece));
      else slices.push(piece);
      at += take;
      pdvLeft -= take;
      pduLeft -= take;
      if (pdvLeft === 0) pdvEnd();
    }
    if (at < n) pending = Buffer.from(chunk.subarray(at));
    flush(); // the read buffer is read into again after this
  };
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  // own reads: the link's (ul/link.ts), fed to this loop instead of the framer
  if (!ownReads || !takeOwnReads(socket, onChunk)) socket.on('data', onChunk);
}

const [portArg, dir, maxPduArg, mode] = process.argv.slice(2);
if (!portArg || !dir || !maxPduArg || (mode !== 'default' && mode !== 'own')) {
  console.error('usage: bare-receiver.ts <port> <dir> <maxPdu> <default|own>');
  process.exit(2);
}
mkdirSync(join(dir, 'tmp'), { recursive: true });
mkdirSync(join(dir, 'files'), { recursive: true });
const ownReads = mode === 'own';
createServer({ pauseOnConnect: ownReads }, (socket) => serve(ownReads ? readIntoOwnBuffer(socket) : socket, dir, Number(maxPduArg), ownReads)).listen(
  Number(portArg),
  '127.0.0.1',
);
process.on('SIGTERM', () => process.exit(0));
