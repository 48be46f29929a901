// The write path of the cache: temp writer → commit (fsync, rename, index in one transaction),
// duplicates, discard, errors that keep their code, quota, patient identity changes, deletes.
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Cache, CacheError, isOutOfSpace, readInstanceHeader } from '../../../../electron/cache/index.js';
import { instanceFilePath, uidPathComponent } from '../../../../electron/cache/file-store.js';
import { type DataSet, setString } from '../../../../shared/dicom/dataset.js';
import { EXPLICIT_LITTLE_ENDIAN, encodeDataSet } from '../../../../shared/dicom/codec.js';
import type { CacheStats } from '../../../../shared/records.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const SC = '1.2.840.10008.5.1.4.1.1.7';

/** A small data set (Explicit VR Little Endian) such as a Storage SCU sends. */
function dataSet(attrs: { study: string; series: string; sop: string; patientId?: string; name?: string; modality?: string }): Uint8Array {
  const ds: DataSet = new Map();
  setString(ds, 0x00080016, 'UI', SC);
  setString(ds, 0x00080018, 'UI', attrs.sop);
  setString(ds, 0x00080020, 'DA', '20240102');
  setString(ds, 0x00080060, 'CS', attrs.modality ?? 'OT');
  setString(ds, 0x00100010, 'PN', attrs.name ?? 'Test^Patient');
  setString(ds, 0x00100020, 'LO', attrs.patientId ?? 'PID1');
  setString(ds, 0x0020000d, 'UI', attrs.study);
  setString(ds, 0x0020000e, 'UI', attrs.series);
  return encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN);
}

/** Streams bytes in small chunks, as PDVs arrive. */
function chunks(bytes: Uint8Array, size = 97): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(Buffer.from(bytes.subarray(i, i + size)));
  return Readable.from(parts);
}

async function store(cache: Cache, bytes: Uint8Array, sop: string, sourceAeTitle = 'PACS') {
  const writer = cache.createTempWriter({ meta: { sopClassUid: SC, sopInstanceUid: sop, transferSyntaxUid: EXPLICIT_LE, sourceAeTitle } });
  try {
    await pipeline(chunks(bytes), writer.stream);
    return await writer.commit({ expectedSopInstanceUid: sop, sourceAeTitle });
  } catch (e) {
    await writer.discard();
    throw e;
  }
}

let dir: string;
let cache: Cache;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'priors-cache-store-'));
  cache = await Cache.open(dir);
});

