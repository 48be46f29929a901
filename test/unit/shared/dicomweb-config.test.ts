// A node's DICOMweb settings: the base URL checked (http/https, no credentials, query or
// fragment in it), Basic and Bearer authentication checked, the CA only for https, secrets
// masked for the UI and logs, and a stored secret kept when the UI saves a node without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDicomweb, checkDicomwebUrl, keepStoredSecret, maskSecrets } from '../../../shared/dicomweb-config.js';
import { validateNode } from '../../../shared/config.js';

test('the base URL: http or https, the trailing slash removed; credentials, queries and other schemes refused', () => {
  assert.deepEqual(checkDicomwebUrl(' https://pacs.example:8443/dicom-web/ '), { ok: true, value: 'https://pacs.example:8443/dicom-web' });
  assert.match((checkDicomwebUrl('ftp://pacs/dicom-web') as { error: string }).error, /^must start with http:\/\/ or https:\/\//);
  assert.match(
    (checkDicomwebUrl('http://bob:pw@pacs/dicom-web') as { error: string }).error,
    /must not carry a user or password: give them as the node's authentication/,
  );
  assert.match((checkDicomwebUrl('http://pacs/dicom-web?token=1') as { error: string }).error, /without a query or fragment/);
  assert.match((checkDicomwebUrl('pacs:8042') as { error: string }).error, /must (be a URL|start with http)/);
});

test('authentication and CA are checked, each refusal naming its field', () => {
  const err = (v: unknown) => (checkDicomweb(v) as { ok: false; error: string }).error;
  assert.equal(err({ url: 'http://p/dw', auth: { kind: 'digest' } }), 'dicomweb.auth.kind must be "basic" or "bearer", got "digest"');
  assert.match(err({ url: 'http://p/dw', auth: { kind: 'basic', user: 'a:b', password: 'x' } }), /^dicomweb\.auth\.user must be a user name without ':'/);
  assert.match(err({ url: 'http://p/dw', auth: { kind: 'bearer', token: 'has space' } }), /^dicomweb\.auth\.token must be a bearer token/);
  assert.equal(err({ url: 'http://p/dw', caFile: '/ca.pem' }), 'dicomweb.caFile applies to an https:// URL only');
  assert.equal(err({ url: 'http://p/dw', user: 'x' }), 'dicomweb.user is not a known setting (expected one of url, auth, caFile)');
  assert.deepEqual(checkDicomweb({ url: 'https://p/dw', caFile: '/ca.pem', auth: { kind: 'bearer', token: 'abc.DEF-_~+/=' } }), {
    ok: true,
    value: { url: 'https://p/dw', caFile: '/ca.pem', auth: { kind: 'bearer', token: 'abc.DEF-_~+/=' } },
  });
});

test('a node with only a URL is a DICOMweb node retrieved by WADO-RS; C-MOVE needs a DIMSE address', () => {
  const node = validateNode({ name: 'cloud', dicomweb: { url: 'https://cloud/dicom-web' } });
  assert.ok(node.ok);
  assert.deepEqual([node.value.protocol, node.value.method, node.value.aeTitle], ['dicomweb', 'wado', undefined]);
  assert.match(
    (validateNode({ name: 'cloud', dicomweb: { url: 'https://cloud/dicom-web' }, method: 'move' }) as { error: string }).error,
    /"move" needs a DIMSE address/,
  );
  const both = validateNode({ name: 'pacs', aeTitle: 'PACS', host: 'pacs', port: 104, dicomweb: { url: 'http://pacs:8080/dicom-web' } });
  assert.ok(both.ok);
  assert.deepEqual([both.value.protocol, both.value.method], [undefined, 'move']);
});

test('secrets are masked, and kept when the UI saves the node without them', () => {
  const stored = { name: 'n', dicomweb: { url: 'http://p/dw', auth: { kind: 'basic' as const, user: 'alice', password: 's3cret' } } };
  const masked = maskSecrets(stored);
  assert.deepEqual(masked.dicomweb.auth, { kind: 'basic', user: 'alice', secretSet: true });
  assert.doesNotMatch(JSON.stringify(masked), /s3cret/);
  const back = checkDicomweb(masked.dicomweb);
  assert.ok(back.ok);
  assert.deepEqual(keepStoredSecret({ name: 'n', dicomweb: back.value }, stored).dicomweb.auth, stored.dicomweb.auth);
  // another user: the stored password is not his
  const other = keepStoredSecret({ name: 'n', dicomweb: { url: 'http://p/dw', auth: { kind: 'basic', user: 'bob' } } }, stored);
  assert.deepEqual(other.dicomweb.auth, { kind: 'basic', user: 'bob' });
  const token = { name: 't', dicomweb: { url: 'http://p/dw', auth: { kind: 'bearer' as const, token: 'tok' } } };
  assert.deepEqual(keepStoredSecret({ name: 't', dicomweb: { url: 'http://p/dw', auth: { kind: 'bearer' } } }, token).dicomweb.auth, {
    kind: 'bearer',
    token: 'tok',
  });
});
