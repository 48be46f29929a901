// Self-test of the interop helpers: each real peer (storescp, dcmqrscp, Orthanc) starts on a
// free port, answers C-ECHO / C-STORE / C-FIND / C-MOVE / C-GET as configured, and stops.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { compressedCopies, generateCtSeries, generateStudies, pydicomCorpus, type GeneratedSeries } from '../helpers/data.js';
import {
  echo,
  findscu,
  getscu,
  listFiles,
  loadIntoDcmqrscp,
  loadIntoOrthanc,
  movescu,
  orthancGet,
  startDcmqrscp,
  runDcmtk,
  startOrthanc,
  startStorescp,
  storescu,
  transferSyntaxOf,
  type DcmqrscpPeer,
  type OrthancPeer,
  type StorescpPeer,
} from '../helpers/peers.js';
import { isPortOpen } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

const PATIENT_NAME = 'Müller^Jürgen';
let series: GeneratedSeries;
let jpegLs: string[];

before(async () => {
  series = await generateCtSeries({ count: 4, patientName: PATIENT_NAME, patientId: 'PEERS01', accession: 'PEERS-A1' });
  const copies = await compressedCopies(series.dir, ['jpeg-ls-lossless']);
  jpegLs = copies['jpeg-ls-lossless']!.files;
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Offset of the data set in a Part-10 file: 128 + 'DICM' + (0002,0000) element + group length. */
function dataSetOf(file: string): Buffer {
  const bytes = readFileSync(file);
  assert.equal(bytes.toString('latin1', 128, 132), 'DICM');
  assert.equal(bytes.readUInt32LE(132), 0x00000002, 'first meta element is (0002,0000)');
  return bytes.subarray(144 + bytes.readUInt32LE(140));
}

/** SOP Instance UIDs named in storescp's file names (<Modality>.<UID>.dcm). */
function uidsOf(files: string[]): string[] {
  return files
    .map((f) =>
      basename(f)
        .replace(/^[A-Z]+\./, '')
        .replace(/\.dcm$/, ''),
    )
    .sort();
}

async function sopInstanceUids(peer: { aeTitle: string; host: string; port: number }): Promise<string[]> {
  const matches = await findscu(peer, {
    keys: ['QueryRetrieveLevel=IMAGE', `StudyInstanceUID=${series.StudyInstanceUID}`, `SeriesInstanceUID=${series.SeriesInstanceUID}`, 'SOPInstanceUID'],
  });
  return matches.map((m) => m.SOPInstanceUID!).sort();
}

describe('storescp', () => {
  test('receives every instance once, named by SOP Instance UID, then stops', async () => {
    const peer = await startStorescp({ aeTitle: 'RECV_A', dir: tempDir('storescp') });
    await echo(peer);
    const r = await storescu(peer, series.files);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(peer.receivedFiles().length, 4);
    assert.deepEqual(uidsOf(peer.receivedFiles()), [...series.SOPInstanceUIDs].sort());
    await peer.stop();
    assert.equal(alive(peer.pid), false, 'process is gone');
    assert.equal(await isPortOpen(peer.port), false, 'port is closed');
    assert.match(peer.logs(), /storescp/);
  });

  test('accepts compressed transfer syntaxes and keeps the data set bit for bit with +B', async () => {
    const peer: StorescpPeer = await startStorescp({ aeTitle: 'RECV_B', dir: tempDir('storescp'), bitPreserving: true });
    const r = await storescu(peer, jpegLs);
    assert.equal(r.code, 0, r.stderr);
    const received = peer.receivedFiles();
    assert.equal(received.length, jpegLs.length);
    for (const file of received) {
      const source = jpegLs.find((f) => dataSetOf(f).equals(dataSetOf(file)));
      assert.ok(source, `${basename(file)} equals one of the JPEG-LS sources after the meta header`);
      assert.match(readFileSync(file).toString('latin1', 0, 400), /1\.2\.840\.10008\.1\.2\.4\.80/, 'JPEG-LS Lossless TS in the meta header');
    }
  });
});

describe('dcmqrscp', () => {
  let dest: StorescpPeer;
  let qr: DcmqrscpPeer;
  before(async () => {
    dest = await startStorescp({ aeTitle: 'MOVE_DEST', dir: tempDir('dest') });
    qr = await startDcmqrscp({ aeTitle: 'DCMQR', dir: tempDir('dcmqrscp'), peers: [dest] });
    await loadIntoDcmqrscp(qr, series.files);
  });

  test('C-FIND at every level of the Patient Root, Study Root and Patient/Study Only models', async () => {
    const patients = await findscu(qr, { model: 'patient', keys: ['QueryRetrieveLevel=PATIENT', 'PatientID=PEERS01', 'PatientName'] });
    assert.equal(patients.length, 1);
    assert.equal(patients[0]!.PatientName, PATIENT_NAME);
    const studies = await findscu(qr, { keys: ['QueryRetrieveLevel=STUDY', 'PatientID=PEERS01', 'StudyInstanceUID', 'AccessionNumber', 'StudyDate'] });
    assert.deepEqual(
      studies.map((s) => [s.StudyInstanceUID, s.AccessionNumber, s.StudyDate]),
      [[series.StudyInstanceUID, 'PEERS-A1', '20240115']],
    );
    const psonly = await findscu(qr, { model: 'psonly', keys: ['QueryRetrieveLevel=STUDY', 'PatientID=PEERS01', 'StudyInstanceUID'] });
    assert.equal(psonly.length, 1);
    const seriesMatches = await findscu(qr, {
      keys: ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${series.StudyInstanceUID}`, 'SeriesInstanceUID', 'Modality'],
    });
    assert.deepEqual(
      seriesMatches.map((s) => [s.SeriesInstanceUID, s.Modality]),
      [[series.SeriesInstanceUID, 'CT']],
    );
    assert.deepEqual(await sopInstanceUids(qr), [...series.SOPInstanceUIDs].sort());
    const none = await findscu(qr, { keys: ['QueryRetrieveLevel=STUDY', 'PatientID=NOBODY', 'StudyInstanceUID'] });
    assert.equal(none.length, 0);
  });

  test('C-MOVE to a peer of its HostTable, and refuses an unknown destination', async () => {
    const r = await movescu(qr, 'MOVE_DEST', { keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${series.StudyInstanceUID}`] });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(uidsOf(dest.receivedFiles()), [...series.SOPInstanceUIDs].sort());
    const refused = await movescu(qr, 'NOT_KNOWN', { keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${series.StudyInstanceUID}`] });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /MoveDestinationUnknown/);
  });

  test('C-GET of a series', async () => {
    const dir = tempDir('get');
    const r = await getscu(qr, dir, {
      keys: ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${series.StudyInstanceUID}`, `SeriesInstanceUID=${series.SeriesInstanceUID}`],
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(uidsOf(listFiles(dir)), [...series.SOPInstanceUIDs].sort());
  });
});

describe('Orthanc', () => {
  let dest: StorescpPeer;
  let orthanc: OrthancPeer;
  before(async () => {
    dest = await startStorescp({ aeTitle: 'ORTH_DEST', dir: tempDir('dest'), bitPreserving: true });
    orthanc = await startOrthanc({ aeTitle: 'ORTHANCQR', dir: tempDir('orthanc'), modalities: { dest: [dest.aeTitle, dest.host, dest.port] } });
    await loadIntoOrthanc(orthanc, series.files);
  });

  test('loads over REST and answers C-FIND at STUDY, SERIES and IMAGE level', async () => {
    const stats = await orthancGet<{ CountInstances: number }>(orthanc, '/statistics');
    assert.equal(stats.CountInstances, 4);
    const studies = await findscu(orthanc, { keys: ['QueryRetrieveLevel=STUDY', 'PatientID=PEERS01', 'StudyInstanceUID', 'PatientName', 'ModalitiesInStudy'] });
    assert.equal(studies.length, 1);
    assert.equal(studies[0]!.PatientName, PATIENT_NAME);
    assert.equal(studies[0]!.ModalitiesInStudy, 'CT');
    const seriesMatches = await findscu(orthanc, {
      keys: ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${series.StudyInstanceUID}`, 'SeriesInstanceUID', 'NumberOfSeriesRelatedInstances'],
    });
    assert.deepEqual(
      seriesMatches.map((s) => [s.SeriesInstanceUID, s.NumberOfSeriesRelatedInstances]),
      [[series.SeriesInstanceUID, '4']],
    );
    assert.deepEqual(await sopInstanceUids(orthanc), [...series.SOPInstanceUIDs].sort());
  });

  test('C-MOVE to a registered modality, and C-GET', async () => {
    const r = await movescu(orthanc, 'ORTH_DEST', { keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${series.StudyInstanceUID}`] });
    assert.equal(r.code, 0, r.stderr);
    const expected = [...series.SOPInstanceUIDs].sort();
    assert.deepEqual(uidsOf(dest.receivedFiles()), expected);
    const dir = tempDir('get');
    const g = await getscu(orthanc, dir, { keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${series.StudyInstanceUID}`] });
    assert.equal(g.code, 0, g.stderr);
    assert.deepEqual(uidsOf(listFiles(dir)), expected);
  });

  test('refuses C-MOVE to an unregistered AE title', async () => {
    const r = await movescu(orthanc, 'NOT_KNOWN', { keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${series.StudyInstanceUID}`] });
    assert.notEqual(r.code, 0);
  });

  test('stop() kills it by PID', async () => {
    const other = await startOrthanc({ dir: tempDir('orthanc2') });
    assert.ok(alive(other.pid));
    await other.stop();
    assert.equal(alive(other.pid), false);
    assert.equal(await isPortOpen(other.port), false);
    assert.match(readFileSync(join(other.dir, 'config.json'), 'utf8'), /"Plugins": \[\]/);
  });
});

