import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePdu, encodePdu, type Pdu } from '../../../../../electron/dimse/ul/pdu.js';
import { buildAcceptPdu } from '../../../../../electron/dimse/ul/negotiation.js';
import { openLine } from '../../../../../electron/dimse/ul/log.js';

const rq = {
  type: 'A-ASSOCIATE-RQ',
  protocolVersion: 1,
  calledAeTitle: 'PRIORS',
  callingAeTitle: 'MODALITY',
  applicationContext: '1.2.840.10008.3.1.1.1',
  contexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
  userInfo: {
    maxLength: 16384,
    implementationClassUid: '1.2.3',
    asyncOps: { invoked: 8, performed: 4 },
    roles: [],
    userIdentity: { type: 5, primary: 'eyJhbGciOi.secret.token', positiveResponseRequested: false },
    other: [],
  },
} satisfies Pdu;

test('PS3.7 D.3.3.3: a proposed asynchronous operations window is answered 1/1 (no asynchronous operations)', () => {
  const { ac } = buildAcceptPdu(
    rq,
    { accept: true, contexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', result: 0, transferSyntax: '1.2.840.10008.1.2' }] },
    {},
  );
  const decoded = decodePdu(encodePdu(ac));
  assert.equal(decoded.type, 'A-ASSOCIATE-AC');
  if (decoded.type !== 'A-ASSOCIATE-AC') return;
  assert.deepEqual(decoded.userInfo.asyncOps, { invoked: 1, performed: 1 });
});

test('no window proposed, none answered (the default 1/1 applies)', () => {
  const plain = { ...rq, userInfo: { ...rq.userInfo, asyncOps: undefined } };
  delete (plain.userInfo as { asyncOps?: unknown }).asyncOps;
  const { ac } = buildAcceptPdu(plain, { accept: true, contexts: [] }, {});
  assert.equal(ac.userInfo.asyncOps, undefined);
});

test('the open log line names the proposed window and the user identity type, never a token', () => {
  const info = {
    callingAeTitle: 'MODALITY',
    calledAeTitle: 'PRIORS',
    applicationContext: rq.applicationContext,
    contexts: rq.contexts,
    maxPduLength: 16384,
    implementationClassUid: '1.2.3',
    roles: [],
    asyncOps: { invoked: 8, performed: 4 },
    userIdentity: rq.userInfo.userIdentity,
    peerAddress: '127.0.0.1',
    peerPort: 5000,
  };
  const line = openLine('a1', 'acceptor', info, []);
  assert.match(line, /asynchronous operations window 8\/4 proposed, 1\/1 used/);
  assert.match(line, /user identity: JSON Web Token/);
  assert.doesNotMatch(line, /eyJ/);
  const named = openLine('a2', 'acceptor', { ...info, userIdentity: { type: 1, primary: 'jdoe', positiveResponseRequested: false } }, []);
  assert.match(named, /user identity: username jdoe/);
});
