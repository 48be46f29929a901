// DICOM TLS through the product path (config → services), against DCMTK 3.6.7: `local.tls`
// opens a TLS port beside the plain one (echoscu, storescu and findscu +tls served there, a plain echoscu
// refused cleanly while the SCP lives on); a node with `tls` is reached over TLS by the node
// test's C-ECHO, a C-FIND and a send (storescp +tls requiring a client certificate); the
// failures read as one sentence (wrong CA, plain port).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { defaultConfig, validateConfig, type Config, type RemoteNode } from '../../shared/config.js';
import { diagnose } from '../../shared/diagnostics.js';
import { Cache } from '../../electron/cache/index.js';
import { echo } from '../../electron/dimse/scu/index.js';
import { describeError } from '../../electron/services/nodes/diagnose.js';
import { dicomNodeOf } from '../../electron/services/nodes/dicom-node.js';
import { sendInstances, instancesFromPaths } from '../../electron/services/send/send.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { parseFindscuOutput, peerEnv, runDcmtk } from '../helpers/dcmtk-scu.js';
import { generateCtSeries } from '../helpers/data.js';
import { freePort, waitForPort } from '../helpers/ports.js';
import { makeTestPki, type TestPki } from '../helpers/tls-certs.js';
import { tempDir } from '../helpers/tmp.js';

let pki: TestPki;
before(() => {
  pki = makeTestPki();
});

describe('local.tls: the TLS port beside the plain one', () => {
  let cache: Cache;
  let server: ServeHandle;
  before(async () => {
    cache = await Cache.open(tempDir('tls-product'));
    const raw = {
      ...defaultConfig(),
      local: {
        ...defaultConfig().local,
        aeTitle: 'PRIORSTLS',
        port: 0,
        bindAddress: '127.0.0.1',
        tls: { port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caCert, requireClientCert: true },
      },
    };
    const v = validateConfig(raw);
    assert.ok(v.ok, v.ok ? '' : v.error);
    server = await startServer({ config: v.value, cache, nodes: async () => [] });
    assert.ok(server.tlsPort && server.tlsPort !== server.port);
  });
  after(async () => {
    await server?.close();
    await cache?.close();
  });

  test('echoscu and storescu +tls are served on the TLS port; the instance lands in the cache', async () => {
    const tls = ['+tls', pki.clientKey, pki.clientCert, '+cf', pki.caCert];
    const e = await runDcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', server.aeTitle, ...tls, '127.0.0.1', String(server.tlsPort)], { timeoutMs: 20_000 });
    assert.equal(e.code, 0, e.stderr);
    const ct = await generateCtSeries({ count: 1, rows: 64, cols: 64, patientId: 'TLS-1' });
    const s = await runDcmtk('storescu', ['-aet', 'STORESCU', '-aec', server.aeTitle, ...tls, '127.0.0.1', String(server.tlsPort), ct.files[0]!], {
      timeoutMs: 20_000,
    });
    assert.equal(s.code, 0, s.stderr);
    assert.equal(cache.instancesFor('IMAGE', ct.SOPInstanceUIDs).length, 1);
    const f = await runDcmtk(
      'findscu',
      [
        '-v',
        '-aet',
        'FINDSCU',
        '-aec',
        server.aeTitle,
        ...tls,
        '-S',
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        'PatientID=TLS-1',
        '-k',
        'StudyInstanceUID',
        '127.0.0.1',
        String(server.tlsPort),
      ],
      { timeoutMs: 20_000 },
    );
    assert.equal(f.code, 0, f.stderr);
    assert.equal(
      parseFindscuOutput(f.stdout + f.stderr)
        .map((m) => m.StudyInstanceUID)
        .join(),
      ct.StudyInstanceUID,
      'findscu +tls finds the study',
    );
  });

  test('a plain echoscu on the TLS port is refused cleanly, and the plain port still serves', async () => {
    const started = Date.now();
    const plain = await runDcmtk('echoscu', ['-to', '5', '-ta', '5', '-aet', 'PLAIN', '-aec', server.aeTitle, '127.0.0.1', String(server.tlsPort)], {
      timeoutMs: 20_000,
    });
    assert.notEqual(plain.code, 0);
    assert.ok(Date.now() - started < 15_000, 'refused, not left hanging');
    const ok = await runDcmtk('echoscu', ['-aet', 'PLAIN', '-aec', server.aeTitle, '127.0.0.1', String(server.port)], { timeoutMs: 10_000 });
    assert.equal(ok.code, 0, ok.stderr);
  });

  test('an unreadable key file: the server does not start, and says which file', async () => {
    const config: Config = {
      ...defaultConfig(),
      local: { ...defaultConfig().local, port: 0, bindAddress: '127.0.0.1', tls: { port: 0, certFile: pki.serverCert, keyFile: '/nonexistent/key.pem' } },
    };
    await assert.rejects(startServer({ config, cache, nodes: async () => [] }), /TLS key file \/nonexistent\/key\.pem cannot be read/);
  });
});

describe('a node with tls: reached over TLS (DCMTK storescp +tls requiring a client certificate)', () => {
  let child: ChildProcess | undefined;
  let port = 0;
  const node = (over: Partial<RemoteNode['tls']> = {}): RemoteNode => ({
    name: 'secure',
    aeTitle: 'STORESCP',
    host: '127.0.0.1',
    port,
    model: 'study',
    method: 'move',
    maxAssociations: 2,
    tls: { caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey, ...over },
  });
  before(async () => {
    port = await freePort();
    child = spawn('storescp', ['+tls', pki.serverKey, pki.serverCert, '+cf', pki.caCert, '-rc', '-od', tempDir('tls-storescp'), String(port)], {
      env: peerEnv(),
      stdio: 'ignore',
    });
    await waitForPort(port, 15_000, { abortIf: () => (child?.exitCode !== null ? `storescp exited ${child?.exitCode}` : undefined) });
  });
  after(() => {
    if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  });

  test('C-ECHO and a send go over TLS', async () => {
    const r = await echo(dicomNodeOf(node()), { callingAeTitle: 'PRIORS', timeouts: { connectMs: 10_000 } });
    assert.equal(r.status, 0);
    const ct = await generateCtSeries({ count: 2, rows: 64, cols: 64, patientId: 'TLS-2' });
    const report = await sendInstances(node(), (await instancesFromPaths(ct.files)).instances, { callingAeTitle: 'PRIORS' });
    assert.equal(report.sent, 2);
  });

  test('the wrong CA, and the plain port, each read as one sentence', async () => {
    const wrong = await echo(dicomNodeOf(node({ caFile: pki.otherCaCert })), { callingAeTitle: 'PRIORS' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const d1 = diagnose(describeError(wrong, { node: node() }));
    assert.equal(d1.code, 'tls-untrusted', d1.sentence);
    assert.match(d1.sentence, /not signed by a CA this workstation trusts: set the node's TLS CA file/);
    const plainPort = await freePort();
    const plain = spawn('storescp', [String(plainPort)], { env: peerEnv(), stdio: 'ignore' });
    try {
      await waitForPort(plainPort, 15_000);
      const n = { ...node(), port: plainPort };
      const err = await echo(dicomNodeOf(n), { callingAeTitle: 'PRIORS', timeouts: { connectMs: 5000 } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      const d2 = diagnose(describeError(err, { node: n }));
      assert.ok(['tls-protocol', 'connection-reset'].includes(d2.code), `${d2.code}: ${d2.sentence}`);
    } finally {
      if (plain.pid && plain.exitCode === null) process.kill(plain.pid, 'SIGKILL');
    }
  });
});
