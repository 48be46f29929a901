import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateConformance, SCP_STATUSES } from '../../../scripts/conformance.js';
import { GENERAL_STATUSES, STATUS_TABLES } from '../../../shared/dicom/status.js';
import { STORAGE_SOP_CLASSES } from '../../../shared/dicom/uids.js';
import { STOW_FAILURE_REASONS } from '../../../electron/services/dicomweb/stow-answer.js';

test('docs/conformance.md is what the code tables generate (run `npm run conformance` after changing them)', () => {
  const committed = readFileSync(new URL('../../../docs/conformance.md', import.meta.url), 'utf8');
  assert.equal(committed, generateConformance());
});

test("every status the conformance statement lists as returned is in that service's PS3.4 table", () => {
  for (const [service, codes] of Object.entries(SCP_STATUSES)) {
    const entries = STATUS_TABLES[service as keyof typeof STATUS_TABLES].entries;
    for (const code of codes) {
      assert.ok(
        entries.some((e) => code >= e.from && code <= e.to),
        `${service} ${code.toString(16)}`,
      );
    }
  }
});

test('the statement lists every storage SOP class UID of the code', () => {
  const doc = generateConformance();
  for (const s of STORAGE_SOP_CLASSES) assert.ok(doc.includes(`| ${s.uid} |`), s.uid);
});

test('the DICOMweb section: every STOW-RS Failure Reason is a C-STORE status (PS3.4 B.2.3, PS3.7 Annex C), every QIDO-RS level is listed', () => {
  const store = [...STATUS_TABLES.store.entries, ...GENERAL_STATUSES];
  for (const [code] of STOW_FAILURE_REASONS)
    assert.ok(
      store.some((e) => code >= e.from && code <= e.to),
      code.toString(16),
    );
  const doc = generateConformance();
  assert.match(doc, /## 6\. DICOMweb \(PS3\.18\)/);
  for (const [level, uid] of [
    ['Study', 'StudyInstanceUID'],
    ['Series', 'SeriesInstanceUID'],
    ['Instance', 'SOPInstanceUID'],
  ]) {
    assert.match(doc, new RegExp(`^\\| ${level} \\| .*${uid}`, 'm'));
  }
  for (const [code] of STOW_FAILURE_REASONS) assert.ok(doc.includes(`| 0x${code.toString(16).toUpperCase().padStart(4, '0')} |`), code.toString(16));
});
