// The Search screen's search of several nodes without a DOM: where the form searches, a study
// that comes again from another node merged into its row (nodes and identifiers of both), each
// node's outcome kept at its worst over the queries of one search, and the patient view: studies
// grouped by identifiers, demographics-only and unknown-issuer matches flagged, never merged
// until confirmed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_ARCHIVES,
  buildStudyQueries,
  emptyForm,
  isSeveral,
  LOCAL_CACHE_NODE,
  SEVERAL_NODES,
  sourceOf,
} from '../../../../../renderer/src/features/search/search-form.js';
import { cellText, mergeStudyRows, studyRowOf } from '../../../../../renderer/src/features/search/study-rows.js';
import { answeredText, formatSearchTime, withNodeOutcomes } from '../../../../../renderer/src/features/search/node-outcomes.js';
import { groupPatients, pairKey } from '../../../../../renderer/src/features/search/patient-groups.js';

const today = new Date(2026, 0, 15);

describe("the form's source", () => {
  test('a node, every archive, the ticked nodes, or the cache', () => {
    assert.deepEqual(sourceOf({ node: 'pacs', nodes: [] }), { kind: 'node', node: 'pacs' });
    assert.deepEqual(sourceOf({ node: ALL_ARCHIVES, nodes: ['x'] }), { kind: 'all' });
    assert.deepEqual(sourceOf({ node: SEVERAL_NODES, nodes: ['a', 'b'] }), { kind: 'nodes', nodes: ['a', 'b'] });
    assert.deepEqual(sourceOf({ node: SEVERAL_NODES, nodes: ['a', LOCAL_CACHE_NODE] }), { kind: 'nodes', nodes: ['a'], cache: true });
    assert.deepEqual(sourceOf({ node: '@local', nodes: [] }), { kind: 'local' });
    assert.ok(isSeveral({ kind: 'all' }) && isSeveral({ kind: 'nodes', nodes: ['a'] }) && !isSeveral({ kind: 'node', node: 'a' }));
  });

  test('several nodes need one ticked and a criterion; the query asks for the issuer', () => {
    const none = buildStudyQueries({ ...emptyForm(SEVERAL_NODES), patientName: 'doe' }, today);
    assert.deepEqual(none, { ok: false, field: 'nodes', error: 'Tick at least one node to search.' });
    // the cache alone is not a search of several nodes
    assert.equal(buildStudyQueries({ ...emptyForm(SEVERAL_NODES), nodes: [LOCAL_CACHE_NODE], patientName: 'doe' }, today).ok, false);
    assert.equal(buildStudyQueries(emptyForm(ALL_ARCHIVES), today).ok, false);
    const built = buildStudyQueries({ ...emptyForm(ALL_ARCHIVES), patientName: 'doe' }, today);
    assert.ok(built.ok && built.queries[0]!.keys.IssuerOfPatientID === '');
  });
});

describe('a study from several nodes', () => {
  test("one row with the nodes and identifiers of both, the first answer's cache badge kept", () => {
    const a = studyRowOf({ StudyInstanceUID: '1.1', PatientID: 'P1', IssuerOfPatientID: 'HOSP_A', StudyDescription: '' }, 'full', { heldBy: ['a'] });
    const b = studyRowOf(
      { StudyInstanceUID: '1.1', PatientID: 'P1', IssuerOfPatientID: 'HOSP_B', StudyDescription: 'CT', OtherPatientIDsSequence: 'Q7^^^HOSP_Q' },
      'unknown',
      {
        heldBy: ['a', 'b'],
        identifiers: [
          { PatientID: 'P1', IssuerOfPatientID: 'HOSP_B' },
          { PatientID: 'Q7', IssuerOfPatientID: 'HOSP_Q' },
        ],
      },
    );
    const m = mergeStudyRows(a, b);
    assert.deepEqual(m.heldBy, ['a', 'b']);
    assert.equal(m.cache, 'full');
    assert.equal(m.StudyDescription, 'CT');
    assert.equal(m.IssuerOfPatientID, 'HOSP_A');
    assert.deepEqual(
      m.identifiers.map((i) => `${i.PatientID}/${i.IssuerOfPatientID}`),
      ['P1/HOSP_A', 'P1/HOSP_B', 'Q7/HOSP_Q'],
    );
    assert.deepEqual(m.OtherPatientIDs, [{ PatientID: 'Q7', IssuerOfPatientID: 'HOSP_Q' }]);
    assert.equal(cellText(m, 'heldBy'), 'a, b');
  });

  test("each node's outcome over several queries: a failure stays, matches add up", () => {
    const first = withNodeOutcomes(undefined, [
      { node: 'a', outcome: 'completed', matches: 2 },
      { node: 'b', outcome: 'failed', matches: 0, sentence: 'down' },
    ]);
    const second = withNodeOutcomes(first, [
      { node: 'a', outcome: 'capped', matches: 100, sentence: 'capped' },
      { node: 'b', outcome: 'completed', matches: 1 },
    ]);
    assert.deepEqual(
      second.map((o) => [o.node, o.outcome, o.matches, o.sentence]),
      [
        ['a', 'capped', 102, 'capped'],
        ['b', 'failed', 1, 'down'],
      ],
    );
  });

  test("each node's time: added up over the queries, shown in ms under a second", () => {
    const both = withNodeOutcomes([{ node: 'a', outcome: 'completed', matches: 2, ms: 300 }], [{ node: 'a', outcome: 'completed', matches: 1, ms: 1250 }]);
    assert.equal(both[0]!.ms, 1550);
    assert.equal(answeredText(both[0]!), 'a (3 in 1.6 s)');
    assert.equal(answeredText({ node: 'b', outcome: 'completed', matches: 0, ms: 42 }), 'b (0 in 42 ms)');
    assert.equal(answeredText({ node: 'c', outcome: 'capped', matches: 100 }), 'c (100)');
    assert.equal(formatSearchTime(undefined), '');
  });
});

