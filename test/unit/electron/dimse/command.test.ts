// DIMSE command sets (PS3.7 §9.3, Annex E): builders, the parser, Message IDs, and the
// SCU helpers that need no socket (capped answers, C-GET context planning, store contexts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tag, type DataSet } from '../../../../shared/dicom/dataset.js';
import { decodeDataSet, encodeDataSet, IMPLICIT_LITTLE_ENDIAN } from '../../../../shared/dicom/codec.js';
import { SopClassUid, TransferSyntaxUid } from '../../../../shared/dicom/uids.js';
import {
  cancelRq,
  CommandField,
  CommandTag,
  commandName,
  DimseProtocolError,
  echoRq,
  echoRsp,
  findRq,
  findRsp,
  genericRsp,
  getRq,
  getRsp,
  isResponse,
  MessageIdAllocator,
  moveRq,
  moveRsp,
  NO_DATA_SET,
  parseCommand,
  Priority,
  storeRq,
  storeRsp,
  truncateComment,
} from '../../../../electron/dimse/command.js';
import { cappedReason, DEFAULT_GET_STORAGE_SOP_CLASSES, planGetContexts, storeContexts } from '../../../../electron/dimse/scu/index.js';

/** Encodes and decodes a command set the way the association does (implicit VR LE, PS3.7 §6.3.1). */
function wire(ds: DataSet): DataSet {
  return decodeDataSet(encodeDataSet(ds, IMPLICIT_LITTLE_ENDIAN), IMPLICIT_LITTLE_ENDIAN).dataSet;
}

describe('command builders', () => {
  test('C-ECHO-RQ has the exact bytes of PS3.7 Annex E (without CommandGroupLength)', () => {
    const bytes = encodeDataSet(echoRq({ messageId: 7 }), IMPLICIT_LITTLE_ENDIAN);
    const uid = [...new TextEncoder().encode('1.2.840.10008.1.1'), 0];
    const expected = [
      0x00,
      0x00,
      0x02,
      0x00,
      18,
      0,
      0,
      0,
      ...uid, // (0000,0002) AffectedSOPClassUID, UI padded with NUL
      0x00,
      0x00,
      0x00,
      0x01,
      2,
      0,
      0,
      0,
      0x30,
      0x00, // (0000,0100) CommandField = 0030H
      0x00,
      0x00,
      0x10,
      0x01,
      2,
      0,
      0,
      0,
      7,
      0, // (0000,0110) MessageID = 7
      0x00,
      0x00,
      0x00,
      0x08,
      2,
      0,
      0,
      0,
      0x01,
      0x01, // (0000,0800) CommandDataSetType = 0101H (no data set)
    ];
    assert.deepEqual([...bytes], expected);
  });

  test('requests round-trip through the wire encoding', () => {
    const store = parseCommand(
      wire(
        storeRq({
          messageId: 3,
          affectedSopClassUid: SopClassUid.CTImageStorage,
          affectedSopInstanceUid: '1.2.3.4',
          priority: Priority.HIGH,
          moveOriginatorAeTitle: 'ORIGIN',
          moveOriginatorMessageId: 99,
        }),
      ),
    );
    assert.deepEqual(store, {
      commandField: CommandField.C_STORE_RQ,
      hasDataSet: true,
      messageId: 3,
      affectedSopClassUid: SopClassUid.CTImageStorage,
      affectedSopInstanceUid: '1.2.3.4',
      priority: Priority.HIGH,
      moveOriginatorAeTitle: 'ORIGIN',
      moveOriginatorMessageId: 99,
    });
    const m = parseCommand(
      wire(moveRq({ messageId: 4, affectedSopClassUid: SopClassUid.StudyRootQueryRetrieveInformationModelMove, moveDestination: 'PRIORS' })),
    );
    assert.deepEqual([m.commandField, m.moveDestination, m.priority, m.hasDataSet], [CommandField.C_MOVE_RQ, 'PRIORS', Priority.MEDIUM, true]);
    assert.equal(parseCommand(wire(findRq({ messageId: 5, affectedSopClassUid: '1.2' }))).commandField, 0x0020);
    assert.equal(parseCommand(wire(getRq({ messageId: 6, affectedSopClassUid: '1.2' }))).commandField, 0x0010);
    const c = parseCommand(wire(cancelRq({ messageIdBeingRespondedTo: 5 })));
    assert.deepEqual([c.commandField, c.messageIdBeingRespondedTo, c.hasDataSet], [0x0fff, 5, false]);
  });

  test('responses carry status, counts, Error Comment and Offending Element', () => {
    const r = parseCommand(
      wire(
        moveRsp({
          messageIdBeingRespondedTo: 4,
          affectedSopClassUid: '1.2',
          status: 0xff00,
          remaining: 7,
          completed: 2,
          failed: 1,
          warning: 0,
        }),
      ),
    );
    assert.deepEqual([r.commandField, r.status, r.remaining, r.completed, r.failed, r.warning, r.hasDataSet], [0x8021, 0xff00, 7, 2, 1, 0, false]);
    const g = parseCommand(wire(getRsp({ messageIdBeingRespondedTo: 4, status: 0xb000, completed: 2, failed: 1, warning: 0, hasDataSet: true })));
    assert.deepEqual([g.commandField, g.remaining, g.hasDataSet], [0x8010, undefined, true]);
    const f = parseCommand(
      wire(
        findRsp({
          messageIdBeingRespondedTo: 9,
          status: 0xa900,
          hasIdentifier: false,
          errorComment: 'bad key',
          offendingElement: [tag(0x0010, 0x0020)],
        }),
      ),
    );
    assert.deepEqual([f.status, f.errorComment, f.offendingElement], [0xa900, 'bad key', [0x00100020]]);
    const s = parseCommand(wire(storeRsp({ messageIdBeingRespondedTo: 1, affectedSopInstanceUid: '1.2.3', status: 0 })));
    assert.deepEqual([s.commandField, s.affectedSopInstanceUid, s.status], [0x8001, '1.2.3', 0]);
    const e = parseCommand(wire(echoRsp({ messageIdBeingRespondedTo: 2, status: 0 })));
    assert.deepEqual([e.commandField, e.affectedSopClassUid], [0x8030, '1.2.840.10008.1.1']);
    assert.equal(parseCommand(wire(genericRsp(0x0130, { messageIdBeingRespondedTo: 1, status: 0x0211 }))).commandField, 0x8130);
  });

  test('a pending C-FIND-RSP announces its identifier; others announce none (0101H)', () => {
    const pending = findRsp({ messageIdBeingRespondedTo: 1, status: 0xff00, hasIdentifier: true });
    assert.notEqual(pending.get(CommandTag.CommandDataSetType)?.value[0], NO_DATA_SET);
    const final = findRsp({ messageIdBeingRespondedTo: 1, status: 0, hasIdentifier: false });
    assert.equal(final.get(CommandTag.CommandDataSetType)?.value[0], NO_DATA_SET);
  });

  test('Error Comment is cut to 64 characters of one line (LO)', () => {
    assert.equal(truncateComment('a\\b\nc'), 'a b c');
    assert.equal(truncateComment('x'.repeat(100)).length, 64);
    const rsp = storeRsp({ messageIdBeingRespondedTo: 1, status: 0xc000, errorComment: 'y'.repeat(80) });
    assert.equal((rsp.get(CommandTag.ErrorComment)?.value as string[])[0]?.length, 64);
  });
});

