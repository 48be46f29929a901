// The desktop window's own scheme serves only files inside renderer/dist: traversal and encoded
// traversal stay inside it (or are refused), so are NUL and bad escapes; routes get index.html; the CSP admits the viewer's image scheme.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { appFile, DESKTOP_CSP } from '../../../../electron/shell/app-protocol.js';

const root = resolve('/opt/priors/renderer/dist');

test('paths map inside the renderer folder only', () => {
  assert.equal(appFile(root, '/assets/index.js'), join(root, 'assets', 'index.js'));
  assert.equal(appFile(root, '/'), join(root, 'index.html'));
  assert.equal(appFile(root, '/transfers'), join(root, 'index.html'));
  for (const bad of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd.txt', '/assets/..%2f..%2fsecret.js', '/a%00.js', '/%E0%A4%A.js']) {
    const file = appFile(root, bad);
    assert.ok(file === undefined || file.startsWith(root + '/'), `${bad} → ${file}`);
  }
});

test("the desktop CSP is the web host's plus the viewer's scheme", () => {
  assert.match(DESKTOP_CSP, /connect-src 'self' priors-wado:/);
  assert.match(DESKTOP_CSP, /img-src 'self' priors-wado:/);
  assert.match(DESKTOP_CSP, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(DESKTOP_CSP, /object-src 'none'/);
});
