// WADO-RS retrieve (PS3.18 §10.4) from an HTTP server of this test that answers with
// hand-made multipart/related bodies: the instances stored byte for byte, a part that is no
// DICOM or of another media type counted as failed with the reason in one sentence, and an
// answer that ends inside a part or breaks off mid-body read as the node's fault, never as a
// success. Chunks are small and uneven so that boundaries fall across reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { DataSet } from '../../shared/dicom/dataset.js';
import { diagnose } from '../../shared/diagnostics.js';
import { Cache } from '../../electron/cache/index.js';
import { DicomwebError } from '../../electron/services/dicomweb/errors.js';
import { DicomwebClient } from '../../electron/services/dicomweb/http.js';
import { closeDelimiter, partHead } from '../../electron/services/dicomweb/multipart.js';
import { retrieveWado } from '../../electron/services/dicomweb/wado-retrieve.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { priorsStoredFiles } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const BOUNDARY = 'wado-test-boundary';

/** Writes the body in uneven small pieces; `cut` ends the connection after that many bytes. */
async function send(res: ServerResponse, body: Buffer, cut?: number): Promise<void> {
  res.writeHead(200, { 'content-type': `multipart/related; type="application/dicom"; boundary=${BOUNDARY}` });
  const end = cut ?? body.length;
  for (let i = 0, n = 1; i < end; i += n, n = ((n * 7 + 3) % 9000) + 1) {
    if (!res.write(body.subarray(i, Math.min(end, i + n)))) await new Promise((r) => res.once('drain', r));
  }
  if (cut !== undefined) res.destroy();
  else res.end();
}

describe('WADO-RS retrieve from a hand-made DICOMweb service', () => {
  let series: GeneratedSeries;
  let server: Server;
  let url: string;
  let client: DicomwebClient;
  const bodies = new Map<string, { body: Buffer; cut?: number }>();

  const multipart = (parts: { type: string; bytes: Buffer }[], close = true) =>
    Buffer.concat([
      ...parts.flatMap((p, i) => [partHead(BOUNDARY, { 'Content-Type': p.type }, i === 0), p.bytes]),
      ...(close ? [closeDelimiter(BOUNDARY, parts.length > 0)] : []),
    ]);
  const study = (uid: string): DataSet => new Map([[0x0020000d, { vr: 'UI', value: [uid] }]]);

  before(async () => {
    series = await generateCtSeries({ mode: 'tiny', count: 3, rows: 8, cols: 8, patientName: 'WADO^PARTS', patientId: 'WP-1', seed: 191 });
    const files = series.files.map((f) => readFileSync(f));
    bodies.set('good', {
      body: multipart([
        { type: 'application/dicom', bytes: files[0]! },
        { type: 'application/dicom', bytes: Buffer.from('not a DICOM file at all') },
        { type: 'application/octet-stream', bytes: Buffer.alloc(100, 7) },
        { type: 'application/dicom', bytes: files[1]! },
      ]),
    });
    bodies.set('unclosed', { body: multipart([{ type: 'application/dicom', bytes: files[2]! }], false).subarray(0, 200) });
    bodies.set('reset', { body: multipart([{ type: 'application/dicom', bytes: files[2]! }]), cut: 300 });
    server = createServer((req, res) => {
      const key = /^\/dw\/studies\/(\w+)$/.exec(req.url ?? '')?.[1];
      const b = key ? bodies.get(key) : undefined;
      if (!b) return void res.writeHead(404).end();
      void send(res, b.body, b.cut);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dw`;
    client = new DicomwebClient({ url });
  });

  after(() => {
    client?.close();
    server?.closeAllConnections();
    server?.close();
  });

  test('good parts stored byte for byte; the others failed, the first reason in the sentence', async () => {
    const dataDir = tempDir('wado-parts');
    const cache = await Cache.open(dataDir);
    try {
      const sizes: number[] = [];
      const r = await retrieveWado(
        { node: { name: 'web' }, level: 'STUDY', identifier: study('good') },
        { client, cache, onStored: (_e, size) => sizes.push(size) },
      );
      assert.deepEqual([r.verdict, r.method, r.claimed, r.arrived], ['incomplete', 'wado', { completed: 2, failed: 2, warning: 0 }, 2]);
      assert.match(
        r.diagnosis!.sentence,
        new RegExp(
          `^2 of 4 instances sent by web \\(${url.replace(/\./g, '\\.')}\\) by WADO-RS could not be stored here: the part is not a readable DICOM instance: .+\\.$`,
        ),
      );
      const stored = priorsStoredFiles(dataDir);
      for (const i of [0, 1])
        assert.ok(readFileSync(stored.get(series.SOPInstanceUIDs[i]!)!).equals(readFileSync(series.files[i]!)), `instance ${i} byte for byte`);
      assert.deepEqual(
        sizes,
        [0, 1].map((i) => readFileSync(series.files[i]!).length),
      );
    } finally {
      await cache.close();
    }
  });

  test("an answer that ends inside a part, or breaks off, is the node's failure in one sentence", async () => {
    const cache = await Cache.open(tempDir('wado-broken'));
    try {
      const unclosed = await retrieveWado({ node: { name: 'web' }, level: 'STUDY', identifier: study('unclosed') }, { client, cache }).catch((e: unknown) => e);
      assert.ok(unclosed instanceof DicomwebError, String(unclosed));
      assert.equal(
        diagnose(unclosed.describe()).sentence,
        `${url}/studies/unclosed answered the retrieve (WADO-RS) with a multipart answer that breaks its syntax (the body ends in the middle of a part): the node may have failed while sending; look in its log, then retry.`,
      );
      const reset = await retrieveWado({ node: { name: 'web' }, level: 'STUDY', identifier: study('reset') }, { client, cache }).catch((e: unknown) => e);
      assert.ok(reset instanceof DicomwebError, String(reset));
      assert.equal(diagnose(reset.describe()).code, 'connection-reset');
      assert.equal(cache.stats().instances, 0, 'nothing half-stored');
    } finally {
      await cache.close();
    }
  });
});
