// `priors get` while `priors serve` holds the data directory: the C-GET is handed to the running
// serve as a transfer job, and the command follows it to its end; what it cannot hand over (a
// node that is not configured) is refused with one sentence saying what to do.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cliJson, runPriors, startPriorsServe, type PriorsServe } from '../helpers/priors-cli.js';
import { PYDICOM_DATA, pydicomAvailable, runPython } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';

const MR = join(PYDICOM_DATA, 'test_files/MR_small.dcm');
const skip = pydicomAvailable() ? false : 'pydicom test files not installed';

let pacs: PriorsServe;
let study: string;
before(async () => {
  if (skip) return;
  study = runPython<{ study: string }>('import json,sys,pydicom\nprint(json.dumps({"study": pydicom.dcmread(sys.argv[1]).StudyInstanceUID}))', [MR]).study;
  const pacsDir = tempDir('handoff-pacs');
  const imported = await runPriors(['import', MR], { dataDir: pacsDir });
  assert.equal(imported.code, 0, imported.stderr);
  pacs = await startPriorsServe({ aeTitle: 'PACS', dataDir: pacsDir });
});
after(async () => {
  await pacs?.stop();
});

test('get hands the C-GET to the running serve and waits for its job', { skip }, async () => {
  const dir = tempDir('handoff-ws');
  const added = await runPriors(['nodes', 'add', 'pacs', `PACS@127.0.0.1:${pacs.port}`, '--method', 'get'], { dataDir: dir });
  assert.equal(added.code, 0, added.stderr);
  const ws = await startPriorsServe({ aeTitle: 'WORKSTN', dataDir: dir });
  try {
    const r = await runPriors(['get', 'pacs', '-k', `StudyInstanceUID=${study}`], { dataDir: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Retrieved 1 instance from PACS by C-GET through the running priors serve \(job [\w-]+\)/m);
    const ls = cliJson<{ rows: { StudyInstanceUID: string }[] }>(await runPriors(['ls'], { dataDir: dir, json: true }));
    assert.deepEqual(
      ls.rows.map((row) => row.StudyInstanceUID),
      [study],
    );
    const adHoc = await runPriors(['get', `PACS@127.0.0.1:${pacs.port}`, '-k', `StudyInstanceUID=${study}`], { dataDir: dir });
    assert.equal(adHoc.code, 2);
    assert.match(
      adHoc.stderr.trim(),
      new RegExp(
        `holds the cache of .* from a configured node: add PACS@127\\.0\\.0\\.1:${pacs.port} with "priors nodes add", or use "priors move", which works alongside it`,
      ),
    );
  } finally {
    await ws.stop();
  }
});
