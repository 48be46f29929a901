// Our DICOMweb server (services/dicomweb/server.ts on the web host at /dicom-web/) asked by our own
// DICOMweb node code (services/dicomweb): QIDO-RS rows equal to the local C-FIND's rows at every
// level, limit/offset and includefield, WADO-RS of a study byte for byte as stored, metadata
// without bulk data, STOW-RS stored and found again, a wrong token refused (401), and a STOW-RS
// into a cache without room refused with A700 and its reason, storing nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { validateConfig, type CallingAePolicy, type RemoteNode } from '../../shared/config.js';
import type { InstanceSource } from '../../shared/records.js';
import { Cache } from '../../electron/cache/index.js';
import { readInstanceHeader } from '../../electron/cache/header.js';
import { DicomwebClient } from '../../electron/services/dicomweb/http.js';
import { parseMediaType, parseMultipart } from '../../electron/services/dicomweb/multipart.js';
import { DicomwebServer } from '../../electron/services/dicomweb/server.js';
import { stowInstances } from '../../electron/services/dicomweb/stow.js';
import type { StoredEvent } from '../../electron/services/local-scp/handlers.js';
import { identifierFromKeys, parseKey } from '../../electron/services/query/query-keys.js';
import { searchLocal, searchRemote, type SearchRequest } from '../../electron/services/query/query.js';
import { sameToken, startWebHost, type WebHost } from '../../electron/web/host.js';
import { startDicomwebListener } from '../../electron/web/dicomweb-listener.js';
import { ServiceGate } from '../../electron/services/local-scp/access.js';
import { outgoingTranscoder } from '../../electron/services/transcode/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { runPriors, startPriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const TOKEN = 'dicomweb-server-token';
const scu = { callingAeTitle: 'PRIORS', timeouts: { connectMs: 5000, artimMs: 10000, dimseMs: 30000 } };
const api = { invoke: async () => ({ ok: true as const, value: null }), subscribe: () => () => undefined };

async function sourceOf(path: string): Promise<InstanceSource> {
  const h = await readInstanceHeader(path);
  return {
    sopClassUid: h.fields.instance.SOPClassUID,
    sopInstanceUid: h.fields.instance.SOPInstanceUID,
    transferSyntaxUid: h.transferSyntaxUid,
    path,
    dataSetOffset: h.dataSetOffset,
    dataSetLength: h.fileSize - h.dataSetOffset,
  };
}

