// The sentence an export ends with (shared/export.ts): where, how many, the pseudonyms, what was
// left out grouped by reason, and the instances with burned-in text a user allowed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportResultSentence, zipFileName, type ExportResult, type LeftOut } from '../../../shared/export.js';

const base: ExportResult = {
  location: '/media/usb/export',
  kind: 'folder',
  dicomdir: true,
  instances: 12,
  bytes: 1 << 20,
  leftOut: [],
  elapsedMs: 5,
  studies: [{ StudyInstanceUID: '1.2.3', instances: 12, PatientID: 'PID-1', pseudonym: 'ANON-ABCDEFGH', exportedStudyInstanceUID: '2.25.1' }],
};

const us = (i: number): LeftOut => ({
  SOPInstanceUID: `1.2.3.${i}`,
  StudyInstanceUID: '1.2.3',
  what: `Ultrasound Image Storage instance 1.2.3.${i}`,
  burnedIn: true,
  reason: 'Ultrasound Image Storage images usually carry burned-in text and this one does not say it has none (Burned In Annotation is absent)',
});

test('an identified export: where, how many, in which form', () => {
  assert.equal(
    exportResultSentence({ ...base, studies: [{ ...base.studies[0]!, pseudonym: undefined }] } as ExportResult),
    'Exported 12 instances of 1 study to /media/usb/export (with a DICOMDIR).',
  );
});

test('de-identified: the pseudonym, said to be generated; left-out instances grouped by reason, with how to include burned-in ones', () => {
  const r: ExportResult = {
    ...base,
    deidentified: { retainDates: false, cleanDescriptors: false, generatedPseudonym: true, allowBurnedIn: false, burnedInIncluded: 0 },
    leftOut: [us(1), us(2), us(3), us(4)],
  };
  const s = exportResultSentence(r);
  assert.match(s, /The patient is named ANON-ABCDEFGH \(generated\)\./);
  assert.match(s, /4 instances were left out: 4 because Ultrasound Image Storage images usually carry burned-in text/);
  assert.match(s, /Allow burned-in annotation to include/);
  assert.equal(s.split('Ultrasound').length, 2, 'the reason once, not once per instance');
});

test('burned-in text allowed: the instances included are counted and the user told to check them', () => {
  const r: ExportResult = {
    ...base,
    deidentified: { retainDates: true, cleanDescriptors: false, generatedPseudonym: false, allowBurnedIn: true, burnedInIncluded: 3 },
  };
  assert.match(exportResultSentence(r), /3 instances that may show burned-in text were included as asked: check their pixels/);
});

test('nothing exported says so; the ZIP name carries the local date and time', () => {
  assert.match(exportResultSentence({ ...base, instances: 0, leftOut: [us(1)] }), /^Nothing was exported to \/media\/usb\/export\./);
  assert.equal(zipFileName(new Date(2024, 0, 15, 9, 5, 7)), 'priors-export-20240115-090507.zip');
});
