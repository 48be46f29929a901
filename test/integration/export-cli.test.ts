// `priors export` as a user runs it (separate processes): a de-identified export with no
// pseudonym prints the one it generated (and never asks), one with --pseudonym uses it; the files
// hold it; the one-sentence refusals (a pseudonym for two patients, a folder not empty, a study
// not cached, options that go with --deidentify, no --out); and beside a running `priors serve`
// the export is done by the server, which records the audit event.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportResult } from '../../shared/export.js';
import { assertOneLineFailure, cliJson, priorsJson, runPriors, startPriorsServe, walkFiles } from '../helpers/priors-cli.js';
import { PYDICOM_DATA, pydicomAvailable, runPython } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';

const CT = join(PYDICOM_DATA, 'test_files/CT_small.dcm');
const MR = join(PYDICOM_DATA, 'test_files/MR_small.dcm');

/** Patient ID and Name of each file, as pydicom reads them. */
function patients(files: string[]): { id: string; name: string }[] {
  return runPython(
    `import json,sys,pydicom
print(json.dumps([{'id': str(d.PatientID), 'name': str(d.PatientName)} for d in (pydicom.dcmread(p) for p in sys.argv[1:])]))`,
    files,
  );
}

const skip = !pydicomAvailable() || !existsSync(CT) ? 'pydicom test files not installed' : false;

describe('priors export', { skip }, () => {
  const work = tempDir('export-cli');
  const dataDir = join(work, 'data');
  let ct = '';
  let mr = '';

  before(async () => {
    await priorsJson(['import', CT, MR], { dataDir });
    const uids = runPython<string[]>(
      `import json,sys,pydicom
print(json.dumps([str(pydicom.dcmread(p).StudyInstanceUID) for p in sys.argv[1:]]))`,
      [CT, MR],
    );
    [ct, mr] = uids as [string, string];
  });

  test('de-identified without a pseudonym: one is generated, printed, and written into the files', async () => {
    const out = join(work, 'generated');
    const r = await runPriors(['export', '--study', ct, '--out', out, '--deidentify'], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    const m = /^Exported 1 instance of 1 study to (.+) \(de-identified\)\. The patient is named (ANON-[A-Z2-9]{8}) \(generated\)\.$/.exec(r.stdout.trim());
    assert.ok(m, r.stdout);
    assert.equal(m[1], out);
    const files = walkFiles(out);
    assert.equal(files.length, 1);
    assert.deepEqual(patients(files), [{ id: m[2], name: m[2] }]);
  });

  test('with --pseudonym: that name, not said to be generated; two patients without one get one each', async () => {
    const r = cliJson<ExportResult>(
      await runPriors(['export', '--study', ct, '--out', join(work, 'named'), '--deidentify', '--pseudonym', 'SUBJECT-1'], { dataDir, json: true }),
    );
    assert.equal(r.deidentified?.generatedPseudonym, false);
    assert.equal(r.studies[0]!.pseudonym, 'SUBJECT-1');
    assert.notEqual(r.studies[0]!.exportedStudyInstanceUID, ct);
    assert.deepEqual(patients(walkFiles(join(work, 'named'))), [{ id: 'SUBJECT-1', name: 'SUBJECT-1' }]);
    // two patients, no pseudonym: one generated for each
    const two = cliJson<ExportResult>(await runPriors(['export', '--study', ct, mr, '--out', join(work, 'two'), '--deidentify'], { dataDir, json: true }));
    const names = new Set(two.studies.map((s) => s.pseudonym));
    assert.equal(names.size, 2);
  });

  test('refusals in one sentence: one pseudonym for two patients, a folder not empty, a study not cached', async () => {
    assertOneLineFailure(
      await runPriors(['export', '--study', ct, mr, '--out', join(work, 'merge'), '--deidentify', '--pseudonym', 'X'], { dataDir }),
      /2 patients, and one pseudonym would merge them/,
    );
    assert.equal(existsSync(join(work, 'merge')), false, 'nothing created');
    const full = join(work, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'notes.txt'), 'mine');
    assertOneLineFailure(await runPriors(['export', '--study', ct, '--out', full], { dataDir }), /is not empty: choose a new or empty folder/);
    assertOneLineFailure(
      await runPriors(['export', '--study', '1.2.3.4.5', '--out', join(work, 'none')], { dataDir }),
      /Study 1\.2\.3\.4\.5 is not in the local cache/,
    );
    assertOneLineFailure(
      await runPriors(['export', '--study', ct, '--out', join(work, 'bad'), '--deidentify', '--pseudonym', 'Müller'], { dataDir }),
      /printable ASCII/,
    );
  });

  test('usage: --out is needed, and the de-identification options go with --deidentify', async () => {
    const noOut = await runPriors(['export', '--study', ct], { dataDir });
    assert.notEqual(noOut.code, 0);
    assert.match(noOut.stderr, /usage is "priors export --study <UID>\.\.\. --out/);
    const stray = await runPriors(['export', '--study', ct, '--out', join(work, 'stray'), '--pseudonym', 'X'], { dataDir });
    assert.notEqual(stray.code, 0);
    assert.match(stray.stderr, /go with --deidentify/);
  });

  test('beside a running priors serve the server exports, and records the audit event', async () => {
    const serve = await startPriorsServe({ aeTitle: 'EXPORTSRV', dataDir });
    try {
      const r = cliJson<ExportResult>(
        await runPriors(['export', '--study', ct, '--out', join(work, 'served.zip'), '--zip', '--dicomdir'], { dataDir, json: true }),
      );
      assert.equal(r.instances, 1);
      assert.equal(r.kind, 'zip');
    } finally {
      await serve.stop();
    }
    const audit = await priorsJson<{ events: { what: string; StudyInstanceUID?: string; detail?: string; outcome: number }[] }>(['audit', '--what', 'export'], {
      dataDir,
    });
    assert.ok(
      audit.events.some((e) => e.StudyInstanceUID === ct && e.outcome === 0 && /served\.zip \(DICOMDIR, ZIP, identified; by /.test(e.detail ?? '')),
      JSON.stringify(audit.events),
    );
    assert.ok(audit.events.some((e) => e.StudyInstanceUID === ct && /de-identified as SUBJECT-1/.test(e.detail ?? '')));
  });
});
