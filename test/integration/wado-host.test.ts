// Cached instances over WADO-URI and WADO-RS (electron/web/dicomweb.ts over electron/services/dicomweb/wado.ts):
// the bytes served are the stored file's, the token rule of /api/ applies, and bad or unknown
// UIDs get 400/404 with a sentence before any file is read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cache } from '../../electron/cache/index.js';
import { viewerInstances } from '../../electron/app/viewer.js';
import { isUid } from '../../electron/services/dicomweb/wado.js';
import { DicomwebServer } from '../../electron/services/dicomweb/server.js';
import { startWebHost, type WebHost } from '../../electron/web/host.js';
import { PYDICOM_DATA, pydicomAvailable } from '../helpers/pydicom.js';
import { MultipartSplitter, boundaryOf, sopInstanceUidOf } from '../../renderer/src/features/viewer/stack-load/multipart-split.js';
import { seriesRetrieveOf, wadoUriImageId } from '../../renderer/src/features/viewer/image-ids.js';
import { tempDir } from '../helpers/tmp.js';

const FILES = ['CT_small.dcm', 'MR_small.dcm'].map((f) => join(PYDICOM_DATA, 'test_files', f));

describe('WADO over the web host', { skip: !pydicomAvailable() && 'pydicom corpus not installed' }, () => {
  let cache: Cache;
  let host: WebHost;
  let base: string;
  const uids: { study: string; series: string; sop: string; path: string }[] = [];

  before(async () => {
    const dir = tempDir('priors-wado');
    cache = await Cache.open(dir);
    const imported = await cache.importPaths(FILES);
    assert.equal(imported.imported, FILES.length, JSON.stringify(imported));
    for (const study of cache.studies()) {
      for (const series of cache.series(study.StudyInstanceUID)) {
        for (const row of cache.instancesFor('SERIES', [series.SeriesInstanceUID])) {
          uids.push({ study: row.studyInstanceUid, series: row.seriesInstanceUid, sop: row.sopInstanceUid, path: row.path });
        }
      }
    }
    assert.equal(uids.length, 2);
    host = await startWebHost({
      api: { invoke: async () => ({ ok: true, value: null }), subscribe: () => () => undefined },
      staticDir: dir,
      token: 'tok',
      dicomweb: new DicomwebServer({ cache, aeTitle: 'PRIORS', caseInsensitivePN: true }),
    });
    base = `http://127.0.0.1:${host.port}`;
  });
  after(async () => {
    await host?.close();
    await cache?.close();
  });

  const uri = (u: { study: string; series: string; sop: string }, extra = '') =>
    `${base}/wado?requestType=WADO&studyUID=${u.study}&seriesUID=${u.series}&objectUID=${u.sop}&contentType=application%2Fdicom${extra}`;

  test('WADO-URI serves the stored Part-10 bytes with the token in the URL or a header', async () => {
    for (const u of uids) {
      const res = await fetch(uri(u, '&token=tok'));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/dicom');
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.deepEqual(bytes, readFileSync(u.path));
      assert.equal(bytes.subarray(128, 132).toString('latin1'), 'DICM');
    }
    const res = await fetch(uri(uids[0]!), { headers: { 'X-Priors-Token': 'tok' } });
    assert.equal(res.status, 200);
    assert.equal((await fetch(uri(uids[0]!), { headers: { Authorization: 'Bearer tok' } })).status, 200);
  });

  test('without the token: 401; a wrong token: 401', async () => {
    assert.equal((await fetch(uri(uids[0]!))).status, 401);
    assert.equal((await fetch(uri(uids[0]!, '&token=nope'))).status, 401);
    assert.equal((await fetch(`${base}/dicom-web/studies/${uids[0]!.study}/series/${uids[0]!.series}`)).status, 401);
    assert.equal((await fetch(`${base}/dicom-web/studies`, { headers: { Authorization: 'Bearer nope' } })).status, 401);
  });

  test('bad UIDs get 400, unknown or mismatched ones 404, with a sentence', async () => {
    const u = uids[0]!;
    const bad = await fetch(uri({ ...u, sop: '../../etc/passwd' }, '&token=tok'));
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /SOP Instance UID .* is not a valid UID/);
    const missing = await fetch(`${base}/wado?requestType=WADO&studyUID=${u.study}&token=tok`);
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /lacks the Series Instance UID/);
    const unknown = await fetch(uri({ ...u, sop: '1.2.3.4.5' }, '&token=tok'));
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /not in the local cache/);
    // the right instance under another series is not served
    const other = uids[1]!;
    assert.equal((await fetch(uri({ ...u, series: other.series }, '&token=tok'))).status, 404);
    assert.equal((await fetch(`${base}/wado?requestType=WADX&token=tok`)).status, 400);
    assert.equal((await fetch(uri(u, '&token=tok&contentType=image/jpeg').replace('contentType=application%2Fdicom&', ''))).status, 406);
    assert.equal((await fetch(uri(u, '&token=tok&transferSyntax=1.2.840.10008.1.2.4.50'))).status, 406);
  });

  test('WADO-RS retrieves an instance and a series as multipart/related application/dicom', async () => {
    const u = uids[0]!;
    const one = await fetch(`${base}/dicom-web/studies/${u.study}/series/${u.series}/instances/${u.sop}?token=tok`, {
      headers: { Accept: 'multipart/related; type="application/dicom"' },
    });
    assert.equal(one.status, 200);
    const type = one.headers.get('content-type') ?? '';
    assert.match(type, /^multipart\/related; type="application\/dicom"; boundary=/);
    const boundary = /boundary=(\S+)/.exec(type)![1]!;
    const body = Buffer.from(await one.arrayBuffer());
    const stored = readFileSync(u.path);
    const start = body.indexOf('\r\n\r\n') + 4;
    assert.deepEqual(body.subarray(start, start + stored.length), stored);
    assert.equal(body.subarray(start + stored.length).toString('latin1'), `\r\n--${boundary}--\r\n`);

    const series = await fetch(`${base}/dicom-web/studies/${u.study}/series/${u.series}?token=tok`);
    assert.equal(series.status, 200);
    const parts =
      Buffer.from(await series.arrayBuffer())
        .toString('latin1')
        .split('Content-Type: application/dicom').length - 1;
    assert.equal(parts, 1);

    assert.equal(
      (await fetch(`${base}/dicom-web/studies/${u.study}/series/${u.series}?token=tok`, { headers: { Accept: 'application/dicom+json' } })).status,
      406,
    );
    assert.equal((await fetch(`${base}/dicom-web/studies/1.2.3.4?token=tok`)).status, 404);
    assert.equal((await fetch(`${base}/dicom-web/studies/${u.study}/series/1.2.3?token=tok`)).status, 404);
    assert.equal((await fetch(`${base}/dicom-web/studies/x/series/${u.series}?token=tok`)).status, 400);
  });

  test("the viewer's series stream: each part sized, split by the viewer's reader into the stored files", async () => {
    for (const u of uids) {
      const ref = { StudyInstanceUID: u.study, SeriesInstanceUID: u.series, SOPInstanceUID: u.sop };
      const stream = seriesRetrieveOf(wadoUriImageId(ref, base, 'tok'));
      assert.ok(stream);
      assert.equal(stream.sop, u.sop);
      assert.equal(stream.url, `${base}/dicom-web/studies/${u.study}/series/${u.series}?token=tok`);
      const res = await fetch(stream.url, { headers: { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
      assert.equal(res.status, 200);
      const whole = new Uint8Array(await res.arrayBuffer());
      const boundary = boundaryOf(res.headers.get('content-type'));
      assert.ok(boundary);
      const split = new MultipartSplitter(boundary);
      const parts = [];
      for (let at = 0; at < whole.length; at += 7919) parts.push(...split.push(whole.subarray(at, at + 7919)));
      split.end();
      assert.equal(parts.length, 1);
      const stored = readFileSync(u.path);
      assert.equal(parts[0]!.headers['content-length'], String(stored.length));
      assert.deepEqual(Buffer.from(parts[0]!.body), stored);
      assert.equal(sopInstanceUidOf(parts[0]!.body), u.sop);
    }
  });

  test('viewer.instances lists a series of the cache, and nothing under another study', () => {
    const u = uids[0]!;
    const { instances } = viewerInstances(cache, { StudyInstanceUID: u.study, SeriesInstanceUID: u.series });
    assert.equal(instances.length, 1);
    assert.equal(instances[0]!.SOPInstanceUID, u.sop);
    assert.match(instances[0]!.transferSyntaxUid, /^1\.2\.840\.10008\.1\.2/);
    assert.deepEqual(viewerInstances(cache, { StudyInstanceUID: uids[1]!.study, SeriesInstanceUID: u.series }).instances, []);
  });

  test('isUid follows PS3.5 9.1', () => {
    assert.ok(isUid('1.2.840.10008.1.2'));
    assert.ok(isUid('1.0.3'));
    for (const bad of ['', '1', '1..2', '1.02', '1.2.', 'a.b', `1.${'2'.repeat(63)}`, '1.2/../3']) assert.equal(isUid(bad), false, bad);
  });
});
