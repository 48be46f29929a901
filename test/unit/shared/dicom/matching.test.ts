import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MATCHING_TYPES,
  WILD_CARD_VRS,
  matchesDateTimeRange,
  matchesKey,
  matchingTypesFor,
  parseRange,
  wildcardToRegExp,
} from '../../../../shared/dicom/matching.js';

describe('Single Value Matching, PS3.4 C.2.2.2.1', () => {
  test('C.2.2.2.1: only values that match exactly match', () => {
    assert.equal(matchesKey('LO', '12345', '12345'), true);
    assert.equal(matchesKey('LO', '12345', '123456'), false);
    assert.equal(matchesKey('SH', 'ACC1', ['ACC1']), true);
  });

  test('C.2.2.2.1: matching is case sensitive except for PN', () => {
    assert.equal(matchesKey('CS', 'ct', 'CT'), false);
    assert.equal(matchesKey('LO', 'Chest', 'CHEST'), false);
  });

  test('C.2.2.2.1: PN may be matched literally or insensitive to case (caseInsensitivePN)', () => {
    assert.equal(matchesKey('PN', 'doe^john', 'DOE^JOHN'), false);
    assert.equal(matchesKey('PN', 'doe^john', 'DOE^JOHN', { caseInsensitivePN: true }), true);
    assert.equal(matchesKey('PN', 'DOE^JOHN', 'DOE^JOHN'), true);
  });

  test('PS3.5 §6.2.1: trailing empty PN components and groups do not change the name', () => {
    assert.equal(matchesKey('PN', 'DOE^JOHN', 'DOE^JOHN^^^'), true);
    assert.equal(matchesKey('PN', 'DOE^JOHN^^', 'DOE^JOHN=='), true);
  });

  test('PS3.5 §6.2.1: a key of one component group matches any group of a multi-group name', () => {
    assert.equal(matchesKey('PN', 'Yamada^Tarou', 'Yamada^Tarou=山田^太郎=やまだ^たろう'), true);
    assert.equal(matchesKey('PN', '山田^太郎', 'Yamada^Tarou=山田^太郎=やまだ^たろう'), true);
    assert.equal(matchesKey('PN', 'Yamada^Tarou=山田^太郎', 'Yamada^Tarou=山田^太郎=やまだ^たろう'), false);
  });

  test('PS3.5 §6.2: leading and trailing spaces are not significant (UI padding is NUL)', () => {
    assert.equal(matchesKey('SH', ' ACC1 ', 'ACC1'), true);
    assert.equal(matchesKey('UI', '1.2.3', '1.2.3\0'), true);
  });

  test('C.2.2.2.1 (CP-2305): IS and DS match by the number they spell (implementation dependent)', () => {
    assert.equal(matchesKey('IS', '7', '007'), true);
    assert.equal(matchesKey('IS', '7', '+7'), true);
    assert.equal(matchesKey('DS', '1.50', '1.5'), true);
    assert.equal(matchesKey('IS', '7', '8'), false);
  });

  test('C.2.2.2.1: an entity without a value does not match a single value', () => {
    assert.equal(matchesKey('LO', 'X', undefined), false);
    assert.equal(matchesKey('LO', 'X', ''), false);
    assert.equal(matchesKey('LO', 'X', []), false);
  });

  test('C.2.2.3: a multi-valued attribute matches when one of its values matches', () => {
    assert.equal(matchesKey('CS', 'MR', ['CT', 'MR']), true);
    assert.equal(matchesKey('CS', 'MR', 'CT\\MR'), true);
    assert.equal(matchesKey('CS', 'PT', ['CT', 'MR']), false);
  });
});

describe('List of UID Matching, PS3.4 C.2.2.2.2', () => {
  test('C.2.2.2.2: a list of UIDs matches an entity whose UID is any one of them', () => {
    assert.equal(matchesKey('UI', ['1.2.3', '1.2.4'], '1.2.4'), true);
    assert.equal(matchesKey('UI', '1.2.3\\1.2.4', '1.2.3'), true);
    assert.equal(matchesKey('UI', '1.2.3\\1.2.4', '1.2.5'), false);
  });

  test('C.2.2.2.4: UI is not a wild card VR, so "*" in a UID key is literal', () => {
    assert.equal(matchesKey('UI', '1.2.*', '1.2.3'), false);
  });
});

