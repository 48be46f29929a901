// Which earlier studies prefetch chooses, and the sentence it gives for each (pure decisions).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkRule, checkSynonyms, DEFAULT_RULE, DEFAULT_SYNONYMS, describeRule, type PrefetchRule } from '../../../../../shared/prefetch.js';
import { BodyPartLexicon } from '../../../../../electron/services/prefetch/body-parts.js';
import { identityProblem, selectPriors, type ActiveRule, type CurrentFacts, type StudyFacts } from '../../../../../electron/services/prefetch/select.js';

const lexicon = new BodyPartLexicon(DEFAULT_SYNONYMS);
const patient = { PatientID: 'P1', PatientName: 'DOE^JOHN', PatientBirthDate: '19600505' };
const current: CurrentFacts = { StudyInstanceUID: '1.1', date: '20240610', modalities: ['CT'], bodyParts: ['CHEST'], bodyPartBasis: 'examined' };

function study(uid: string, over: Partial<StudyFacts> = {}): StudyFacts {
  return {
    StudyInstanceUID: uid,
    StudyDate: '20230101',
    modalities: ['CT'],
    bodyParts: ['CHEST'],
    bodyPartBasis: 'examined',
    PatientName: 'DOE^JOHN',
    PatientBirthDate: '19600505',
    foundOn: ['PACS'],
    instances: 10,
    ...over,
  };
}

function rule(over: Partial<PrefetchRule> = {}): ActiveRule {
  return { rule: { ...DEFAULT_RULE, nodes: [], forModalities: [], ...over }, nodes: ['PACS'] };
}

describe('body parts', () => {
  test('Body Part Examined by its synonym group, compound values split, unknown values kept as written', () => {
    assert.deepEqual(lexicon.fromBodyPartExamined('thorax'), ['CHEST']);
    assert.deepEqual(lexicon.fromBodyPartExamined('LUNG'), ['CHEST']);
    assert.deepEqual(lexicon.fromBodyPartExamined('CHESTABDPELVIS').sort(), ['ABDOMEN', 'CHEST', 'PELVIS']);
    assert.deepEqual(lexicon.fromBodyPartExamined('ELBOWX'), ['ELBOW']);
    assert.deepEqual(lexicon.fromBodyPartExamined('TMJ'), ['TMJ']);
  });

  test('descriptions: words and phrases, phrases first (THORACIC SPINE is not the chest)', () => {
    assert.deepEqual(lexicon.fromDescription('CT Thorax w/o contrast'), ['CHEST']);
    assert.deepEqual(lexicon.fromDescription('MR THORACIC SPINE'), ['TSPINE']);
    assert.deepEqual(lexicon.fromDescription('CT ABDOMEN/PELVIS').sort(), ['ABDOMEN', 'PELVIS']);
    assert.deepEqual(lexicon.fromDescription('XR C-SPINE 2 views'), ['CSPINE']);
    assert.deepEqual(lexicon.fromDescription('FOLLOW UP'), []);
  });

  test('a study: Body Part Examined first, the descriptions only when no series has it', () => {
    assert.deepEqual(lexicon.ofStudy(['HEAD'], ['CT CHEST']), { parts: ['HEAD'], basis: 'examined' });
    assert.deepEqual(lexicon.ofStudy([], ['CT CHEST', 'AXIAL']), { parts: ['CHEST'], basis: 'description' });
    assert.deepEqual(lexicon.ofStudy([], ['FOLLOW UP']), { parts: [], basis: 'none' });
  });
});