describe('command parser', () => {
  test('rejects command sets that break PS3.7 §9.3', () => {
    assert.throws(() => parseCommand(new Map()), DimseProtocolError);
    const noId = echoRq({ messageId: 1 });
    noId.delete(CommandTag.MessageID);
    assert.throws(() => parseCommand(noId), /without MessageID/);
    const noStatus = echoRsp({ messageIdBeingRespondedTo: 1, status: 0 });
    noStatus.delete(CommandTag.Status);
    assert.throws(() => parseCommand(noStatus), /without Status/);
    assert.throws(() => parseCommand(new Map([[CommandTag.CommandField, { vr: 'US', value: [0x0fff] }]])), /C-CANCEL-RQ without/);
  });

  test('reads values left as UN bytes by a dictionary without group 0000', () => {
    const ds: DataSet = new Map([
      [CommandTag.CommandField, { vr: 'UN', value: new Uint8Array([0x20, 0x80]) }],
      [CommandTag.MessageIDBeingRespondedTo, { vr: 'UN', value: new Uint8Array([0x05, 0x00]) }],
      [CommandTag.Status, { vr: 'UN', value: new Uint8Array([0x00, 0xff]) }],
      [CommandTag.ErrorComment, { vr: 'UN', value: new TextEncoder().encode('busy ') }],
    ]);
    const cmd = parseCommand(ds);
    assert.deepEqual([cmd.commandField, cmd.messageIdBeingRespondedTo, cmd.status, cmd.errorComment], [0x8020, 5, 0xff00, 'busy']);
  });

  test('names and kinds of CommandField values', () => {
    assert.equal(commandName(0x8021), 'C-MOVE-RSP');
    assert.equal(commandName(0x0fff), 'C-CANCEL-RQ');
    assert.equal(commandName(0x1234), 'command 0x1234');
    assert.equal(isResponse(0x8001), true);
    assert.equal(isResponse(0x0fff), false);
    assert.equal(isResponse(0x0001), false);
  });

  test('Message IDs run 1..65535 then wrap to 1', () => {
    const ids = new MessageIdAllocator();
    assert.equal(ids.next(), 1);
    for (let i = 2; i < 0xffff; i++) ids.next();
    assert.equal(ids.next(), 0xffff);
    assert.equal(ids.next(), 1);
  });
});

