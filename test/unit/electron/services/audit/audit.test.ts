// The audit log: storage (append-only, filters with bound parameters), the PS3.15 A.5 export
// shape, CSV (quoting, formulas defused) and the identifier summary.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { auditCsv, auditMessage, type AuditRecord } from '../../../../../shared/audit.js';
import { setString, tag } from '../../../../../shared/dicom/dataset.js';
import { AuditStore } from '../../../../../electron/cache/audit.js';
import { migrate, openDatabase } from '../../../../../electron/cache/db.js';
import { HISTORY_MIGRATIONS } from '../../../../../electron/cache/migrations.js';
import { identifierSummary } from '../../../../../electron/services/audit/audit.js';
import { tempDir } from '../../../../helpers/tmp.js';

function store() {
  const db = openDatabase(join(tempDir('audit'), 'history.sqlite'));
  migrate(db, HISTORY_MIGRATIONS); // the audit log lives in the history (index migration 006 moved it there)
  return { db, audit: AuditStore.over(db) };
}

const base: AuditRecord = { at: 1_000, what: 'query', outcome: 0, direction: 'incoming', peerAeTitle: 'CT1', peerHost: '10.1.2.3', localAeTitle: 'PRIORS' };

test('append-only: rows are added; UPDATE and DELETE are refused by the table itself', () => {
  const { db, audit } = store();
  try {
    const seq = audit.append(base);
    assert.equal(seq, 1);
    assert.throws(() => db.prepare('UPDATE audit_event SET outcome = 8').run(), /append-only: rows cannot be changed/);
    assert.throws(() => db.prepare('DELETE FROM audit_event').run(), /append-only: rows cannot be deleted/);
    assert.equal(audit.query().total, 1);
  } finally {
    db.close();
  }
});

test('filters: time, action, peer (AE or node), patient (ID or name start, literally), outcome; newest first, paged', () => {
  const { db, audit } = store();
  try {
    audit.append({ ...base, at: 1000, PatientID: 'P1', PatientName: 'DOE^JANE' });
    audit.append({ ...base, at: 2000, what: 'store', action: 'C', instances: 12, PatientID: 'P2', PatientName: 'O%BRIEN^X', StudyInstanceUID: '1.2.3' });
    audit.append({ ...base, at: 3000, what: 'retrieve', direction: 'outgoing', node: 'pacs', peerAeTitle: 'ORTHANC', outcome: 8, outcomeText: 'refused' });
    assert.deepEqual(
      audit.query().events.map((e) => e.at),
      [3000, 2000, 1000],
    );
    assert.equal(audit.query({ since: 1500, until: 2500 }).total, 1);
    assert.equal(audit.query({ what: 'store' }).events[0]?.instances, 12);
    assert.equal(audit.query({ what: 'store' }).events[0]?.eventCode, '110104');
    assert.equal(audit.query({ peer: 'PACS' }).total, 1, 'node name, any case');
    assert.equal(audit.query({ peer: 'ct1' }).total, 2);
    assert.equal(audit.query({ patient: 'doe' }).total, 1, 'name start, any case');
    assert.equal(audit.query({ patient: 'P2' }).total, 1, 'ID exactly');
    assert.equal(audit.query({ patient: 'O%' }).total, 1, 'a % is a percent sign, not a wildcard');
    assert.equal(audit.query({ patient: '%' }).total, 0);
    assert.equal(audit.query({ patient: "'; DROP TABLE audit_event; --" }).total, 0);
    assert.equal(audit.query({ outcome: 'failed' }).events[0]?.outcomeText, 'refused');
    assert.deepEqual(
      audit.query({ limit: 1, offset: 1 }).events.map((e) => e.at),
      [2000],
    );
  } finally {
    db.close();
  }
});

