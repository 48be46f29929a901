// The rule editor's logic (renderer/src/features/prefetch/rule-form.ts): form ↔ rule, one field message at a time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_RULE, describeRule, type PrefetchRule } from '../../../../../shared/prefetch.js';
import {
  checkRuleForm,
  fieldOfProblem,
  fieldOfSetting,
  fieldProblem,
  ruleFormOf,
  ruleNodes,
  shownProblem,
  splitModalities,
} from '../../../../../renderer/src/features/prefetch/rule-form.js';

const named = (name: string) => ({ ...ruleFormOf(), name });

describe('prefetch rule form', () => {
  test('a new rule starts from the shipped settings and saves as the shipped rule under its name', () => {
    const form = ruleFormOf();
    assert.deepEqual(form, {
      name: '',
      enabled: true,
      nodes: [],
      forModalities: '',
      relevant: 'same',
      listed: '',
      sameBodyPart: true,
      maxStudies: '3',
      years: '5',
      minGapDays: '1',
      allStudies: false,
    });
    const checked = checkRuleForm(named('chest'));
    assert.ok(checked.ok);
    assert.deepEqual(checked.rule, { ...DEFAULT_RULE, name: 'chest' });
  });

  test('an existing rule round-trips through the form, listed modalities included', () => {
    const rule: PrefetchRule = {
      name: 'mr-neuro',
      enabled: false,
      nodes: ['pacs', 'archive2'],
      forModalities: ['MR'],
      modalities: ['MR', 'CT'],
      sameBodyPart: true,
      maxStudies: 2,
      years: 8,
      minGapDays: 30,
      allStudies: false,
    };
    const form = ruleFormOf(rule);
    assert.equal(form.relevant, 'listed');
    assert.equal(form.listed, 'MR, CT');
    assert.equal(form.forModalities, 'MR');
    const back = checkRuleForm(form, ['default']);
    assert.ok(back.ok);
    assert.deepEqual(back.rule, rule);
  });

  test('modalities typed any way: case, commas, slashes, repeats', () => {
    assert.deepEqual(splitModalities(' ct, mr/CT ;dx '), ['CT', 'MR', 'DX']);
    assert.deepEqual(splitModalities(''), []);
    const f = checkRuleForm({ ...named('x'), forModalities: 'ct mr', relevant: 'listed', listed: 'cr, dx' });
    assert.ok(f.ok);
    assert.deepEqual(f.rule.forModalities, ['CT', 'MR']);
    assert.deepEqual(f.rule.modalities, ['CR', 'DX']);
  });

  test("each bad field is named in the editor's words, the first one only", () => {
    const max = checkRuleForm({ ...named('x'), maxStudies: '0', years: '0' });
    assert.deepEqual(max, { ok: false, field: 'maxStudies', error: 'The number of newest studies must be a whole number from 1 to 100, got 0.' });
    assert.deepEqual(checkRuleForm({ ...named('x'), years: '101' }), {
      ok: false,
      field: 'years',
      error: 'The years must be a whole number from 1 to 100, got 101.',
    });
    assert.deepEqual(checkRuleForm({ ...named('x'), minGapDays: '0' }), {
      ok: false,
      field: 'minGapDays',
      error: 'The minimum gap in days must be a whole number from 1 to 36500, got 0.',
    });
    assert.deepEqual(checkRuleForm({ ...named('x'), minGapDays: 'two' }), {
      ok: false,
      field: 'minGapDays',
      error: 'The minimum gap in days must be a whole number from 1 to 36500, got "two".',
    });
    const listed = checkRuleForm({ ...named('x'), relevant: 'listed', listed: ' ' });
    assert.ok(!listed.ok && listed.field === 'listed' && /at least one modality/.test(listed.error));
    const bad = checkRuleForm({ ...named('x'), forModalities: 'C-T' });
    assert.ok(!bad.ok && bad.field === 'forModalities' && bad.error.startsWith('"Applies to" must hold modalities'));
    assert.deepEqual(checkRuleForm({ ...named('x'), nodes: ['pacs', 'no such'] }), {
      ok: false,
      field: 'nodes',
      error: 'The nodes must be a list of node names, got ["pacs","no such"].',
    });
  });

  test("the name: required, valid, and not another rule's (a save would replace that rule)", () => {
    assert.deepEqual(checkRuleForm(named(' ')), { ok: false, field: 'name', error: 'Give the rule a name (letters, digits, ".", "_" or "-").' });
    const spaced = checkRuleForm(named('my rule'));
    assert.ok(!spaced.ok && spaced.field === 'name' && spaced.error.startsWith('The name must be 1–64 letters'));
    assert.deepEqual(checkRuleForm(named('Default'), ['default']), {
      ok: false,
      field: 'name',
      error: 'A rule named "Default" exists already: choose another name, or edit that rule.',
    });
  });

  test('"every earlier study" makes the settings it greys out moot: their bad values fall back', () => {
    const f = checkRuleForm({ ...named('all'), allStudies: true, maxStudies: '0', years: 'x', relevant: 'listed', listed: '' });
    assert.ok(f.ok);
    assert.equal(f.rule.allStudies, true);
    assert.equal(f.rule.maxStudies, DEFAULT_RULE.maxStudies);
    assert.equal(describeRule(f.rule), 'every earlier study of the patient, from every node');
    const gap = checkRuleForm({ ...named('all'), allStudies: true, minGapDays: '0' });
    assert.ok(!gap.ok && gap.field === 'minGapDays', 'the minimum gap still applies, so it is still checked');
  });

  test("a problem marks the field of its path's first setting, in the editor's words", () => {
    const must = 'must be a whole number from 1 to 100, got 0';
    assert.deepEqual(fieldOfProblem({ path: ['modalities'], message: 'must be "same", "any" or a list of at least one modality' }), {
      field: 'listed',
      error: 'The listed modalities must be "same", "any" or a list of at least one modality.',
    });
    assert.deepEqual(fieldOfProblem({ path: ['years'], message: must }), { field: 'years', error: `The years ${must}.` });
    assert.deepEqual(fieldOfProblem({ path: ['maxStudies'], message: must }), { field: 'maxStudies', error: `The number of newest studies ${must}.` });
    assert.equal(fieldOfProblem({ path: ['nodes', 1], message: 'must be a node name' }).field, 'nodes', 'by the first element of the path');
    assert.equal(fieldOfProblem({ path: ['forModalities'], message: 'must hold modalities' }).field, 'forModalities');
    assert.equal(fieldOfProblem({ path: ['minGapDays'], message: must }).field, 'minGapDays');
    assert.equal(fieldOfProblem({ path: ['name'], message: 'must be 1–64 letters' }).error, 'The name must be 1–64 letters.');
    // the path, not the words: a message that begins with another setting's name stays with its own field
    assert.equal(fieldOfProblem({ path: ['years'], message: 'maxStudies is wrong' }).field, 'years');
  });

  test('a problem of no field of the form goes to the name field; nodes in words', () => {
    assert.deepEqual(fieldOfProblem({ path: [], message: 'must be an object, got 5' }), { field: 'name', error: 'The rule must be an object, got 5.' });
    assert.deepEqual(fieldOfProblem({ path: ['colour'], message: 'is not a rule setting' }), { field: 'name', error: 'colour is not a rule setting.' });
    assert.equal(fieldOfProblem({ path: ['constructor'], message: 'is not a rule setting' }).field, 'name', 'no inherited name is a setting');
    assert.equal(ruleNodes({ nodes: [] }), 'every archive');
    assert.equal(ruleNodes({ nodes: ['pacs', 'old'] }), 'pacs, old');
  });

  test('the message shown: the field being typed in first; an untouched empty name waits for Save', () => {
    const form = { ...ruleFormOf(), maxStudies: '0', years: '0' };
    const typing = { touched: new Set(['maxStudies', 'years'] as const), submitted: false };
    assert.deepEqual(shownProblem(form, [], { ...typing, last: 'years' }), { field: 'years', error: 'The years must be a whole number from 1 to 100, got 0.' });
    assert.deepEqual(
      shownProblem({ ...form, years: '5' }, [], { ...typing, last: 'years' })?.field,
      'maxStudies',
      'then the first touched field with a problem',
    );
    assert.equal(shownProblem({ ...form, maxStudies: '3', years: '5' }, [], { ...typing, last: 'years' }), undefined, 'the name is not asked for yet');
    assert.deepEqual(shownProblem({ ...form, maxStudies: '3', years: '5' }, [], { ...typing, submitted: true })?.field, 'name', 'after Save it is');
    assert.equal(shownProblem(ruleFormOf(), [], { touched: new Set(), submitted: false }), undefined);
  });

  test('a field checked on its own; settings map to the field their message goes to', () => {
    assert.equal(fieldProblem({ ...ruleFormOf(), name: '', maxStudies: '2' }, 'maxStudies'), undefined, "the empty name is not this field's problem");
    assert.match(fieldProblem({ ...ruleFormOf(), relevant: 'listed', listed: '' }, 'listed')!, /at least one modality/);
    assert.equal(fieldProblem({ ...ruleFormOf(), allStudies: true, years: '0' }, 'years'), undefined, 'greyed out: moot');
    assert.match(fieldProblem({ ...ruleFormOf(), name: 'default' }, 'name', ['default'])!, /exists already/);
    assert.equal(fieldOfSetting('relevant'), 'listed');
    assert.equal(fieldOfSetting('sameBodyPart'), undefined);
  });
});
