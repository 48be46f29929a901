// Pure logic of the Transfers, Local cache, Nodes & settings and Activity screens and the shell.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ActivityLine, type Settings, settingsOf } from '../../../../shared/api/contract.js';
import { defaultConfig } from '../../../../shared/config.js';
import { formatBytes } from '../../../../renderer/src/lib/format.js';
import { emptyProgress, type TransferJob } from '../../../../shared/transfers.js';
import { keepLine, mergeLines } from '../../../../renderer/src/features/activity/activity-filter.js';
import {
  importProgressLine,
  importResultLine,
  openStudyDetail,
  refusalLine,
  roomLine,
  sendResultLine,
  statsLine,
} from '../../../../renderer/src/features/local/cache-view.js';
import {
  localFormOf,
  nodeFieldErrors,
  policySentence,
  serverSentence,
  settingsFromForm,
  splitAeTitles,
} from '../../../../renderer/src/features/nodes/node-form.js';
import { effectNote, saveSentence, withServices } from '../../../../renderer/src/features/nodes/local-settings.js';
import { finishedIds, jobView, sortJobs, withJob, withList, withoutCleared } from '../../../../renderer/src/features/transfers/job-view.js';
import { rowTarget } from '../../../../renderer/src/app/row-target.js';
import { SCREENS, screenForKey } from '../../../../renderer/src/app/screens.js';

function job(over: Partial<TransferJob> = {}): TransferJob {
  return {
    id: 'j1',
    node: 'pacs',
    method: 'move',
    level: 'STUDY',
    StudyInstanceUID: '1.2.3',
    SeriesInstanceUIDs: [],
    origin: 'user',
    state: 'running',
    progress: emptyProgress(),
    attempts: 1,
    createdAt: 1000,
    revision: 1,
    ...over,
  };
}

describe('transfers job view', () => {
  test('a running job: bar segments add up to 100, counts, remaining, speed and ETA', () => {
    const v = jobView(
      job({
        expected: 10,
        progress: { ...emptyProgress(), completed: 4, warning: 1, failed: 1, remaining: 4, arrived: 4, bytes: 2_000_000, mbPerSecond: 1.25, etaSeconds: 90 },
      }),
    );
    assert.equal(v.total, 10);
    assert.equal(v.done, 4);
    assert.deepEqual(v.bar, { ok: 30, warning: 10, failed: 10, remaining: 50 });
    assert.equal(v.counts, '4 / 10 instances · 4 remaining · 1 failed · 1 with warnings');
    assert.match(v.speed, /1\.3 MB\/s · .* left$/);
    assert.equal(v.verified, undefined);
  });
  test('an ended job states expected against arrived; an unknown expectation says so', () => {
    const done = jobView(job({ state: 'incomplete', expected: 12, progress: { ...emptyProgress(), completed: 8, arrived: 8, skipped: 2 } }));
    assert.equal(done.verified, 'Expected 12 · arrived 8 · 2 already cached');
    assert.ok(!done.speed.includes('left'));
    const unknown = jobView(job({ state: 'completed', progress: { ...emptyProgress(), completed: 3, arrived: 3 } }));
    assert.equal(unknown.total, undefined);
    assert.match(unknown.verified!, /^Expected: unknown/);
    assert.equal(unknown.bar.ok, 100);
  });
  test('no total yet: an empty bar, never NaN', () => {
    const v = jobView(job());
    assert.deepEqual(v.bar, { ok: 0, warning: 0, failed: 0, remaining: 100 });
  });
  test('newest first, stable; "Clear finished" hides ended jobs only, a retried job comes back', () => {
    const jobs = sortJobs([
      job({ id: 'a', createdAt: 1 }),
      job({ id: 'b', createdAt: 3, state: 'completed' }),
      job({ id: 'c', createdAt: 2, state: 'failed' }),
    ]);
    assert.deepEqual(
      jobs.map((j) => j.id),
      ['b', 'c', 'a'],
    );
    const cleared = new Set(finishedIds(jobs));
    assert.deepEqual([...cleared], ['b', 'c']);
    assert.deepEqual(
      withoutCleared(jobs, cleared).map((j) => j.id),
      ['a'],
    );
    const retried = jobs.map((j) => (j.id === 'c' ? { ...j, state: 'queued' as const } : j));
    assert.deepEqual(
      withoutCleared(retried, cleared).map((j) => j.id),
      ['c', 'a'],
    );
  });
});

