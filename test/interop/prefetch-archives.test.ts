// Prefetch against real archives: Orthanc and dcmqrscp hold a patient's earlier studies, DCMTK's
// wlmscpfs provides the worklist, and `priors serve` runs the triggers. A current study stored
// with storescu brings in exactly its relevant priors (not those of another modality, body part,
// too old, of the same day, or beyond the newest three), a study under the same Patient ID but
// another name is reported as a conflict and left alone, and a worklist entry brings in its
// patient's priors before any image of the scheduled study exists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PrefetchRun } from '../../shared/prefetch.js';
import type { StudyRecord } from '../../shared/records.js';
import { generateCtSeries, type CtSeriesOptions, type GeneratedSeries } from '../helpers/data.js';
import { dicomDay } from '../helpers/e2e-pacs.js';
import {
  loadIntoDcmqrscp,
  loadIntoOrthanc,
  startDcmqrscp,
  startOrthanc,
  startWlmscpfs,
  storescu,
  type DcmqrscpPeer,
  type OrthancPeer,
  type WlmscpfsPeer,
} from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import { priorsJson, runPriors, serveApi, startPriorsServe, type PriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const small = { rows: 32, cols: 32, count: 3 };
const alice = { patientName: 'PREFETCH^ALICE', patientId: 'PF-A', birthDate: '19550505', sex: 'F' as const };
const bob = { patientName: 'PREFETCH^BOB', patientId: 'PF-B', birthDate: '19600606', sex: 'M' as const };

/** A study of `days` days ago (0 = today). */
function study(
  who: Pick<CtSeriesOptions, 'patientName' | 'patientId' | 'birthDate' | 'sex'>,
  days: number,
  accession: string,
  more: Partial<CtSeriesOptions> = {},
): Promise<GeneratedSeries> {
  return generateCtSeries({ ...small, ...who, studyDate: dicomDay(-days), accession, studyDescription: 'CT CHEST', ...more });
}

async function studiesOf(dataDir: string, PatientID: string): Promise<StudyRecord[]> {
  return (await serveApi<{ studies: StudyRecord[] }>(dataDir, 'cache.studies', { PatientID })).studies;
}

/** Until `check` holds (polled every 200 ms), or fails with `what` and the serve's last log lines after `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>, logs: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  while (true) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- priors serve ---\n${logs().slice(-4000)}`);
    await sleep(200);
  }
}

describe('prefetch with Orthanc, dcmqrscp and wlmscpfs', () => {
  let orthanc: OrthancPeer;
  let dcmqr: DcmqrscpPeer;
  let ris: WlmscpfsPeer;
  let serve: PriorsServe;
  const dataDir = tempDir('prefetch-archives');
  const s: Record<string, GeneratedSeries> = {};

  before(async () => {
    // Alice: the current CT CHEST of today and her earlier studies, on two archives
    s.current = await study(alice, 0, 'PF-A-CUR', { studyDescription: 'CT CHEST W/O' });
    s.p1 = await study(alice, 200, 'PF-A-1');
    s.p2 = await study(alice, 500, 'PF-A-2', { bodyPart: 'LUNG', studyDescription: 'CT LUNG SCREENING' });
    s.p3 = await study(alice, 800, 'PF-A-3', { bodyPart: '', studyDescription: 'CT THORAX' });
    s.fourth = await study(alice, 1000, 'PF-A-4');
    s.mr = await study(alice, 100, 'PF-A-MR', { modality: 'MR', bodyPart: 'HEAD', studyDescription: 'MR BRAIN' });
    s.head = await study(alice, 150, 'PF-A-HEAD', { bodyPart: 'HEAD', studyDescription: 'CT HEAD' });
    s.old = await study(alice, 6 * 366, 'PF-A-OLD');
    s.sameDay = await study(alice, 0, 'PF-A-SAME', { studyDescription: 'CT CHEST EARLIER' });
    s.conflict = await study({ ...alice, patientName: 'PREFETCH^ALEX', birthDate: '19770707' }, 300, 'PF-A-X');
    // Bob: a prior CT CHEST and an MR; his CT CHEST is scheduled on the worklist
    s.bobPrior = await study(bob, 400, 'PF-B-1');
    s.bobMr = await study(bob, 90, 'PF-B-MR', { modality: 'MR', bodyPart: 'HEAD', studyDescription: 'MR BRAIN' });
    s.bobNew = await study(bob, 0, 'PF-B-NEW');

    const port = await freePort();
    orthanc = await startOrthanc({ dir: tempDir('prefetch-orthanc'), aeTitle: 'ORTHANC', modalities: { priors: ['PRIORS', '127.0.0.1', port] } });
    await loadIntoOrthanc(
      orthanc,
      [s.p1, s.p2, s.fourth, s.mr, s.head, s.old, s.sameDay, s.bobPrior, s.bobMr].flatMap((x) => x!.files),
    );
    dcmqr = await startDcmqrscp({ dir: tempDir('prefetch-dcmqr'), aeTitle: 'LEGACY', peers: [{ aeTitle: 'PRIORS', host: '127.0.0.1', port }] });
    await loadIntoDcmqrscp(dcmqr, [...s.p3!.files, ...s.conflict!.files, ...s.p1!.files]);
    const soon = new Date(Date.now() + 30 * 60_000);
    ris = await startWlmscpfs({
      dir: tempDir('prefetch-ris'),
      aeTitle: 'RIS',
      entries: [
        {
          PatientID: bob.patientId,
          PatientName: bob.patientName,
          PatientBirthDate: bob.birthDate,
          PatientSex: 'M',
          AccessionNumber: 'PF-B-NEW',
          StudyInstanceUID: s.bobNew.StudyInstanceUID,
          RequestedProcedureDescription: 'CT THORAX WITHOUT CONTRAST',
          Modality: 'CT',
          ScheduledStationAETitle: 'CT01',
          StartDate: dicomDay(0),
          StartTime: `${String(soon.getHours()).padStart(2, '0')}${String(soon.getMinutes()).padStart(2, '0')}00`,
        },
        {
          PatientID: 'PF-OTHER',
          PatientName: 'PREFETCH^OTHER',
          AccessionNumber: 'PF-O-1',
          StudyInstanceUID: '1.2.826.0.1.3680043.10.1439.99.1',
          Modality: 'MR',
          ScheduledStationAETitle: 'MR01',
          StartDate: dicomDay(0),
          StartTime: '235900',
        },
      ],
    });
    for (const [name, address, extra] of [
      ['orthanc', `ORTHANC@127.0.0.1:${orthanc.port}`, []],
      ['legacy', `LEGACY@127.0.0.1:${dcmqr.port}`, []],
      ['ris', `RIS@127.0.0.1:${ris.port}`, ['--worklist', '--station-aet', 'CT01']],
    ] as const) {
      const r = await runPriors(['nodes', 'add', name, address, ...extra], { dataDir });
      assert.equal(r.code, 0, r.stderr);
    }
    // the quiet time after a study's association ends: 1 s instead of 5, to keep the test short
    const configPath = join(dataDir, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(configPath, JSON.stringify({ ...config, prefetch: { enabled: true, quietSeconds: 1 } }));
    serve = await startPriorsServe({ aeTitle: 'PRIORS', dataDir, port });
  });

  after(async () => {
    await serve?.stop();
  });

  test("a worklist entry brings in its patient's relevant prior before any image of the scheduled study", async () => {
    const held = await until(
      "Bob's prior in the cache",
      60_000,
      async () => {
        const studies = await studiesOf(dataDir, bob.patientId);
        return studies.some((x) => x.StudyInstanceUID === s.bobPrior!.StudyInstanceUID && x.NumberOfStudyRelatedInstances === 3) ? studies : undefined;
      },
      serve.logs,
    );
    assert.deepEqual(
      held.map((x) => x.StudyInstanceUID),
      [s.bobPrior!.StudyInstanceUID],
      'the MR and the scheduled study itself are not there',
    );
    const { runs } = await serveApi<{ runs: PrefetchRun[] }>(dataDir, 'prefetch.runs', { PatientID: bob.patientId });
    const run = runs.find((r) => r.trigger === 'worklist')!;
    assert.ok(run, `a worklist run for Bob (runs: ${JSON.stringify(runs.map((r) => r.trigger))})`);
    assert.match(run.triggerDetail ?? '', /^ris: CT CT THORAX WITHOUT CONTRAST at /);
    assert.deepEqual(run.current && { modalities: run.current.modalities, bodyParts: run.current.bodyParts, source: run.current.source }, {
      modalities: ['CT'],
      bodyParts: ['CHEST'],
      source: 'worklist',
    });
    const byUid = new Map(run.candidates.map((c) => [c.StudyInstanceUID, c]));
    assert.equal(byUid.get(s.bobPrior!.StudyInstanceUID)?.decision, 'fetch');
    assert.equal(byUid.get(s.bobMr!.StudyInstanceUID)?.decision, 'skip');
    // the other station's procedure (MR01) is not this workstation's: no run for that patient
    assert.deepEqual((await serveApi<{ runs: PrefetchRun[] }>(dataDir, 'prefetch.runs', { PatientID: 'PF-OTHER' })).runs, []);

    // now the modality sends the scheduled study: its instances arrive after the prior's
    const sent = await storescu({ aeTitle: 'PRIORS', host: '127.0.0.1', port: serve.port }, s.bobNew!.files, { callingAeTitle: 'CT01' });
    assert.equal(sent.code, 0, sent.stderr);
    const after = await until(
      "Bob's new study",
      30_000,
      async () => {
        const studies = await studiesOf(dataDir, bob.patientId);
        return studies.find((x) => x.StudyInstanceUID === s.bobNew!.StudyInstanceUID && x.NumberOfStudyRelatedInstances === 3) ? studies : undefined;
      },
      serve.logs,
    );
    const prior = after.find((x) => x.StudyInstanceUID === s.bobPrior!.StudyInstanceUID)!;
    const current = after.find((x) => x.StudyInstanceUID === s.bobNew!.StudyInstanceUID)!;
    assert.ok(prior.lastReceivedAt < current.lastReceivedAt, "the prior was in the cache before the new study's images");
  });

  test('a current study sent with storescu brings in exactly its three relevant priors from both archives', async () => {
    const sent = await storescu({ aeTitle: 'PRIORS', host: '127.0.0.1', port: serve.port }, s.current!.files, { callingAeTitle: 'MODALITY1' });
    assert.equal(sent.code, 0, sent.stderr);
    const wanted = [s.current!, s.p1!, s.p2!, s.p3!].map((x) => x.StudyInstanceUID).sort();
    const run = await until(
      "Alice's arrival run to end",
      90_000,
      async () => {
        const { runs } = await serveApi<{ runs: PrefetchRun[] }>(dataDir, 'prefetch.runs', { PatientID: alice.patientId });
        const r = runs.find((x) => x.trigger === 'arrival');
        return r && r.state !== 'running' ? r : undefined;
      },
      serve.logs,
    );
    assert.equal(run.state, 'completed', run.sentence);
    assert.equal(run.triggerDetail, 'CT from MODALITY1');
    const held = (await studiesOf(dataDir, alice.patientId)).map((x) => x.StudyInstanceUID).sort();
    assert.deepEqual(held, wanted, 'the cache holds the current study and exactly p1, p2, p3');
    const decisions = Object.fromEntries(
      Object.entries(s)
        .filter(([k]) => !k.startsWith('bob') && k !== 'current')
        .map(([k, v]) => {
          const c = run.candidates.find((x) => x.StudyInstanceUID === v.StudyInstanceUID);
          return [k, c?.decision];
        }),
    );
    assert.deepEqual(decisions, {
      p1: 'fetch',
      p2: 'fetch',
      p3: 'fetch',
      fourth: 'skip',
      mr: 'skip',
      head: 'skip',
      old: 'skip',
      sameDay: 'skip',
      conflict: 'conflict',
    });
    const reason = (k: string) => run.candidates.find((x) => x.StudyInstanceUID === s[k]!.StudyInstanceUID)!.reason;
    assert.match(reason('p2'), /CHEST like the current study, the 2nd newest/);
    assert.match(reason('p3'), /CHEST like the current study \(by its description\), the 3rd newest/);
    assert.match(reason('fourth'), /older than the 3 newest relevant studies/);
    assert.match(reason('mr'), /it is MR, not CT/);
    assert.match(reason('head'), /of the HEAD, not the CHEST/);
    assert.match(reason('old'), /older than 5 years/);
    assert.match(reason('sameDay'), /same day/);
    assert.match(
      reason('conflict'),
      /^Conflict: Patient ID PF-A on legacy is named PREFETCH\^ALEX there, PREFETCH\^ALICE here and born 1977-07-07 there, 1955-05-05 here/,
    );
    const p1 = run.candidates.find((x) => x.StudyInstanceUID === s.p1!.StudyInstanceUID)!;
    assert.deepEqual(p1.foundOn, ['orthanc', 'legacy'], 'found on both archives, fetched from the first');
    assert.equal(p1.node, 'orthanc');
    assert.equal(p1.jobState, 'completed');
    assert.match(
      run.sentence,
      /^3 relevant priors of CT CHEST study of .*: 3 of 3 fetched; 1 study with the same Patient ID but another name or birth date left alone/,
    );
    // the badges: every study a rule chose is marked
    const { prefetched } = await serveApi<{ prefetched?: Record<string, { rule: string }> }>(dataDir, 'cache.studies', { PatientID: alice.patientId });
    assert.deepEqual(Object.keys(prefetched ?? {}).sort(), [s.p1!, s.p2!, s.p3!].map((x) => x.StudyInstanceUID).sort());
    // and the audit trail has the prefetch
    const audit = await serveApi<{ events: { what: string; PatientID?: string; outcome: number }[] }>(dataDir, 'audit.query', {
      what: 'prefetch',
      patient: alice.patientId,
    });
    assert.ok(
      audit.events.some((e) => e.outcome === 0),
      JSON.stringify(audit.events),
    );
  });

  test('priors prefetch --dry-run hands the look to the running serve and lists each candidate with its reason', async () => {
    const out = await priorsJson<{ ok: boolean; run: PrefetchRun }>(['prefetch', '--patient', alice.patientId, '--dry-run'], { dataDir });
    assert.equal(out.run.dryRun, true);
    assert.equal(out.run.current?.StudyInstanceUID, s.current!.StudyInstanceUID, 'the newest study is the current one');
    const cached = out.run.candidates
      .filter((c) => c.decision === 'cached')
      .map((c) => c.StudyInstanceUID)
      .sort();
    assert.deepEqual(cached, [s.p1!, s.p2!, s.p3!].map((x) => x.StudyInstanceUID).sort());
    for (const c of out.run.candidates) assert.ok(c.reason.length > 10, `${c.StudyInstanceUID} has a reason`);
    const human = await runPriors(['prefetch', '--patient', alice.patientId, '--dry-run'], { dataDir });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Prefetch \(dry run\) for PREFETCH\^ALICE \(PF-A\); current study: CT CHEST CT CHEST W\/O of \d{8} \(in the cache\)/);
    assert.match(human.stdout, /CONFLICT/);
  });
});
