import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LOCAL_CACHE_NODE,
  STUDY_RETURN_KEYS,
  buildStudyQueries,
  containsKey,
  describeQuery,
  emptyForm,
  hasCriteria,
  personNameKey,
  type SearchForm,
} from '../../../../../renderer/src/features/search/search-form.js';

const today = new Date(2024, 2, 1);
const form = (over: Partial<SearchForm>): SearchForm => ({ ...emptyForm('PACS'), ...over });

function queries(f: SearchForm) {
  const built = buildStudyQueries(f, today);
  assert.ok(built.ok, built.ok ? '' : built.error);
  return built.queries;
}

describe('renderer search form → STUDY-level C-FIND keys', () => {
  test('person names: prefix match, comma or space separates family and given', () => {
    assert.equal(personNameKey('doe'), 'doe*');
    assert.equal(personNameKey(' Doe, John '), 'Doe^John*');
    assert.equal(personNameKey('doe john'), 'doe^john*');
    assert.equal(personNameKey('DOE^J*'), 'DOE^J*');
    assert.equal(personNameKey('D?E'), 'D?E');
    assert.equal(personNameKey('  '), '');
  });

  test('descriptions match anywhere unless wildcards are given', () => {
    assert.equal(containsKey('chest'), '*chest*');
    assert.equal(containsKey('CT*'), 'CT*');
    assert.equal(containsKey(''), '');
  });

  test('a full form gives every key, return keys empty', () => {
    const [q, ...rest] = queries(
      form({
        patientName: 'Müller',
        patientId: ' 123 ',
        accessionNumber: 'A1',
        datePreset: 'last7',
        studyDescription: 'chest',
        referringPhysician: 'House',
      }),
    );
    assert.equal(rest.length, 0);
    assert.equal(q!.level, 'STUDY');
    assert.equal(q!.keys.PatientName, 'Müller*');
    assert.equal(q!.keys.PatientID, '123');
    assert.equal(q!.keys.AccessionNumber, 'A1');
    assert.equal(q!.keys.StudyDate, '20240224-20240301');
    assert.equal(q!.keys.StudyDescription, '*chest*');
    assert.equal(q!.keys.ReferringPhysicianName, 'House*');
    assert.equal(q!.keys.ModalitiesInStudy, '');
    assert.equal(q!.keys.StudyInstanceUID, '');
    for (const k of STUDY_RETURN_KEYS) assert.ok(k in q!.keys, k);
    assert.match(describeQuery(q!), /PatientID=123/);
  });

  test('several modalities: one single-valued query each (PS3.4 C.2.2.2.8)', () => {
    const qs = queries(form({ patientId: '1', modalities: ['CT', 'MR', 'CT'] }));
    assert.deepEqual(
      qs.map((q) => q.keys.ModalitiesInStudy),
      ['CT', 'MR'],
    );
    assert.ok(qs.every((q) => q.keys.PatientID === '1'));
  });

  test('an empty form is refused for a PACS but allowed for the local cache', () => {
    assert.equal(hasCriteria(emptyForm('PACS')), false);
    const refused = buildStudyQueries(emptyForm('PACS'), today);
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.error : '', /at least one criterion/);
    assert.equal(queries(emptyForm(LOCAL_CACHE_NODE)).length, 1);
    assert.equal(hasCriteria(form({ datePreset: 'today' })), true);
    assert.equal(hasCriteria(form({ modalities: ['CT'] })), true);
  });

  test('bad input gets a sentence naming the field', () => {
    const slash = buildStudyQueries(form({ patientId: 'a\\b' }), today);
    assert.deepEqual(slash.ok ? undefined : slash.field, 'patientId');
    assert.match(!slash.ok ? slash.error : '', /Patient ID must not contain a backslash/);
    const long = buildStudyQueries(form({ accessionNumber: 'x'.repeat(17) }), today);
    assert.match(!long.ok ? long.error : '', /Accession is 17 characters long; DICOM allows 16/);
    const range = buildStudyQueries(form({ patientId: '1', datePreset: 'custom', customRange: { from: '2024-02-02', to: '2024-02-01' } }), today);
    assert.equal(range.ok ? undefined : range.field, 'customRange');
    const ctl = buildStudyQueries(form({ studyDescription: 'a\tb' }), today);
    assert.match(!ctl.ok ? ctl.error : '', /Study description must not contain control characters/);
    const mod = buildStudyQueries(form({ modalities: ['ct;'] }), today);
    assert.equal(mod.ok ? undefined : mod.field, 'modalities');
  });
});