describe('transfers: copies of a job that cross each other', () => {
  const running = job({ id: 'a', state: 'running', revision: 1 });
  const done = job({ id: 'a', state: 'completed', revision: 2, finishedAt: 2000 });

  test('a list answer read before the job ended does not bring it back to running', () => {
    const held = withJob(new Map(), done);
    const after = withList(held, [running]);
    assert.equal(after.get('a')?.state, 'completed');
    assert.equal(withList(new Map(), [running]).get('a')?.state, 'running', 'with nothing newer, the list is taken');
  });

  test('a cancel answer older than the finished event is ignored; a retry (newer) is taken', () => {
    const held = withJob(withJob(new Map(), running), done);
    assert.equal(withJob(held, running), held, 'unchanged map: no re-render');
    const retried = job({ id: 'a', state: 'queued', revision: 3 });
    assert.equal(withJob(held, retried).get('a')?.state, 'queued');
    const progress = job({ id: 'a', state: 'running', revision: 1, progress: { ...emptyProgress(), arrived: 5 } });
    assert.equal(withJob(withJob(new Map(), running), progress).get('a')?.progress.arrived, 5, 'same revision: the later copy');
  });

  test('the list says which jobs exist; one queued after it was read stays, a cleared one goes', () => {
    const queuedLater = job({ id: 'b', state: 'queued', revision: 0 });
    const cleared = job({ id: 'c', state: 'failed', revision: 2 });
    const held = [queuedLater, cleared, done].reduce((m, j) => withJob(m, j), new Map() as ReadonlyMap<string, TransferJob>);
    const after = withList(held, [running]);
    assert.deepEqual([...after.keys()].sort(), ['a', 'b']);
  });
});

