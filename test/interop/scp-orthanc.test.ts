// `priors serve` with Orthanc 1.10 as the SCU, driven through Orthanc's REST API: C-ECHO,
// C-FIND at every level (Orthanc queries in its default ISO_IR 100), C-STORE of Orthanc's
// instances to priors (compared with what a storescp +B receives from the same Orthanc), and
// C-MOVE asking priors to send a study to Orthanc (priors knows Orthanc as a node).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCtSeries, pydicomCorpus, type GeneratedSeries } from '../helpers/data.js';
import { loadIntoOrthanc, orthancGet, startOrthanc, startStorescp, storescu, type OrthancPeer, type StorescpPeer } from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import {
  compareWithOracle,
  dataSetBytes,
  filesBySopInstanceUid,
  firstDifference,
  priorsStoredFiles,
  readPart10,
  startPriorsServe,
  type PriorsServe,
} from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const AET = 'PRIORS_ORTH';

let orthanc: OrthancPeer;
let priors: PriorsServe;
let oracle: StorescpPeer;
let dataDir: string;
/** Instances loaded into Orthanc, to be sent to priors by Orthanc. */
let inOrthanc: string[] = [];
/** Studies loaded into priors directly, to be queried and moved by Orthanc. */
let older: GeneratedSeries;
let newer: GeneratedSeries;

