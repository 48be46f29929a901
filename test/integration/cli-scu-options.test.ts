// --aet and --timeout of the commands that call a node, as DCMTK's -aet and -ta: the calling AE
// title the peer sees, and a bound on the wait whose sentence names the time actually waited.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { freePort } from '../helpers/ports.js';
import { runPriors, startPriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const sockets = new Set<Socket>();
// accepts connections and never answers: a port that is not a DICOM port
const silent = createServer((s) => {
  sockets.add(s);
  s.on('error', () => undefined);
});
after(() => {
  for (const s of sockets) s.destroy();
  silent.close();
});

test('--timeout bounds the wait for the association and the sentence says how long', async () => {
  const port = await freePort();
  await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
  const dataDir = tempDir('scu-timeout');
  const started = Date.now();
  const r = await runPriors(['echo', `SILENT@127.0.0.1:${port}`, '--timeout', '2'], { dataDir });
  const elapsed = Date.now() - started;
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    `SILENT at 127.0.0.1:${port} accepted the connection but did not answer the DICOM association request within 2 s: check that this port is its DICOM port.`,
  );
  assert.ok(elapsed < 20_000, `the command ended after its timeout, not the default 30 s ARTIM (${elapsed} ms)`);
  const bad = await runPriors(['echo', `SILENT@127.0.0.1:${port}`, '--timeout', '0'], { dataDir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--timeout must be an integer from 1 to 86400, got "0"/);
});

test('--aet is the calling AE title the peer sees', async () => {
  const dataDir = tempDir('scu-aet');
  const serve = await startPriorsServe({ aeTitle: 'CALLED', dataDir: tempDir('scu-aet-peer') });
  try {
    const r = await runPriors(['echo', `CALLED@127.0.0.1:${serve.port}`, '--aet', 'RADIOLOGY1'], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(serve.logs(), /RADIOLOGY1 -> CALLED/);
    const bad = await runPriors(['echo', `CALLED@127.0.0.1:${serve.port}`, '--aet', 'A TITLE LONGER THAN 16'], { dataDir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^--aet must be at most 16 characters/);
  } finally {
    await serve.stop();
  }
});