describe('rules and synonyms as users write them', () => {
  test('defaults fill a rule; bad values are one sentence naming the field', () => {
    const r = checkRule({ name: 'mammo', modalities: ['mg'], maxStudies: 4, years: 10 });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { ...DEFAULT_RULE, name: 'mammo', nodes: [], forModalities: [], modalities: ['MG'], maxStudies: 4, years: 10 });
    assert.deepEqual(checkRule({ name: 'x', minGapDays: 0 }), { ok: false, error: 'minGapDays must be a whole number from 1 to 36500, got 0' });
    assert.match((checkRule({ name: 'x', colour: 'red' }) as { error: string }).error, /colour is not a rule setting/);
    assert.match((checkRule({ name: 'bad name' }) as { error: string }).error, /^name must be/);
    assert.match((checkRule({ name: 'x', modalities: ['C T'] }) as { error: string }).error, /modalities must hold modalities/);
  });

  test('synonyms: upper-cased, one group per word', () => {
    assert.deepEqual(checkSynonyms([['chest', 'Thorax  Cavity']]), { ok: true, value: [['CHEST', 'THORAX CAVITY']] });
    assert.match((checkSynonyms([['CHEST'], ['THORAX', 'CHEST']]) as { error: string }).error, /"CHEST" is in groups 1 and 2/);
    assert.equal(checkSynonyms(DEFAULT_SYNONYMS).ok, true);
  });

  test('a rule in one line', () => {
    assert.equal(describeRule(DEFAULT_RULE), 'same modality, same body part, newest 3 within 5 years, from every node');
    assert.equal(
      describeRule({ ...DEFAULT_RULE, forModalities: ['MG'], allStudies: true, nodes: ['PACS'] }),
      'for MG studies: every earlier study of the patient, from PACS',
    );
  });
});