describe('SCU helpers', () => {
  test('answers that look capped by the peer', () => {
    assert.match(cappedReason(0x0000, 500, false) ?? '', /500/);
    assert.equal(cappedReason(0x0000, 499, false), undefined);
    assert.match(cappedReason(0xfe00, 37, false) ?? '', /without our asking/);
    assert.equal(cappedReason(0xfe00, 37, true), undefined);
    assert.match(cappedReason(0xa700, 12, false) ?? '', /out of resources/);
    assert.equal(cappedReason(0xa700, 0, false), undefined);
  });

  test('C-GET contexts: the GET class plus one context per syntax per storage class, within 128', () => {
    const getUid = SopClassUid.StudyRootQueryRetrieveInformationModelGet;
    const plan = planGetContexts(getUid, DEFAULT_GET_STORAGE_SOP_CLASSES, [
      TransferSyntaxUid.ExplicitVRLittleEndian,
      TransferSyntaxUid.ImplicitVRLittleEndian,
      TransferSyntaxUid.JPEGBaseline8Bit,
      TransferSyntaxUid.JPEGLosslessSV1,
      TransferSyntaxUid.JPEG2000Lossless,
      TransferSyntaxUid.RLELossless,
    ]);
    assert.equal(DEFAULT_GET_STORAGE_SOP_CLASSES.length, 25);
    assert.ok(plan.contexts.length <= 128);
    assert.equal(plan.contexts[0]?.abstractSyntax, getUid);
    const ct = plan.contexts.filter((c) => c.abstractSyntax === SopClassUid.CTImageStorage).map((c) => c.transferSyntaxes);
    assert.deepEqual(ct, [
      ['1.2.840.10008.1.2.1'],
      ['1.2.840.10008.1.2'],
      ['1.2.840.10008.1.2.4.50'],
      ['1.2.840.10008.1.2.4.70'],
      ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.5'],
    ]);
    assert.equal(plan.roles?.length, 25);
    assert.deepEqual(plan.roles?.[0], { abstractSyntax: SopClassUid.CTImageStorage, scuRole: false, scpRole: true });

    const many = Array.from({ length: 127 }, (_, i) => `1.2.840.10008.5.1.4.1.1.9999.${i + 1}`);
    const tight = planGetContexts(getUid, many, [TransferSyntaxUid.ExplicitVRLittleEndian, TransferSyntaxUid.ImplicitVRLittleEndian]);
    assert.equal(tight.contexts.length, 128);
    assert.deepEqual(tight.contexts[1]?.transferSyntaxes, ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2']);
    assert.throws(() => planGetContexts(getUid, [...many, '1.2.840.10008.5.1.4.1.1.9999.999'], ['1.2.840.10008.1.2']), /at most 127/);
  });

  test('C-STORE contexts: one per distinct (SOP class, stored syntax), that syntax alone', () => {
    const base = { path: '/x', dataSetOffset: 0, dataSetLength: 1 };
    const contexts = storeContexts([
      { ...base, sopClassUid: 'A', sopInstanceUid: '1', transferSyntaxUid: TransferSyntaxUid.ExplicitVRLittleEndian },
      { ...base, sopClassUid: 'A', sopInstanceUid: '2', transferSyntaxUid: TransferSyntaxUid.ExplicitVRLittleEndian },
      { ...base, sopClassUid: 'A', sopInstanceUid: '3', transferSyntaxUid: TransferSyntaxUid.ImplicitVRLittleEndian },
      { ...base, sopClassUid: 'B', sopInstanceUid: '4', transferSyntaxUid: TransferSyntaxUid.JPEGBaseline8Bit },
    ]);
    assert.deepEqual(contexts, [
      { abstractSyntax: 'A', transferSyntaxes: ['1.2.840.10008.1.2.1'] },
      { abstractSyntax: 'A', transferSyntaxes: ['1.2.840.10008.1.2'] },
      { abstractSyntax: 'B', transferSyntaxes: ['1.2.840.10008.1.2.4.50'] },
    ]);
  });
});