describe('the patient view', () => {
  const row = (uid: string, id: string, issuer: string | undefined, name: string, birth = '19600101', sex = 'F', heldBy = ['a']) =>
    studyRowOf(
      { StudyInstanceUID: uid, PatientID: id, ...(issuer ? { IssuerOfPatientID: issuer } : {}), PatientName: name, PatientBirthDate: birth, PatientSex: sex },
      'none',
      { heldBy },
    );

  test('studies whose Patient ID and issuer agree are one patient; an Other Patient IDs match joins them too', () => {
    const rows = [
      row('1', 'P1', 'HOSP_A', 'DOE^JANE'),
      row('2', 'P1', 'HOSP_A', 'DOE^JANE', undefined, undefined, ['b']),
      studyRowOf(
        {
          StudyInstanceUID: '3',
          PatientID: 'X9',
          IssuerOfPatientID: 'HOSP_X',
          OtherPatientIDsSequence: 'P1^^^HOSP_A',
          PatientName: 'DOE^JANE',
          PatientBirthDate: '19600101',
          PatientSex: 'F',
        },
        'none',
        { heldBy: ['c'] },
      ),
    ];
    const { groups, flags } = groupPatients(rows);
    assert.equal(groups.length, 1);
    assert.deepEqual(groups[0]!.studies, ['1', '2', '3']);
    assert.deepEqual(groups[0]!.heldBy, ['a', 'b', 'c']);
    assert.deepEqual(flags, []);
  });

  test('the same ID from another issuer is another patient; agreeing only on name, birth date and sex is flagged, not merged', () => {
    const rows = [row('1', 'P1', 'HOSP_A', 'DOE^JANE'), row('2', 'P1', 'HOSP_B', 'Doe^Jane'), row('3', 'Z5', 'HOSP_B', 'ROE^RITA')];
    const { groups, flags } = groupPatients(rows);
    assert.equal(groups.length, 3);
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.reason, 'demographics');
    assert.match(flags[0]!.sentence, /P1 \(HOSP_A\) and P1 \(HOSP_B\) agree only on name, birth date and sex/);
    // a person confirms: one patient for the session; "not the same" removes the flag
    const joined = groupPatients(rows, new Set([pairKey(flags[0]!.groups[0], flags[0]!.groups[1])]));
    assert.equal(joined.groups.length, 2);
    assert.ok(joined.groups.find((g) => g.studies.length === 2)!.confirmed);
    assert.deepEqual(joined.flags, []);
    assert.deepEqual(groupPatients(rows, new Set(), new Set([flags[0]!.key])).flags, []);
  });

  test('a Patient ID whose issuer one side does not know is flagged; another birth date is not a demographics match', () => {
    const rows = [row('1', 'P1', 'HOSP_A', 'DOE^JANE'), row('2', 'P1', undefined, 'DOE^JANE', '19610101')];
    const { groups, flags } = groupPatients(rows);
    assert.equal(groups.length, 2);
    assert.deepEqual(
      flags.map((f) => f.reason),
      ['issuer-unknown'],
    );
    assert.match(flags[0]!.sentence, /^Patient ID P1 is from HOSP_A on one side and of unknown issuer on the other/);
  });

  test('one identifier under two names is one group with its conflict said', () => {
    const { groups } = groupPatients([row('1', 'P1', 'HOSP_A', 'DOE^JANE'), row('2', 'P1', 'HOSP_A', 'DOE^JOAN', '19700101')]);
    assert.equal(groups.length, 1);
    assert.match(groups[0]!.conflict!, /other names or birth dates/);
  });
});