describe('nodes and settings forms', () => {
  const base: Settings = settingsOf(defaultConfig());
  test("node fields carry the validators' messages", () => {
    assert.deepEqual(nodeFieldErrors({ name: 'pacs', aeTitle: 'PACS', host: '127.0.0.1', port: 104 }), {});
    const e = nodeFieldErrors({ name: ' bad name', aeTitle: 'A_TITLE_LONGER_THAN_16', host: 'http://x', port: 70000 });
    assert.match(e.name!, /^Name must be 1–64 letters/);
    assert.match(e.aeTitle!, /^AE title must be at most 16 characters/);
    assert.match(e.host!, /^Host must be a host name/);
    assert.match(e.port!, /^Port must be an integer from 1 to 65535/);
  });
  test('settings round trip through the form; the list policy needs valid AE titles', () => {
    const form = localFormOf(base);
    const same = settingsFromForm(base, form);
    assert.ok(same.ok);
    assert.deepEqual(same.settings, base);
    const listed = settingsFromForm(base, { ...form, aeTitle: ' NEWAE ', port: '11113', policyMode: 'list', policyList: 'PACS1, PACS 2;PACS1\nMODALITY' });
    assert.ok(listed.ok);
    assert.equal(listed.settings.local.aeTitle, 'NEWAE');
    assert.equal(listed.settings.local.port, 11113);
    assert.deepEqual(listed.settings.callingAePolicy, { mode: 'list', aeTitles: ['PACS1', 'PACS 2', 'MODALITY'] });
    const empty = settingsFromForm(base, { ...form, policyMode: 'list', policyList: ' ' });
    assert.ok(!empty.ok && /at least one AE title/.test(empty.errors.policyList!));
    const bad = settingsFromForm(base, { ...form, port: '0', bindAddress: '', policyMode: 'list', policyList: 'OK, ÄRZTE' });
    assert.ok(!bad.ok);
    assert.deepEqual(Object.keys(bad.errors).sort(), ['bindAddress', 'policyList', 'port']);
    assert.match(bad.errors.policyList!, /"ÄRZTE" must use plain ASCII/);
    assert.deepEqual(splitAeTitles(''), []);
  });
  test('the services of the policy: only what changed is written, every other field kept', () => {
    const policy = { mode: 'configured' as const, bindToHost: true, services: { storage: 'local' as const } };
    assert.deepEqual(withServices(policy, { verification: 'any', storage: 'local', queryRetrieve: 'nodes' }), policy);
    assert.deepEqual(withServices(policy, { verification: 'any', storage: 'local', queryRetrieve: 'any' }), {
      ...policy,
      services: { storage: 'local', queryRetrieve: 'any' },
    });
    assert.deepEqual(withServices({ mode: 'any' }, { verification: 'any', storage: 'any', queryRetrieve: 'nodes' }), { mode: 'any' });
    const form = { ...localFormOf({ ...base, callingAePolicy: policy }), policyMode: 'any' as const };
    const saved = settingsFromForm({ ...base, callingAePolicy: policy }, form);
    assert.ok(saved.ok);
    assert.deepEqual(saved.settings.callingAePolicy, { mode: 'any', bindToHost: true, services: { storage: 'local' } }, 'a save keeps the services');
  });
  test('what applies after a save: the port of a --port flag stays, and the sentence says so', () => {
    const flagged = {
      listening: true,
      aeTitle: 'PRIORS',
      host: '0.0.0.0',
      port: 11300,
      origin: { aeTitle: 'default' as const, port: 'flag' as const, bindAddress: 'default' as const },
    };
    assert.equal(effectNote('port', base, flagged), 'In effect: 11300, from the --port flag of priors serve; Priors uses 11112 when started without --port.');
    assert.equal(
      saveSentence(base, flagged, true),
      'Saved to config.json. Port 11300 stays in effect (from the --port flag of priors serve); 11112 applies when Priors starts without --port.',
    );
    const same = { ...flagged, port: 11112, origin: { ...flagged.origin, port: 'default' as const } };
    assert.equal(effectNote('port', base, same), undefined);
    assert.equal(saveSentence(base, same, false), 'Saved. The change applies now.');
    assert.match(
      saveSentence({ ...base, local: { ...base.local, port: 11113 } }, same, true),
      /Port 11112 stays in effect until Priors restarts, then 11113 applies/,
    );
  });
  test('sentences: server state (with a state/message field when present), policy', () => {
    assert.equal(serverSentence({ listening: true, aeTitle: 'PRIORS', host: '0.0.0.0', port: 11112 }), 'Listening as PRIORS on 0.0.0.0:11112.');
    const inUse = { listening: false, aeTitle: 'PRIORS', state: 'port-in-use' as const, message: 'Port 11112 is in use by another program.' };
    assert.equal(serverSentence(inUse), 'Port 11112 is in use by another program.');
    assert.match(serverSentence({ listening: false, aeTitle: 'PRIORS' }), /^Not listening/);
    assert.equal(policySentence({ mode: 'list', aeTitles: ['A', 'B'] }), 'Only these AE titles may connect: A, B.');
  });
});

