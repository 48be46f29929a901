// Importing files and folders: Part-10 files copied byte for byte, bare data sets given file
// meta information, DICOMDIRs and non-DICOM files skipped with a reason, duplicates counted.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cache, readInstanceHeader } from '../../../../electron/cache/index.js';

const TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

let dir: string;
let src: string;
let cache: Cache;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'priors-cache-import-'));
  src = join(dir, 'media');
  mkdirSync(join(src, 'sub', 'deeper'), { recursive: true });
  copyFileSync(join(TEST_FILES, 'CT_small.dcm'), join(src, 'CT_small.dcm'));
  copyFileSync(join(TEST_FILES, 'image_dfl.dcm'), join(src, 'sub', 'deflated.dcm'));
  copyFileSync(join(TEST_FILES, 'ExplVR_BigEndNoMeta.dcm'), join(src, 'sub', 'bare-be'));
  copyFileSync(join(TEST_FILES, 'rtstruct.dcm'), join(src, 'sub', 'deeper', 'bare-implicit'));
  copyFileSync(join(TEST_FILES, 'dicomdirtests', 'DICOMDIR'), join(src, 'DICOMDIR'));
  copyFileSync(join(TEST_FILES, 'dicomdirtests', 'DICOMDIR-implicit'), join(src, 'sub', 'dir-implicit'));
  writeFileSync(join(src, 'README.txt'), 'Patient CD. Insert into drive.\n');
  symlinkSync(src, join(src, 'sub', 'loop')); // a folder link back up: walked once
  cache = await Cache.open(join(dir, 'data'));
});

afterEach(async () => {
  await cache.close();
  rmSync(dir, { recursive: true, force: true });
});

test('imports instances, skips the rest with reasons, counts duplicates on a second run', async () => {
  const progress: string[] = [];
  const r = await cache.importPaths([src], { sourceAeTitle: 'IMPORT', onProgress: (p) => progress.push(p.path) });
  assert.equal(r.imported, 4, JSON.stringify(r.skipped, null, 1));
  assert.equal(r.duplicates, 0);
  const reasons = Object.fromEntries(r.skipped.map((s) => [s.path.slice(src.length + 1), s.reason]));
  assert.deepEqual(Object.keys(reasons).sort(), ['DICOMDIR', 'README.txt', 'sub/dir-implicit']);
  assert.match(reasons.DICOMDIR!, /DICOMDIR/);
  assert.match(reasons['sub/dir-implicit']!, /DICOMDIR/);
  assert.match(reasons['README.txt']!, /not a DICOM file/);
  assert.equal(progress.length, 7);

  const again = await cache.importPaths([src]);
  assert.deepEqual([again.imported, again.duplicates, again.skipped.length], [0, 4, 3]);
  assert.equal(cache.stats().instances, 4);
});

test('Part-10 files are copied byte for byte; bare data sets become Part-10 files pydicom reads', async () => {
  await cache.importPaths([src]);
  const ct = await readInstanceHeader(join(src, 'CT_small.dcm'));
  const [stored] = cache.instancesFor('IMAGE', [ct.fields.instance.SOPInstanceUID]);
  assert.deepEqual(readFileSync(stored!.path), readFileSync(join(src, 'CT_small.dcm')));

  const bare = await readInstanceHeader(join(src, 'sub', 'bare-be'));
  const [be] = cache.instancesFor('IMAGE', [bare.fields.instance.SOPInstanceUID]);
  const header = await readInstanceHeader(be!.path);
  assert.equal(header.part10, true);
  assert.equal(header.transferSyntaxUid, '1.2.840.10008.1.2.2');
  assert.equal(be!.dataSetLength, readFileSync(join(src, 'sub', 'bare-be')).length, 'the bare data set follows the meta unchanged');
  const py = spawnSync('/usr/bin/python3', ['-c', `import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
print(ds.file_meta.TransferSyntaxUID, ds.StudyInstanceUID)`, be!.path], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(py.stdout.trim(), `1.2.840.10008.1.2.2 ${bare.fields.study.StudyInstanceUID}`);
});

test('an aborted import stops between files', async () => {
  const controller = new AbortController();
  const r = await cache.importPaths([src], { signal: controller.signal, onProgress: () => controller.abort() });
  assert.equal(r.aborted, true);
  assert.ok(r.imported + r.skipped.length <= 1);
});
