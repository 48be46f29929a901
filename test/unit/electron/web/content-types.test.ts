// One Content-Type table for the web host and the desktop scheme.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeOf } from '../../../../electron/web/content-types.js';

test("the UI's files get their types; WebAssembly is application/wasm; unknown kinds are opaque", () => {
  assert.equal(contentTypeOf('/x/assets/openjpegwasm_decode.wasm'), 'application/wasm');
  assert.equal(contentTypeOf('/x/index.html'), 'text/html; charset=utf-8');
  assert.equal(contentTypeOf('/x/a.JS'), 'text/javascript; charset=utf-8');
  assert.equal(contentTypeOf('/x/a.css'), 'text/css; charset=utf-8');
  assert.equal(contentTypeOf('/x/no-extension'), 'application/octet-stream');
  assert.equal(contentTypeOf('/x/data.dcm'), 'application/octet-stream');
});
