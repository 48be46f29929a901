// A DICOMweb client that no one here wrote talks to our DICOMweb server: Orthanc's DICOMweb plugin
// (Debian's orthanc-dicomweb) with Priors' /dicom-web/ in its DicomWeb "Servers", the session token
// given as an "Authorization: Bearer" HTTP header. Orthanc searches Priors (QIDO-RS through its
// /servers/{name}/get), retrieves a study from it (WADO-RS, /servers/{name}/retrieve: every file
// Orthanc then holds is byte for byte the one Priors stored), and STOWs a study of its own to it
// (/servers/{name}/stow: every instance in the cache, byte for byte as Orthanc holds it); with a
// wrong token Orthanc's requests are refused and nothing moves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Cache } from '../../electron/cache/index.js';
import { DicomwebServer } from '../../electron/services/dicomweb/server.js';
import { startWebHost, type WebHost } from '../../electron/web/host.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { loadIntoOrthanc, orthancGet, startOrthanc, type OrthancPeer } from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

const TOKEN = 'orthanc-interop-token-0123456789';
const api = { invoke: async () => ({ ok: true as const, value: null }), subscribe: () => () => undefined };

async function orthancPost(peer: OrthancPeer, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${peer.baseUrl}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  });
  return { status: res.status, text: await res.text() };
}

describe("Orthanc's DICOMweb plugin as a client of our DICOMweb server", () => {
  let cache: Cache;
  let host: WebHost;
  let orthanc: OrthancPeer;
  let ours: GeneratedSeries;
  let theirs: GeneratedSeries;

  before(async () => {
    ours = await generateCtSeries({ count: 40, rows: 64, cols: 64, patientName: 'SERVED^BY^PRIORS', patientId: 'DWS-1', studyDate: '20240510', seed: 611 });
    theirs = await generateCtSeries({
      count: 30,
      rows: 64,
      cols: 64,
      patientName: 'STOWED^FROM^ORTHANC',
      patientId: 'DWS-2',
      studyDate: '20240511',
      seed: 612,
    });
    cache = await Cache.open(tempDir('dicomweb-server-orthanc'));
    assert.equal((await cache.importPaths(ours.files)).imported, 40);
    const port = await freePort();
    host = await startWebHost({ api, token: TOKEN, port, dicomweb: new DicomwebServer({ cache, aeTitle: 'PRIORS', caseInsensitivePN: true }) });
    const url = `http://127.0.0.1:${host.port}/dicom-web/`;
    orthanc = await startOrthanc({
      dir: tempDir('dicomweb-server-orthanc-peer'),
      dicomweb: {
        settings: {
          Servers: {
            priors: { Url: url, HttpHeaders: { Authorization: `Bearer ${TOKEN}` } },
            'priors-wrong': { Url: url, HttpHeaders: { Authorization: 'Bearer not-the-token' } },
          },
        },
      },
    });
    await loadIntoOrthanc(orthanc, theirs.files);
  });
  after(async () => {
    await orthanc?.stop();
    await host?.close();
    await cache?.close();
  });

  test('QIDO-RS through Orthanc: the study and its series as Priors holds them', async () => {
    const got = await orthancPost(orthanc, '/dicom-web/servers/priors/get', { Uri: '/studies', Arguments: { PatientID: 'DWS-*' } });
    assert.equal(got.status, 200, got.text);
    const studies = JSON.parse(got.text) as Record<string, { Value?: unknown[] }>[];
    assert.equal(studies.length, 1);
    assert.equal(studies[0]!['0020000D']!.Value![0], ours.StudyInstanceUID);
    assert.deepEqual(studies[0]!['00100010']!.Value, [{ Alphabetic: 'SERVED^BY^PRIORS' }]);
    assert.equal(studies[0]!['00201208']!.Value![0], 40);
    const series = JSON.parse(
      (await orthancPost(orthanc, '/dicom-web/servers/priors/get', { Uri: `/studies/${ours.StudyInstanceUID}/series` })).text,
    ) as Record<string, { Value?: unknown[] }>[];
    assert.deepEqual(
      series.map((s) => s['0020000E']!.Value![0]),
      [ours.SeriesInstanceUID],
    );
  });

  test('WADO-RS retrieve by Orthanc: it holds the study, every file byte for byte as Priors stored it', async () => {
    const r = await orthancPost(orthanc, '/dicom-web/servers/priors/retrieve', { Resources: [{ Study: ours.StudyInstanceUID }] });
    assert.equal(r.status, 200, r.text);
    const held = (await orthancGet<{ ID: string; MainDicomTags: { SOPInstanceUID: string } }[]>(orthanc, '/instances?expand')).filter((i) =>
      ours.SOPInstanceUIDs.includes(i.MainDicomTags.SOPInstanceUID),
    );
    assert.equal(held.length, 40);
    const stored = new Map(cache.instancesFor('STUDY', [ours.StudyInstanceUID]).map((row) => [row.sopInstanceUid, row.path]));
    for (const i of held) {
      const res = await fetch(`${orthanc.baseUrl}/instances/${i.ID}/file`);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), readFileSync(stored.get(i.MainDicomTags.SOPInstanceUID)!), i.MainDicomTags.SOPInstanceUID);
    }
  });

  test('STOW-RS by Orthanc: its study lands in the cache, byte for byte as Orthanc holds it', async () => {
    const lookup = JSON.parse((await orthancPost(orthanc, '/tools/lookup', theirs.StudyInstanceUID)).text) as { ID: string; Type: string }[];
    const id = lookup.find((l) => l.Type === 'Study')!.ID;
    const refused = await orthancPost(orthanc, '/dicom-web/servers/priors-wrong/stow', { Resources: [id] });
    assert.notEqual(refused.status, 200, 'a wrong token is refused');
    assert.equal(cache.instancesFor('STUDY', [theirs.StudyInstanceUID]).length, 0);
    const r = await orthancPost(orthanc, '/dicom-web/servers/priors/stow', { Resources: [id] });
    assert.equal(r.status, 200, `${r.text}\n${orthanc.logs().slice(-3000)}`);
    const rows = cache.instancesFor('STUDY', [theirs.StudyInstanceUID]);
    assert.equal(rows.length, 30);
    const instances = await orthancGet<{ ID: string; MainDicomTags: { SOPInstanceUID: string } }[]>(orthanc, `/studies/${id}/instances`);
    const byUid = new Map(rows.map((row) => [row.sopInstanceUid, row.path]));
    for (const i of instances) {
      const res = await fetch(`${orthanc.baseUrl}/instances/${i.ID}/file`);
      assert.deepEqual(readFileSync(byUid.get(i.MainDicomTags.SOPInstanceUID)!), Buffer.from(await res.arrayBuffer()));
    }
  });

  test('with a wrong token Orthanc is refused (401) and retrieves nothing', async () => {
    const got = await orthancPost(orthanc, '/dicom-web/servers/priors-wrong/get', { Uri: '/studies' });
    assert.notEqual(got.status, 200);
    assert.match(got.text, /401|Unauthorized/i);
  });
});
