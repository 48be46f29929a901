// The `priors` CLI against a real Orthanc: echo, find at every level, move into `priors serve`,
// get, send, and the sentences for the failures users meet with a PACS: Orthanc has no entry
// for our AE title (A801), its entry points to another live node (the move "succeeds" but
// nothing arrives), and its entry points to a dead port.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { loadIntoOrthanc, orthancGet, startOrthanc, startStorescp, type OrthancPeer } from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import { assertOneLineFailure, cliJson, runPriors, startPriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

/** Sets Orthanc's modality entry `name` at run time (REST PUT /modalities/{name}). */
async function setModality(orthanc: OrthancPeer, name: string, aet: string, port: number): Promise<void> {
  const res = await fetch(`${orthanc.baseUrl}/modalities/${name}`, { method: 'PUT', body: JSON.stringify({ AET: aet, Host: '127.0.0.1', Port: port }) });
  assert.ok(res.ok, `PUT /modalities/${name}: ${res.status} ${await res.text()}`);
}

type Rows = { rows: Record<string, string>[] };

describe('priors CLI with Orthanc', () => {
  let orthanc: OrthancPeer;
  let series: GeneratedSeries;
  let dataDir: string;
  let localPort: number;
  const study = () => ['-k', `StudyInstanceUID=${series.StudyInstanceUID}`];

  before(async () => {
    series = await generateCtSeries({
      count: 4,
      rows: 64,
      cols: 64,
      patientName: 'Orthanc^Olga',
      patientId: 'PRIORS-ORTHANC-1',
      studyDate: '20210506',
      seed: 12,
    });
    localPort = await freePort();
    orthanc = await startOrthanc({ dir: tempDir('cli-orthanc'), modalities: { priors: ['PRIORS', '127.0.0.1', localPort] } });
    await loadIntoOrthanc(orthanc, series.files);
    dataDir = tempDir('cli-orthanc-data');
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ local: { aeTitle: 'PRIORS', port: localPort, bindAddress: '127.0.0.1' } }));
    assert.equal((await runPriors(['nodes', 'add', 'orthanc', `ORTHANC@127.0.0.1:${orthanc.port}`], { dataDir })).code, 0);
  });

  test('echo Orthanc', async () => {
    const r = await runPriors(['echo', 'orthanc'], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ORTHANC at 127\.0\.0\.1:\d+ answered the C-ECHO/);
  });

  test('find at every level', async () => {
    const patients = cliJson<Rows>(await runPriors(['find', 'orthanc', '-m', 'patient', '-L', 'PATIENT', '-k', 'PatientName=orthanc*', '--json'], { dataDir }));
    assert.deepEqual(
      patients.rows.map((r) => r.PatientID),
      ['PRIORS-ORTHANC-1'],
    );
    const studies = cliJson<Rows>(await runPriors(['find', 'orthanc', '-k', 'PatientID=PRIORS-ORTHANC-1', '-k', 'StudyDate=20210101-', '--json'], { dataDir }));
    assert.deepEqual(
      studies.rows.map((r) => r.StudyInstanceUID),
      [series.StudyInstanceUID],
    );
    assert.equal(studies.rows[0]!.NumberOfStudyRelatedInstances, '4');
    const seriesRows = cliJson<Rows>(await runPriors(['find', 'orthanc', '-L', 'SERIES', ...study(), '--json'], { dataDir }));
    assert.deepEqual(
      seriesRows.rows.map((r) => r.SeriesInstanceUID),
      [series.SeriesInstanceUID],
    );
    const images = cliJson<Rows>(
      await runPriors(['find', 'orthanc', '-L', 'IMAGE', ...study(), '-k', `SeriesInstanceUID=${series.SeriesInstanceUID}`, '--json'], { dataDir }),
    );
    assert.deepEqual(images.rows.map((r) => r.SOPInstanceUID).sort(), [...series.SOPInstanceUIDs].sort());
    const limited = cliJson<Rows & { limitReached: boolean }>(
      await runPriors(['find', 'orthanc', '-L', 'IMAGE', ...study(), '-k', `SeriesInstanceUID=${series.SeriesInstanceUID}`, '--limit', '2', '--json'], {
        dataDir,
      }),
    );
    assert.equal(limited.rows.length, 2);
    assert.equal(limited.limitReached, true);
  });

  test('move into `priors serve`, verified against what arrived', async () => {
    const served = await startPriorsServe({ aeTitle: 'PRIORS', port: localPort, dataDir });
    try {
      const report = cliJson<{ verdict: string; arrived: number; claimed: { completed: number } }>(
        await runPriors(['move', 'orthanc', ...study(), '--json'], { dataDir }),
      );
      assert.deepEqual([report.verdict, report.claimed.completed, report.arrived], ['complete', 4, 4]);
    } finally {
      await served.stop();
      assert.equal(served.exitReason(), 'code 0', served.logs());
    }
    const images = cliJson<Rows>(await runPriors(['ls', '-L', 'IMAGE', ...study(), '--json'], { dataDir }));
    assert.equal(images.rows.length, 4);
  });

  test('move without `priors serve`: the command listens on the configured port itself', async () => {
    const r = await runPriors(['move', 'orthanc', '-L', 'SERIES', ...study(), '-k', `SeriesInstanceUID=${series.SeriesInstanceUID}`], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Retrieved 4 instances from ORTHANC by C-MOVE to PRIORS; all 4 the PACS reported arrived\.$/m);
  });

  test('get into a fresh data directory', async () => {
    const dir = tempDir('cli-orthanc-get');
    const report = cliJson<{ verdict: string; arrived: number }>(
      await runPriors(['get', `ORTHANC@127.0.0.1:${orthanc.port}`, ...study(), '--json'], { dataDir: dir }),
    );
    assert.deepEqual([report.verdict, report.arrived], ['complete', 4]);
  });

  test('send a file into Orthanc', async () => {
    const extra = await generateCtSeries({ count: 1, rows: 32, cols: 32, patientId: 'PRIORS-ORTHANC-2', seed: 13 });
    const r = await runPriors(['send', 'orthanc', ...extra.files], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    const found = await fetch(`${orthanc.baseUrl}/tools/find`, {
      method: 'POST',
      body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: extra.SOPInstanceUIDs[0] } }),
    });
    assert.equal(((await found.json()) as unknown[]).length, 1);
  });

  // Orthanc answers a C-MOVE to an AE title it has no entry for with C000 (not A801), without
  // a comment and without sub-operations: the sentence names the likely causes and the fix.
  test('Orthanc has no entry for our AE title', async () => {
    const other = tempDir('cli-orthanc-other');
    const port = await freePort();
    writeFileSync(join(other, 'config.json'), JSON.stringify({ local: { aeTitle: 'NOTLISTED', port, bindAddress: '127.0.0.1' } }));
    assertOneLineFailure(
      await runPriors(['move', `ORTHANC@127.0.0.1:${orthanc.port}`, ...study()], { dataDir: other }),
      new RegExp(
        `^PACS ORTHANC refused to send anything to AE title NOTLISTED without saying why: it probably has no entry for NOTLISTED or cannot connect to it; add NOTLISTED at 127\\.0\\.0\\.1:${port} to its list of known nodes and check that it can reach this workstation\\.$`,
      ),
    );
  });

  test('Orthanc\'s entry for us points elsewhere: the move "succeeds" but nothing arrives', async () => {
    const decoy = await startStorescp({ dir: tempDir('cli-decoy'), aeTitle: 'DECOY' });
    await setModality(orthanc, 'priors', 'PRIORS', decoy.port);
    try {
      assertOneLineFailure(
        await runPriors(['move', 'orthanc', ...study()], { dataDir }),
        new RegExp(
          `^PACS ORTHANC reported 4 instances sent but none arrived: the PACS could not reach this workstation at 127\\.0\\.0\\.1:${localPort}, or its entry for AE title PRIORS points elsewhere\\.$`,
        ),
      );
      assert.equal(decoy.receivedFiles().length, 4, 'the instances went to the decoy');
    } finally {
      await decoy.stop();
    }
  });

  test("Orthanc's entry for us points to a dead port: one sentence about reaching this workstation", async () => {
    const dead = await freePort();
    await setModality(orthanc, 'priors', 'PRIORS', dead);
    try {
      const r = await runPriors(['move', 'orthanc', ...study()], { dataDir });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^PACS ORTHANC refused to send anything to AE title PRIORS without saying why: .*add PRIORS at 127\\.0\\.0\\.1:${localPort} to its list of known nodes and check that it can reach this workstation\\.$`,
          'm',
        ),
      );
    } finally {
      await setModality(orthanc, 'priors', 'PRIORS', localPort);
    }
    const stats = await orthancGet<{ CountInstances: number }>(orthanc, '/statistics');
    assert.ok(stats.CountInstances >= 4);
  });
});
