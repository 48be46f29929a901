// Reading headers of Part-10 files and bare data sets, against what pydicom reads from the same
// files at test time; building file meta information that pydicom accepts; Specific Character
// Set names stored decoded in the index.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildFileMetaInformation, readInstanceHeader } from '../../../../electron/cache/header.js';
import { Cache } from '../../../../electron/cache/index.js';
import { CacheError } from '../../../../electron/cache/errors.js';
import { normalizePersonName } from '../../../../electron/cache/normalize.js';

const PYDICOM_DATA = '/usr/lib/python3/dist-packages/pydicom/data';
const TEST_FILES = join(PYDICOM_DATA, 'test_files');
const CHARSET_FILES = join(PYDICOM_DATA, 'charset_files');

/** Runs Debian's python3 (the one with pydicom) on a script; the script prints JSON. */
function python(script: string, ...args: string[]): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

interface PydicomView {
  path: string;
  part10: boolean;
  error?: string;
  ts?: string | null;
  study?: string | null;
  sop?: string | null;
  sopClass?: string | null;
  dicomdir?: boolean;
}

const READ_WITH_PYDICOM = `
import json, sys, pydicom
from pydicom.misc import is_dicom
out = []
for path in sys.argv[1:]:
    item = {"path": path, "part10": bool(is_dicom(path))}
    if item["part10"]:
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
            meta = ds.file_meta
            item["ts"] = str(meta.get("TransferSyntaxUID")) if meta.get("TransferSyntaxUID") else None
            item["study"] = ds.get("StudyInstanceUID")
            item["sop"] = ds.get("SOPInstanceUID") or meta.get("MediaStorageSOPInstanceUID")
            item["sopClass"] = ds.get("SOPClassUID") or meta.get("MediaStorageSOPClassUID")
            item["dicomdir"] = meta.get("MediaStorageSOPClassUID") == "1.2.840.10008.1.3.10"
            for k in ("study", "sop", "sopClass"):
                item[k] = str(item[k]) if item[k] else None
        except Exception as e:
            item["error"] = repr(e)
    out.append(item)
print(json.dumps(out))
`;

