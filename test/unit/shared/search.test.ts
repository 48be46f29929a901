// shared/search.ts: answers of several nodes merged by their unique key with the nodes that hold
// each, and the patient identifiers they carry (Other Patient IDs as ID^^^Issuer values); the
// search.start source that names several nodes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_ENTRIES, PayloadError } from '../../../shared/api/entries.js';
import { formatPatientIds, identifiersOf, MatchMerger, mergeKeyOf, parsePatientIds, sameIdentifier } from '../../../shared/search.js';

describe('patient identifiers', () => {
  test('Other Patient IDs round trip through ID^^^Issuer values', () => {
    const ids = [{ PatientID: 'A1', IssuerOfPatientID: 'HOSP_A' }, { PatientID: 'B2' }];
    assert.equal(formatPatientIds(ids), 'A1^^^HOSP_A\\B2');
    assert.deepEqual(parsePatientIds('A1^^^HOSP_A\\B2'), ids);
    assert.deepEqual(parsePatientIds(''), []);
  });

  test('a match carries its Patient ID with issuer, then its other IDs, each once', () => {
    assert.deepEqual(identifiersOf({ PatientID: 'P1', IssuerOfPatientID: 'X', OtherPatientIDsSequence: 'P1^^^X\\Q9^^^Y' }), [
      { PatientID: 'P1', IssuerOfPatientID: 'X' },
      { PatientID: 'Q9', IssuerOfPatientID: 'Y' },
    ]);
    assert.deepEqual(identifiersOf({ StudyInstanceUID: '1.2' }), []);
  });

  test('an unknown issuer agrees only with an unknown issuer', () => {
    assert.ok(sameIdentifier({ PatientID: '1' }, { PatientID: '1' }));
    assert.ok(!sameIdentifier({ PatientID: '1' }, { PatientID: '1', IssuerOfPatientID: 'A' }));
    assert.ok(!sameIdentifier({ PatientID: '1', IssuerOfPatientID: 'B' }, { PatientID: '1', IssuerOfPatientID: 'A' }));
  });
});

describe('MatchMerger', () => {
  test("merges by StudyInstanceUID: the nodes that hold it in answer order, blanks filled, the first answer's values kept", () => {
    const m = new MatchMerger('STUDY');
    m.add({ StudyInstanceUID: '1.1', PatientID: 'P', StudyDescription: '', PatientName: 'DOE^J' }, 'a');
    const again = m.add({ StudyInstanceUID: '1.1', PatientID: 'P', StudyDescription: 'CT CHEST', PatientName: 'OTHER^X', IssuerOfPatientID: 'B' }, 'b');
    assert.deepEqual(again.heldBy, ['a', 'b']);
    assert.equal(again.row.StudyDescription, 'CT CHEST');
    assert.equal(again.row.PatientName, 'DOE^J');
    assert.deepEqual(again.identifiers, [{ PatientID: 'P' }, { PatientID: 'P', IssuerOfPatientID: 'B' }]);
    m.add({ StudyInstanceUID: '1.1' }, 'b');
    m.add({ StudyInstanceUID: '1.2' }, 'b');
    m.add({ PatientID: 'no uid' }, 'a');
    assert.deepEqual(
      m.matches().map((x) => [x.row.StudyInstanceUID, x.heldBy]),
      [
        ['1.1', ['a', 'b']],
        ['1.2', ['b']],
        [undefined, ['a']],
      ],
    );
    // a returned match is a snapshot: later answers do not change it
    assert.deepEqual(again.heldBy, ['a', 'b']);
  });

  test('each level merges by its own unique key; PATIENT by the identifier', () => {
    assert.equal(mergeKeyOf({ SeriesInstanceUID: '1.5', StudyInstanceUID: '1.1' }, 'SERIES'), '1.5');
    assert.equal(mergeKeyOf({ SOPInstanceUID: '1.6' }, 'IMAGE'), '1.6');
    assert.notEqual(mergeKeyOf({ PatientID: 'P' }, 'PATIENT'), mergeKeyOf({ PatientID: 'P', IssuerOfPatientID: 'A' }, 'PATIENT'));
    assert.equal(mergeKeyOf({}, 'PATIENT'), undefined);
  });
});

describe("a search's source in the API", () => {
  const parse = (source: unknown) => API_ENTRIES['search.start'].parse({ source, level: 'STUDY', keys: { PatientName: 'DOE*' } }).source;

  test('several nodes, with the local cache beside them when asked; every archive', () => {
    assert.deepEqual(parse({ kind: 'nodes', nodes: ['a', 'b'] }), { kind: 'nodes', nodes: ['a', 'b'] });
    assert.deepEqual(parse({ kind: 'nodes', nodes: ['a'], cache: true }), { kind: 'nodes', nodes: ['a'], cache: true });
    assert.deepEqual(parse({ kind: 'all' }), { kind: 'all' });
  });

  test('no node, a name that is no node name, or a cache that is not yes or no: refused, the field named', () => {
    assert.throws(
      () => parse({ kind: 'nodes', nodes: [] }),
      (e: Error) => e instanceof PayloadError && /source\.nodes/.test(e.message),
    );
    assert.throws(
      () => parse({ kind: 'nodes', nodes: ['@local'] }),
      (e: Error) => e instanceof PayloadError && /source\.nodes/.test(e.message),
    );
    assert.throws(
      () => parse({ kind: 'nodes', nodes: ['a'], cache: 'yes' }),
      (e: Error) => e instanceof PayloadError && /source\.cache/.test(e.message),
    );
  });
});
