// DICOM TLS (PS3.15 Annex B) against DCMTK 3.6.7: echoscu +tls against our TLS SCP with and
// without required client certificates; a plaintext echoscu on the TLS port refused cleanly;
// our TLS client options against DCMTK storescp +tls. PKI made with the openssl CLI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:tls';
import { DicomServer } from '../../electron/dimse/scp/server.js';
import { echo as scuEcho } from '../../electron/dimse/scu/echo.js';
import { tlsClientOptions, tlsFailureSentence, tlsServerOptions } from '../../electron/dimse/ul/tls-options.js';
import { makeTestPki, type TestPki } from '../helpers/tls-certs.js';
import { peerEnv, runDcmtk } from '../helpers/dcmtk-scu.js';
import { freePort, waitForPort } from '../helpers/ports.js';

let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => rmSync(pki.dir, { recursive: true, force: true }));

const logLines: string[] = [];
const log = (level: string, msg: string) => {
  logLines.push(`${level} ${msg}`);
};

async function tlsScp(requireClientCert: boolean): Promise<{ server: DicomServer; port: number }> {
  const server = new DicomServer({
    host: '127.0.0.1',
    port: 0,
    handlers: {},
    log,
    tls: tlsServerOptions({ port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caCert, requireClientCert }),
    policy: { aeTitle: 'PRIORS', acceptCallingAeTitle: () => true, maxAssociations: 4 },
  });
  return { server, port: (await server.listen()).port };
}

const echoscu = (port: number, tls: string[]) =>
  runDcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'PRIORS', ...tls, '127.0.0.1', String(port)], { timeoutMs: 20_000 });

describe('DICOM TLS interop with DCMTK', () => {
  test('echoscu +tls with a client certificate: C-ECHO succeeds (client certificate required)', async () => {
    const { server, port } = await tlsScp(true);
    try {
      const r = await echoscu(port, ['+tls', pki.clientKey, pki.clientCert, '+cf', pki.caCert]);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await server.close();
    }
  });

  test('echoscu +tla (no client certificate) is refused when one is required, and the SCP lives on', async () => {
    const { server, port } = await tlsScp(true);
    try {
      const before = logLines.length;
      const r = await echoscu(port, ['+tla', '+cf', pki.caCert]);
      assert.notEqual(r.code, 0);
      assert.ok(
        logLines.slice(before).some((l) => /TLS connection from 127\.0\.0\.1 refused/.test(l)),
        logLines.slice(before).join('\n'),
      );
      const ok = await echoscu(port, ['+tls', pki.clientKey, pki.clientCert, '+cf', pki.caCert]);
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      await server.close();
    }
  });

  test('storescu +tls stores an instance over TLS', async () => {
    const stored: string[] = [];
    const server = new DicomServer({
      host: '127.0.0.1',
      port: 0,
      log,
      handlers: {
        store: {
          store: async (rq) => {
            for await (const _ of rq.dataSet) {
              /* drain */
            }
            stored.push(rq.sopInstanceUid);
            return { status: 0 };
          },
        },
      },
      tls: tlsServerOptions({ port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caCert, requireClientCert: true }),
      policy: { aeTitle: 'PRIORS', acceptCallingAeTitle: () => true, maxAssociations: 4 },
    });
    const { port } = await server.listen();
    try {
      const r = await runDcmtk(
        'storescu',
        [
          '-aet',
          'STORESCU',
          '-aec',
          'PRIORS',
          '+tls',
          pki.clientKey,
          pki.clientCert,
          '+cf',
          pki.caCert,
          '127.0.0.1',
          String(port),
          '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm',
        ],
        { timeoutMs: 20_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(stored.length, 1);
    } finally {
      await server.close();
    }
  });

  test('echoscu +tla succeeds when client certificates are not required', async () => {
    const { server, port } = await tlsScp(false);
    try {
      const r = await echoscu(port, ['+tla', '+cf', pki.caCert]);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await server.close();
    }
  });

  test('a plaintext echoscu on the TLS port is refused cleanly (logged, no crash)', async () => {
    const { server, port } = await tlsScp(false);
    try {
      const before = logLines.length;
      const r = await echoscu(port, []);
      assert.notEqual(r.code, 0);
      assert.ok(logLines.slice(before).some((l) => /TLS connection .* refused/.test(l)));
      assert.equal(server.activeAssociations, 0);
      const ok = await echoscu(port, ['+tla', '+cf', pki.caCert]);
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      await server.close();
    }
  });

  describe('our TLS client against storescp +tls', () => {
    let child: ChildProcess | undefined;
    let port = 0;
    before(async () => {
      port = await freePort();
      child = spawn('storescp', ['+tls', pki.serverKey, pki.serverCert, '+cf', pki.caCert, '-od', pki.dir, String(port)], { env: peerEnv(), stdio: 'ignore' });
      await waitForPort(port, 15_000, { abortIf: () => (child?.exitCode !== null ? `storescp exited ${child?.exitCode}` : undefined) });
    });
    after(() => {
      if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    });

    const handshake = (caFile: string) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(tlsClientOptions({ enabled: true, caFile, certFile: pki.clientCert, keyFile: pki.clientKey }, '127.0.0.1', port));
        s.setTimeout(10_000, () => {
          s.destroy();
          reject(new Error('timeout'));
        });
        s.once('secureConnect', () => {
          const p = s.getProtocol() ?? '';
          s.destroy();
          resolve(p);
        });
        s.once('error', reject);
      });

    test('handshake with the right CA negotiates TLS 1.2+', async () => {
      assert.match(await handshake(pki.caCert), /^TLSv1\.[23]$/);
    });

    test('a wrong CA is refused with a clear sentence', async () => {
      const err = await handshake(pki.otherCaCert).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e,
      );
      assert.ok(err);
      assert.match(tlsFailureSentence(err.code, err.message), /not signed by the configured CA/);
    });
  });
});

describe('our SCU over TLS to DCMTK storescp +tls (client certificate required)', () => {
  let child: ChildProcess | undefined;
  let port = 0;
  before(async () => {
    port = await freePort();
    child = spawn('storescp', ['+tls', pki.serverKey, pki.serverCert, '+cf', pki.caCert, '-rc', '-od', pki.dir, String(port)], {
      env: peerEnv(),
      stdio: 'ignore',
    });
    await waitForPort(port, 15_000, { abortIf: () => (child?.exitCode !== null ? `storescp exited ${child?.exitCode}` : undefined) });
  });
  after(() => {
    if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  });

  test('C-ECHO over TLS succeeds', async () => {
    const node = {
      aeTitle: 'STORESCP',
      host: '127.0.0.1',
      port,
      tls: tlsClientOptions({ enabled: true, caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey }, '127.0.0.1', port),
    };
    const r = await scuEcho(node, { callingAeTitle: 'PRIORS', timeouts: { connectMs: 10_000 } });
    assert.equal(r.status, 0);
  });

  test('C-ECHO with a wrong CA fails with the certificate sentence', async () => {
    const node = {
      aeTitle: 'STORESCP',
      host: '127.0.0.1',
      port,
      tls: tlsClientOptions({ enabled: true, caFile: pki.otherCaCert, certFile: pki.clientCert, keyFile: pki.clientKey }, '127.0.0.1', port),
    };
    const err = await scuEcho(node, { callingAeTitle: 'PRIORS', timeouts: { connectMs: 10_000 } }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err);
    const cause = (err.cause ?? err) as NodeJS.ErrnoException;
    assert.match(tlsFailureSentence(cause.code ?? (err as NodeJS.ErrnoException).code, err.message), /not signed by the configured CA/);
  });
});
