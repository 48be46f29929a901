import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, explain, type FailureDescription } from '../../../shared/diagnostics.js';

/** One sentence: capital first letter, exactly one final period, no line breaks. */
function assertOneSentence(s: string): void {
  assert.match(s, /^[A-Z"]/, s);
  assert.match(s, /[^.]\.$/, s);
  assert.doesNotMatch(s, /\n/, s);
}

const peer = { calledAeTitle: 'ORTHANC', host: '10.0.0.5', port: 4242 };
const rj = (result: number, source: number, reason: number): FailureDescription => ({
  kind: 'rejected',
  result,
  source,
  reason,
  callingAeTitle: 'PRIORS',
  ...peer,
  localHost: '10.0.0.9',
  localPort: 11112,
});

describe('A-ASSOCIATE-RJ reasons (PS3.8 Table 9-21)', () => {
  test('calling AE title not recognized names the title to add and where we are', () => {
    assert.equal(explain(rj(1, 1, 3)), 'PACS ORTHANC does not accept calling AE title PRIORS: add PRIORS (10.0.0.9:11112) to its list of known nodes.');
    assert.equal(diagnose(rj(1, 1, 3)).code, 'calling-ae-not-recognized');
    const noLocal = explain({ kind: 'rejected', result: 1, source: 1, reason: 3, callingAeTitle: 'PRIORS', calledAeTitle: 'X' });
    assert.equal(noLocal, 'PACS X does not accept calling AE title PRIORS: add PRIORS (this workstation) to its list of known nodes.');
  });
  test('called AE title not recognized', () => {
    assert.equal(explain(rj(1, 1, 7)), 'The node at 10.0.0.5:4242 is not AE title ORTHANC: check the called AE title.');
    assert.equal(diagnose(rj(1, 1, 7)).code, 'called-ae-not-recognized');
  });
  test('every other reason gets its own sentence', () => {
    const cases: [number, number, number, string, RegExp][] = [
      [
        1,
        1,
        1,
        'rejected-no-reason',
        /refused the association without giving a reason: check that it knows calling AE title PRIORS and that ORTHANC is its AE title/,
      ],
      [2, 1, 1, 'rejected-no-reason', /refused the association for now without giving a reason/],
      [1, 1, 2, 'application-context-not-supported', /does not support the DICOM application context: check that port 4242 is a DICOM port/],
      [1, 2, 1, 'rejected-by-acse', /refused the association in its DICOM protocol layer/],
      [1, 2, 2, 'protocol-version-not-supported', /does not support DICOM upper layer protocol version 1/],
      [2, 3, 1, 'temporary-congestion', /is temporarily congested: try again in a moment/],
      [2, 3, 2, 'local-limit-exceeded', /has reached its limit of simultaneous associations: try again later or raise its limit/],
      [1, 1, 9, 'rejected', /\(result 1, source 1, reason 9\)/],
    ];
    for (const [result, source, reason, code, re] of cases) {
      const d = diagnose(rj(result, source, reason));
      assert.equal(d.code, code, `${result}/${source}/${reason}`);
      assert.match(d.sentence, re);
      assert.match(d.sentence, /^ORTHANC at 10\.0\.0\.5:4242 |^The node at|^PACS/);
      assertOneSentence(d.sentence);
    }
  });
});

describe('transport, abort and timeout', () => {
  test('connection refused and timed out point at host, port and firewall', () => {
    const refused = explain({ kind: 'transport', code: 'ECONNREFUSED', host: '10.0.0.5', port: 4242 });
    assert.equal(
      refused,
      'Nothing accepts connections at 10.0.0.5:4242: check the port number, that the DICOM service on 10.0.0.5 is running, and that no firewall rejects port 4242.',
    );
    const timedOut = explain({ kind: 'timeout', which: 'connect', host: '10.0.0.5', port: 4242, ms: 10000 });
    assert.equal(timedOut, 'No answer from 10.0.0.5:4242 within 10 s: check the host address and that a firewall allows TCP port 4242.');
    assert.match(explain({ kind: 'transport', code: 'ETIMEDOUT', host: 'h', port: 1 }), /firewall allows TCP port 1\.$/);
  });
  test('other transport codes', () => {
    assert.match(explain({ kind: 'transport', code: 'ENOTFOUND', host: 'pacz', port: 1 }), /^The host name "pacz" cannot be found: check its spelling/);
    assert.match(explain({ kind: 'transport', code: 'EHOSTUNREACH', host: 'h', port: 1 }), /cannot be reached from this workstation/);
    assert.match(explain({ kind: 'transport', code: 'ECONNRESET', ...peer }), /^ORTHANC at 10\.0\.0\.5:4242 closed the connection unexpectedly/);
    assert.match(explain({ kind: 'transport', code: 'EWHATEVER', host: 'h', port: 1 }), /failed \(EWHATEVER\)/);
  });
  test('aborts and the other timers', () => {
    assert.match(
      explain({ kind: 'aborted', source: 0, reason: 0, ...peer, service: 'find' }),
      /^ORTHANC at 10\.0\.0\.5:4242 aborted the association during the query \(C-FIND\): its log says why/,
    );
    assert.match(explain({ kind: 'aborted', source: 2, reason: 2, ...peer }), /aborted because of an unexpected PDU/);
    assert.match(explain({ kind: 'aborted', source: 2, reason: 0 }), /^The association with the remote node was aborted by the DICOM protocol layer/);
    assert.match(
      explain({ kind: 'timeout', which: 'artim', ...peer }),
      /accepted the connection but did not answer the DICOM association request: check that this port is its DICOM port/,
    );
    assert.match(
      explain({ kind: 'timeout', which: 'dimse', ...peer, service: 'move' }),
      /stopped answering during the retrieve \(C-MOVE\): it may be busy; try again or raise timeouts\.dimseMs\.$/,
    );
  });
});

describe('DIMSE statuses', () => {
  const local = { localAeTitle: 'PRIORS', localHost: '10.0.0.9', localPort: 11112 };
  test('A801 for another destination does not point at this workstation', () => {
    const s = explain({ kind: 'status', service: 'move', status: 0xa801, calledAeTitle: 'P', destination: 'ELSEWHERE', ...local });
    assert.equal(
      s,
      'PACS P has no entry for AE title ELSEWHERE; add ELSEWHERE with its host and port to its list of known nodes, or check the destination AE title.',
    );
  });
  test('A801 move destination unknown', () => {
    const d = diagnose({ kind: 'status', service: 'move', status: 0xa801, calledAeTitle: 'ORTHANC', destination: 'PRIORS', ...local });
    assert.equal(d.code, 'move-destination-unknown');
    assert.equal(d.sentence, 'PACS ORTHANC has no entry for AE title PRIORS; add PRIORS at 10.0.0.9:11112 to its list of known nodes.');
  });
  test('key statuses of find, move, get and store', () => {
    const cases: [FailureDescription, string, RegExp][] = [
      [{ kind: 'status', service: 'find', status: 0xa700, calledAeTitle: 'P' }, 'out-of-resources', /^PACS P ran out of resources for the query/],
      [{ kind: 'status', service: 'move', status: 0xa701, calledAeTitle: 'P' }, 'out-of-resources', /counting the instances to retrieve/],
      [
        { kind: 'status', service: 'store', status: 0xa710, calledAeTitle: 'P', errorComment: 'disk full' },
        'out-of-resources',
        /^PACS P has no room to store the instance \("disk full"\)/,
      ],
      [{ kind: 'status', service: 'find', status: 0xa900, calledAeTitle: 'P' }, 'identifier-mismatch', /check the level \(-L\) and keys \(-k\)/],
      [
        { kind: 'status', service: 'store', status: 0xa900 },
        'data-set-mismatch',
        /^The PACS refused the instance because its data set does not match its SOP class/,
      ],
      [
        { kind: 'status', service: 'find', status: 0xc001, errorComment: 'bad date' },
        'unable-to-process',
        /could not process the query \(C-FIND\) \("bad date"\)/,
      ],
      [{ kind: 'status', service: 'store', status: 0xc000 }, 'cannot-understand', /could not understand the instance/],
      [{ kind: 'status', service: 'find', status: 0x0122 }, 'sop-class-not-supported', /does not support this SOP class/],
      [{ kind: 'status', service: 'get', status: 0x0124, callingAeTitle: 'PRIORS' }, 'not-authorized', /does not allow PRIORS to use the retrieve \(C-GET\)/],
      [{ kind: 'status', service: 'move', status: 0xfe00 }, 'cancelled', /^The retrieve \(C-MOVE\) was cancelled\.$/],
      [
        { kind: 'status', service: 'move', status: 0xa702, destination: 'PRIORS' },
        'sub-operations-failed',
        /could not perform the retrieval sub-operations: check that it can reach PRIORS/,
      ],
      [{ kind: 'status', service: 'echo', status: 0x0211 }, 'unrecognized-operation', /does not recognize the verification/],
      [{ kind: 'status', service: 'store', status: 0xb007 }, 'data-set-does-not-match-sop-class', /with a warning/],
      [{ kind: 'status', service: 'echo', status: 0x1234 }, 'status', /answered the verification \(C-ECHO\) with status 0x1234\.$/],
    ];
    for (const [f, code, re] of cases) {
      const d = diagnose(f);
      assert.equal(d.code, code, JSON.stringify(f));
      assert.match(d.sentence, re);
      assertOneSentence(d.sentence);
    }
  });
});

describe('retrieval verification', () => {
  test('move succeeded but nothing arrived', () => {
    const d = diagnose({
      kind: 'move-incomplete',
      claimed: 3,
      arrived: 0,
      destination: 'PRIORS',
      localHost: '10.0.0.9',
      localPort: 11112,
      calledAeTitle: 'ORTHANC',
    });
    assert.equal(d.code, 'nothing-arrived');
    assert.equal(
      d.sentence,
      'PACS ORTHANC reported 3 instances sent but none arrived: the PACS could not reach this workstation at 10.0.0.9:11112, or its entry for AE title PRIORS points elsewhere.',
    );
  });
  test('some arrived', () => {
    const s = explain({ kind: 'move-incomplete', claimed: 3, arrived: 2, destination: 'PRIORS', localHost: 'h', localPort: 1 });
    assert.match(s, /^PACS reported|^The PACS reported 3 instances sent but only 2 arrived/);
  });
  test("a C-MOVE refused without reason or sub-operations (Orthanc's C000)", () => {
    const d = diagnose({
      kind: 'move-refused',
      status: 0xc000,
      destination: 'PRIORS',
      calledAeTitle: 'ORTHANC',
      localAeTitle: 'PRIORS',
      localHost: '10.0.0.9',
      localPort: 11112,
    });
    assert.equal(d.code, 'move-refused');
    assert.equal(
      d.sentence,
      'PACS ORTHANC refused to send anything to AE title PRIORS without saying why: it probably has no entry for PRIORS or cannot connect to it; add PRIORS at 10.0.0.9:11112 to its list of known nodes and check that it can reach this workstation.',
    );
    const other = explain({
      kind: 'move-refused',
      status: 0xc001,
      destination: 'OTHER',
      calledAeTitle: 'P',
      localAeTitle: 'PRIORS',
      localHost: 'h',
      localPort: 1,
    });
    assert.match(other, /add OTHER with its host and port to its list of known nodes and check that it can reach it\.$/);
  });
  test('failed sub-operations name the instances', () => {
    const d = diagnose({
      kind: 'sub-operations',
      service: 'move',
      failed: 4,
      completed: 6,
      warning: 0,
      destination: 'PRIORS',
      calledAeTitle: 'ORTHANC',
      failedSopInstanceUids: ['1.2.3.1', '1.2.3.2', '1.2.3.3', '1.2.3.4'],
      localHost: 'h',
      localPort: 5,
    });
    assert.equal(
      d.sentence,
      'PACS ORTHANC could not send 4 of 10 instances (1.2.3.1, 1.2.3.2, 1.2.3.3 and 1 more) to PRIORS: check that the PACS can reach PRIORS at h:5 and that PRIORS accepts their SOP classes.',
    );
    const g = explain({ kind: 'sub-operations', service: 'get', failed: 1, completed: 0, warning: 0, failedSopInstanceUids: ['9.9'] });
    assert.match(g, /^The PACS could not send 1 of 1 instance \(9\.9\) over the C-GET association/);
  });
});

describe('an abort at the first query or retrieve', () => {
  test('names our calling AE title as the likely cause when we know it', () => {
    const base = { kind: 'aborted' as const, source: 0, reason: 0, calledAeTitle: 'STRANGER', host: '10.0.0.5', port: 4242 };
    assert.match(
      explain({ ...base, service: 'find', localAeTitle: 'PRIORS', localHost: '10.0.0.9', localPort: 11112 }),
      /aborted the association during the query \(C-FIND\): most often it does not allow query \(C-FIND\) from calling AE title PRIORS; add PRIORS \(10\.0\.0\.9:11112\) to its list of known nodes/,
    );
    assert.match(explain({ ...base, service: 'store', localAeTitle: 'PRIORS' }), /its log says why \(often a SOP class/);
    assert.match(explain({ ...base, service: 'find' }), /its log says why/);
  });
});

describe('local failures', () => {
  test('listen, disk, unknown node, no context, input', () => {
    assert.match(explain({ kind: 'listen', code: 'EADDRINUSE', host: '0.0.0.0', port: 11112 }), /^Port 11112 is already in use on this workstation/);
    assert.match(explain({ kind: 'listen', code: 'EACCES', host: '0.0.0.0', port: 104 }), /choose a port above 1023/);
    // the fix names the way to change the port where the user is: serve's options, --ui-port, or the app's settings
    assert.match(
      explain({ kind: 'listen', code: 'EADDRINUSE', host: '0.0.0.0', port: 11112 }),
      /the DICOM server cannot listen.*choose another port with --port\.$/,
    );
    assert.match(
      explain({ kind: 'listen', code: 'EADDRINUSE', host: '127.0.0.1', port: 8080, via: 'ui-port-option' }),
      /so the web UI cannot listen.*--ui-port/,
    );
    assert.match(explain({ kind: 'listen', code: 'EADDRINUSE', host: '0.0.0.0', port: 11112, via: 'settings' }), /Nodes & settings → This workstation\.$/);
    assert.doesNotMatch(explain({ kind: 'listen', code: 'EADDRINUSE', host: '0.0.0.0', port: 11112, via: 'settings' }), /--port/);
    assert.match(explain({ kind: 'disk', code: 'ENOSPC' }), /disk holding the data directory is full/);
    assert.match(explain({ kind: 'unknown-node', name: 'pacs' }), /^No node named "pacs" is configured: add it with "priors nodes add pacs AET@host:port"/);
    assert.match(
      explain({ kind: 'no-context', service: 'find', sopClassName: 'Patient Root Query/Retrieve Information Model - FIND', ...peer }),
      /choose another query model/,
    );
    assert.equal(explain({ kind: 'invalid-input', message: 'unknown keyword "Foo"' }), 'Unknown keyword "Foo".');
    assert.equal(explain({ kind: 'cancelled' }), 'Cancelled.');
  });
});
