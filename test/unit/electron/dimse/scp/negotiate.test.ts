// The SCP's answer to an A-ASSOCIATE-RQ (PS3.8 §7.1.1, §9.3.3, §9.3.4): rejections, limits,
// presentation contexts and role selection, without a socket.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SopClassUid, TransferSyntaxUid as TS } from '../../../../../shared/dicom/uids.js';
import type { AssociateRequestInfo } from '../../../../../electron/dimse/ul/association.js';
import type { AssociationPolicy } from '../../../../../electron/dimse/handlers.js';
import {
  answerContexts,
  answerRoles,
  AssociationSlots,
  chooseStorageSyntax,
  decide,
  type OfferedServices,
} from '../../../../../electron/dimse/scp/negotiate.js';

const all: OfferedServices = { store: true, find: true, retrieve: true };
const policy = (over: Partial<AssociationPolicy> = {}): AssociationPolicy => ({
  aeTitle: 'PRIORS',
  acceptCallingAeTitle: (ae) => ae !== 'EVIL',
  maxAssociations: 2,
  ...over,
});
function rq(over: Partial<AssociateRequestInfo> = {}): AssociateRequestInfo {
  return {
    callingAeTitle: 'PACS',
    calledAeTitle: 'PRIORS',
    applicationContext: '1.2.840.10008.3.1.1.1',
    maxPduLength: 16384,
    implementationClassUid: '1.2.3',
    roles: [],
    peerAddress: '127.0.0.1',
    peerPort: 1234,
    contexts: [{ id: 1, abstractSyntax: SopClassUid.Verification, transferSyntaxes: [TS.ImplicitVRLittleEndian] }],
    ...over,
  };
}

describe('storage transfer syntax choice (as DCMTK storescp)', () => {
  test('first known encapsulated syntax in the proposer order, else ELE, ILE, EBE', () => {
    assert.equal(chooseStorageSyntax([TS.ImplicitVRLittleEndian, TS.JPEG2000Lossless, TS.JPEGBaseline8Bit]), TS.JPEG2000Lossless);
    assert.equal(chooseStorageSyntax([TS.ImplicitVRLittleEndian, TS.ExplicitVRBigEndian, TS.ExplicitVRLittleEndian]), TS.ExplicitVRLittleEndian);
    assert.equal(chooseStorageSyntax([TS.ExplicitVRBigEndian, TS.ImplicitVRLittleEndian]), TS.ImplicitVRLittleEndian);
    assert.equal(chooseStorageSyntax([TS.DeflatedExplicitVRLittleEndian]), TS.DeflatedExplicitVRLittleEndian);
    assert.equal(chooseStorageSyntax(['1.2.3.4.5']), undefined);
  });
});

describe('presentation contexts', () => {
  test('accepts Verification, storage (known or not) and the Q/R classes; refuses others with 3, unknown syntaxes with 4', () => {
    const answers = answerContexts(
      [
        { id: 1, abstractSyntax: SopClassUid.Verification, transferSyntaxes: [TS.ImplicitVRLittleEndian] },
        { id: 3, abstractSyntax: SopClassUid.CTImageStorage, transferSyntaxes: [TS.ImplicitVRLittleEndian, TS.ExplicitVRLittleEndian] },
        { id: 5, abstractSyntax: '1.2.840.10008.5.1.4.1.1.77777', transferSyntaxes: [TS.JPEGLSLossless] },
        { id: 7, abstractSyntax: SopClassUid.StudyRootQueryRetrieveInformationModelFind, transferSyntaxes: [TS.ExplicitVRLittleEndian] },
        { id: 9, abstractSyntax: SopClassUid.PatientRootQueryRetrieveInformationModelGet, transferSyntaxes: [TS.ImplicitVRLittleEndian] },
        { id: 11, abstractSyntax: '1.2.840.10008.5.1.1.9', transferSyntaxes: [TS.ImplicitVRLittleEndian] },
        { id: 13, abstractSyntax: SopClassUid.MRImageStorage, transferSyntaxes: ['1.2.3.4.5'] },
      ],
      all,
      [],
    );
    assert.deepEqual(
      answers.map((a) => [a.id, a.result, a.transferSyntax]),
      [
        [1, 0, TS.ImplicitVRLittleEndian],
        [3, 0, TS.ExplicitVRLittleEndian],
        [5, 0, TS.JPEGLSLossless],
        [7, 0, TS.ExplicitVRLittleEndian],
        [9, 0, TS.ImplicitVRLittleEndian],
        [11, 3, undefined],
        [13, 4, undefined],
      ],
    );
  });

  test('offers only the services it has handlers for; storage with the SCP role only for C-GET', () => {
    const contexts = [
      { id: 1, abstractSyntax: SopClassUid.StudyRootQueryRetrieveInformationModelFind, transferSyntaxes: [TS.ImplicitVRLittleEndian] },
      { id: 3, abstractSyntax: SopClassUid.CTImageStorage, transferSyntaxes: [TS.ImplicitVRLittleEndian] },
    ];
    const none = { store: false, find: false, retrieve: false };
    assert.deepEqual(
      answerContexts(contexts, none, []).map((a) => a.result),
      [3, 3],
    );
    const getOnly = { store: false, find: false, retrieve: true };
    const roles = [{ abstractSyntax: SopClassUid.CTImageStorage, scuRole: false, scpRole: true }];
    const answers = answerContexts(contexts, getOnly, roles);
    assert.deepEqual(
      answers.map((a) => a.result),
      [3, 0],
    );
    assert.deepEqual(answerRoles(roles, answers, getOnly), roles);
    assert.deepEqual(answerRoles(roles, answers, { ...getOnly, retrieve: false }), [{ ...roles[0], scpRole: false }]);
  });
});

describe('decide', () => {
  test('rejects a Called AE that is not ours (1, 1, 7) and a refused Calling AE (1, 1, 3)', () => {
    const slots = new AssociationSlots(policy());
    assert.deepEqual(decide(rq({ calledAeTitle: 'OTHER' }), policy(), all, slots), { accept: false, result: 1, source: 1, reason: 7 });
    assert.deepEqual(decide(rq({ callingAeTitle: 'EVIL' }), policy(), all, slots), { accept: false, result: 1, source: 1, reason: 3 });
    assert.deepEqual(decide(rq({ applicationContext: '1.2.3' }), policy(), all, slots), { accept: false, result: 1, source: 1, reason: 2 });
    assert.equal(slots.active, 0);
  });

  test('counts associations against both limits: (2, 3, 2) local-limit-exceeded', () => {
    const p = policy({ maxAssociations: 2, maxAssociationsPerCallingAe: 1 });
    const slots = new AssociationSlots(p);
    assert.equal(decide(rq(), p, all, slots).accept, true);
    assert.deepEqual(decide(rq(), p, all, slots), { accept: false, result: 2, source: 3, reason: 2 });
    assert.equal(decide(rq({ callingAeTitle: 'OTHER' }), p, all, slots).accept, true);
    assert.deepEqual(decide(rq({ callingAeTitle: 'THIRD' }), p, all, slots), { accept: false, result: 2, source: 3, reason: 2 });
    slots.release('PACS');
    assert.equal(slots.active, 1);
    assert.equal(decide(rq({ callingAeTitle: 'THIRD' }), p, all, slots).accept, true);
  });
});
