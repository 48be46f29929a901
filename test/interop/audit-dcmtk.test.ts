// The audit log of a running `priors serve` as DCMTK's SCUs use it (127.0.0.1): storescu's
// instances (one event per association and study), findscu's query with its keys, getscu's
// retrieve, movescu to an unknown destination (a security alert) and an unknown calling AE
// title refused; each row names the calling AE title and 127.0.0.1. Then `priors audit` reads
// it beside the running server, filters it, exports CSV and PS3.15 JSON, and the table refuses
// to be edited.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { AuditEvent } from '../../shared/audit.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { findscu, getscu, movescu, runDcmtk, storescu } from '../helpers/dcmtk-scu.js';
import { cliJson, runPriors, startPriorsServe, type PriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const AET = 'PRIORSAUDIT';

describe('audit log with DCMTK', () => {
  let priors: PriorsServe;
  let work: string;
  let ct: GeneratedSeries;

  const audit = async (args: string[] = []) =>
    cliJson<{ events: AuditEvent[]; total: number }>(await runPriors(['audit', ...args], { dataDir: priors.dataDir, json: true }));
  /** Waits until an event matching `pick` is in the log (store events settle 2 s after the last instance). */
  const eventually = async (pick: (e: AuditEvent) => boolean, what: string): Promise<AuditEvent> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = (await audit(['--limit', '1000'])).events.find(pick);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no audit event for ${what}:\n${JSON.stringify((await audit()).events, null, 1)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  before(async () => {
    work = tempDir('audit-dcmtk');
    ct = await generateCtSeries({ mode: 'tiny', count: 5, patientId: 'AUDIT-1', patientName: 'AUDIT^PATIENT', accession: 'AUD1', seed: 71 });
    const dataDir = join(work, 'data');
    // the callers are configured for the calling-AE policy only: no archive for prefetch to search
    const added = await runPriors(['nodes', 'add', 'friend', 'STORESCU@127.0.0.1:104', '--no-query'], { dataDir });
    assert.equal(added.code, 0, added.stderr);
    for (const [name, aet] of [
      ['finder', 'FINDSCU'],
      ['getter', 'GETSCU'],
      ['mover', 'MOVESCU'],
      ['self', AET],
    ] as const) {
      const r = await runPriors(['nodes', 'add', name, `${aet}@127.0.0.1:104`, '--no-query'], { dataDir });
      assert.equal(r.code, 0, r.stderr);
    }
    const configPath = join(dataDir, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(configPath, JSON.stringify({ ...config, callingAePolicy: { mode: 'configured' } }, null, 2));
    priors = await startPriorsServe({ aeTitle: AET, dataDir });
  });
  after(async () => {
    await priors?.stop();
  });

  test('storescu: one store event for the study, with its patient, the calling AE title and the address', async () => {
    const r = await storescu(priors, ct.files, { callingAeTitle: 'STORESCU' });
    assert.equal(r.code, 0, r.stderr);
    const e = await eventually((x) => x.what === 'store' && x.StudyInstanceUID === ct.StudyInstanceUID, 'the stored study');
    assert.equal(e.direction, 'incoming');
    assert.equal(e.peerAeTitle, 'STORESCU');
    assert.equal(e.peerHost, '127.0.0.1');
    assert.equal(e.localAeTitle, AET);
    assert.equal(e.instances, ct.files.length);
    assert.equal(e.PatientID, 'AUDIT-1');
    assert.equal(e.outcome, 0);
    assert.equal(e.eventCode, '110104');
  });

  test('findscu: a query event with its keys and match count', async () => {
    const matches = await findscu(priors, { keys: ['QueryRetrieveLevel=STUDY', 'PatientID=AUDIT-1', 'StudyInstanceUID'] });
    assert.equal(matches.length, 1);
    const e = await eventually((x) => x.what === 'query' && x.peerAeTitle === 'FINDSCU', 'findscu');
    assert.equal(e.peerHost, '127.0.0.1');
    assert.equal(e.PatientID, 'AUDIT-1');
    assert.equal(e.instances, 1, 'the number of matches');
    assert.match(e.detail ?? '', /Study Root.*PatientID=AUDIT-1/);
    assert.equal(e.eventCode, '110112');
  });

  test('getscu: a retrieve event naming the study and what it matched', async () => {
    const r = await getscu(priors, join(work, 'got'), { keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${ct.StudyInstanceUID}`] });
    assert.equal(r.code, 0, r.stderr);
    const e = await eventually((x) => x.what === 'retrieve' && x.peerAeTitle === 'GETSCU', 'getscu');
    assert.equal(e.StudyInstanceUID, ct.StudyInstanceUID);
    assert.equal(e.PatientID, 'AUDIT-1');
    assert.equal(e.instances, ct.files.length);
    assert.equal(e.peerHost, '127.0.0.1');
  });

  test('movescu to an unknown destination: a security alert naming the destination', async () => {
    const r = await movescu(priors, 'NOSUCHAE', { keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${ct.StudyInstanceUID}`] });
    assert.match(r.stdout + r.stderr, /MoveDestinationUnknown|Move Destination unknown|A801/i);
    const e = await eventually((x) => x.what === 'move-destination-refused', 'the refused destination');
    assert.equal(e.peerAeTitle, 'MOVESCU');
    assert.equal(e.peerHost, '127.0.0.1');
    assert.notEqual(e.outcome, 0);
    assert.match(e.outcomeText ?? '', /NOSUCHAE is not a configured node/);
    assert.equal(e.eventCode, '110113');
  });

  test('an unknown calling AE title: the refused association is recorded with its reason', async () => {
    const r = await runDcmtk('echoscu', ['-aet', 'STRANGER', '-aec', AET, '127.0.0.1', String(priors.port)], { timeoutMs: 10_000 });
    assert.notEqual(r.code, 0);
    const e = await eventually((x) => x.what === 'association-refused' && x.peerAeTitle === 'STRANGER', 'the refused association');
    assert.equal(e.peerHost, '127.0.0.1');
    assert.match(e.outcomeText ?? '', /'STRANGER' is not the AE title of any configured node.*calling-AE-title-not-recognized/);
    assert.match(e.detail ?? '', new RegExp(`called ${AET}`));
  });

  test('priors audit filters by peer, patient and failure, and exports CSV and PS3.15 JSON', async () => {
    const byPeer = await audit(['--peer', 'getscu']);
    assert.ok(byPeer.events.length >= 1 && byPeer.events.every((e) => e.peerAeTitle === 'GETSCU'));
    const byPatient = await audit(['--patient', 'AUDIT-1']);
    assert.ok(
      (await audit(['--patient', 'audit^'])).events.some((e) => e.what === 'store'),
      'by name prefix, case-insensitive',
    );
    assert.deepEqual(new Set(byPatient.events.map((e) => e.what)), new Set(['store', 'query', 'retrieve']));
    const failed = await audit(['--failed']);
    assert.deepEqual(new Set(failed.events.map((e) => e.what)), new Set(['move-destination-refused', 'association-refused']));

    const csvFile = join(work, 'audit.csv');
    const wrote = await runPriors(['audit', '--export', csvFile], { dataDir: priors.dataDir });
    assert.equal(wrote.code, 0, wrote.stderr);
    const lines = readFileSync(csvFile, 'utf8').trim().split('\r\n');
    const all = await audit(['--limit', '1000']);
    assert.equal(lines.length, all.total + 1, 'a header and one line per event');
    assert.match(lines[0]!, /^seq,at,what,eventCode/);
    assert.ok(
      lines.some((l) => /,store,110104,C,0,,incoming,STORESCU,127\.0\.0\.1,/.test(l)),
      lines.join('\n'),
    );

    const jsonFile = join(work, 'audit.json');
    assert.equal((await runPriors(['audit', '--export', jsonFile, '--what', 'store'], { dataDir: priors.dataDir })).code, 0);
    const messages = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      EventIdentification: { EventID: { csd_code: string } };
      ActiveParticipant: { UserID: string; NetworkAccessPointID?: string }[];
      ParticipantObjectIdentification: { ParticipantObjectID: string }[];
    }[];
    assert.ok(messages.length >= 1);
    assert.equal(messages[0]!.EventIdentification.EventID.csd_code, '110104');
    assert.ok(messages[0]!.ActiveParticipant.some((p) => p.UserID === 'STORESCU' && p.NetworkAccessPointID === '127.0.0.1'));
    assert.ok(messages[0]!.ParticipantObjectIdentification.some((o) => o.ParticipantObjectID === ct.StudyInstanceUID));
  });

  test('the audit table is append-only: UPDATE and DELETE are refused by the database itself', () => {
    const db = new Database(join(priors.dataDir, 'history.sqlite')); // the audit log's file (index migration 006 moved it there)
    try {
      assert.throws(() => db.prepare('UPDATE audit_event SET peer_ae = ?').run('X'), /append-only/);
      assert.throws(() => db.prepare('DELETE FROM audit_event').run(), /append-only/);
    } finally {
      db.close();
    }
  });
});
