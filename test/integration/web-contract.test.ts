// The API contract at run time (no sockets): every entry has a payload checker, bad payloads
// name their field, every code shared/diagnostics.ts can produce is in the error catalog, and
// the activity log reads peers and outcomes from the association log lines.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { API_ENTRIES, ENTRY_NAMES } from '../../shared/api/contract.js';
import { PayloadError } from '../../shared/api/validate.js';
import { ERROR_CATALOG, isErrorCode, toApiError } from '../../shared/errors.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';

test('every entry parses a good payload and refuses a bad one with the field named', () => {
  assert.ok(ENTRY_NAMES.length >= 20);
  for (const name of ENTRY_NAMES) assert.equal(API_ENTRIES[name].name, name);
  assert.deepEqual(API_ENTRIES['search.start'].parse({ source: { kind: 'local' }, level: 'STUDY', keys: { PatientName: 'DOE^*' } }), {
    source: { kind: 'local' },
    level: 'STUDY',
    keys: { PatientName: 'DOE^*' },
  });
  const node = API_ENTRIES['nodes.save'].parse({ node: { name: 'pacs', aeTitle: ' PACS ', host: '10.0.0.5', port: 104 } });
  assert.equal(node.node.aeTitle, 'PACS');
  const cases: [keyof typeof API_ENTRIES, unknown, RegExp][] = [
    ['search.start', { source: { kind: 'node' }, level: 'STUDY', keys: {} }, /source\.node is missing/],
    ['search.start', { source: { kind: 'local' }, level: 'STUDY', keys: { 'Patient Name': 'x' } }, /keys\.Patient Name is not a valid key/],
    ['search.start', { source: { kind: 'local' }, level: 'STUDY', keys: {}, limit: 0 }, /limit must be an integer/],
    ['search.series', { source: { kind: 'local' }, StudyInstanceUID: 'abc' }, /StudyInstanceUID must be a DICOM UID/],
    ['cache.delete', { level: 'STUDY', uids: [] }, /uids must hold 1/],
    ['settings.save', { settings: { local: { port: 'x' } } }, /local\.port must be an integer/],
    ['settings.save', { settings: { nodes: [] } }, /nodes is not a setting/],
    ['settings.get', { anything: 1 }, /anything is not a known field/],
    ['transfers.add', { node: 'pacs', level: 'IMAGE', StudyInstanceUID: '1.2.3' }, /level must be one of "STUDY", "SERIES"/],
  ];
  for (const [name, payload, message] of cases) {
    assert.throws(
      () => API_ENTRIES[name].parse(payload),
      (e: unknown) => e instanceof PayloadError && message.test(e.message),
      `${name} ${JSON.stringify(payload)}`,
    );
  }
});

test('every code of shared/diagnostics.ts is in the error catalog', () => {
  const source = readFileSync(fileURLToPath(new URL('../../shared/diagnostics.ts', import.meta.url)), 'utf8');
  const codes = new Set([...source.matchAll(/\['([a-z-]+)',/g)].map((m) => m[1]!));
  assert.ok(codes.size > 30);
  for (const code of codes) assert.ok(isErrorCode(code), `${code} is missing from ERROR_CATALOG`);
  assert.deepEqual(toApiError({ code: 'port-in-use', sentence: 'Port 104 is in use.' }), { code: 'port-in-use', message: 'Port 104 is in use.' });
  assert.equal(toApiError({ code: 'no-such-code', sentence: 'x' }).code, 'unexpected');
  for (const meaning of Object.values(ERROR_CATALOG)) assert.ok(meaning.length > 5);
});

test('the activity log keeps peers and outcomes, filters, and stays bounded', () => {
  const log = new ActivityLog({ capacity: 5 });
  const seen: string[] = [];
  log.on((l) => seen.push(l.message));
  log.logger('info', 'a1 open (requestor): PRIORS -> PACS to 10.0.0.5:104, 1 of 1 contexts accepted: Verification');
  log.logger('info', 'a1 closed after 0.010 s: released by us');
  log.logger('info', 'a2 open (acceptor): MODALITY -> PRIORS from 10.0.0.9:5000, 1 of 1 contexts accepted: CT Image Storage');
  log.logger('warn', 'a2 closed after 1.000 s: aborted by peer (A-ABORT service-user)');
  log.logger('warn', 'rejected association from STRANGER (10.0.0.7:4000) to PRIORS: add it');
  log.logger('debug', 'a3 C-CANCEL of C-FIND 1 to PACS');
  assert.equal(seen.length, 5, 'debug lines are not kept');
  assert.deepEqual(
    log.query({ aeTitles: ['pacs'] }).map((l) => l.outcome),
    ['ok', 'ok'],
  );
  assert.deepEqual(
    log.query({ outcome: 'failed' }).map((l) => l.peerAeTitle),
    ['MODALITY', 'STRANGER'],
  );
  const first = log.query()[0]!;
  log.logger('info', 'DICOM server PRIORS listening on 127.0.0.1:104');
  assert.equal(log.query().length, 5);
  assert.ok(log.query()[0]!.seq > first.seq, 'the oldest line was dropped');
  assert.deepEqual(
    log.query({ afterSeq: 5 }).map((l) => l.seq),
    [6],
  );
});