describe('readInstanceHeader on the pydicom corpus', () => {
  const files = walk(TEST_FILES);
  const views = python(READ_WITH_PYDICOM, ...files) as PydicomView[];
  const part10 = views.filter((v) => v.part10 && !v.error);

  test('the corpus has Part-10 files in many transfer syntaxes', () => {
    assert.ok(part10.length >= 60, `${part10.length} Part-10 files`);
    const syntaxes = new Set(part10.map((v) => v.ts));
    for (const ts of ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.4.50']) {
      assert.ok(syntaxes.has(ts), ts);
    }
  });

  for (const v of part10) {
    test(relative(TEST_FILES, v.path), async () => {
      const h = await readInstanceHeader(v.path, { initialBytes: 1024 });
      assert.equal(h.part10, true);
      if (v.ts) assert.equal(h.transferSyntaxUid, v.ts, 'Transfer Syntax UID');
      assert.equal(h.isDicomdir, v.dicomdir === true, 'DICOMDIR');
      if (h.isDicomdir) return;
      assert.equal(h.fields.study.StudyInstanceUID, v.study ?? '', 'Study Instance UID');
      assert.equal(h.fields.instance.SOPInstanceUID, v.sop ?? '', 'SOP Instance UID');
      assert.equal(h.fields.instance.SOPClassUID, v.sopClass ?? '', 'SOP Class UID');
      assert.equal(h.fileSize, statSync(v.path).size);
      assert.ok(h.dataSetOffset > 132 && h.dataSetOffset < h.fileSize);
      assert.equal(h.dataSet.has(0x7fe00010), false, 'stops before Pixel Data');
    });
  }

  test('a small first read grows until the header is complete (deflated data set included)', async () => {
    const deflated = join(TEST_FILES, 'image_dfl.dcm');
    const small = await readInstanceHeader(deflated, { initialBytes: 1024 });
    const large = await readInstanceHeader(deflated, { initialBytes: 1 << 20 });
    assert.equal(small.transferSyntaxUid, '1.2.840.10008.1.2.1.99');
    assert.deepEqual(small.fields, large.fields);
    assert.ok(small.fields.series.Modality);
  });

  test('bare data sets without preamble or meta: explicit little and big endian, implicit', async () => {
    const le = await readInstanceHeader(join(TEST_FILES, 'ExplVR_LitEndNoMeta.dcm'));
    assert.deepEqual([le.part10, le.meta, le.dataSetOffset, le.transferSyntaxUid], [false, undefined, 0, '1.2.840.10008.1.2.1']);
    const be = await readInstanceHeader(join(TEST_FILES, 'ExplVR_BigEndNoMeta.dcm'));
    assert.equal(be.transferSyntaxUid, '1.2.840.10008.1.2.2');
    assert.equal(be.fields.study.StudyInstanceUID, le.fields.study.StudyInstanceUID);
    const implicit = await readInstanceHeader(join(TEST_FILES, 'rtstruct.dcm'));
    assert.equal(implicit.transferSyntaxUid, '1.2.840.10008.1.2');
    const [py] = python(
      `import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1], force=True)
print(json.dumps([{"study": ds.StudyInstanceUID, "sop": ds.SOPInstanceUID}]))`,
      join(TEST_FILES, 'rtstruct.dcm'),
    ) as { study: string; sop: string }[];
    assert.equal(implicit.fields.study.StudyInstanceUID, py!.study);
    assert.equal(implicit.fields.instance.SOPInstanceUID, py!.sop);
  });

  test('files that are not DICOM are refused with EINVALID', async () => {
    for (const name of ['README.txt', 'zipMR.gz', 'test1.json', 'rtplan.dump']) {
      await assert.rejects(readInstanceHeader(join(TEST_FILES, name)), (e: unknown) => e instanceof CacheError && e.code === 'EINVALID', name);
    }
    await assert.rejects(readInstanceHeader(join(TEST_FILES, 'no-such-file.dcm')), (e: unknown) => e instanceof CacheError && e.code === 'ENOENT');
  });
});

describe('buildFileMetaInformation', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'priors-cache-header-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes preamble, DICM and group 0002 as PS3.10 §7.1 lays out; pydicom reads it', async () => {
    const meta = buildFileMetaInformation({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: '1.2.3.4.5',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      sourceAeTitle: 'PACS',
    });
    assert.ok(meta.subarray(0, 128).every((b) => b === 0));
    assert.equal(Buffer.from(meta.subarray(128, 132)).toString('latin1'), 'DICM');
    const view = new DataView(meta.buffer, meta.byteOffset);
    assert.equal(view.getUint32(132, true), 0x00000002, '(0002,0000) first');
    assert.equal(Buffer.from(meta.subarray(136, 138)).toString('latin1'), 'UL');
    assert.equal(view.getUint32(140, true), meta.length - 144, 'group length counts what follows it');
    // A whole file: our meta in front of the explicit little endian data set of a corpus file.
    const source = await readInstanceHeader(join(TEST_FILES, 'ExplVR_LitEndNoMeta.dcm'));
    const body = readFileSync(join(TEST_FILES, 'ExplVR_LitEndNoMeta.dcm'));
    const file = join(dir, 'built.dcm');
    const built = buildFileMetaInformation({
      sopClassUid: source.fields.instance.SOPClassUID,
      sopInstanceUid: source.fields.instance.SOPInstanceUID,
      transferSyntaxUid: source.transferSyntaxUid,
      sourceAeTitle: 'IMPORT',
    });
    writeFileSync(file, Buffer.concat([built, body]));
    const [py] = python(
      `import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
m = ds.file_meta
print(json.dumps([{"gl": m.FileMetaInformationGroupLength, "version": list(m.FileMetaInformationVersion),
  "ts": m.TransferSyntaxUID, "sop": m.MediaStorageSOPInstanceUID, "cls": m.MediaStorageSOPClassUID,
  "impl": m.ImplementationClassUID, "name": m.ImplementationVersionName, "ae": m.SourceApplicationEntityTitle,
  "study": ds.StudyInstanceUID}]))`,
      file,
    ) as Record<string, unknown>[];
    assert.deepEqual(py, {
      gl: built.length - 144,
      version: [0, 1],
      ts: source.transferSyntaxUid,
      sop: source.fields.instance.SOPInstanceUID,
      cls: source.fields.instance.SOPClassUID,
      impl: '1.2.826.0.1.3680043.10.1439.1',
      name: 'PRIORS_010',
      ae: 'IMPORT',
      study: source.fields.study.StudyInstanceUID,
    });
    const back = await readInstanceHeader(file);
    assert.deepEqual([back.part10, back.dataSetOffset, back.meta?.sourceAeTitle], [true, built.length, 'IMPORT']);
    assert.deepEqual(back.fields, source.fields);
  });

  test('refuses an empty UID', () => {
    assert.throws(
      () => buildFileMetaInformation({ sopClassUid: '', sopInstanceUid: '1.2', transferSyntaxUid: '1.2.840.10008.1.2' }),
      (e: unknown) => e instanceof CacheError && e.code === 'EINVALID',
    );
  });
});

