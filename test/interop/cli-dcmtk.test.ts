// The `priors` CLI against real DCMTK peers: dcmqrscp as the PACS (echo, find at every level,
// move into `priors serve`, get, the A801 sentences) and storescp +B as the receiver of
// `priors send`, compared byte for byte with what storescu delivers for the same files.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { findscu, loadIntoDcmqrscp, startDcmqrscp, startStorescp, storescu, type DcmqrscpPeer } from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import { assertOneLineFailure, cliJson, runPriors, startPriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

type Rows = { rows: Record<string, string>[] };

describe('priors CLI with DCMTK', () => {
  let qr: DcmqrscpPeer;
  let series: GeneratedSeries;
  let dataDir: string;
  let localPort: number;

  before(async () => {
    series = await generateCtSeries({
      count: 5,
      rows: 64,
      cols: 64,
      patientName: 'Müller^Jürgen',
      patientId: 'PRIORS-DCMTK-1',
      studyDate: '20190304',
      seed: 11,
    });
    localPort = await freePort();
    qr = await startDcmqrscp({ dir: tempDir('cli-qr'), peers: [{ aeTitle: 'PRIORS', host: '127.0.0.1', port: localPort }] });
    await loadIntoDcmqrscp(qr, series.files);
    dataDir = tempDir('cli-dcmtk-data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ local: { aeTitle: 'PRIORS', port: localPort, bindAddress: '127.0.0.1' } }));
    const add = await runPriors(['nodes', 'add', 'qr', `${qr.aeTitle}@127.0.0.1:${qr.port}`], { dataDir });
    assert.equal(add.code, 0, add.stderr);
  });

  test('echo dcmqrscp', async () => {
    const r = await runPriors(['echo', 'qr'], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^DCMQRSCP at 127\.0\.0\.1:\d+ answered the C-ECHO/);
  });

  test('find at every level and in every model', async () => {
    const patients = cliJson<Rows>(await runPriors(['find', 'qr', '-m', 'patient', '-L', 'PATIENT', '-k', 'PatientName=Müller*', '--json'], { dataDir }));
    assert.deepEqual(
      patients.rows.map((r) => [r.PatientID, r.PatientName]),
      [['PRIORS-DCMTK-1', 'Müller^Jürgen']],
    );
    const studies = cliJson<Rows>(
      await runPriors(['find', 'qr', '-k', 'PatientID=PRIORS-DCMTK-1', '-k', 'StudyDate=20190101-20191231', '--json'], { dataDir }),
    );
    assert.deepEqual(
      studies.rows.map((r) => r.StudyInstanceUID),
      [series.StudyInstanceUID],
    );
    const noStudy = cliJson<Rows>(await runPriors(['find', 'qr', '-k', 'PatientID=PRIORS-DCMTK-1', '-k', 'StudyDate=-20001231', '--json'], { dataDir }));
    assert.equal(noStudy.rows.length, 0);
    const seriesRows = cliJson<Rows>(
      await runPriors(['find', 'qr', '-L', 'SERIES', '-k', `StudyInstanceUID=${series.StudyInstanceUID}`, '--json'], { dataDir }),
    );
    assert.deepEqual(
      seriesRows.rows.map((r) => r.SeriesInstanceUID),
      [series.SeriesInstanceUID],
    );
    const images = cliJson<Rows>(
      await runPriors(
        [
          'find',
          'qr',
          '-m',
          'patient',
          '-L',
          'IMAGE',
          '-k',
          'PatientID=PRIORS-DCMTK-1',
          '-k',
          `StudyInstanceUID=${series.StudyInstanceUID}`,
          '-k',
          `SeriesInstanceUID=${series.SeriesInstanceUID}`,
          '--json',
        ],
        { dataDir },
      ),
    );
    assert.deepEqual(images.rows.map((r) => r.SOPInstanceUID).sort(), [...series.SOPInstanceUIDs].sort());
    const psonly = cliJson<Rows>(await runPriors(['find', 'qr', '-m', 'patientstudy', '-L', 'STUDY', '-k', 'PatientID=PRIORS-DCMTK-1', '--json'], { dataDir }));
    assert.deepEqual(
      psonly.rows.map((r) => r.StudyInstanceUID),
      [series.StudyInstanceUID],
    );
  });

  test('move into `priors serve`, verified against what arrived', async () => {
    const served = await startPriorsServe({ aeTitle: 'PRIORS', port: localPort, dataDir });
    try {
      const report = cliJson<{ verdict: string; arrived: number; claimed: { completed: number } }>(
        await runPriors(['move', 'qr', '-k', `StudyInstanceUID=${series.StudyInstanceUID}`, '--json'], { dataDir }),
      );
      assert.deepEqual([report.verdict, report.claimed.completed, report.arrived], ['complete', 5, 5]);
      // The served Query SCP answers findscu in UTF-8 (ISO_IR 192) with only the requested keys.
      const matches = await findscu(
        { aeTitle: 'PRIORS', host: '127.0.0.1', port: localPort },
        { keys: ['QueryRetrieveLevel=STUDY', 'SpecificCharacterSet=ISO_IR 192', 'PatientName=Müller*', 'StudyInstanceUID', 'NumberOfStudyRelatedInstances'] },
      );
      assert.equal(matches.length, 1);
      assert.deepEqual(
        [
          matches[0]!.PatientName,
          matches[0]!.StudyInstanceUID,
          matches[0]!.NumberOfStudyRelatedInstances,
          matches[0]!.SpecificCharacterSet,
          matches[0]!.RetrieveAETitle,
        ],
        ['Müller^Jürgen', series.StudyInstanceUID, '5', 'ISO_IR 192', 'PRIORS'],
      );
      assert.equal(matches[0]!.StudyDate, undefined, 'keys not asked for are not returned');
    } finally {
      await served.stop();
      assert.equal(served.exitReason(), 'code 0', served.logs());
    }
    const images = cliJson<Rows>(await runPriors(['ls', '-L', 'IMAGE', '-k', `SeriesInstanceUID=${series.SeriesInstanceUID}`, '--json'], { dataDir }));
    assert.deepEqual(images.rows.map((r) => r.SOPInstanceUID).sort(), [...series.SOPInstanceUIDs].sort());
  });

  test('get into a fresh data directory', async () => {
    const dir = tempDir('cli-dcmtk-get');
    const report = cliJson<{ verdict: string; arrived: number }>(
      await runPriors(
        [
          'get',
          `${qr.aeTitle}@127.0.0.1:${qr.port}`,
          '-L',
          'SERIES',
          '-k',
          `StudyInstanceUID=${series.StudyInstanceUID}`,
          '-k',
          `SeriesInstanceUID=${series.SeriesInstanceUID}`,
          '--json',
        ],
        { dataDir: dir },
      ),
    );
    assert.deepEqual([report.verdict, report.arrived], ['complete', 5]);
  });

  test('A801: dcmqrscp has no entry for the destination', async () => {
    assertOneLineFailure(
      await runPriors(['move', 'qr', '-k', `StudyInstanceUID=${series.StudyInstanceUID}`, '--dest', 'NOBODY'], { dataDir }),
      /^PACS DCMQRSCP has no entry for AE title NOBODY; add NOBODY with its host and port to its list of known nodes/,
    );
    const other = tempDir('cli-dcmtk-other');
    const port = await freePort();
    writeFileSync(join(other, 'config.json'), JSON.stringify({ local: { aeTitle: 'UNLISTED', port, bindAddress: '127.0.0.1' } }));
    assertOneLineFailure(
      await runPriors(['move', `${qr.aeTitle}@127.0.0.1:${qr.port}`, '-k', `StudyInstanceUID=${series.StudyInstanceUID}`], { dataDir: other }),
      new RegExp(`^PACS DCMQRSCP has no entry for AE title UNLISTED; add UNLISTED at 127\\.0\\.0\\.1:${port} to its list of known nodes\\.$`),
    );
  });

  test('a node that offers no query service: the find fails with the sentence naming the model', async () => {
    const storeOnly = await startStorescp({ aeTitle: 'STOREONLY', dir: tempDir('cli-scp-storeonly'), acceptAll: false });
    assertOneLineFailure(
      await runPriors(['find', `STOREONLY@127.0.0.1:${storeOnly.port}`, '-k', 'PatientID=X'], { dataDir }),
      /^STOREONLY at 127\.0\.0\.1:\d+ does not support Study Root Query\/Retrieve Information Model - FIND: choose another query model/,
    );
  });

  test('send into storescp +B: the same bytes as storescu delivers', async () => {
    const files = series.files.slice(0, 2);
    const ours = await startStorescp({ dir: tempDir('cli-scp-ours'), bitPreserving: true });
    const theirs = await startStorescp({ dir: tempDir('cli-scp-theirs'), bitPreserving: true });
    const r = await runPriors(['send', `${ours.aeTitle}@127.0.0.1:${ours.port}`, ...files], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Sent 2 instances to STORESCP\.$/m);
    const ref = await storescu({ aeTitle: theirs.aeTitle, host: '127.0.0.1', port: theirs.port }, files, { callingAeTitle: 'PRIORS' });
    assert.equal(ref.code, 0, ref.stderr);
    const mine = ours.receivedFiles();
    const reference = theirs.receivedFiles();
    assert.deepEqual(
      mine.map((f) => basename(f)),
      reference.map((f) => basename(f)),
    );
    assert.equal(mine.length, 2);
    for (let i = 0; i < mine.length; i++) {
      assert.ok(readFileSync(mine[i]!).equals(readFileSync(reference[i]!)), `${basename(mine[i]!)} differs from what storescu delivered`);
    }
  });

  test('send a cached study to dcmqrscp and find it there', async () => {
    const empty = await startDcmqrscp({ dir: tempDir('cli-qr-empty'), aeTitle: 'ARCHIVE' });
    const r = await runPriors(['send', `ARCHIVE@127.0.0.1:${empty.port}`, '--study', series.StudyInstanceUID], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Sent 5 instances to ARCHIVE\.$/m);
    const found = cliJson<Rows>(
      await runPriors(
        [
          'find',
          `ARCHIVE@127.0.0.1:${empty.port}`,
          '-L',
          'IMAGE',
          '-k',
          `StudyInstanceUID=${series.StudyInstanceUID}`,
          '-k',
          `SeriesInstanceUID=${series.SeriesInstanceUID}`,
          '--json',
        ],
        { dataDir },
      ),
    );
    assert.equal(found.rows.length, 5);
  });
});
