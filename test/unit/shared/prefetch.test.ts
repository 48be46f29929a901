// The checks of prefetch rules and of the body-part synonym table (shared/prefetch.ts): values,
// defaults and normalisation, the sentences users read, and the paths the rule editor marks fields by.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkRule, checkRuleByPath, checkSynonyms, DEFAULT_RULE, DEFAULT_SYNONYMS } from '../../../shared/prefetch.js';

const error = (r: { ok: boolean; error?: unknown }) => (r.ok ? undefined : r.error);

describe('prefetch rule check', () => {
  test('missing settings take the shipped defaults; modalities upper-cased and once each, nodes once each', () => {
    assert.deepEqual(checkRule({ name: 'x' }), { ok: true, value: { ...DEFAULT_RULE, name: 'x' } });
    const r = checkRule({
      name: 'x',
      enabled: undefined,
      nodes: ['pacs', 'pacs', 'old'],
      forModalities: [' ct', 'MR', 'CT'],
      modalities: ['mg', 'MG'],
      minGapDays: 36500,
    });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { ...DEFAULT_RULE, name: 'x', nodes: ['pacs', 'old'], forModalities: ['CT', 'MR'], modalities: ['MG'], minGapDays: 36500 });
    assert.equal((checkRule({ name: 'x', modalities: 'any' }) as { value: { modalities: unknown } }).value.modalities, 'any');
  });

  test('one sentence: the setting, what it must be, what it got', () => {
    assert.equal(error(checkRule(5)), 'a rule must be an object, got 5');
    assert.equal(error(checkRule({})), "name must be 1–64 letters, digits, '.', '_' or '-' starting with a letter or digit, got nothing");
    assert.equal(
      error(checkRule({ name: 'x', colour: 'red' })),
      'colour is not a rule setting (expected one of name, enabled, nodes, forModalities, modalities, sameBodyPart, maxStudies, years, minGapDays, allStudies)',
    );
    assert.equal(error(checkRule({ name: 'x', enabled: 'yes' })), 'enabled must be true or false, got "yes"');
    assert.equal(error(checkRule({ name: 'x', nodes: ['pacs', 'a b'] })), 'nodes must be a list of node names, got ["pacs","a b"]');
    assert.equal(error(checkRule({ name: 'x', forModalities: 'CT' })), 'forModalities must be a list of modalities (CT, MR…), got "CT"');
    assert.equal(error(checkRule({ name: 'x', forModalities: ['CT', 'C-T'] })), 'forModalities must hold modalities such as CT or MR, got "C-T"');
    assert.equal(error(checkRule({ name: 'x', modalities: 'foo' })), 'modalities must be "same", "any" or a list of modalities (CT, MR…), got "foo"');
    assert.equal(error(checkRule({ name: 'x', modalities: ['C T'] })), 'modalities must hold modalities such as CT or MR, got "C T"');
    assert.equal(error(checkRule({ name: 'x', modalities: [] })), 'modalities must be "same", "any" or a list of at least one modality');
    assert.equal(error(checkRule({ name: 'x', sameBodyPart: 1 })), 'sameBodyPart must be true or false, got 1');
    assert.equal(error(checkRule({ name: 'x', maxStudies: 1.5 })), 'maxStudies must be a whole number from 1 to 100, got 1.5');
    assert.equal(error(checkRule({ name: 'x', years: '5' })), 'years must be a whole number from 1 to 100, got "5"');
    assert.equal(error(checkRule({ name: 'x', minGapDays: 36501 })), 'minGapDays must be a whole number from 1 to 36500, got 36501');
    assert.equal(error(checkRule({ name: 'x', allStudies: 'no' })), 'allStudies must be true or false, got "no"');
    assert.equal(error(checkRule({ name: 'x', maxStudies: 0, years: 0 })), 'maxStudies must be a whole number from 1 to 100, got 0', 'the first bad setting');
  });

  test('by path: the setting the problem is about and the message after it', () => {
    assert.deepEqual(error(checkRuleByPath({ name: 'x', minGapDays: 0 })), { path: ['minGapDays'], message: 'must be a whole number from 1 to 36500, got 0' });
    assert.deepEqual(error(checkRuleByPath({ name: 'x', modalities: [] })), {
      path: ['modalities'],
      message: 'must be "same", "any" or a list of at least one modality',
    });
    assert.deepEqual(error(checkRuleByPath({ name: 'x', forModalities: ['?'] })), {
      path: ['forModalities'],
      message: 'must hold modalities such as CT or MR, got "?"',
    });
    assert.deepEqual((error(checkRuleByPath({ name: 'x', colour: 'red' })) as { path: unknown }).path, ['colour'], 'an unknown setting by its own name');
    assert.deepEqual(error(checkRuleByPath(null)), { path: [], message: 'must be an object, got null' });
    assert.deepEqual(checkRuleByPath({ name: 'x' }), checkRule({ name: 'x' }));
  });
});

describe('synonym table check', () => {
  test('words upper-cased, spaces squeezed, once in their group; the shipped table passes', () => {
    assert.deepEqual(checkSynonyms([['chest', 'Thorax  Cavity', 'CHEST']]), { ok: true, value: [['CHEST', 'THORAX CAVITY']] });
    assert.deepEqual(checkSynonyms(DEFAULT_SYNONYMS), { ok: true, value: DEFAULT_SYNONYMS });
    assert.deepEqual(checkSynonyms([]), { ok: true, value: [] });
  });

  test('groups by their number from 1, words as written', () => {
    assert.equal(error(checkSynonyms({})), 'the synonym table must be a list of at most 500 groups of words');
    assert.equal(error(checkSynonyms(Array.from({ length: 501 }, () => ['A']))), 'the synonym table must be a list of at most 500 groups of words');
    assert.equal(error(checkSynonyms([['A'], []])), 'group 2 of the synonym table must hold 1–32 words, got []');
    assert.equal(error(checkSynonyms([['A'], 'B'])), 'group 2 of the synonym table must hold 1–32 words, got "B"');
    assert.match(
      error(checkSynonyms([Array.from({ length: 33 }, () => '/')])) as string,
      /^group 1 of the synonym table must hold 1–32 words/,
      'the count before the words',
    );
    assert.equal(error(checkSynonyms([['A'], ['B', 'brain/stem']])), `"brain/stem" in group 2 is not a word (letters, digits, spaces, '-')`);
    assert.equal(error(checkSynonyms([['A', 5]])), `"5" in group 1 is not a word (letters, digits, spaces, '-')`);
    assert.equal(error(checkSynonyms([['CHEST'], ['thorax', 'chest']])), '"CHEST" is in groups 1 and 2: a word names one body part');
  });
});
