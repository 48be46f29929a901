// TLS option builders (electron/dimse/ul/tls-options.ts) over real Node TLS sockets on loopback,
// with a PKI made by the openssl CLI: TLS 1.2+ only, client certificates required or not,
// wrong CA refused with a clear sentence, a plaintext client refused cleanly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { connect, createServer, type ConnectionOptions, type Server, type TLSSocket } from 'node:tls';
import { rmSync } from 'node:fs';
import { tlsClientOptions, tlsFailureSentence, tlsServerOptions } from '../../electron/dimse/ul/tls-options.js';
import { makeTestPki, type TestPki } from '../helpers/tls-certs.js';

let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => rmSync(pki.dir, { recursive: true, force: true }));

async function listen(requireClientCert: boolean): Promise<{ server: Server; port: number; errors: string[] }> {
  const errors: string[] = [];
  const server = createServer(tlsServerOptions({ port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caCert, requireClientCert }), (s) =>
    s.end('ok'),
  );
  server.on('tlsClientError', (e) => errors.push(e.message));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, errors };
}

function handshake(opts: ConnectionOptions): Promise<{ protocol: string | null; data: string }> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = connect(opts);
    let data = '';
    s.setTimeout(10_000, () => {
      s.destroy();
      reject(new Error('timeout'));
    });
    s.on('data', (d) => (data += d.toString()));
    s.on('end', () => resolve({ protocol: s.getProtocol(), data }));
    s.on('error', reject);
  });
}

describe('DICOM TLS options (PS3.15 B.1/B.9)', () => {
  test('server and client agree on TLS 1.2+ with a client certificate', async () => {
    const { server, port } = await listen(true);
    try {
      const r = await handshake(tlsClientOptions({ enabled: true, caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey }, '127.0.0.1', port));
      assert.equal(r.data, 'ok');
      assert.ok(r.protocol === 'TLSv1.2' || r.protocol === 'TLSv1.3', String(r.protocol));
    } finally {
      server.close();
    }
  });

  test('TLS 1.1 is refused', async () => {
    const { server, port } = await listen(false);
    try {
      await assert.rejects(handshake({ host: '127.0.0.1', port, ca: pki.caCert, maxVersion: 'TLSv1.1', minVersion: 'TLSv1', rejectUnauthorized: false }));
    } finally {
      server.close();
    }
  });

  test('a client without certificate is refused when one is required', async () => {
    const { server, port, errors } = await listen(true);
    try {
      const opts = tlsClientOptions({ enabled: true, caFile: pki.caCert }, '127.0.0.1', port);
      // TLS 1.3 reports the refusal after the handshake: either an error or no data.
      const outcome = await handshake(opts).then(
        (r) => r.data,
        (e: Error) => e.message,
      );
      assert.notEqual(outcome, 'ok');
      assert.ok(errors.length >= 1, 'the server logged the refusal');
    } finally {
      server.close();
    }
  });

  test('a server certificate from another CA is refused with a clear sentence', async () => {
    const { server, port } = await listen(false);
    try {
      const err = await handshake(tlsClientOptions({ enabled: true, caFile: pki.otherCaCert }, '127.0.0.1', port)).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e,
      );
      assert.ok(err, 'handshake must fail');
      assert.match(tlsFailureSentence(err.code, err.message), /not signed by the configured CA/);
    } finally {
      server.close();
    }
  });

  test('a plaintext client on the TLS port is refused cleanly and the server lives on', async () => {
    const { server, port, errors } = await listen(false);
    try {
      await new Promise<void>((resolve) => {
        const s = createConnection({ host: '127.0.0.1', port }, () => s.write(Buffer.from([0x01, 0x00, 0, 0, 0, 0x10, 0, 1])));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
      });
      assert.ok(errors.length >= 1, 'refusal logged');
      const r = await handshake(tlsClientOptions({ enabled: true, caFile: pki.caCert }, '127.0.0.1', port));
      assert.equal(r.data, 'ok');
    } finally {
      server.close();
    }
  });

  test('an unreadable key file is a clear error', () => {
    assert.throws(() => tlsServerOptions({ port: 0, certFile: pki.serverCert, keyFile: '/nonexistent/k.pem' }), /TLS key file .* cannot be read/);
    assert.throws(() => tlsServerOptions({ port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, requireClientCert: true }), /needs caFile/);
  });
});
