import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PrefetchRun } from '../../../../../shared/prefetch.js';
import { sentenceOf } from '../../../../../electron/services/prefetch/prefetcher.js';

function run(over: Partial<PrefetchRun>): PrefetchRun {
  return {
    id: 'r1',
    trigger: 'manual',
    dryRun: false,
    PatientID: 'P1',
    state: 'completed',
    sentence: '',
    candidates: [],
    nodes: [],
    startedAt: 0,
    revision: 1,
    ...over,
  };
}

test('a node that failed is named once, its sentence without a doubled full stop', () => {
  const s = sentenceOf(
    run({
      nodes: [
        { node: 'pacs', outcome: 'failed', studies: 0, sentence: 'Nothing listens on 127.0.0.1 port 9: check that pacs is running.' },
        { node: 'archive', outcome: 'ok', studies: 2 },
      ],
    }),
  );
  assert.equal(s, 'No relevant prior of the patient among 0 earlier studies; Nothing listens on 127.0.0.1 port 9: check that pacs is running.');
  assert.ok(!s.includes('..'));
});

test('a node that did not say why is named', () => {
  const s = sentenceOf(run({ nodes: [{ node: 'pacs', outcome: 'failed', studies: 0 }] }));
  assert.match(s, /; pacs did not answer\.$/);
});