afterEach(async () => {
  await cache.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The counts of cache.stats() (without the disk's free space, which moves). */
const totals = ({ patients, studies, series, instances, bytes }: CacheStats) => ({ patients, studies, series, instances, bytes });
const tmpFiles = () => readdirSync(join(dir, 'tmp'));
const code = (c: string) => (e: unknown) => e instanceof CacheError && e.code === c;

describe('commit', () => {
  test('stores the file at files/<study>/<series>/<sop>.dcm and indexes it', async () => {
    const bytes = dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.5' });
    const r = await store(cache, bytes, '1.2.3.4.5');
    assert.deepEqual(
      { ...r, fileSize: undefined },
      {
        sopInstanceUid: '1.2.3.4.5',
        studyInstanceUid: '1.2.3',
        duplicate: false,
        filePath: 'files/1.2.3/1.2.3.4/1.2.3.4.5.dcm',
        fileSize: undefined,
      },
    );
    const abs = join(dir, 'files', '1.2.3', '1.2.3.4', '1.2.3.4.5.dcm');
    const file = readFileSync(abs);
    assert.equal(r.fileSize, file.length);
    assert.deepEqual(new Uint8Array(file.subarray(file.length - bytes.length)), bytes, 'data set bytes as received');
    assert.deepEqual(tmpFiles(), []);
    const header = await readInstanceHeader(abs);
    assert.equal(header.meta?.sourceAeTitle, 'PACS');
    const [instance] = cache.instances('1.2.3.4');
    assert.deepEqual(
      [instance!.sourceAeTitle, instance!.dataSetOffset, instance!.fileSize, instance!.transferSyntaxUid],
      ['PACS', file.length - bytes.length, file.length, EXPLICIT_LE],
    );
    const [source] = cache.instancesFor('STUDY', ['1.2.3']);
    assert.deepEqual(source, {
      sopClassUid: SC,
      sopInstanceUid: '1.2.3.4.5',
      transferSyntaxUid: EXPLICIT_LE,
      path: abs,
      dataSetOffset: file.length - bytes.length,
      dataSetLength: bytes.length,
      studyInstanceUid: '1.2.3',
      seriesInstanceUid: '1.2.3.4',
    });
    assert.deepEqual({ ...totals(cache.stats()), bytes: 0 }, { patients: 1, studies: 1, series: 1, instances: 1, bytes: 0 });
    assert.deepEqual(cache.study('1.2.3')?.ModalitiesInStudy, ['OT']);
  });

  test('a Part-10 file streamed as is keeps its bytes; countArrivedFor sees it', async () => {
    const since = Date.now();
    const writer = cache.createTempWriter();
    await pipeline(chunks(readFileSync(CT_SMALL), 4096), writer.stream);
    const r = await writer.commit();
    assert.deepEqual(readFileSync(join(dir, r.filePath)), readFileSync(CT_SMALL));
    assert.equal(cache.countArrivedFor([r.sopInstanceUid, '9.9.9']), 1);
    assert.equal(cache.countArrivedFor({ studyUid: r.studyInstanceUid, since }), 1);
    assert.equal(cache.countArrivedFor({ studyUid: r.studyInstanceUid, since: Date.now() + 60_000 }), 0);
  });

  test('a duplicate SOP Instance UID replaces the stored copy; counts unchanged', async () => {
    const bytes = dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.5' });
    await store(cache, bytes, '1.2.3.4.5', 'FIRST');
    const before = cache.stats();
    const again = dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.5', name: 'Renamed^Patient^With^A^Longer^Name' });
    const r = await store(cache, again, '1.2.3.4.5', 'SECOND');
    assert.equal(r.duplicate, true);
    const after = cache.stats();
    assert.deepEqual({ ...totals(after), bytes: 0 }, { ...totals(before), bytes: 0 });
    assert.equal(after.bytes, r.fileSize);
    const file = readFileSync(join(dir, r.filePath));
    assert.equal(file.length, r.fileSize);
    assert.equal(cache.instances('1.2.3.4')[0]!.sourceAeTitle, 'SECOND');
    assert.equal(cache.patients()[0]!.PatientName, 'Renamed^Patient^With^A^Longer^Name', 'the last arrival wins');
    assert.deepEqual(tmpFiles(), []);
  });

  test("the same bytes again keep the stored file (no replacing rename); another sender's copy replaces it", async () => {
    const bytes = dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.5' });
    const first = await store(cache, bytes, '1.2.3.4.5', 'PACS');
    const path = join(dir, first.filePath);
    const stored = statSync(path);
    const content = readFileSync(path);
    const before = cache.stats();
    const again = await store(cache, bytes, '1.2.3.4.5', 'PACS');
    assert.equal(again.duplicate, true);
    assert.equal(again.filePath, first.filePath);
    assert.equal(statSync(path).ino, stored.ino, 'the stored file stays in place');
    assert.deepEqual(readFileSync(path), content);
    assert.deepEqual(totals(cache.stats()), totals(before));
    assert.deepEqual(tmpFiles(), [], 'the new copy is dropped, not left in tmp/');
    // the file meta names the sender: another sender's copy differs in bytes and replaces the file
    const other = await store(cache, bytes, '1.2.3.4.5', 'OTHERPACS');
    assert.notEqual(statSync(path).ino, stored.ino);
    assert.equal(other.fileSize, readFileSync(path).length);
    assert.equal(cache.instances('1.2.3.4')[0]!.sourceAeTitle, 'OTHERPACS');
    assert.equal((await readInstanceHeader(path)).meta?.sourceAeTitle, 'OTHERPACS');
    assert.deepEqual(tmpFiles(), []);
  });

  test('a study arriving under another patient identity moves to it', async () => {
    await store(cache, dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.5', patientId: 'OLD' }), '1.2.3.4.5');
    await store(cache, dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.6', patientId: 'OLD' }), '1.2.3.4.6');
    const r = await store(cache, dataSet({ study: '1.2.3', series: '1.2.3.7', sop: '1.2.3.7.1', patientId: 'NEW' }), '1.2.3.7.1');
    assert.deepEqual(r.patientChanged, { from: { PatientID: 'OLD', IssuerOfPatientID: '' }, to: { PatientID: 'NEW', IssuerOfPatientID: '' } });
    const patients = cache.patients();
    assert.deepEqual(
      patients.map((p) => [p.PatientID, p.NumberOfPatientRelatedStudies, p.NumberOfPatientRelatedSeries, p.NumberOfPatientRelatedInstances]),
      [['NEW', 1, 2, 3]],
    );
  });
});

describe('discard and failures', () => {
  test('discard removes the temp file and indexes nothing', async () => {
    const writer = cache.createTempWriter();
    writer.stream.write(Buffer.alloc(1000));
    assert.equal(tmpFiles().length, 1);
    await writer.discard();
    await writer.discard();
    assert.deepEqual(tmpFiles(), []);
    assert.equal(cache.stats().instances, 0);
    await assert.rejects(writer.commit(), code('ECLOSED'));
  });

  test('a write error keeps its code (ENOSPC → A700 upstream)', async () => {
    const writer = cache.createTempWriter();
    writer.stream.destroy(Object.assign(new Error('No space left on device'), { code: 'ENOSPC' }));
    const e = await writer.commit().then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof CacheError && e.code === 'ENOSPC', String(e));
    assert.equal(isOutOfSpace(e), true);
    assert.deepEqual(tmpFiles(), []);
  });

  test('a data set whose SOP Instance UID is not the announced one is refused (EMISMATCH)', async () => {
    const bytes = dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.5' });
    await assert.rejects(store(cache, bytes, '1.2.3.4.999'), code('EMISMATCH'));
    assert.deepEqual(tmpFiles(), []);
    assert.equal(existsSync(join(dir, 'files', '1.2.3')), false);
  });

  test('bytes that are not a DICOM instance are refused (EINVALID)', async () => {
    const writer = cache.createTempWriter();
    await pipeline(Readable.from([Buffer.from('this is not DICOM at all, just text '.repeat(20))]), writer.stream);
    await assert.rejects(writer.commit(), code('EINVALID'));
    const noStudy = cache.createTempWriter({ meta: { sopClassUid: SC, sopInstanceUid: '1.2', transferSyntaxUid: EXPLICIT_LE } });
    const ds: DataSet = new Map();
    setString(ds, 0x00080018, 'UI', '1.2');
    await pipeline(Readable.from([Buffer.from(encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN))]), noStudy.stream);
    await assert.rejects(noStudy.commit(), (e: unknown) => e instanceof CacheError && e.code === 'EINVALID' && /Study Instance UID/.test(e.message));
    assert.deepEqual(tmpFiles(), []);
  });

  test('over the quota: EQUOTA, nothing stored', async () => {
    const first = await store(cache, dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.5' }), '1.2.3.4.5');
    const maxBytes = Math.floor(first.fileSize * 1.5);
    await cache.close();
    cache = await Cache.open(dir, { maxBytes });
    const e = await store(cache, dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.6' }), '1.2.3.4.6').then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof CacheError && e.code === 'EQUOTA', String(e));
    assert.equal(isOutOfSpace(e), true);
    assert.equal(cache.stats().instances, 1);
    assert.equal(cache.stats().maxBytes, maxBytes);
    const dup = await store(cache, dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.5' }), '1.2.3.4.5');
    assert.equal(dup.duplicate, true, 'replacing a stored instance counts only the difference');
  });
});

describe('paths, touch and deletes', () => {
  test('UIDs that are not valid become hashed path components: no traversal', () => {
    assert.equal(uidPathComponent('1.2.840.10008'), '1.2.840.10008');
    for (const bad of ['../../etc/passwd', '..', '.', '1..2', '1.2/3', 'C:\\x', '']) {
      const c = uidPathComponent(bad);
      assert.match(c, /^h-[0-9a-f]{40}$/, bad);
    }
    assert.notEqual(uidPathComponent('a'), uidPathComponent('b'));
    assert.equal(
      instanceFilePath({ study: { StudyInstanceUID: '..' }, series: { SeriesInstanceUID: '1.2' }, instance: { SOPInstanceUID: '1.3', SOPClassUID: SC } }),
      `files/${uidPathComponent('..')}/1.2/1.3.dcm`,
    );
  });

  test('touch, deleteSeries and deleteStudy (rows, files, empty folders, counts)', async () => {
    await store(cache, dataSet({ study: '1.2.3', series: '1.2.3.4', sop: '1.2.3.4.5', modality: 'CT' }), '1.2.3.4.5');
    await store(cache, dataSet({ study: '1.2.3', series: '1.2.3.7', sop: '1.2.3.7.1', modality: 'MR' }), '1.2.3.7.1');
    await store(cache, dataSet({ study: '1.2.9', series: '1.2.9.1', sop: '1.2.9.1.1', patientId: 'OTHER' }), '1.2.9.1.1');
    const before = cache.study('1.2.3')!.lastAccessedAt;
    assert.equal(cache.touch(['1.2.3', '7.7']), 1);
    assert.ok(cache.study('1.2.3')!.lastAccessedAt >= before);
    assert.equal(await cache.deleteSeries('1.2.3.7'), true);
    assert.equal(existsSync(join(dir, 'files', '1.2.3', '1.2.3.7')), false);
    assert.deepEqual(cache.study('1.2.3')!.ModalitiesInStudy, ['CT']);
    assert.equal(cache.study('1.2.3')!.NumberOfStudyRelatedSeries, 1);
    assert.equal(await cache.deleteStudy('1.2.3'), true);
    assert.equal(await cache.deleteStudy('1.2.3'), false);
    assert.equal(existsSync(join(dir, 'files', '1.2.3')), false);
    assert.deepEqual(
      cache.patients().map((p) => p.PatientID),
      ['OTHER'],
      'a patient left without studies is removed',
    );
    assert.equal(cache.stats().instances, 1);
  });
});