describe('our DICOMweb server asked by our DICOMweb node code', () => {
  let cache: Cache;
  let host: WebHost;
  let node: RemoteNode;
  const series: GeneratedSeries[] = [];
  let incoming: GeneratedSeries;
  const stored: StoredEvent[] = [];
  const ended: number[] = [];

  before(async () => {
    const a = await generateCtSeries({
      mode: 'tiny',
      count: 3,
      rows: 8,
      cols: 8,
      patientName: 'WEB^ALPHA',
      patientId: 'SRV-1',
      studyDate: '20240105',
      seed: 501,
    });
    const a2 = await generateCtSeries({
      mode: 'tiny',
      count: 2,
      rows: 8,
      cols: 8,
      patientName: 'WEB^ALPHA',
      patientId: 'SRV-1',
      studyDate: '20240105',
      studyInstanceUid: a.StudyInstanceUID,
      seriesNumber: 2,
      seriesDescription: 'second',
      seed: 502,
    });
    const b = await generateCtSeries({
      mode: 'tiny',
      count: 2,
      rows: 8,
      cols: 8,
      patientName: 'WEB^BETA',
      patientId: 'SRV-2',
      studyDate: '20240220',
      seed: 503,
    });
    const c = await generateCtSeries({
      mode: 'tiny',
      count: 1,
      rows: 8,
      cols: 8,
      patientName: 'OTHER^GAMMA',
      patientId: 'SRV-3',
      studyDate: '20230101',
      seed: 504,
    });
    series.push(a, a2, b, c);
    incoming = await generateCtSeries({
      mode: 'tiny',
      count: 4,
      rows: 8,
      cols: 8,
      patientName: 'WEB^STOWED',
      patientId: 'SRV-4',
      studyDate: '20240301',
      seed: 505,
    });
    cache = await Cache.open(tempDir('dicomweb-server'));
    const imported = await cache.importPaths(series.flatMap((s) => s.files));
    assert.equal(imported.imported, 8);
    const dicomweb = new DicomwebServer({
      cache,
      aeTitle: 'PRIORS',
      caseInsensitivePN: true,
      transcoder: outgoingTranscoder(),
      onStored: (e) => stored.push(e),
      onEnded: (_a, n) => ended.push(n),
    });
    host = await startWebHost({ api, token: TOKEN, dicomweb });
    node = {
      name: 'self',
      protocol: 'dicomweb',
      dicomweb: { url: `http://127.0.0.1:${host.port}/dicom-web`, auth: { kind: 'bearer', token: TOKEN } },
      model: 'study',
      method: 'wado',
      maxAssociations: 2,
    };
  });
  after(async () => {
    await host?.close();
    await cache?.close();
  });

  const keys = (...k: string[]) => identifierFromKeys(k.map(parseKey));
  const canonical = (r: Record<string, string>) => JSON.stringify(Object.entries(r).sort(([x], [y]) => x.localeCompare(y)));
  const sorted = (rows: Record<string, string>[]) => [...rows].sort((x, y) => canonical(x).localeCompare(canonical(y)));

  test('QIDO-RS rows equal the local C-FIND rows at every level', async () => {
    const [a, a2, b] = series;
    const requests: [SearchRequest, number][] = [
      [
        {
          model: 'study',
          level: 'STUDY',
          keys: keys('PatientName=WEB^*', 'StudyDate', 'ModalitiesInStudy', 'NumberOfStudyRelatedInstances', 'StudyDescription'),
        },
        2,
      ],
      [{ model: 'study', level: 'STUDY', keys: keys('StudyDate=20240101-20240131', 'PatientID') }, 1],
      [{ model: 'study', level: 'STUDY', keys: keys(`StudyInstanceUID=${a!.StudyInstanceUID}\\${b!.StudyInstanceUID}`, 'PatientName') }, 2],
      [
        {
          model: 'study',
          level: 'SERIES',
          keys: keys(`StudyInstanceUID=${a!.StudyInstanceUID}`, 'SeriesDescription', 'NumberOfSeriesRelatedInstances', 'Modality'),
        },
        2,
      ],
      [{ model: 'study', level: 'SERIES', keys: keys('Modality=CT', 'SeriesNumber=2', 'PatientName'), relational: true }, 1],
      [
        {
          model: 'study',
          level: 'IMAGE',
          keys: keys(`StudyInstanceUID=${a!.StudyInstanceUID}`, `SeriesInstanceUID=${a2!.SeriesInstanceUID}`, 'InstanceNumber', 'SOPClassUID'),
        },
        2,
      ],
      [{ model: 'study', level: 'IMAGE', keys: keys(`StudyInstanceUID=${b!.StudyInstanceUID}`, 'SOPInstanceUID'), relational: true }, 2],
      [{ model: 'patient', level: 'PATIENT', keys: keys('PatientID=SRV-*', 'PatientName', 'NumberOfPatientRelatedStudies') }, 3],
      [{ model: 'study', level: 'STUDY', keys: keys('PatientName=NOBODY') }, 0],
    ];
    for (const [request, count] of requests) {
      const viaWeb = await searchRemote(node, request, scu);
      const local = searchLocal(cache, request);
      assert.equal(viaWeb.rows.length, count, `${request.level} ${JSON.stringify(viaWeb.rows)}`);
      assert.equal(viaWeb.looksCapped, undefined);
      assert.deepEqual(sorted(viaWeb.rows), sorted(local.rows), `${request.level}: ${[...request.keys.keys()].map((t) => t.toString(16)).join(',')}`);
    }
  });

  test('limit and offset page the matches; includefield=all and the default return keys', async () => {
    const base = `http://127.0.0.1:${host.port}/dicom-web`;
    const get = async (q: string) => {
      const res = await fetch(`${base}${q}`, { headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/dicom+json' } });
      assert.equal(res.status, 200, q);
      assert.equal(res.headers.get('content-type'), 'application/dicom+json');
      return (await res.json()) as Record<string, { vr: string; Value?: unknown[] }>[];
    };
    const all = await get('/studies');
    assert.equal(all.length, 3);
    const uids = all.map((m) => m['0020000D']!.Value![0]);
    const paged = [...(await get('/studies?limit=2')), ...(await get('/studies?limit=2&offset=2'))].map((m) => m['0020000D']!.Value![0]);
    assert.deepEqual(paged, uids);
    assert.deepEqual(await get('/studies?offset=3'), []);
    // the default study keys (PS3.18 Table 10.6.3-3) with their values, names as groups
    const alpha = all.find((m) => m['00100020']?.Value?.[0] === 'SRV-1')!;
    assert.deepEqual(alpha['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'WEB^ALPHA' }] });
    assert.deepEqual(alpha['00201208'], { vr: 'IS', Value: [5] });
    assert.match(String(alpha['00081190']!.Value![0]), /\/dicom-web\/studies\/[\d.]+$/);
    const series = await get(`/studies/${series0().StudyInstanceUID}/series?includefield=all`);
    assert.equal(series.length, 2);
    assert.ok(
      series.every((m) => m['0020000E'] && m['00080060']?.Value?.[0] === 'CT' && m['00100010']),
      JSON.stringify(series[0]),
    );
    const instances = await get(`/instances?PatientID=SRV-2&includefield=InstanceNumber`);
    assert.equal(instances.length, 2);
    assert.ok(instances.every((m) => m['00080018'] && m['00200013']));
    const bad = await fetch(`${base}/studies?NoSuchKeyword=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /neither a query parameter of QIDO-RS nor a DICOM keyword/);
    assert.equal((await fetch(`${base}/studies?limit=x`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 400);
  });
  const series0 = () => series[0]!;

  test('a wrong token or none is 401, with a sentence; our node code says so', async () => {
    const base = `http://127.0.0.1:${host.port}/dicom-web`;
    const none = await fetch(`${base}/studies`);
    assert.equal(none.status, 401);
    assert.match(await none.text(), /lacks the session token/);
    assert.equal((await fetch(`${base}/studies`, { headers: { Authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${base}/studies?token=wrong`)).status, 401);
    assert.equal((await fetch(`${base}/studies?token=${TOKEN}`)).status, 200);
    const wrong = { ...node, dicomweb: { ...node.dicomweb!, auth: { kind: 'bearer' as const, token: 'wrong' } } };
    await assert.rejects(searchRemote(wrong, { model: 'study', level: 'STUDY', keys: keys('PatientID') }, scu), /401/);
  });

  test('WADO-RS retrieves a study part by part, each part the stored file; metadata leaves bulk data out', async () => {
    const a = series0();
    const base = `http://127.0.0.1:${host.port}/dicom-web`;
    const res = await fetch(`${base}/studies/${a.StudyInstanceUID}`, {
      headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
    });
    assert.equal(res.status, 200);
    const media = parseMediaType(res.headers.get('content-type') ?? '');
    assert.equal(media.params.type, 'application/dicom');
    const stored = new Map(cache.instancesFor('STUDY', [a.StudyInstanceUID]).map((r) => [readFileSync(r.path).toString('base64'), r.sopInstanceUid]));
    let parts = 0;
    const body = (async function* () {
      for await (const c of res.body!) yield c as Uint8Array;
    })();
    for await (const part of parseMultipart(body, media.params.boundary!)) {
      const chunks: Buffer[] = [];
      for await (const c of part.body) chunks.push(c as Buffer);
      assert.ok(stored.has(Buffer.concat(chunks).toString('base64')), 'a part is byte for byte a stored file');
      assert.match(part.headers['content-type']!, /^application\/dicom; transfer-syntax=1\.2\.840\.10008\.1\.2/);
      parts++;
    }
    assert.equal(parts, 5);
    const meta = await fetch(`${base}/studies/${a.StudyInstanceUID}/series/${a.SeriesInstanceUID}/metadata`, {
      headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/dicom+json' },
    });
    assert.equal(meta.status, 200);
    const items = (await meta.json()) as Record<string, { vr: string; Value?: unknown[] }>[];
    assert.equal(items.length, 3);
    for (const item of items) {
      assert.deepEqual(item['0020000E'], { vr: 'UI', Value: [a.SeriesInstanceUID] });
      assert.equal(item['00280010']!.Value![0], 8);
      assert.equal(item['7FE00010'], undefined);
    }
    // a transfer syntax asked for: converted by the outgoing transcoder, the part's meta naming it
    const implicit = '1.2.840.10008.1.2';
    const conv = await fetch(`${base}/studies/${a.StudyInstanceUID}/series/${a.SeriesInstanceUID}`, {
      headers: { Authorization: `Bearer ${TOKEN}`, Accept: `multipart/related; type="application/dicom"; transfer-syntax=${implicit}` },
    });
    assert.equal(conv.status, 200);
    const convBody = (async function* () {
      for await (const c of conv.body!) yield c as Uint8Array;
    })();
    const dir = tempDir('dicomweb-server-converted');
    let n = 0;
    for await (const part of parseMultipart(convBody, parseMediaType(conv.headers.get('content-type') ?? '').params.boundary!)) {
      assert.equal(part.headers['content-type'], `application/dicom; transfer-syntax=${implicit}`);
      const chunks: Buffer[] = [];
      for await (const c of part.body) chunks.push(c as Buffer);
      const file = join(dir, `${n++}.dcm`);
      writeFileSync(file, Buffer.concat(chunks));
      const h = await readInstanceHeader(file);
      assert.equal(h.transferSyntaxUid, implicit);
      assert.ok(a.SOPInstanceUIDs.includes(h.fields.instance.SOPInstanceUID));
      assert.equal(h.fields.series.SeriesInstanceUID, a.SeriesInstanceUID);
    }
    assert.equal(n, 3);
    const jpeg = await fetch(`${base}/studies/${a.StudyInstanceUID}`, {
      headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50' },
    });
    assert.equal(jpeg.status, 406);
    assert.match(await jpeg.text(), /cannot be converted to 1\.2\.840\.10008\.1\.2\.4\.50 here: ask with transfer-syntax=\*/);
    const missing = await fetch(`${base}/studies/1.2.3.4.5`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /not in the local cache/);
  });

  test('STOW-RS by our node code stores into the cache, told to the SCP listeners; QIDO-RS finds it', async () => {
    const client = new DicomwebClient(node.dicomweb!);
    try {
      const report = await stowInstances(client, await Promise.all(incoming.files.map(sourceOf)));
      assert.deepEqual([report.sent, report.failed], [4, 0]);
    } finally {
      client.close();
    }
    assert.equal(cache.instancesFor('STUDY', [incoming.StudyInstanceUID]).length, 4);
    assert.deepEqual(
      stored.map((e) => e.studyInstanceUid),
      Array(4).fill(incoming.StudyInstanceUID),
    );
    assert.deepEqual(ended, [4]);
    const request: SearchRequest = { model: 'study', level: 'STUDY', keys: keys('PatientID=SRV-4', 'NumberOfStudyRelatedInstances') };
    const found = await searchRemote(node, request, scu);
    assert.deepEqual(
      found.rows.map((r) => [r.StudyInstanceUID, r.NumberOfStudyRelatedInstances]),
      [[incoming.StudyInstanceUID, '4']],
    );
    assert.deepEqual(found.rows, searchLocal(cache, request).rows);
    // a part of another study than the path names is refused A900, the others stored: 202
    const other = await stowRaw(host.port, `/studies/${incoming.StudyInstanceUID}`, [incoming.files[0]!, series0().files[0]!]);
    assert.equal(other.status, 202);
    const answer = other.json;
    assert.equal(answer['00081198']!.Value!.length, 1);
    assert.equal((answer['00081198']!.Value![0] as Record<string, { Value: unknown[] }>)['00081197']!.Value[0], 0xa900);
    assert.equal(answer['00081199']!.Value!.length, 1);
  });
});

/** POSTs files as one STOW-RS request; the status, the Warning and the JSON answer. */
async function stowRaw(port: number, path: string, files: string[], token = TOKEN) {
  const boundary = 'test-boundary-1234';
  const body = Buffer.concat([
    ...files.flatMap((f) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), readFileSync(f), Buffer.from('\r\n')]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  const res = await fetch(`http://127.0.0.1:${port}/dicom-web${path}`, {
    method: 'POST',
    body,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/dicom+json',
      'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
    },
  });
  const text = await res.text();
  return {
    status: res.status,
    warning: res.headers.get('warning'),
    text,
    json: (res.headers.get('content-type') === 'application/dicom+json' ? JSON.parse(text) : {}) as Record<string, { vr: string; Value?: unknown[] }>,
  };
}

describe('STOW-RS into a cache without room', () => {
  test('is refused 409 with Failure Reason A700 and the limit in words; nothing is stored', async () => {
    const incoming = await generateCtSeries({
      mode: 'tiny',
      count: 2,
      rows: 8,
      cols: 8,
      patientName: 'WEB^FULL',
      patientId: 'SRV-9',
      studyDate: '20240401',
      seed: 509,
    });
    const cache = await Cache.open(tempDir('dicomweb-server-full'), { maxBytes: 200 });
    const host = await startWebHost({ api, token: TOKEN, dicomweb: new DicomwebServer({ cache, aeTitle: 'PRIORS', caseInsensitivePN: true }) });
    try {
      const r = await stowRaw(host.port, '/studies', incoming.files);
      assert.equal(r.status, 409, r.text);
      const failed = r.json['00081198']!.Value as Record<string, { Value: unknown[] }>[];
      assert.deepEqual(
        failed.map((f) => f['00081197']!.Value[0]),
        [0xa700, 0xa700],
      );
      assert.deepEqual(failed.map((f) => f['00081155']!.Value[0]).sort(), [...incoming.SOPInstanceUIDs].sort());
      assert.equal(r.json['00081199'], undefined);
      assert.match(r.warning ?? '', /^299 Priors: "2 of 2 instances not stored; .*no room in the cache of this workstation: the cache size limit is reached/);
      assert.equal(cache.instancesFor('STUDY', [incoming.StudyInstanceUID]).length, 0);
      assert.equal((await stowRaw(host.port, '/studies', incoming.files, 'wrong')).status, 401);
      const notMultipart = await fetch(`http://127.0.0.1:${host.port}/dicom-web/studies`, {
        method: 'POST',
        body: readFileSync(incoming.files[0]!),
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/dicom' },
      });
      assert.equal(notMultipart.status, 415);
      assert.match(await notMultipart.text(), /multipart\/related; type="application\/dicom"/);
    } finally {
      await host.close();
      await cache.close();
    }
  });
});

describe('the DICOMweb service beyond loopback (config.json local.dicomweb)', () => {
  test('config.json takes local.dicomweb and says what is wrong in it', () => {
    const ok = validateConfig({ local: { dicomweb: { bindAddress: '0.0.0.0', port: 8080 } } });
    assert.ok(ok.ok);
    assert.deepEqual(ok.value.local.dicomweb, { bindAddress: '0.0.0.0', port: 8080 });
    const bad = validateConfig({ local: { dicomweb: { bindAddress: '0.0.0.0', port: 70000 } } });
    assert.ok(!bad.ok);
    assert.match(bad.error, /local\.dicomweb\.port/);
  });

  test('answers /dicom-web/ only, with the token, and lets callers in by the access of each service', async () => {
    const incoming = await generateCtSeries({
      mode: 'tiny',
      count: 1,
      rows: 8,
      cols: 8,
      patientName: 'WEB^REMOTE',
      patientId: 'SRV-R',
      studyDate: '20240402',
      seed: 510,
    });
    const cache = await Cache.open(tempDir('dicomweb-server-remote'));
    const nodes: RemoteNode[] = [];
    const policy: CallingAePolicy = { mode: 'any', services: { queryRetrieve: 'nodes', storage: 'local' } };
    // every caller seen as another machine's, so that the access of each service applies to it
    const server = () =>
      new DicomwebServer({
        cache,
        aeTitle: 'PRIORS',
        caseInsensitivePN: true,
        nodes: () => nodes,
        gate: new ServiceGate({ config: () => ({ callingAePolicy: policy, nodes }), isLocalAddress: () => false }),
      });
    let listener = await startDicomwebListener({ host: '127.0.0.1', port: 0, dicomweb: server(), authorized: (g) => sameToken(g, TOKEN) });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    try {
      const base = () => `http://127.0.0.1:${listener.port}`;
      assert.equal((await fetch(`${base()}/api/settings.get`, { method: 'POST', headers: auth })).status, 404);
      assert.equal((await fetch(`${base()}/dicom-web/studies`)).status, 401);
      const refused = await fetch(`${base()}/dicom-web/studies`, { headers: auth });
      assert.equal(refused.status, 403);
      assert.match(
        await refused.text(),
        /^Refused Query\/Retrieve to DICOMWEB at 127\.0\.0\.1: DICOMWEB is not a configured node; to allow it, add it as a node/,
      );
      nodes.push({ name: 'archive', aeTitle: 'ARCHIVE', host: '127.0.0.1', port: 104, model: 'study', method: 'move', maxAssociations: 2 });
      await listener.close();
      listener = await startDicomwebListener({ host: '127.0.0.1', port: 0, dicomweb: server(), authorized: (g) => sameToken(g, TOKEN) });
      assert.equal((await fetch(`${base()}/dicom-web/studies`, { headers: auth })).status, 200);
      const stow = await stowRaw(listener.port, '/studies', incoming.files);
      assert.equal(stow.status, 403);
      assert.match(stow.text, /Refused Storage to ARCHIVE at 127\.0\.0\.1: it is open only to this machine/);
      assert.equal(cache.instancesFor('STUDY', [incoming.StudyInstanceUID]).length, 0);
    } finally {
      await listener.close();
      await cache.close();
    }
  });
});

describe('priors serve', () => {
  test('answers /dicom-web/ with the token of serve.json: STOW-RS lands in the served cache, priors ls and QIDO-RS find it', async () => {
    const incoming = await generateCtSeries({
      mode: 'tiny',
      count: 3,
      rows: 8,
      cols: 8,
      patientName: 'WEB^SERVED',
      patientId: 'SRV-S',
      studyDate: '20240403',
      seed: 511,
    });
    const dataDir = tempDir('dicomweb-server-serve');
    const serve = await startPriorsServe({ aeTitle: 'PRIORS', dataDir });
    try {
      let api: { url: string; token: string } | undefined;
      for (let i = 0; i < 100 && !api; i++) {
        try {
          api = (JSON.parse(readFileSync(join(dataDir, 'serve.json'), 'utf8')) as { api?: { url: string; token: string } }).api;
        } catch {
          /* not yet */
        }
        if (!api) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(api, 'serve.json names the API and its token');
      const port = Number(new URL(api.url).port);
      assert.equal((await fetch(`${api.url}/dicom-web/studies`)).status, 401);
      const stow = await stowRaw(port, '/studies', incoming.files, api.token);
      assert.equal(stow.status, 200, stow.text);
      const qido = await fetch(`${api.url}/dicom-web/studies?PatientID=SRV-S`, { headers: { Authorization: `Bearer ${api.token}` } });
      const matches = (await qido.json()) as Record<string, { Value?: unknown[] }>[];
      assert.deepEqual(
        matches.map((m) => [m['0020000D']!.Value![0], m['00201208']!.Value![0]]),
        [[incoming.StudyInstanceUID, 3]],
      );
      const ls = await runPriors(['ls', '-k', 'PatientID=SRV-S', '-k', 'NumberOfStudyRelatedInstances', '--json'], { dataDir });
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, new RegExp(incoming.StudyInstanceUID.replaceAll('.', '\\.')));
    } finally {
      await serve.stop();
    }
  });
});
