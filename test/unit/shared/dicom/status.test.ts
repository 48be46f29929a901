import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GENERAL_STATUSES, STATUS_TABLES, Status, type DimseService, describeStatus, formatStatus, statusCategory } from '../../../../shared/dicom/status.js';

describe('Status Classes, PS3.7 Annex C', () => {
  test('PS3.7 Annex C: Success is 0000', () => {
    assert.equal(statusCategory(0x0000), 'success');
    assert.equal(Status.Success, 0x0000);
  });

  test('PS3.7 Annex C: Pending is FF00 and FF01', () => {
    assert.equal(statusCategory(0xff00), 'pending');
    assert.equal(statusCategory(0xff01), 'pending');
    assert.deepEqual([Status.Pending, Status.PendingWarning], [0xff00, 0xff01]);
  });

  test('PS3.7 Annex C: Cancel is FE00', () => {
    assert.equal(statusCategory(0xfe00), 'cancel');
    assert.equal(Status.Cancel, 0xfe00);
  });

  test('PS3.7 Annex C: Warning is 0001, Bxxx, 0107 and 0116', () => {
    for (const s of [0x0001, 0xb000, 0xb006, 0xb007, 0xbfff, 0x0107, 0x0116]) assert.equal(statusCategory(s), 'warning', formatStatus(s));
  });

  test('PS3.7 Annex C: Failure is Axxx, Cxxx, 01xx except 0107 and 0116, and 02xx', () => {
    for (const s of [0xa000, 0xa700, 0xa801, 0xafff, 0xc000, 0xcfff, 0x0105, 0x0110, 0x0122, 0x01ff, 0x0210, 0x0213]) {
      assert.equal(statusCategory(s), 'failure', formatStatus(s));
    }
  });

  test('PS3.7 Annex C: values outside the convention may not be used; Priors counts them as failures', () => {
    for (const s of [0x0002, 0x5000, 0xd000, 0xff02, -1, 0x10000, 1.5, Number.NaN]) assert.equal(statusCategory(s), 'failure', String(s));
  });
});

