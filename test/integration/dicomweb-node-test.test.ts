// The node test of Nodes & settings for DICOMweb nodes (nodes.test), against HTTP and HTTPS
// servers of this test standing in for an archive's DICOMweb service: each way it goes wrong is
// one sentence saying what to fix (credentials refused or missing, an account without the
// permission, a wrong base path, a web page instead of the service, nothing listening, an
// untrusted or misnamed certificate, HTTPS to a plain HTTP port), and a reachable service passes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { NodeInput } from '../../shared/api/contract.js';
import { defaultConfig } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { AppCore } from '../../electron/app/core.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { ConfigStore } from '../../electron/services/config/config-store.js';
import { freePort } from '../helpers/ports.js';
import { makeTestPki } from '../helpers/tls-certs.js';
import { tempDir } from '../helpers/tmp.js';

const BASIC = `Basic ${Buffer.from('alice:right-secret').toString('base64')}`;

/** A DICOMweb service at /open and /basic (Basic auth), a token-checking one at /bearer, an HTML page under /page, a REST API's study list at /rest. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/dicom+json', ...headers }).end(JSON.stringify(body));
  };
  if (path.startsWith('/page')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome</body></html>');
  if (path === '/rest/studies') return json(200, ['6b9e19d9-62094390-5f9ddb01-4a191ae7-9766b715']); // Orthanc's REST API, not its DICOMweb
  const m = /^\/(open|basic|bearer)\/dicom-web\/studies$/.exec(path);
  if (!m) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Unknown resource');
  if (m[1] === 'basic' && req.headers.authorization !== BASIC) return json(401, { Message: 'Unauthorized' }, { 'www-authenticate': 'Basic realm="dicom"' });
  if (m[1] === 'bearer' && req.headers.authorization !== 'Bearer good-token') return json(403, { Message: 'This token may not search' });
  json(200, []);
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

describe('nodes.test of DICOMweb nodes', () => {
  let cache: Cache;
  let core: AppCore;
  const servers: Server[] = [];
  let http: string;
  let https: string;
  let closed: number;
  const pki = makeTestPki();

  before(async () => {
    const dataDir = tempDir('dicomweb-node-test');
    cache = await Cache.open(dataDir);
    const store = new ConfigStore(dataDir);
    await store.save({ ...defaultConfig(), timeouts: { ...defaultConfig().timeouts, connectMs: 3000, dimseMs: 5000 } });
    core = new AppCore({ store, cache, activity: new ActivityLog() });
    const plain = createServer(answer);
    const tls = createTlsServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, answer);
    servers.push(plain, tls);
    http = `http://127.0.0.1:${await listen(plain)}`;
    https = `https://127.0.0.1:${await listen(tls)}`;
    closed = await freePort();
  });

  after(async () => {
    core?.close();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await cache?.close();
  });

  const steps = async (node: NodeInput) => {
    const saved = await core['nodes.save']({ node });
    assert.ok(saved.ok, JSON.stringify(saved));
    const r = await core['nodes.test']({ name: node.name });
    assert.ok(r.ok, JSON.stringify(r));
    return r.value.steps.map((s) => ({ step: s.step, outcome: s.outcome, message: s.message, code: s.code }));
  };
  const failedProbe = async (node: NodeInput) => {
    const [probe, find, retrieve] = await steps(node);
    assert.deepEqual([probe!.outcome, find!.outcome, retrieve!.outcome], ['failed', 'skipped', 'skipped'], JSON.stringify(probe));
    assert.equal(find!.message, 'Not tried, because the QIDO-RS probe failed.');
    return probe!;
  };

  test('a reachable service passes the probe and the search', async () => {
    const [probe, find, retrieve] = await steps({ name: 'open', dicomweb: { url: `${http}/open/dicom-web/` } });
    assert.equal(probe!.outcome, 'ok');
    assert.match(probe!.message, new RegExp(`^${http}/open/dicom-web/studies answered a QIDO-RS search in \\d+ ms\\.$`));
    assert.deepEqual([find!.outcome, find!.message], ['ok', 'open answered the QIDO-RS search but holds no instance to retrieve.']);
    assert.equal(retrieve!.outcome, 'skipped');
  });

  test('401 with a user and password: the credentials are wrong; without any: they are missing', async () => {
    const wrong = await failedProbe({
      name: 'wrongpw',
      dicomweb: { url: `${http}/basic/dicom-web`, auth: { kind: 'basic', user: 'alice', password: 'wrong' } },
    });
    assert.deepEqual(
      [wrong.code, wrong.message],
      [
        'http-unauthorized',
        `${http}/basic/dicom-web/studies refused the user name and password (HTTP 401 Unauthorized) ("Unauthorized"): check the node's user and password.`,
      ],
    );
    const none = await failedProbe({ name: 'noauth', dicomweb: { url: `${http}/basic/dicom-web` } });
    assert.equal(
      none.message,
      `${http}/basic/dicom-web/studies asks for authentication (HTTP 401 Unauthorized) ("Unauthorized"): set the node's user and password (--user, --password) or bearer token (--bearer).`,
    );
    const right = await steps({
      name: 'rightpw',
      dicomweb: { url: `${http}/basic/dicom-web`, auth: { kind: 'basic', user: 'alice', password: 'right-secret' } },
    });
    assert.equal(right[0]!.outcome, 'ok', right[0]!.message);
  });

  test('403: the account lacks the permission', async () => {
    const r = await failedProbe({ name: 'forbidden', dicomweb: { url: `${http}/bearer/dicom-web`, auth: { kind: 'bearer', token: 'bad-token' } } });
    assert.deepEqual(
      [r.code, r.message],
      [
        'http-forbidden',
        `${http}/bearer/dicom-web/studies refused the test (QIDO-RS) to this account (HTTP 403 Forbidden) ("This token may not search"): ask its administrator for the permission.`,
      ],
    );
  });

  test('404: a wrong base path; a web page: not the service', async () => {
    const r = await failedProbe({ name: 'wrongpath', dicomweb: { url: `${http}/pacs/dicomweb` } });
    assert.deepEqual(
      [r.code, r.message],
      [
        'http-not-found',
        `${http}/pacs/dicomweb/studies is not a DICOMweb QIDO-RS service (HTTP 404 Not Found) ("Unknown resource"): check the node's base URL (it usually ends in /dicom-web or /dicomweb).`,
      ],
    );
    const page = await failedProbe({ name: 'page', dicomweb: { url: `${http}/page` } });
    assert.deepEqual(
      [page.code, page.message],
      [
        'http-bad-answer',
        `${http}/page/studies answered the test (QIDO-RS) with text that is not JSON (text/html): check that the node's URL is its DICOMweb base URL (often ending in /dicom-web).`,
      ],
    );
  });

  test("another API's /studies (Orthanc's REST root): not the DICOMweb service", async () => {
    const r = await failedProbe({ name: 'rest', dicomweb: { url: `${http}/rest` } });
    assert.deepEqual(
      [r.code, r.message],
      [
        'http-bad-answer',
        `${http}/rest/studies answered the test (QIDO-RS) with JSON that is not an array of studies in the DICOM JSON model (PS3.18 F.2): check that the node's URL is its DICOMweb base URL (often ending in /dicom-web).`,
      ],
    );
  });

  test('nothing listening: connection refused', async () => {
    const r = await failedProbe({ name: 'refused', dicomweb: { url: `http://127.0.0.1:${closed}/dicom-web` } });
    assert.deepEqual(
      [r.code, r.message],
      [
        'connection-refused',
        `Nothing accepts connections at 127.0.0.1:${closed} (http://127.0.0.1:${closed}/dicom-web/studies): check the port in the node's URL and that its DICOMweb service is running.`,
      ],
    );
  });

  test('TLS: a certificate from an unknown CA, one not issued to the host, and HTTPS to a plain HTTP port', async () => {
    const untrusted = await failedProbe({ name: 'untrusted', dicomweb: { url: `${https}/open/dicom-web` } });
    assert.deepEqual(
      [untrusted.code, untrusted.message],
      [
        'tls-untrusted',
        `The HTTPS certificate of ${https}/open/dicom-web/studies is not signed by a CA this workstation trusts: set the node's TLS CA file (--tls-ca) to the CA that issued it.`,
      ],
    );
    const misnamed = await failedProbe({ name: 'misnamed', dicomweb: { url: `${https}/open/dicom-web`, caFile: pki.caCert } });
    assert.deepEqual(
      [misnamed.code, misnamed.message],
      [
        'tls-name',
        `The HTTPS certificate of ${https}/open/dicom-web/studies is not issued to its host name: use the name its certificate carries in the node's URL.`,
      ],
    );
    const plain = await failedProbe({ name: 'plain', dicomweb: { url: `${http.replace('http:', 'https:')}/open/dicom-web` } });
    assert.equal(plain.code, 'tls-protocol', plain.message);
    assert.match(plain.message, /^Nothing speaks HTTPS at 127\.0\.0\.1:\d+ \(.*\): it is probably plain HTTP; write the node's URL with http:\/\/\.$/);
  });

  test('the password is never shown: nodes.list masks it', async () => {
    const r = await core['nodes.list']();
    assert.ok(r.ok);
    const node = r.value.nodes.find((n) => n.name === 'rightpw')!;
    assert.deepEqual(node.dicomweb!.auth, { kind: 'basic', user: 'alice', secretSet: true });
    assert.doesNotMatch(JSON.stringify(r.value), /right-secret|bad-token/);
  });
});
