import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInstanceHeader } from '../../../../electron/cache/index.js';
import { findTruncation } from '../../../../electron/cache/completeness.js';
import { PYDICOM_DATA } from '../../../helpers/pydicom.js';

const files = join(PYDICOM_DATA, 'test_files');
const work = mkdtempSync(join(tmpdir(), 'priors-completeness-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

async function verdict(path: string): Promise<string | undefined> {
  return findTruncation(path, await readInstanceHeader(path), statSync(path).size);
}

// Native and encapsulated pixel data, little and big endian, explicit and implicit VR.
for (const name of ['CT_small.dcm', 'MR_small_bigendian.dcm', 'MR_small_implicit.dcm', 'JPEG2000.dcm', 'SC_rgb_rle.dcm', 'JPEG-lossy.dcm']) {
  test(`${name}: whole file is complete; cut inside its pixel data it is not`, async () => {
    const whole = join(work, `whole-${name}`);
    copyFileSync(join(files, name), whole);
    assert.equal(await verdict(whole), undefined);
    const cut = join(work, `cut-${name}`);
    copyFileSync(whole, cut);
    truncateSync(cut, statSync(whole).size - 100);
    assert.match((await verdict(cut)) ?? '', /file ends at byte/);
  });
}

test('a file cut inside the header before Pixel Data is reported as such', async () => {
  const cut = join(work, 'cut-header.dcm');
  writeFileSync(cut, readFileSync(join(files, 'CT_small.dcm')).subarray(0, 700));
  assert.match((await verdict(cut)) ?? '', /ends inside the data set, before Pixel Data/);
});