describe('Status tables, one per service', () => {
  test('each table cites its section and each entry agrees with the Status Class of PS3.7 Annex C', () => {
    const citations: Record<DimseService, RegExp> = {
      echo: /PS3\.7 9\.1\.5/,
      store: /PS3\.4 B\.2\.3/,
      find: /PS3\.4 C\.4\.1\.1\.4/,
      move: /PS3\.4 C\.4\.2\.1\.5/,
      get: /PS3\.4 C\.4\.3\.1\.4/,
    };
    for (const [service, table] of Object.entries(STATUS_TABLES) as [DimseService, (typeof STATUS_TABLES)[DimseService]][]) {
      assert.equal(table.service, service);
      assert.match(table.citation, citations[service]);
      for (const e of [...table.entries, ...GENERAL_STATUSES]) {
        assert.ok(e.from <= e.to && e.name && e.meaning, `${service} ${formatStatus(e.from)}`);
        assert.equal(statusCategory(e.from), e.category, `${service} ${formatStatus(e.from)}`);
        assert.equal(statusCategory(e.to), e.category, `${service} ${formatStatus(e.to)}`);
      }
      const sorted = [...table.entries].sort((a, b) => a.from - b.from);
      for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1]!.to < sorted[i]!.from, `${service}: entries overlap`);
    }
  });

  test('PS3.4 B.2.3 C-STORE: A700-A7FF Refused: Out of Resources', () => {
    for (const s of [0xa700, 0xa7ff]) assert.deepEqual(pick(describeStatus('store', s)), ['failure', 'Refused: Out of Resources']);
  });

  test('PS3.4 B.2.3 C-STORE: A900-A9FF Data Set does not match SOP Class; C000-CFFF Cannot understand', () => {
    assert.deepEqual(pick(describeStatus('store', 0xa9ff)), ['failure', 'Error: Data Set does not match SOP Class']);
    assert.deepEqual(pick(describeStatus('store', 0xc123)), ['failure', 'Error: Cannot understand']);
  });

  test('PS3.4 B.2.3 C-STORE: warnings B000 coercion, B007 data set does not match, B006 elements discarded', () => {
    assert.deepEqual(pick(describeStatus('store', 0xb000)), ['warning', 'Coercion of Data Elements']);
    assert.deepEqual(pick(describeStatus('store', 0xb007)), ['warning', 'Data Set does not match SOP Class']);
    assert.deepEqual(pick(describeStatus('store', 0xb006)), ['warning', 'Elements Discarded']);
  });

  test('PS3.4 C.4.1.1.4 C-FIND: A700, A900, C000-CFFF, FE00, FF00, FF01', () => {
    assert.deepEqual(pick(describeStatus('find', 0xa700)), ['failure', 'Refused: Out of Resources']);
    assert.deepEqual(pick(describeStatus('find', 0xa900)), ['failure', 'Identifier does not match SOP Class']);
    assert.deepEqual(pick(describeStatus('find', 0xcabc)), ['failure', 'Unable to process']);
    assert.deepEqual(pick(describeStatus('find', 0xfe00)), ['cancel', 'Matching terminated due to Cancel request']);
    assert.deepEqual(pick(describeStatus('find', 0xff00)), ['pending', 'Matches are continuing']);
    assert.match(describeStatus('find', 0xff01).meaning, /Optional Keys were not supported/);
    assert.match(describeStatus('find', 0x0000).meaning, /no final identifier/);
  });

  test('PS3.4 C.4.2.1.5 C-MOVE: A701, A702, A801, A900, C000-CFFF, FE00, B000, FF00', () => {
    assert.match(describeStatus('move', 0xa701).name, /Unable to calculate number of matches/);
    assert.match(describeStatus('move', 0xa702).name, /Unable to perform sub-operations/);
    assert.deepEqual(pick(describeStatus('move', 0xa801)), ['failure', 'Refused: Move Destination unknown']);
    assert.deepEqual(pick(describeStatus('move', 0xa900)), ['failure', 'Identifier does not match SOP Class']);
    assert.deepEqual(pick(describeStatus('move', 0xc001)), ['failure', 'Unable to process']);
    assert.deepEqual(pick(describeStatus('move', 0xfe00)), ['cancel', 'Sub-operations terminated due to Cancel Indication']);
    assert.deepEqual(pick(describeStatus('move', 0xb000)), ['warning', 'Sub-operations Complete - One or more Failures']);
    assert.deepEqual(pick(describeStatus('move', 0xff00)), ['pending', 'Sub-operations are continuing']);
  });

  test('PS3.4 C.4.3.1.4 C-GET: B000 counts failures or warnings; A801 is not a C-GET status', () => {
    assert.deepEqual(pick(describeStatus('get', 0xb000)), ['warning', 'Sub-operations Complete - One or more Failures or Warnings']);
    assert.deepEqual(pick(describeStatus('get', 0xa702)), ['failure', 'Refused: Out of Resources - Unable to perform sub-operations']);
    const a801 = describeStatus('get', 0xa801);
    assert.equal(a801.category, 'failure');
    assert.match(a801.name, /^Unknown failure status 0xA801$/);
    assert.match(a801.meaning, /not defined for C-GET/);
  });

  test('PS3.7 9.1.5 C-ECHO: Success, and the general statuses such as 0122 SOP Class not supported', () => {
    assert.deepEqual(pick(describeStatus('echo', 0x0000)), ['success', 'Success']);
    assert.deepEqual(pick(describeStatus('echo', 0x0122)), ['failure', 'Refused: SOP Class not supported']);
  });

  test('PS3.7 Annex C: general statuses apply to every service', () => {
    const expected: [number, string][] = [
      [0x0105, 'No such attribute'],
      [0x0106, 'Invalid attribute value'],
      [0x0110, 'Processing failure'],
      [0x0111, 'Duplicate SOP Instance'],
      [0x0112, 'No such SOP Instance'],
      [0x0117, 'Invalid object instance'],
      [0x0122, 'Refused: SOP Class not supported'],
      [0x0124, 'Refused: Not authorized'],
      [0x0210, 'Duplicate invocation'],
      [0x0211, 'Unrecognized operation'],
      [0x0212, 'Mistyped argument'],
      [0x0213, 'Resource limitation'],
    ];
    for (const service of ['store', 'find', 'move'] as const) {
      for (const [code, name] of expected) assert.deepEqual(pick(describeStatus(service, code)), ['failure', name], formatStatus(code));
    }
    assert.deepEqual(pick(describeStatus('find', 0x0107)), ['warning', 'Attribute list error']);
  });

  test('Status constants carry the values of the tables', () => {
    assert.equal(Status.MoveDestinationUnknown, 0xa801);
    assert.equal(Status.IdentifierDoesNotMatchSOPClass, 0xa900);
    assert.equal(Status.OutOfResourcesUnableToCalculateNumberOfMatches, 0xa701);
    assert.equal(Status.OutOfResourcesUnableToPerformSubOperations, 0xa702);
    assert.equal(Status.SubOperationsCompleteWithFailures, 0xb000);
    assert.equal(Status.ElementsDiscarded, 0xb006);
    assert.equal(Status.DataSetDoesNotMatchSOPClassWarning, 0xb007);
    assert.equal(Status.SOPClassNotSupported, 0x0122);
  });
});

describe('formatStatus', () => {
  test('prints four upper-case hexadecimal digits as the standard does', () => {
    assert.equal(formatStatus(0xa801), '0xA801');
    assert.equal(formatStatus(0), '0x0000');
    assert.equal(formatStatus(0xff01), '0xFF01');
  });

  test('a value that is not a 16-bit status is printed as it is', () => {
    assert.equal(formatStatus(70000), '70000');
    assert.equal(describeStatus('find', 70000).category, 'failure');
    assert.match(describeStatus('find', 70000).meaning, /not a 16-bit status value/);
  });
});

function pick(d: { category: string; name: string }): [string, string] {
  return [d.category, d.name];
}
