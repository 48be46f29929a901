// The Export dialog's form (renderer/src/features/local/export-form.ts): what it asks
// `cache.export` for, and the sentence when something is missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportProgressLine, exportRequestOf, newExportForm } from '../../../../../renderer/src/features/local/export-form.js';

test('a new form: every study ticked, a medium with a DICOMDIR in a folder, identified', () => {
  const f = newExportForm(['1.2.3', '1.2.4']);
  assert.deepEqual(exportRequestOf({ ...f, out: ' /media/usb/export ' }), {
    request: { studies: ['1.2.3', '1.2.4'], out: '/media/usb/export', dicomdir: true },
  });
});

test('de-identified: the pseudonym when given (generated when empty) and only the options ticked', () => {
  const f = { ...newExportForm(['1.2.3']), out: '~/x.zip', zip: true, dicomdir: false, deidentify: true };
  assert.deepEqual(exportRequestOf(f), { request: { studies: ['1.2.3'], out: '~/x.zip', zip: true, deidentify: {} } });
  assert.deepEqual(exportRequestOf({ ...f, pseudonym: ' SUBJECT-7 ', retainDates: true, allowBurnedIn: true }), {
    request: { studies: ['1.2.3'], out: '~/x.zip', zip: true, deidentify: { pseudonym: 'SUBJECT-7', retainDates: true, allowBurnedIn: true } },
  });
  // options of de-identification are not sent when it is off
  assert.deepEqual(exportRequestOf({ ...f, deidentify: false, pseudonym: 'X', cleanDescriptors: true }), {
    request: { studies: ['1.2.3'], out: '~/x.zip', zip: true },
  });
});

test('what to fix: no study ticked, no destination, a pseudonym beyond ASCII', () => {
  const f = newExportForm(['1.2.3']);
  assert.deepEqual(exportRequestOf({ ...f, studies: [], out: '/x' }), { problem: 'Tick at least one study to export.' });
  assert.match((exportRequestOf(f) as { problem: string }).problem, /new or empty folder/);
  assert.match((exportRequestOf({ ...f, zip: true }) as { problem: string }).problem, /ZIP file/);
  assert.match((exportRequestOf({ ...f, out: '/x', deidentify: true, pseudonym: 'Müller' }) as { problem: string }).problem, /ASCII/);
  assert.equal(exportProgressLine({ done: 40, total: 120, leftOut: 2 }), 'Exporting… 40 / 120 (2 left out)');
});