describe('test data', () => {
  async function dciodvfyErrors(file: string): Promise<string[]> {
    const r = await runDcmtk('dciodvfy', [file], { timeoutMs: 60000, encoding: 'latin1' });
    return (r.stdout + r.stderr).split('\n').filter((l) => /^Error/.test(l));
  }

  test('generated CT, tiny and multi-frame instances pass dciodvfy without errors', async () => {
    const [latin1, tiny, multiframe] = await generateStudies([
      { count: 2, patientName: 'Çelik^Zoë', patientId: 'DATA01', charset: 'ISO_IR 100', accession: 'DATA-L1' },
      { mode: 'tiny', count: 2, patientId: 'DATA02' },
      { mode: 'multiframe', frames: 3, patientId: 'DATA03' },
    ]);
    for (const s of [series, latin1!, tiny!, multiframe!]) {
      for (const file of [s.files[0]!, s.files.at(-1)!]) assert.deepEqual(await dciodvfyErrors(file), [], file);
    }
    assert.notEqual(latin1!.StudyInstanceUID, series.StudyInstanceUID);
    assert.match(readFileSync(latin1!.files[0]!).toString('latin1'), /\xC7elik\^Zo\xEB/, 'name encoded in ISO 8859-1');
    assert.equal(readFileSync(tiny!.files[0]!).length < 4096, true, 'tiny instance is small');
  });

  test('the same parameters give the same files and UIDs (cache), other ones new UIDs', async () => {
    const again = await generateCtSeries({ count: 4, patientName: PATIENT_NAME, patientId: 'PEERS01', accession: 'PEERS-A1' });
    assert.deepEqual(again, series);
    const other = await generateCtSeries({ count: 4, patientName: PATIENT_NAME, patientId: 'PEERS01', accession: 'PEERS-A2' });
    assert.notEqual(other.StudyInstanceUID, series.StudyInstanceUID);
    assert.equal(new Set([...other.SOPInstanceUIDs, ...series.SOPInstanceUIDs]).size, 8);
  });

  test('compressed copies are in the announced transfer syntax and keep the SOP Instance UIDs', async () => {
    const copies = await compressedCopies(series.dir);
    assert.ok(Object.keys(copies).length >= 5, `codecs available: ${Object.keys(copies).join(', ')}`);
    for (const copy of Object.values(copies)) {
      assert.equal(copy!.files.length, series.files.length, copy!.codec);
      for (const file of copy!.files) assert.equal(transferSyntaxOf(file), copy!.transferSyntaxUid, file);
      assert.deepEqual(
        copy!.files.map((f) => basename(f)),
        series.files.map((f) => basename(f)),
      );
    }
  });

  test('pydicom corpus lists Part-10 files with UIDs and DCMTK readability', async () => {
    const corpus = await pydicomCorpus();
    assert.ok(corpus.length > 50, `${corpus.length} files`);
    const ct = corpus.find((f) => f.path.endsWith('/CT_small.dcm'));
    assert.equal(ct?.SOPClassUID, '1.2.840.10008.5.1.4.1.1.2');
    assert.equal(ct?.dcmtkReadable, true);
    assert.ok(
      corpus.some((f) => !f.dcmtkReadable),
      'truncated files are flagged unreadable',
    );
    assert.ok(corpus.some((f) => f.SpecificCharacterSet === 'ISO_IR 192'));
  });
});
