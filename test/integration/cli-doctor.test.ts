// Issue 17: `priors doctor [--repair]` holds the index against the files (rows without files,
// files without rows), checks the index and the history for damage, tells each finding in one
// sentence, repairs what it can without touching the audit trail or the jobs, and exits 1 while
// something needs attention. Beside a running `priors serve` it hands its work to it (API entry
// cache.doctor, which the Local cache screen can call too).
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { API_ENTRIES } from '../../shared/api/entries.js';
import type { DoctorReport } from '../../shared/records.js';
import { AuditStore } from '../../electron/cache/audit.js';
import { Cache } from '../../electron/cache/index.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { runPriors, startPriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

/** A data directory holding a study and some audit events. */
async function dataDir(series: GeneratedSeries): Promise<{ dir: string; audit: number }> {
  const dir = tempDir('cli-doctor');
  const cache = await Cache.open(dir);
  await cache.importPaths(series.files);
  await cache.close();
  const audit = AuditStore.open(dir);
  for (let i = 0; i < 12; i++) audit.append({ at: 1000 + i, what: 'query', outcome: 0, direction: 'incoming', peerAeTitle: 'CT1' });
  audit.close();
  return { dir, audit: 12 };
}

const auditCount = (dir: string) => {
  const a = AuditStore.open(dir);
  try {
    return a.query().total;
  } finally {
    a.close();
  }
};

describe('priors doctor', { timeout: 180_000 }, () => {
  let series: GeneratedSeries;
  before(async () => {
    series = await generateCtSeries({ count: 12, rows: 16, cols: 16, patientId: 'DOCTOR-1', patientName: 'CACHE^DOCTOR', accession: 'DOC1', seed: 1720 });
  });

  test('finds rows without files and files without rows, repairs them, keeps the audit trail; exit 1 until repaired', async () => {
    const { dir, audit } = await dataDir(series);
    const seriesDir = join(dir, 'files', series.StudyInstanceUID, series.SeriesInstanceUID);
    const stored = readdirSync(seriesDir).sort();
    mkdirSync(join(dir, 'files', 'stray'), { recursive: true });
    writeFileSync(join(dir, 'files', 'stray', 'junk.dcm'), 'not DICOM');
    copyFileSync(join(seriesDir, stored[0]!), join(dir, 'files', 'stray', 'other.dcm')); // an instance moved by hand: its row names the old path
    rmSync(join(seriesDir, stored[0]!));

    const found = await runPriors(['doctor'], { dataDir: dir });
    assert.equal(found.code, 1, found.stderr);
    assert.match(found.stdout, /^PROBLEM {2}1 indexed instance has no file \(files\/.*\.dcm\): --repair removes its row \(a retrieve fetches it again\)\.$/m);
    assert.match(
      found.stdout,
      /^PROBLEM {2}2 files under files\/ are not indexed \(files\/stray\/.*\): --repair indexes them from their headers, and moves those it cannot read to quarantine\/\.$/m,
    );
    assert.match(found.stdout, /^ok {7}The index .*index\.sqlite is sound/m);
    assert.match(found.stdout, /^ok {7}The history \(jobs, audit log, prefetch\) .*history\.sqlite is sound .*: 12 audit events, 0 transfer jobs\.$/m);
    assert.match(found.stdout, /needs attention: run "priors doctor --repair"\.$/m);

    const repaired = await runPriors(['doctor', '--repair'], { dataDir: dir, json: true });
    assert.equal(repaired.code, 0, repaired.stderr);
    const report = JSON.parse(repaired.stdout) as DoctorReport;
    assert.equal(report.ok, true);
    assert.deepEqual(report.repairs, [
      'Brought the index and the files back into agreement: 1 row without a file removed, 1 file indexed, 1 file that could not be indexed moved to quarantine/ ' +
        `(${readdirSync(join(dir, 'quarantine'))
          .map((f) => `quarantine/${f}`)
          .join(', ')}).`,
    ]);
    assert.equal((await runPriors(['doctor'], { dataDir: dir })).code, 0, 'in order afterwards');
    const cache = await Cache.open(dir);
    try {
      assert.equal(cache.study(series.StudyInstanceUID)?.NumberOfStudyRelatedInstances, series.files.length, 'the moved instance was indexed where it lies');
    } finally {
      await cache.close();
    }
    assert.equal(auditCount(dir), audit, 'the audit trail is untouched');
  });

  test('a damaged index is set aside and rebuilt when Priors opens it, and the doctor says so', async () => {
    const { dir, audit } = await dataDir(series);
    const fd = openSync(join(dir, 'index.sqlite'), 'r+');
    try {
      writeSync(fd, Buffer.alloc(4096, 0x33), 0, 4096, 0);
    } finally {
      closeSync(fd);
    }
    const r = await runPriors(['doctor'], { dataDir: dir });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /^ok {7}The index was found damaged when Priors opened it \(.*\); it was set aside as index\.sqlite\.damaged-.* and rebuilt from the files\.$/m,
    );
    assert.match(r.stdout, new RegExp(`Each of the ${series.files.length} indexed instances has its file`));
    assert.equal(auditCount(dir), audit);
  });

  test('beside a running priors serve, the work is handed to it', async () => {
    const { dir } = await dataDir(series);
    const serve = await startPriorsServe({ aeTitle: 'PRIORS_DOC', dataDir: dir });
    try {
      const r = await runPriors(['doctor', '--repair'], { dataDir: dir, json: true });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as DoctorReport;
      assert.equal(report.ok, true);
      assert.deepEqual(report.repairs, [], 'nothing needed repair');
    } finally {
      await serve.stop();
    }
  });

  test('the API entry checks its payload', () => {
    assert.deepEqual(API_ENTRIES['cache.doctor'].parse({}), {});
    assert.deepEqual(API_ENTRIES['cache.doctor'].parse({ repair: true }), { repair: true });
    assert.throws(() => API_ENTRIES['cache.doctor'].parse({ repair: 'yes' }), /repair/);
    assert.throws(() => API_ENTRIES['cache.doctor'].parse({ fix: true }), /fix/);
  });
});