describe('choosing priors', () => {
  test('the default rule: the newest 3 CT CHEST studies within 5 years; the rest each with its reason', () => {
    const studies = [
      study('2.1', { StudyDate: '20240101' }),
      study('2.2', { StudyDate: '20230101' }),
      study('2.3', { StudyDate: '20220101' }),
      study('2.4', { StudyDate: '20210101' }),
      study('2.5', { StudyDate: '20180101' }),
      study('2.6', { StudyDate: '20240610' }),
      study('2.7', { StudyDate: '20240201', modalities: ['MR'] }),
      study('2.8', { StudyDate: '20240301', bodyParts: ['HEAD'] }),
      study('2.9', { StudyDate: '20240701' }),
    ];
    const out = new Map(selectPriors(patient, current, studies, [rule()]).map((s) => [s.StudyInstanceUID, s]));
    assert.deepEqual(
      ['2.1', '2.2', '2.3'].map((u) => out.get(u)?.decision),
      ['fetch', 'fetch', 'fetch'],
    );
    assert.equal(out.get('2.1')!.node, 'PACS');
    assert.equal(
      out.get('2.1')!.reason,
      '2024-01-01: CT like the current study, CHEST like the current study, the newest of at most 3 within 5 years (rule "default")',
    );
    assert.match(out.get('2.3')!.reason, /the 3rd newest/);
    assert.equal(out.get('2.4')!.reason, 'Not fetched: it is relevant, but older than the 3 newest relevant studies the rule keeps (rule "default")');
    assert.equal(out.get('2.5')!.reason, 'Not fetched: it is older than 5 years (2018-01-01) (rule "default")');
    assert.equal(
      out.get('2.6')!.reason,
      'Not fetched: it is of the same day as the current study, and a study of the same day is never a prior (rule "default")',
    );
    assert.equal(out.get('2.7')!.reason, 'Not fetched: it is MR, not CT like the current study (rule "default")');
    assert.equal(out.get('2.8')!.reason, 'Not fetched: it is of the HEAD, not the CHEST like the current study (rule "default")');
    assert.match(out.get('2.9')!.reason, /it is newer \(2024-07-01\) than the current study/);
  });

  test('"all studies" takes every earlier study, still never one of the same day', () => {
    const out = selectPriors(
      patient,
      current,
      [study('3.1', { modalities: ['MR'], bodyParts: [] }), study('3.2', { StudyDate: '20240610' }), study('3.3', { StudyDate: '19990101' })],
      [rule({ name: 'all', allStudies: true })],
    );
    assert.deepEqual(
      out.map((s) => s.decision),
      ['fetch', 'skip', 'fetch'],
    );
  });

  test('a minimum gap and a list of modalities; non-image modalities never make "the same modality"', () => {
    const out = selectPriors(
      patient,
      { ...current, modalities: ['CT', 'SR'] },
      [
        study('4.1', { StudyDate: '20240605' }),
        study('4.2', { StudyDate: '20240101', modalities: ['SR'] }),
        study('4.3', { StudyDate: '20240101', modalities: ['PT', 'CT'] }),
      ],
      [rule({ minGapDays: 30 })],
    );
    assert.match(out[0]!.reason, /only 5 days older than the current study \(the rule asks at least 30\)/);
    assert.equal(out[1]!.decision, 'skip');
    assert.equal(out[2]!.decision, 'fetch');
    const listed = selectPriors(patient, current, [study('4.4', { modalities: ['PT'] })], [rule({ modalities: ['PT', 'NM'] })]);
    assert.match(listed[0]!.reason, /PT, one of PT, NM/);
  });

  test("an unknown body part: the current one waives the test, a candidate's fails it; descriptions are noted", () => {
    const waived = selectPriors(patient, { ...current, bodyParts: [], bodyPartBasis: 'none' }, [study('5.1', { bodyParts: ['HEAD'] })], [rule()]);
    assert.match(waived[0]!.reason, /body part not compared/);
    const unknown = selectPriors(patient, current, [study('5.2', { bodyParts: [], bodyPartBasis: 'none' })], [rule()]);
    assert.match(unknown[0]!.reason, /its body part cannot be told/);
    const described = selectPriors(patient, current, [study('5.3', { bodyPartBasis: 'description' })], [rule()]);
    assert.match(described[0]!.reason, /CHEST like the current study \(by its description\)/);
  });

  test('rules: the first that keeps a study names it; forModalities limits where a rule applies; unreached nodes', () => {
    const mammo = rule({ name: 'mammo', forModalities: ['MG'], allStudies: true });
    const out = selectPriors(patient, current, [study('6.1', { modalities: ['MR'] })], [mammo, rule()]);
    assert.equal(out[0]!.rule, 'default');
    const none = selectPriors(patient, current, [study('6.2')], [mammo]);
    assert.equal(none[0]!.reason, 'Not fetched: no enabled rule applies to a CT study');
    const elsewhere = selectPriors(patient, current, [study('6.3', { foundOn: ['LEGACY'] })], [rule()]);
    assert.match(elsewhere[0]!.reason, /it is on LEGACY, which the rule does not search/);
    const cached = selectPriors(patient, current, [study('6.4', { foundOn: ['cache'] })], [rule()]);
    assert.equal(cached[0]!.decision, 'fetch');
    assert.equal(cached[0]!.node, undefined);
    const disabled = selectPriors(patient, current, [study('6.5')], [rule({ enabled: false })]);
    assert.equal(disabled[0]!.decision, 'skip');
  });

  test('the same Patient ID under another name or birth date is a conflict, another issuer is another patient', () => {
    const out = selectPriors(
      { ...patient, IssuerOfPatientID: 'HOSP' },
      current,
      [
        study('7.1', { PatientName: 'ROE^JANE' }),
        study('7.2', { PatientBirthDate: '19700101' }),
        study('7.3', { IssuerOfPatientID: 'OTHER' }),
        study('7.4', { PatientName: 'doe^john^q' }),
      ],
      [rule()],
    );
    assert.deepEqual(
      out.map((s) => s.decision),
      ['conflict', 'conflict', 'skip', 'fetch'],
    );
    assert.match(out[0]!.reason, /^Conflict: Patient ID P1 on PACS is named ROE\^JANE there, DOE\^JOHN here; not fetched until someone confirms/);
    assert.match(out[1]!.reason, /born 1970-01-01 there, 1960-05-05 here/);
    assert.match(out[2]!.reason, /^Another patient: PACS has Patient ID P1 from issuer "OTHER"/);
    assert.equal(identityProblem(patient, study('7.5', { PatientName: undefined, PatientBirthDate: undefined }), 'PACS'), undefined);
  });
});
