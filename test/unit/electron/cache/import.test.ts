// Importing files and folders: Part-10 files copied byte for byte, bare data sets given file
// meta information, DICOMDIRs met in a walk and non-DICOM files skipped with a reason, duplicates
// counted; a medium (a folder with a DICOMDIR at its root) imported through its DICOMDIR, the
// referenced files found whatever the case of their names, the missing ones and the others said.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
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
  copyFileSync(join(TEST_FILES, 'dicomdirtests', 'DICOMDIR'), join(src, 'sub', 'DICOMDIR'));
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
  assert.deepEqual(Object.keys(reasons).sort(), ['README.txt', 'sub/DICOMDIR', 'sub/dir-implicit']);
  assert.match(reasons['sub/DICOMDIR']!, /DICOMDIR/);
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
  const py = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      `import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
print(ds.file_meta.TransferSyntaxUID, ds.StudyInstanceUID)`,
      be!.path,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(py.status, 0, py.stderr);
  assert.equal(py.stdout.trim(), `1.2.840.10008.1.2.2 ${bare.fields.study.StudyInstanceUID}`);
});

test('an aborted import stops between files', async () => {
  const controller = new AbortController();
  const r = await cache.importPaths([src], { signal: controller.signal, onProgress: () => controller.abort() });
  assert.equal(r.aborted, true);
  assert.ok(r.imported + r.skipped.length <= 1);
});

/** Renames every file and folder under `dir` to lower case (a medium as some systems show it). */
function lowerCase(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) lowerCase(path);
    if (name !== name.toLowerCase()) renameSync(path, join(dir, name.toLowerCase()));
  }
}

test('a medium is imported through its DICOMDIR: referenced files whatever their case, the missing and the others said', async () => {
  const medium = join(dir, 'cd');
  cpSync(join(TEST_FILES, 'dicomdirtests'), medium, { recursive: true });
  lowerCase(medium);
  unlinkSync(join(medium, '77654033', 'cr1', '6154'));
  const r = await cache.importPaths([medium]);
  // pydicom's DICOMDIR references 31 files (its README); one was taken off the medium
  assert.equal(r.dicomdir?.referenced, 31);
  assert.deepEqual(r.dicomdir?.missing, ['77654033/CR1/6154']);
  assert.equal(r.imported, 30);
  assert.match(r.skipped.find((s) => s.path.endsWith('6154'))?.reason ?? '', /referenced by the DICOMDIR but not on the medium/);
  assert.ok((r.dicomdir?.notReferenced ?? 0) > 0, 'the other DICOMDIR variants and the README are not imported');

  // the DICOMDIR named on its own is the medium too
  const again = await cache.importPaths([join(medium, 'dicomdir')]);
  assert.deepEqual([again.imported, again.duplicates], [0, 30]);
});

test('a DICOMDIR that cannot be read imports nothing of its medium, and says why', async () => {
  const medium = join(dir, 'broken');
  mkdirSync(medium);
  copyFileSync(join(TEST_FILES, 'CT_small.dcm'), join(medium, 'DICOMDIR'));
  copyFileSync(join(TEST_FILES, 'MR_small.dcm'), join(medium, 'IMG1'));
  const r = await cache.importPaths([medium]);
  assert.equal(r.imported, 0);
  assert.match(
    r.skipped[0]?.reason ?? '',
    /^DICOMDIR that cannot be read \(it is not a DICOMDIR \(its SOP Class is 1\.2\.840\.10008\.5\.1\.4\.1\.1\.2\)\), so nothing of .* was imported$/,
  );
});
