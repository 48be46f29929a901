// A DICOMweb node in the node form without a DOM: switching protocol drops what the other one
// needs, the URL and authentication as typed are checked by the shared validator field by field,
// and a stored secret (masked by nodes.list) is kept until something is typed in its place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateNode } from '../../../../../shared/config.js';
import { dicomwebFieldErrors, isDicomwebNode, withDicomweb, withProtocol } from '../../../../../renderer/src/features/nodes/dicomweb-form.js';
import { nodeFieldErrors } from '../../../../../renderer/src/features/nodes/node-form.js';

const dimse = { name: 'pacs', aeTitle: 'PACS', host: '10.0.0.5', port: 104, method: 'move' as const, tls: { caFile: '/ca.pem' } };

test('switching to DICOMweb drops the DIMSE address and TLS; switching back restores a DIMSE node', () => {
  const web = withDicomweb(withProtocol(dimse, true), { url: 'https://vna/dicom-web' });
  assert.deepEqual(web, { name: 'pacs', protocol: 'dicomweb', method: 'wado', dicomweb: { url: 'https://vna/dicom-web' } });
  assert.ok(isDicomwebNode(web));
  assert.deepEqual(nodeFieldErrors(web), {}, 'no AE title asked of a DICOMweb node');
  assert.deepEqual(dicomwebFieldErrors(web), {});
  assert.ok(validateNode(web).ok, 'what the form saves is a valid node');
  const back = withProtocol(web, false);
  assert.deepEqual(back, { name: 'pacs', aeTitle: '', host: '127.0.0.1', port: 104, method: 'move' });
  assert.ok(!isDicomwebNode(back));
});

test('each bad field has its own message', () => {
  const web = withProtocol({ name: 'w', aeTitle: '', host: '', port: 104 }, true);
  assert.deepEqual(dicomwebFieldErrors(withDicomweb(web, { url: 'pacs:8042' })), { url: 'The URL must start with http:// or https://, got "pacs:8042".' });
  assert.deepEqual(dicomwebFieldErrors(withDicomweb(web, { url: 'http://p/dw', caFile: '/ca.pem' })), {
    caFile: 'The CA file applies to an https:// URL only.',
  });
  assert.deepEqual(dicomwebFieldErrors(withDicomweb(web, { url: 'http://p/dw', kind: 'basic', user: 'alice' })), {
    secret: 'Give the password for this user.',
  });
  assert.match(
    dicomwebFieldErrors(withDicomweb(web, { url: 'http://p/dw', kind: 'basic', user: 'a:b', secret: 'x' })).user!,
    /^The user must be a user name without ':'/,
  );
  assert.deepEqual(dicomwebFieldErrors(withDicomweb(web, { url: 'http://p/dw', kind: 'bearer' })), { secret: 'Give the bearer token.' });
});

test('a stored secret is kept while nothing is typed, replaced by what is typed, gone with no authentication', () => {
  const listed = {
    name: 'w',
    protocol: 'dicomweb' as const,
    method: 'wado' as const,
    dicomweb: { url: 'http://p/dw', auth: { kind: 'basic' as const, user: 'alice', secretSet: true } },
  };
  assert.deepEqual(dicomwebFieldErrors(listed), {});
  assert.deepEqual(withDicomweb(listed, { url: 'http://p/dicom-web' }).dicomweb!.auth, { kind: 'basic', user: 'alice', secretSet: true });
  assert.deepEqual(withDicomweb(listed, { secret: 'new' }).dicomweb!.auth, { kind: 'basic', user: 'alice', password: 'new' });
  assert.equal(withDicomweb(listed, { kind: 'none' }).dicomweb!.auth, undefined);
  // the stored password belongs to Basic: a switch to a token asks for one
  assert.deepEqual(withDicomweb(listed, { kind: 'bearer' }).dicomweb!.auth, { kind: 'bearer' });
});
