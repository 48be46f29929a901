import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { noMatchText } from '../../../../../renderer/src/features/search/no-match.js';
import { emptyForm } from '../../../../../renderer/src/features/search/search-form.js';

describe('a search that found nothing', () => {
  test('says what was searched where, the date range first among the ways to widen it', () => {
    const form = { ...emptyForm('pacs'), patientName: 'DOE', datePreset: 'today' as const };
    assert.equal(
      noMatchText(form, { kind: 'node', node: 'pacs' }),
      'Nothing found on pacs for patient name DOE, study date today. To widen it: widen the date range (Any searches every year); add a wildcard (DOE*).',
    );
  });
  test('a custom range, modalities, several nodes with the cache', () => {
    const form = { ...emptyForm(), patientId: 'P1', datePreset: 'custom' as const, customRange: { from: '2024-01-01' }, modalities: ['CT', 'MR'] };
    assert.equal(
      noMatchText(form, { kind: 'nodes', nodes: ['pacs', 'vna'], cache: true }),
      'Nothing found on pacs, vna, the local cache for patient ID P1, study date from 2024-01-01, modality CT or MR. To widen it: widen the date range (Any searches every year); clear the modality buttons.',
    );
  });
  test('nothing left to widen but the words', () => {
    const form = { ...emptyForm(), patientName: 'DOE*', accessionNumber: 'A1' };
    assert.equal(
      noMatchText(form, { kind: 'local' }),
      'Nothing found on the local cache for patient name DOE*, accession A1. To widen it: check the spelling, or search with fewer criteria.',
    );
    assert.match(noMatchText(form, { kind: 'all' }), /^Nothing found on the archives and the local cache for /);
  });
});