describe('Universal Matching, PS3.4 C.2.2.2.3', () => {
  test('C.2.2.2.3: a zero-length key matches every entity, with or without a value', () => {
    for (const vr of ['PN', 'DA', 'UI', 'CS', 'IS'] as const) {
      assert.equal(matchesKey(vr, '', 'anything'), true, vr);
      assert.equal(matchesKey(vr, [], undefined), true, vr);
    }
  });
});

describe('Wild Card Matching, PS3.4 C.2.2.2.4', () => {
  test('C.2.2.2.4: "*" matches any sequence of characters, including a zero-length one', () => {
    assert.equal(matchesKey('PN', 'DOE*', 'DOE^JOHN'), true);
    assert.equal(matchesKey('PN', 'DOE*', 'DOE'), true);
    assert.equal(matchesKey('LO', '*ABC*', 'xxABCyy'), true);
    assert.equal(matchesKey('PN', 'DOE*', 'SMITH^DOE'), false);
  });

  test('C.2.2.2.4: "?" matches exactly one character', () => {
    assert.equal(matchesKey('SH', 'A?C', 'ABC'), true);
    assert.equal(matchesKey('SH', 'A?C', 'AC'), false);
    assert.equal(matchesKey('SH', 'A?C', 'ABBC'), false);
  });

  test('C.2.2.2.4: "*" alone is equivalent to Universal Matching', () => {
    assert.equal(matchesKey('PN', '*', undefined), true);
    assert.equal(matchesKey('LO', '*', ''), true);
  });

  test('C.2.2.2.4: case sensitive except for PN', () => {
    assert.equal(matchesKey('LO', 'chest*', 'CHEST PA'), false);
    assert.equal(matchesKey('PN', 'doe*', 'DOE^JOHN', { caseInsensitivePN: true }), true);
  });

  test('C.2.2.2.4: only AE, CS, LO, LT, PN, SH, ST, UC, UR and UT have Wild Card Matching', () => {
    assert.deepEqual([...WILD_CARD_VRS].sort(), ['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
    assert.equal(matchesKey('IS', '1*', '12'), false);
    assert.ok(matchingTypesFor('PN').includes('wild-card'));
    assert.ok(!matchingTypesFor('UI').includes('wild-card'));
  });

  test('wildcardToRegExp: other characters, regular-expression ones included, are literal', () => {
    assert.equal(wildcardToRegExp('A.B*').test('A.Bxyz'), true);
    assert.equal(wildcardToRegExp('A.B*').test('AxBxyz'), false);
    assert.equal(wildcardToRegExp('(x)[1]+?').test('(x)[1]+!'), true);
    assert.equal(wildcardToRegExp('^D\\E$').test('^D\\E$'), true);
    assert.equal(wildcardToRegExp('doe', { caseInsensitive: true }).test('DOE'), true);
    assert.equal(wildcardToRegExp('?').test('山'), true, '"?" is one character, not one UTF-16 unit');
  });
});

describe('Range Matching, PS3.4 C.2.2.2.5', () => {
  test('C.2.2.2.5: "<date1>-<date2>" matches dates between them, inclusive', () => {
    assert.equal(matchesKey('DA', '20200101-20201231', '20200101'), true);
    assert.equal(matchesKey('DA', '20200101-20201231', '20201231'), true);
    assert.equal(matchesKey('DA', '20200101-20201231', '20210101'), false);
    assert.equal(matchesKey('DA', '20200101-20201231', '20191231'), false);
  });

  test('C.2.2.2.5: "-<date1>" matches dates up to and including it; "<date1>-" from it on', () => {
    assert.equal(matchesKey('DA', '-20200101', '20200101'), true);
    assert.equal(matchesKey('DA', '-20200101', '19991231'), true);
    assert.equal(matchesKey('DA', '-20200101', '20200102'), false);
    assert.equal(matchesKey('DA', '20200101-', '20200101'), true);
    assert.equal(matchesKey('DA', '20200101-', '20991231'), true);
    assert.equal(matchesKey('DA', '20200101-', '20191231'), false);
  });

  test('C.2.2.2.5: <date1> shall be less than or equal to <date2>; an inverted range matches nothing', () => {
    assert.equal(matchesKey('DA', '20201231-20200101', '20200601'), false);
  });

  test('C.2.2.2.5: TM ranges, with partial times standing for their whole period (PS3.5 §6.2)', () => {
    assert.equal(matchesKey('TM', '0800-1200', '093015.5'), true);
    assert.equal(matchesKey('TM', '0800-1200', '120059'), true, '1200 as an upper bound covers the minute 12:00');
    assert.equal(matchesKey('TM', '0800-1200', '120100'), false);
    assert.equal(matchesKey('TM', '-0800', '075959.999999'), true);
    assert.equal(matchesKey('TM', '0800-', '075959'), false);
  });

  test('C.2.2.2.5: DT ranges', () => {
    assert.equal(matchesKey('DT', '20200101120000-20200101130000', '20200101123000'), true);
    assert.equal(matchesKey('DT', '20200101120000-20200101130000', '20200101130001'), false);
    assert.equal(matchesKey('DT', '2020-', '20200615'), true);
    assert.equal(matchesKey('DT', '-2019', '20200101'), false);
  });

  test('C.2.2.2.5: a DA, TM or DT key without "-" matches that date or time', () => {
    assert.equal(matchesKey('DA', '20200101', '20200101'), true);
    assert.equal(matchesKey('DA', '20200101', '20200102'), false);
    assert.equal(matchesKey('TM', '1030', '103045'), true);
    assert.equal(matchesKey('TM', '1030', '103100'), false);
  });

  test('PS3.5 §6.2: the ACR-NEMA forms YYYY.MM.DD and HH:MM:SS are read as dates and times', () => {
    assert.equal(matchesKey('DA', '20200101-20200131', '2020.01.15'), true);
    assert.equal(matchesKey('TM', '10:00-11:00', '10:30:00'), true);
  });

  test('parseRange normalizes bounds to fixed-width sortable strings', () => {
    assert.deepEqual(parseRange('20200101-20201231', 'DA'), { from: '20200101', to: '20201231' });
    assert.deepEqual(parseRange('-20200101', 'DA'), { from: undefined, to: '20200101' });
    assert.deepEqual(parseRange('20200101-', 'DA'), { from: '20200101', to: undefined });
    assert.deepEqual(parseRange('10-1130', 'TM'), { from: '100000.000000', to: '113059.999999' });
    assert.deepEqual(parseRange('1030', 'TM'), { from: '103000.000000', to: '103059.999999' });
    assert.deepEqual(parseRange('2020-202106', 'DT'), { from: '20200101000000.000000', to: '20210631235959.999999' });
  });

  test('parseRange: a DT with a UTC offset is a single value, not a range (PS3.5 §6.2 DT &ZZXX)', () => {
    assert.deepEqual(parseRange('20200101-0500', 'DT'), { from: '20200101000000.000000', to: '20200101235959.999999' });
    assert.deepEqual(parseRange('20200101120000+0100-20200102', 'DT'), { from: '20200101120000.000000', to: '20200102235959.999999' });
  });

  test('parseRange: invalid values give undefined and match nothing', () => {
    const invalid = [
      ['2020-01-01', 'DA'],
      ['2020', 'DA'],
      ['20201301', 'DA'],
      ['25', 'TM'],
      ['1261', 'TM'],
      ['1-2', 'TM'],
      ['-', 'DA'],
      ['x', 'DT'],
      ['202013', 'DT'],
      ['1030.5', 'TM'],
    ] as const;
    for (const [v, vr] of invalid) assert.equal(parseRange(v, vr), undefined, v);
    assert.equal(parseRange('20200101', 'LO'), undefined);
    assert.equal(matchesKey('DA', '2020-01-01', '20200101'), false);
  });
});

describe('Combined date and time Range Matching, PS3.4 C.2.2.2.5', () => {
  test('C.2.2.2.5: "20060705-20060707" and "1000-1800" span 10:00 on the 5th to 18:00 on the 7th', () => {
    assert.equal(matchesDateTimeRange('20060705-20060707', '1000-1800', '20060706', '0200'), true);
    assert.equal(matchesDateTimeRange('20060705-20060707', '1000-1800', '20060705', '0900'), false);
    assert.equal(matchesDateTimeRange('20060705-20060707', '1000-1800', '20060707', '1900'), false);
    assert.equal(matchesDateTimeRange('20060705-20060707', '1000-1800', '20060705', '1000'), true);
  });

  test('C.2.2.2.5: open-ended combined ranges, and a universal key leaves the other alone', () => {
    assert.equal(matchesDateTimeRange('20060705-', '1000-', '20070101', '0000'), true);
    assert.equal(matchesDateTimeRange('-20060707', '-1800', '20060707', '1801'), false);
    assert.equal(matchesDateTimeRange('', '1000-1800', '19990101', '1200'), true);
    assert.equal(matchesDateTimeRange('20060705', '', '20060705', undefined), true);
    assert.equal(matchesDateTimeRange('20060705', '1000-1800', undefined, '1200'), false);
  });
});

describe('Empty Value Matching, PS3.4 C.2.2.2.7', () => {
  test('C.2.2.2.7: a key of two QUOTATION MARK characters matches only empty or absent values', () => {
    assert.equal(matchesKey('LO', '""', undefined), true);
    assert.equal(matchesKey('LO', '""', ''), true);
    assert.equal(matchesKey('LO', '""', []), true);
    assert.equal(matchesKey('LO', '""', 'X'), false);
    assert.equal(matchesKey('DA', '""', '20200101'), false);
  });

  test('C.2.2.2.7 vs C.2.2.2.3: a zero-length key is Universal Matching, not Empty Value Matching', () => {
    assert.equal(matchesKey('LO', '', 'X'), true);
  });

  test('C.2.2.2.7: without Empty Value Matching, "" is an ordinary single value', () => {
    assert.equal(matchesKey('LO', '""', undefined, { emptyValueMatching: false }), false);
  });
});

describe('Multiple Value Matching, PS3.4 C.2.2.2.8', () => {
  test('C.2.2.2.8: negotiated, CT\\PT matches only entities with both values (logical AND)', () => {
    const opts = { multipleValueMatching: true };
    assert.equal(matchesKey('CS', 'CT\\PT', ['PT', 'CT', 'SR'], opts), true);
    assert.equal(matchesKey('CS', 'CT\\PT', ['CT', 'SR'], opts), false);
  });

  test('C.2.2.2.8 note 4: not negotiated, the semantics are undefined; Priors matches any one value', () => {
    assert.equal(matchesKey('CS', 'CT\\PT', ['CT', 'SR']), true);
    assert.equal(matchesKey('CS', ['CT', 'PT'], 'MR'), false);
  });
});

describe('Matching types, PS3.4 C.2.2.2', () => {
  test('each matching type names its section', () => {
    assert.equal(MATCHING_TYPES['single-value'].citation, 'PS3.4 C.2.2.2.1');
    assert.equal(MATCHING_TYPES['list-of-uid'].citation, 'PS3.4 C.2.2.2.2');
    assert.equal(MATCHING_TYPES.universal.citation, 'PS3.4 C.2.2.2.3');
    assert.equal(MATCHING_TYPES['wild-card'].citation, 'PS3.4 C.2.2.2.4');
    assert.equal(MATCHING_TYPES.range.citation, 'PS3.4 C.2.2.2.5');
    assert.equal(MATCHING_TYPES.sequence.citation, 'PS3.4 C.2.2.2.6');
    assert.equal(MATCHING_TYPES['empty-value'].citation, 'PS3.4 C.2.2.2.7');
    assert.equal(MATCHING_TYPES['multiple-value'].citation, 'PS3.4 C.2.2.2.8');
  });

  test('C.2.2.2.6: Sequence Matching is item by item, so an SQ key is refused with a clear error', () => {
    assert.throws(() => matchesKey('SQ', '', undefined), /VR SQ cannot be matched as text/);
    assert.deepEqual(matchingTypesFor('SQ'), ['sequence', 'universal']);
  });
});