describe('local cache sentences', () => {
  test('totals, import progress and result, send result, open-study detail', () => {
    assert.equal(statsLine({ patients: 1, studies: 2, series: 1, instances: 3, bytes: 0 }), '1 patient · 2 studies · 1 series · 3 instances · 0 B');
    assert.match(statsLine({ patients: 0, studies: 0, series: 0, instances: 0, bytes: 0, maxBytes: 1e9 }), / of /);
    const empty = { patients: 0, studies: 0, series: 0, instances: 0, bytes: 0 };
    assert.equal(roomLine(empty), undefined);
    assert.equal(refusalLine(empty), undefined);
    assert.equal(
      roomLine({ ...empty, freeBytes: 2e9, minFreeBytes: 1e9, evicted: { studies: 2, bytes: 3e6 }, pinnedStudies: 1 }),
      `${formatBytes(2e9)} free on the disk (keeping ${formatBytes(1e9)} free) · 2 studies evicted to make room (${formatBytes(3e6)}) · 1 study held (open or arriving)`,
    );
    const refusal = { at: 1, reason: 'quota' as const, sentence: 'The cache is full.', count: 3 };
    assert.equal(refusalLine({ ...empty, lastRefusal: refusal }), 'The cache is full. (3 instances refused so far.)');
    assert.equal(refusalLine({ ...empty, lastRefusal: { ...refusal, count: 1 } }), 'The cache is full.');
    assert.equal(
      importProgressLine({ path: '/data/a/IM1.dcm', imported: 2, duplicates: 1, skipped: 0 }),
      'Importing… 2 imported, 1 already there, 0 skipped (IM1.dcm)',
    );
    assert.equal(
      importResultLine({ imported: 1, duplicates: 0, skipped: [{ path: '/x/readme.txt', reason: 'not a DICOM file' }] }),
      'Imported: 1 instance added, 0 already in the cache, 1 skipped. First skipped: /x/readme.txt (not a DICOM file).',
    );
    assert.match(importResultLine({ imported: 0, duplicates: 0, skipped: [], aborted: true }), /^Import stopped/);
    assert.equal(
      importResultLine({ imported: 3, duplicates: 0, skipped: [], dicomdir: { path: '/cd/DICOMDIR', referenced: 3, missing: [], notReferenced: 2 } }),
      'Imported: 3 instances added, 0 already in the cache, 0 skipped. Read through its DICOMDIR: 3 files referenced, 2 other files not referenced (not imported).',
    );
    assert.equal(sendResultLine('pacs', { sendId: 's', sent: 3, warnings: 0, failed: 1 }), 'Sent 3 instances to pacs, 1 failed.');
    assert.deepEqual(openStudyDetail('1.2'), { StudyInstanceUID: '1.2' });
  });
});

describe('activity filter', () => {
  const line = (seq: number, over: Partial<ActivityLine> = {}): ActivityLine => ({
    seq,
    time: seq,
    level: 'info',
    message: `line ${seq}`,
    outcome: 'info',
    ...over,
  });
  test('node, outcome and free text', () => {
    const l = line(1, { peerAeTitle: 'ORTHANC', association: 'a7', outcome: 'failed', message: 'C-MOVE refused' });
    assert.ok(keepLine(l, { aeTitles: [], outcome: '', text: '' }));
    assert.ok(keepLine(l, { aeTitles: ['ORTHANC', 'orthanc-node'], outcome: 'failed', text: 'refused' }));
    assert.ok(keepLine(l, { aeTitles: [], outcome: '', text: 'A7' }));
    assert.ok(!keepLine(l, { aeTitles: ['OTHER'], outcome: '', text: '' }));
    assert.ok(!keepLine(l, { aeTitles: [], outcome: 'ok', text: '' }));
    assert.ok(!keepLine(line(2), { aeTitles: ['ORTHANC'], outcome: '', text: '' }));
  });
  test('newest first, deduplicated, bounded', () => {
    const merged = mergeLines([line(3), line(1)], [line(4), line(3), line(2)], 3);
    assert.deepEqual(
      merged.map((l) => l.seq),
      [4, 3, 2],
    );
  });
});

describe('shell', () => {
  test('Alt+1…8 go to the eight screens, each key once (Prefetch appended: the first seven keep theirs); other keys nowhere', () => {
    assert.deepEqual(
      SCREENS.map((s) => s.key),
      ['1', '2', '3', '4', '5', '6', '7', '8'],
    );
    assert.equal(screenForKey('6'), 'audit');
    assert.equal(screenForKey('7'), 'viewer');
    assert.equal(screenForKey('8'), 'prefetch');
    assert.equal(screenForKey('9'), undefined);
    assert.deepEqual(
      SCREENS.map((s) => s.section),
      ['Search', 'Transfers', 'Local cache', 'Nodes and settings', 'Activity', 'Audit', 'Viewer', 'Prefetch'],
    );
  });
  test('arrow keys move between rows, inside the list', () => {
    assert.equal(rowTarget('ArrowDown', -1, 3), 0);
    assert.equal(rowTarget('ArrowDown', 2, 3), 2);
    assert.equal(rowTarget('ArrowUp', 1, 3), 0);
    assert.equal(rowTarget('End', 0, 3), 2);
    assert.equal(rowTarget('Home', 2, 3), 0);
    assert.equal(rowTarget('ArrowDown', -1, 0), undefined);
    assert.equal(rowTarget('r', 0, 3), undefined);
    assert.equal(rowTarget('Enter', 0, 3), undefined);
  });
});