async function post<T = unknown>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${orthanc.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** A C-FIND through Orthanc: the answers, simplified (keyword → value). */
async function query(level: string, q: Record<string, string>): Promise<Record<string, string>[]> {
  const { ID } = await post<{ ID: string }>('/modalities/priors/query', { Level: level, Query: q });
  return orthancGet<Record<string, string>[]>(orthanc, `/queries/${ID}/answers?expand&simplify`);
}

/** The Orthanc instance ids of a study (its own index). */
async function orthancInstancesOf(studyInstanceUid: string): Promise<string[]> {
  return post<string[]>('/tools/find', { Level: 'Instance', Query: { StudyInstanceUID: studyInstanceUid } });
}

describe('priors serve with Orthanc as the SCU', { timeout: 600_000 }, () => {
  before(async () => {
    const work = tempDir('scp-orthanc');
    dataDir = join(work, 'priors-data');
    oracle = await startStorescp({ aeTitle: 'ORACLE', dir: join(work, 'oracle'), bitPreserving: true });
    const priorsPort = await freePort();
    orthanc = await startOrthanc({
      dir: join(work, 'orthanc'),
      modalities: { priors: [AET, '127.0.0.1', priorsPort], oracle: [oracle.aeTitle, '127.0.0.1', oracle.port] },
    });
    priors = await startPriorsServe({
      aeTitle: AET,
      dataDir,
      port: priorsPort,
      nodes: [{ name: 'orthanc', address: `${orthanc.aeTitle}@127.0.0.1:${orthanc.port}` }],
    });

    const forOrthanc = await generateCtSeries({
      mode: 'tiny',
      count: 5,
      patientName: 'Çelik^Zoë',
      patientId: 'ORTH-SRC',
      charset: 'ISO_IR 100',
      accession: 'ORTHSRC',
      seed: 31,
    });
    const corpus = (await pydicomCorpus()).filter(
      (f) =>
        f.dcmtkReadable && f.SOPInstanceUID && /\/(CT_small|MR_small_RLE|JPEG2000|SC_rgb_jpeg_gdcm|JPEG-LL|emri_small_jpeg_2k_lossless)\.dcm$/.test(f.path),
    );
    inOrthanc = [...forOrthanc.files, ...corpus.map((f) => f.path)];
    await loadIntoOrthanc(orthanc, inOrthanc);

    older = await generateCtSeries({
      mode: 'tiny',
      count: 3,
      patientName: 'Ærøskøbing^Åse',
      patientId: 'PRIORS-ORTH',
      charset: 'ISO_IR 192',
      studyDate: '20150301',
      accession: 'ORTH-A',
      seed: 41,
    });
    newer = await generateCtSeries({
      mode: 'tiny',
      count: 4,
      patientName: 'Ærøskøbing^Åse',
      patientId: 'PRIORS-ORTH',
      charset: 'ISO_IR 192',
      studyDate: '20230912',
      accession: 'ORTH-B',
      seed: 42,
    });
    const r = await storescu(priors, [...older.files, ...newer.files]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('POST /modalities/priors/echo: C-ECHO succeeds', async () => {
    await post('/modalities/priors/echo', {});
  });

  test('C-FIND Study level by PatientID and by a non-ASCII PatientName wild card (Orthanc sends ISO_IR 100)', async () => {
    const byId = await query('Study', { PatientID: 'PRIORS-ORTH', StudyDate: '', AccessionNumber: '' });
    assert.deepEqual(new Set(byId.map((a) => a.StudyInstanceUID)), new Set([older.StudyInstanceUID, newer.StudyInstanceUID]));
    const dates = new Map([
      [older.StudyInstanceUID, '20150301'],
      [newer.StudyInstanceUID, '20230912'],
    ]);
    for (const a of byId) assert.equal(a.StudyDate, dates.get(a.StudyInstanceUID!));
    const byName = await query('Study', { PatientName: 'ærø*' });
    assert.deepEqual(new Set(byName.map((a) => a.StudyInstanceUID)), new Set([older.StudyInstanceUID, newer.StudyInstanceUID]));
    for (const a of byName) assert.equal(a.PatientName, 'Ærøskøbing^Åse');
    const ranged = await query('Study', { PatientID: 'PRIORS-ORTH', StudyDate: '20200101-' });
    assert.deepEqual(
      ranged.map((a) => a.StudyInstanceUID),
      [newer.StudyInstanceUID],
    );
  });

  test('C-FIND Patient, Series and Instance levels', async () => {
    const patients = await query('Patient', { PatientID: 'PRIORS-ORTH', PatientName: '' });
    assert.equal(patients.length, 1);
    assert.equal(patients[0]!.PatientName, 'Ærøskøbing^Åse');
    const series = await query('Series', { StudyInstanceUID: newer.StudyInstanceUID, Modality: '' });
    assert.deepEqual(
      series.map((a) => a.SeriesInstanceUID),
      [newer.SeriesInstanceUID],
    );
    assert.equal(series[0]!.Modality, 'CT');
    const instances = await query('Instance', { StudyInstanceUID: newer.StudyInstanceUID, SeriesInstanceUID: newer.SeriesInstanceUID });
    assert.deepEqual(new Set(instances.map((a) => a.SOPInstanceUID)), new Set(newer.SOPInstanceUIDs));
  });

  test('C-STORE from Orthanc (POST /modalities/priors/store): priors stores what storescp +B receives, byte for byte', async () => {
    const ids = await orthancGet<string[]>(orthanc, '/instances');
    assert.equal(ids.length, inOrthanc.length);
    await post('/modalities/oracle/store', { Resources: ids, Synchronous: true });
    await post('/modalities/priors/store', { Resources: ids, Synchronous: true });
    const received = filesBySopInstanceUid(oracle.dir);
    const stored = priorsStoredFiles(dataDir);
    assert.equal(received.size, ids.length);
    const problems = [...received].flatMap(([uid, file]) => {
      const ours = stored.get(uid);
      return ours ? compareWithOracle(file, ours, `${uid}: `) : [`${uid} sent by Orthanc is not in priors' cache`];
    });
    assert.deepEqual(problems, []);
  });

  test('C-MOVE from priors to Orthanc (POST /modalities/priors/move): the study arrives; data sets as priors stored them', async () => {
    assert.deepEqual(await orthancInstancesOf(older.StudyInstanceUID), []);
    await post('/modalities/priors/move', {
      Level: 'Study',
      Resources: [{ StudyInstanceUID: older.StudyInstanceUID }],
      TargetAet: orthanc.aeTitle,
      Synchronous: true,
    });
    const ids = await orthancInstancesOf(older.StudyInstanceUID);
    assert.equal(ids.length, older.files.length);
    const stored = priorsStoredFiles(dataDir);
    const downloads = tempDir('orthanc-files');
    for (const id of ids) {
      const res = await fetch(`${orthanc.baseUrl}/instances/${id}/file`);
      assert.ok(res.ok);
      const bytes = Buffer.from(await res.arrayBuffer());
      const tmp = join(downloads, `${id}.dcm`);
      writeFileSync(tmp, bytes);
      const uid = readPart10(tmp).meta.get('00020003')!;
      const ours = stored.get(uid);
      assert.ok(ours && older.SOPInstanceUIDs.includes(uid), uid);
      // Orthanc writes the File Meta Information anew and the data set as it parsed it (DCMTK):
      // for these well-formed Explicit VR LE instances the data set bytes are the same.
      const at = firstDifference(dataSetBytes(tmp), dataSetBytes(ours));
      assert.equal(at, -1, `${uid}: data set in Orthanc differs from priors' at byte ${at}`);
    }
  });
});
