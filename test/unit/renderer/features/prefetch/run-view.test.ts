// What the Prefetch screen shows of runs (renderer/src/features/prefetch/run-view.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PrefetchCandidate, PrefetchRun } from '../../../../../shared/prefetch.js';
import { emptyProgress, type TransferJob } from '../../../../../shared/transfers.js';
import {
  currentText,
  decisionCounts,
  foundOnText,
  nodeLines,
  patientText,
  pendingPrefetchJobs,
  pollText,
  runMatches,
  sortCandidates,
  sortRuns,
  triggerText,
  withRuns,
} from '../../../../../renderer/src/features/prefetch/run-view.js';

function run(over: Partial<PrefetchRun> = {}): PrefetchRun {
  return {
    id: 'r1',
    trigger: 'manual',
    dryRun: false,
    PatientID: 'P1',
    PatientName: 'DOE^JANE',
    state: 'running',
    sentence: 's',
    candidates: [],
    nodes: [],
    startedAt: 1000,
    revision: 0,
    ...over,
  };
}
const cand = (over: Partial<PrefetchCandidate>): PrefetchCandidate => ({
  StudyInstanceUID: '1',
  foundOn: ['pacs'],
  modalities: ['CT'],
  bodyParts: ['CHEST'],
  decision: 'skip',
  reason: 'r',
  ...over,
});

describe('prefetch runs held', () => {
  test('a copy is taken unless the one held has a higher revision; an unchanged map stays the same object', () => {
    const held = withRuns(new Map(), [run({ revision: 2, state: 'completed' })]);
    assert.equal(withRuns(held, [run({ revision: 1, state: 'running' })]), held, 'an older copy (a list read before the end) is ignored');
    assert.equal(withRuns(held, [run({ revision: 3, state: 'incomplete' })]).get('r1')?.state, 'incomplete');
    assert.equal(withRuns(held, [run({ revision: 2, sentence: 'later copy' })]).get('r1')?.sentence, 'later copy', 'same revision: the later copy');
    const two = withRuns(held, [run({ id: 'r2', startedAt: 2000 }), run({ id: 'r3', startedAt: 1500 })]);
    assert.deepEqual(
      sortRuns(two.values()).map((r) => r.id),
      ['r2', 'r3', 'r1'],
    );
  });

  test('the patient filter: any words of the ID, issuer or name, in any case and order', () => {
    const r = run({ PatientID: 'E2E-DOE', PatientName: 'DOE^JANE', IssuerOfPatientID: 'HOSP' });
    for (const text of ['', 'e2e', 'jane doe', 'Doe, Jane', 'DOE^JANE', 'hosp']) assert.ok(runMatches(r, text), text);
    for (const text of ['john', 'jane smith']) assert.ok(!runMatches(r, text), text);
  });
});

describe('prefetch run lines', () => {
  test('trigger, patient and current study', () => {
    assert.equal(triggerText(run()), 'by hand');
    assert.equal(triggerText(run({ trigger: 'worklist', triggerDetail: 'RIS: CT CHEST at 14:30' })), 'worklist: RIS: CT CHEST at 14:30');
    assert.equal(patientText(run()), 'DOE, JANE (P1)');
    assert.equal(patientText(run({ PatientName: undefined as unknown as string, IssuerOfPatientID: 'HOSP' })), 'P1 / HOSP');
    assert.equal(
      currentText({ modalities: ['CT'], bodyParts: ['CHEST'], StudyDate: '20261206', StudyDescription: 'CT CHEST', source: 'archive', node: 'pacs' }),
      'CT · CHEST · 2026-12-06 · CT CHEST · newest on pacs',
    );
    assert.equal(
      currentText({ modalities: [], bodyParts: [], source: 'worklist', node: 'ris' }),
      'modality unknown · body part unknown · date unknown · scheduled on ris',
    );
    assert.equal(currentText({ modalities: ['MR'], bodyParts: ['HEAD'], StudyDate: '20260101', source: 'cache' }), 'MR · HEAD · 2026-01-01 · in the cache');
    assert.match(currentText(undefined), /^No current study/);
  });

  test('candidates: newest first, where found, decisions counted in a fixed order', () => {
    const list = [
      cand({ StudyInstanceUID: 'a', StudyDate: '20190101' }),
      cand({ StudyInstanceUID: 'b', StudyDate: '20250101', decision: 'fetch' }),
      cand({ StudyInstanceUID: 'c', decision: 'conflict' }),
      cand({ StudyInstanceUID: 'd', StudyDate: '20240101', decision: 'cached' }),
    ];
    assert.deepEqual(
      sortCandidates(list).map((c) => c.StudyInstanceUID),
      ['b', 'd', 'a', 'c'],
    );
    assert.equal(decisionCounts(list), '1 fetch · 1 cached · 1 conflict · 1 skip');
    assert.equal(decisionCounts([]), 'no earlier study');
    assert.equal(foundOnText({ foundOn: ['cache', 'pacs'] }), 'local cache, pacs');
    assert.equal(foundOnText({ foundOn: [], node: 'pacs' }), 'pacs');
  });

  test('nodes: counts, and the sentence of a failure', () => {
    assert.deepEqual(
      nodeLines(
        run({
          nodes: [
            { node: 'pacs', outcome: 'ok', studies: 1 },
            { node: 'old', outcome: 'failed', studies: 0, sentence: 'old refused the association' },
          ],
        }),
      ),
      [
        { node: 'pacs', ok: true, text: 'pacs: 1 study' },
        { node: 'old', ok: false, text: 'old: old refused the association' },
      ],
    );
  });
});

describe('pending prefetch jobs and worklist polls', () => {
  const job = (over: Partial<TransferJob>): TransferJob => ({
    id: 'j',
    node: 'pacs',
    method: 'move',
    level: 'STUDY',
    StudyInstanceUID: '1',
    SeriesInstanceUIDs: [],
    origin: 'prefetch',
    state: 'queued',
    progress: emptyProgress(),
    attempts: 0,
    createdAt: 1,
    revision: 0,
    ...over,
  });
  test('only prefetch jobs not ended, in the order the queue takes them', () => {
    const jobs = [
      job({ id: 'a', createdAt: 3 }),
      job({ id: 'b', createdAt: 1, state: 'running' }),
      job({ id: 'c', origin: 'user' }),
      job({ id: 'd', state: 'completed' }),
    ];
    assert.deepEqual(
      pendingPrefetchJobs(jobs).map((j) => j.id),
      ['b', 'a'],
    );
  });
  test('a poll in one sentence', () => {
    assert.equal(
      pollText({ node: 'ris', procedures: 3, started: 2 }, 12),
      '3 procedures scheduled in the next 12 hours: prefetch started for 2 not seen before.',
    );
    assert.equal(
      pollText({ node: 'ris', procedures: 1, started: 0 }, 1),
      '1 procedure scheduled in the next 1 hour, all seen before: nothing new to prefetch.',
    );
    assert.equal(pollText({ node: 'ris', procedures: 0, started: 0 }), '0 procedures scheduled.');
    assert.equal(pollText({ node: 'ris', procedures: 0, started: 0, error: 'ris refused the association' }), 'ris refused the association');
  });
});