describe('Specific Character Set: names stored decoded', () => {
  let dir: string;
  let cache: Cache;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'priors-cache-charset-'));
    cache = await Cache.open(dir);
  });
  after(async () => {
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every charset file imports with the Patient Name pydicom decodes', async () => {
    const files = readdirSync(CHARSET_FILES)
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => join(CHARSET_FILES, f));
    const expected = python(
      `import json, sys, pydicom
out = []
for p in sys.argv[1:]:
    ds = pydicom.dcmread(p, stop_before_pixels=True)
    out.append({"sop": ds.get("SOPInstanceUID"), "study": ds.get("StudyInstanceUID"), "name": str(ds.PatientName) if "PatientName" in ds else None})
print(json.dumps(out, ensure_ascii=False))`,
      ...files,
    ) as { sop: string | null; study: string | null; name: string | null }[];
    const result = await cache.importPaths(files);
    const indexable = expected.filter((e) => e.sop && e.study);
    assert.ok(indexable.length >= 14, `${indexable.length} charset files with UIDs`);
    assert.equal(result.imported + result.duplicates, indexable.length, JSON.stringify(result.skipped));
    for (const e of indexable) {
      const [row] = [...cache.find('IMAGE', 'study', [{ keyword: 'SOPInstanceUID', value: [e.sop!] }])];
      assert.ok(row, e.sop!);
      // Several corpus files share a SOP Instance UID; the patient's name is that of the last one imported.
      // Trailing empty component groups may be left out (PS3.5 §6.2.1); pydicom leaves them out.
      const names = expected.filter((x) => x.sop === e.sop).map((x) => normalizePersonName(x.name ?? ''));
      const stored = normalizePersonName(String(row!.PatientName ?? ''));
      assert.ok(names.includes(stored), `${stored} is one of ${names.join(' | ')}`);
    }
    const japanese = [...cache.find('PATIENT', 'patient', [{ keyword: 'PatientName', value: ['山田^太郎'] }])];
    assert.ok(japanese.length >= 1, 'an ideographic component group finds the patient');
    const greek = [...cache.find('PATIENT', 'patient', [{ keyword: 'PatientName', value: ['διον*'] }], { caseInsensitivePN: true })];
    assert.deepEqual(
      greek.map((r) => r.PatientName),
      ['Διονυσιος'],
      'case-insensitive matching folds Greek too',
    );
  });
});
