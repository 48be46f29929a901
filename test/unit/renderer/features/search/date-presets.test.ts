import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { daysBefore, dicomDate, parseInputDate, studyDateRange } from '../../../../../renderer/src/features/search/date-presets.js';

// Local calendar days: 2024-03-01 follows a leap day.
const today = new Date(2024, 2, 1, 15, 30);

describe('renderer date presets → DICOM date ranges (PS3.4 C.2.2.2.5)', () => {
  test('dicomDate pads and uses local days', () => {
    assert.equal(dicomDate(new Date(2024, 0, 5, 23, 59)), '20240105');
    assert.equal(dicomDate(new Date(987, 11, 31)), '09871231');
  });

  test('daysBefore crosses month and leap day', () => {
    assert.equal(dicomDate(daysBefore(today, 1)), '20240229');
    assert.equal(dicomDate(daysBefore(new Date(2023, 2, 1), 1)), '20230228');
    assert.equal(dicomDate(daysBefore(new Date(2024, 0, 1), 1)), '20231231');
  });

  test('presets', () => {
    assert.deepEqual(studyDateRange('any', today), { ok: true, value: '' });
    assert.deepEqual(studyDateRange('today', today), { ok: true, value: '20240301' });
    assert.deepEqual(studyDateRange('yesterday', today), { ok: true, value: '20240229' });
    assert.deepEqual(studyDateRange('last7', today), { ok: true, value: '20240224-20240301' });
    assert.deepEqual(studyDateRange('last30', today), { ok: true, value: '20240201-20240301' });
  });

  test('custom ranges: closed, open ends, single day, empty', () => {
    assert.deepEqual(studyDateRange('custom', today, { from: '2023-01-01', to: '2023-12-31' }), { ok: true, value: '20230101-20231231' });
    assert.deepEqual(studyDateRange('custom', today, { from: '2023-01-01' }), { ok: true, value: '20230101-' });
    assert.deepEqual(studyDateRange('custom', today, { to: '20231231' }), { ok: true, value: '-20231231' });
    assert.deepEqual(studyDateRange('custom', today, { from: '2023-05-05', to: '2023-05-05' }), { ok: true, value: '20230505' });
    assert.deepEqual(studyDateRange('custom', today, { from: ' ', to: '' }), { ok: true, value: '' });
  });

  test('custom ranges: errors are sentences', () => {
    const reversed = studyDateRange('custom', today, { from: '2024-02-01', to: '2024-01-01' });
    assert.equal(reversed.ok, false);
    assert.match(!reversed.ok ? reversed.error : '', /start date comes after the end date/);
    const bad = studyDateRange('custom', today, { from: '01/02/2024' });
    assert.match(!bad.ok ? bad.error : '', /not a date: write it as YYYY-MM-DD/);
    const missing = studyDateRange('custom', today, { to: '2023-02-29' });
    assert.match(!missing.ok ? missing.error : '', /does not exist/);
  });

  test('parseInputDate accepts both spellings', () => {
    assert.equal(parseInputDate('2024-02-29', 'x'), '20240229');
    assert.equal(parseInputDate('20240229', 'x'), '20240229');
    assert.equal(parseInputDate('', 'x'), undefined);
    assert.throws(() => parseInputDate('2024-13-01', 'start'), /start date "2024-13-01" does not exist/);
  });
});
