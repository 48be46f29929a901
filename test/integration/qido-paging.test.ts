// QIDO-RS paging and the query string against an HTTP server of this test (PS3.18 §8.3.4,
// §10.6): a search reads every page through limit/offset and stops at a short page, a caller's
// limit is asked of the node and never exceeded, a node that ignores offset is noticed instead of
// read forever, and a node that refuses the raw '^' of a name (HTTP 400) is asked again with it
// percent-encoded.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DicomwebClient } from '../../electron/services/dicomweb/http.js';
import { qidoSearch } from '../../electron/services/dicomweb/qido.js';
import { identifierFromKeys, parseKey } from '../../electron/services/query/query-keys.js';

const STUDIES = Array.from({ length: 25 }, (_, i) => ({
  '0020000D': { vr: 'UI', Value: [`1.2.826.0.1.3680043.10.1439.30.${i + 1}`] },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: `PAGE^P${String(i + 1).padStart(2, '0')}` }] },
}));

describe('QIDO-RS paging and query strings', () => {
  let server: Server;
  let base: string;
  const asked: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      asked.push(`${url.pathname}?${url.search.slice(1)}`);
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      const offset = url.pathname.startsWith('/pager') ? Number(url.searchParams.get('offset') ?? 0) : 0;
      // the strict server refuses characters RFC 3986 does not allow raw in a query
      if (url.pathname.startsWith('/strict') && /[\^\\]/.test(req.url ?? ''))
        return void res.writeHead(400, { 'content-type': 'text/plain' }).end('Invalid character in query');
      const wanted = url.searchParams.get('PatientName')?.replace(/\*$/, '');
      const matches = STUDIES.filter((s) => !wanted || s['00100010'].Value[0]!.Alphabetic.startsWith(wanted));
      res.writeHead(200, { 'content-type': 'application/dicom+json' }).end(JSON.stringify(matches.slice(offset, offset + limit)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server?.closeAllConnections();
    server?.close();
  });

  const search = async (path: string, keys: string[], o: { limit?: number; pageSize?: number }) => {
    const client = new DicomwebClient({ url: `${base}${path}` });
    try {
      return await qidoSearch(client, 'STUDY', identifierFromKeys(keys.map(parseKey)), o);
    } finally {
      client.close();
    }
  };

  test('every page through limit and offset, ending at the short page', async () => {
    asked.length = 0;
    const r = await search('/pager', ['StudyInstanceUID'], { pageSize: 10 });
    assert.deepEqual(
      r.rows.map((row) => row.StudyInstanceUID),
      STUDIES.map((s) => s['0020000D'].Value[0]),
    );
    assert.deepEqual([r.limitReached, r.looksCapped], [false, undefined]);
    assert.deepEqual(
      asked.map((q) => new URLSearchParams(q.split('?')[1]).get('offset')),
      [null, '10', '20'],
    );
  });

  test("a caller's limit is asked of the node and never exceeded", async () => {
    asked.length = 0;
    const r = await search('/pager', ['StudyInstanceUID'], { pageSize: 10, limit: 15 });
    assert.deepEqual([r.rows.length, r.limitReached], [15, true]);
    assert.deepEqual(
      asked.map((q) => {
        const p = new URLSearchParams(q.split('?')[1]);
        return [p.get('limit'), p.get('offset')];
      }),
      [
        ['10', null],
        ['5', '10'],
      ],
    );
  });

  test('a node that ignores offset: its first page once, and a sentence saying why the answer is short', async () => {
    const r = await search('/ignorer', ['StudyInstanceUID'], { pageSize: 10 });
    assert.equal(r.rows.length, 10);
    assert.equal(
      r.looksCapped?.reason,
      'the node answered its first 10 matches again when asked for the next ones (it ignores "offset"), so only those are shown: narrow the query',
    );
  });

  test("a node that refuses the raw '^' is asked again with it percent-encoded", async () => {
    asked.length = 0;
    const r = await search('/strict', ['PatientName=PAGE^P1*'], {});
    assert.equal(r.rows.length, 10); // P10 to P19
    assert.equal(asked.length, 2);
    assert.match(asked[0]!, /PatientName=PAGE\^P1\*/);
    assert.match(asked[1]!, /PatientName=PAGE%5EP1%2A/);
  });
});