test('export: PS3.15 A.5 audit message structure, and CSV with formulas defused', () => {
  const e = {
    ...base,
    seq: 7,
    eventCode: '110104',
    action: 'C' as const,
    what: 'store' as const,
    PatientID: 'P1',
    PatientName: 'DOE^JANE',
    StudyInstanceUID: '1.2.3',
    instances: 4,
  };
  const m = auditMessage(e, { auditSourceId: 'PRIORS' }) as {
    EventIdentification: { EventID: { csd_code: string }; EventActionCode: string; EventOutcomeIndicator: number };
    ActiveParticipant: { UserID: string; NetworkAccessPointID?: string; UserIsRequestor: boolean }[];
    ParticipantObjectIdentification: { ParticipantObjectID: string; ParticipantObjectTypeCodeRole: string }[];
  };
  assert.equal(m.EventIdentification.EventID.csd_code, '110104');
  assert.equal(m.EventIdentification.EventActionCode, 'C');
  assert.equal(m.EventIdentification.EventOutcomeIndicator, 0);
  const requestor = m.ActiveParticipant.find((p) => p.UserIsRequestor);
  assert.equal(requestor?.UserID, 'CT1', 'the peer that stored is the requestor');
  assert.equal(requestor?.NetworkAccessPointID, '10.1.2.3');
  assert.deepEqual(
    m.ParticipantObjectIdentification.map((p) => [p.ParticipantObjectID, p.ParticipantObjectTypeCodeRole]),
    [
      ['P1', '1'],
      ['1.2.3', '3'],
    ],
  );
  const csv = auditCsv([{ ...e, detail: '=HYPERLINK("x")', outcomeText: 'a, "b"' }]);
  const [header, line] = csv.split('\r\n');
  assert.match(header!, /^seq,at,what,eventCode/);
  assert.match(line!, /"'=HYPERLINK\(""x""\)"/);
  assert.match(line!, /"a, ""b"""/);
  assert.match(line!, /1970-01-01T00:00:01\.000Z/);
});

test('an export event (PS3.15 A.5.3.5): Export, the destination media as a participant, the study marked anonymized when de-identified', () => {
  const e = {
    ...base,
    seq: 8,
    eventCode: '110106',
    action: 'R' as const,
    what: 'export' as const,
    direction: 'local' as const,
    PatientID: 'P1',
    StudyInstanceUID: '1.2.3',
    instances: 4,
  };
  type Message = {
    EventIdentification: { EventID: { csd_code: string; originalText: string } };
    ActiveParticipant: { UserID: string; RoleIDCode?: { csd_code: string } }[];
    ParticipantObjectIdentification: { ParticipantObjectID: string; ParticipantObjectDescription?: { Anonymized?: boolean } }[];
  };
  const of = (detail: string) => auditMessage({ ...e, detail }, { auditSourceId: 'PRIORS' }) as Message;
  const m = of('to /media/usb (DICOMDIR, de-identified as ANON-X; by alice)');
  assert.equal(m.EventIdentification.EventID.csd_code, '110106');
  assert.deepEqual(
    m.ActiveParticipant.filter((p) => p.RoleIDCode?.csd_code === '110154').map((p) => p.UserID),
    ['/media/usb'],
  );
  assert.equal(m.ParticipantObjectIdentification.find((p) => p.ParticipantObjectID === '1.2.3')?.ParticipantObjectDescription?.Anonymized, true);
  assert.equal(
    of('to /tmp/x.zip (ZIP, identified; by alice)').ParticipantObjectIdentification.find((p) => p.ParticipantObjectID === '1.2.3')?.ParticipantObjectDescription
      ?.Anonymized,
    false,
  );
});

test('the identifier summary names the keys that carry a value', () => {
  const id = new Map();
  setString(id, tag(0x0008, 0x0052), 'CS', 'STUDY');
  setString(id, tag(0x0010, 0x0010), 'PN', 'DOE^*');
  setString(id, tag(0x0010, 0x0020), 'LO', '');
  assert.equal(identifierSummary(id), 'QueryRetrieveLevel=STUDY, PatientName=DOE^*');
});
