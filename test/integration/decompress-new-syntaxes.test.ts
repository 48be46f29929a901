// HTJ2K Lossless written by another implementation (OpenJPH's ojph_compress, wrapped by
// test/helpers/encaps_copy.py), and Encapsulated Uncompressed, decompress on the way out to
// exactly the pixels they were made from: a 12-bit CT series and pydicom's signed 16-bit MR.
// DCMTK and GDCM in Debian read neither syntax, so the source's own pixels are the reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { decodeDataSet, encodingOf } from '../../shared/dicom/codec.js';
import { readInstanceHeaderSync } from '../../electron/cache/header.js';
import { outgoingTranscoder } from '../../electron/services/transcode/index.js';
import { compressedCopies, COPY_CODECS, generateCtSeries } from '../helpers/data.js';
import { PYDICOM_DATA, pydicomAvailable } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';

const ELE = '1.2.840.10008.1.2.1';

function instance(path: string) {
  const h = readInstanceHeaderSync(path);
  return {
    sopClassUid: h.fields.instance.SOPClassUID,
    sopInstanceUid: h.fields.instance.SOPInstanceUID,
    transferSyntaxUid: h.transferSyntaxUid,
    path,
    dataSetOffset: h.dataSetOffset,
    dataSetLength: statSync(path).size - h.dataSetOffset,
  };
}

/** Pixel Data (and Bits Stored) of a native file or a converted data set. */
function pixelsOf(bytes: Uint8Array, transferSyntaxUid: string): { pixels: Buffer; bitsStored: number } {
  const { dataSet } = decodeDataSet(bytes, encodingOf(transferSyntaxUid));
  return { pixels: Buffer.from(dataSet.get(0x7fe00010)!.value as Uint8Array), bitsStored: (dataSet.get(0x00280101)!.value as number[])[0]! };
}

for (const codec of ['htj2k-lossless', 'encapsulated-uncompressed'] as const)
  test(`${codec} decompresses to the source pixels`, { skip: !pydicomAvailable() && 'pydicom is not installed' }, async () => {
    const ct = await generateCtSeries({ count: 3, rows: 64, cols: 96, patientId: 'HT-1', seed: 97 });
    const mrDir = tempDir('htj2k-mr');
    mkdirSync(mrDir, { recursive: true });
    execFileSync('cp', [join(PYDICOM_DATA, 'test_files', 'MR_small.dcm'), join(mrDir, 'MR_small.dcm')]);
    const sources = [...ct.files, join(mrDir, 'MR_small.dcm')];
    const copies = [...(await compressedCopies(ct.dir, [codec]))[codec]!.files, ...(await compressedCopies(mrDir, [codec]))[codec]!.files];
    assert.equal(copies.length, sources.length);
    for (const copy of copies) {
      const source = sources.find((s) => basename(s) === basename(copy))!;
      const h = readInstanceHeaderSync(source);
      const want = pixelsOf(readFileSync(source).subarray(h.dataSetOffset), h.transferSyntaxUid);
      const from = instance(copy);
      assert.equal(from.transferSyntaxUid, COPY_CODECS[codec].transferSyntaxUid);
      const out = await outgoingTranscoder().convert(from, ELE);
      assert.ok(!('reason' in out), `${copy}: ${'reason' in out ? out.reason : ''}`);
      const got = pixelsOf(await buffer(out), ELE);
      assert.equal(got.pixels.length, want.pixels.length, basename(copy));
      assert.ok(got.pixels.equals(want.pixels), `${basename(copy)}: pixels differ from the source's`);
    }
  });
