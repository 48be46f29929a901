// Our SCU against our SCP on port 0, with in-memory handlers defined here: C-ECHO, C-STORE
// (byte-for-byte), C-FIND (streaming, cancel, limit, failures), C-MOVE to a second server of
// ours, C-GET, association rejection reasons and association limits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { type DataSet, getString, setString, tag } from '../../shared/dicom/dataset.js';
import { encodeDataSet, encodingOf, EXPLICIT_LITTLE_ENDIAN } from '../../shared/dicom/codec.js';
import { Status } from '../../shared/dicom/status.js';
import { SopClassUid, TransferSyntaxUid } from '../../shared/dicom/uids.js';
import { Association } from '../../electron/dimse/ul/association.js';
import {
  AssociationRejectedError,
  DicomServer,
  DimseStatusError,
  echo,
  find,
  get,
  move,
  store,
  type DicomNode,
  type FindHandler,
  type InstanceSource,
  type RetrieveHandler,
  type StoreHandler,
  type StoreRequest,
} from '../../electron/dimse/index.js';
import { tempDir } from '../helpers/tmp.js';

const T = { connectMs: 5000, artimMs: 5000, dimseMs: 15000 };
const PatientName = tag(0x0010, 0x0010);
const PatientID = tag(0x0010, 0x0020);
const StudyInstanceUID = tag(0x0020, 0x000d);
const SOPClassUID = tag(0x0008, 0x0016);
const SOPInstanceUID = tag(0x0008, 0x0018);

const logs: string[] = [];
const log = (level: string, message: string) => {
  logs.push(`${level} ${message}`);
};
const opts = { callingAeTitle: 'SCU', timeouts: T, log };
// PRIORS_TEST_LOG=1 prints every log line of the run (for a post-mortem).
after(() => {
  if (process.env.PRIORS_TEST_LOG === '1') process.stderr.write(`${logs.join('\n')}\n`);
});

/** A Part-10 file of a small CT instance; `encapsulated` appends fake encapsulated pixel data. */
function writeInstance(dir: string, n: number, ts: string, sopClass: string = SopClassUid.CTImageStorage, side = 64): InstanceSource {
  const sopInstanceUid = `1.2.826.0.1.3680043.10.1439.99.${n}`;
  const ds: DataSet = new Map();
  setString(ds, SOPClassUID, 'UI', sopClass);
  setString(ds, SOPInstanceUID, 'UI', sopInstanceUid);
  setString(ds, PatientName, 'PN', `Test^Patient${n}`);
  setString(ds, PatientID, 'LO', 'PID1');
  setString(ds, StudyInstanceUID, 'UI', '1.2.826.0.1.3680043.10.1439.99.1000');
  const enc = encodingOf(ts);
  const pixels = new Uint8Array(side * side * 2).map((_, i) => (i * 7 + n) & 0xff);
  let body: Uint8Array;
  if (enc.encapsulated) {
    const head = encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN);
    const frag = pixels.subarray(0, 1000);
    const tail = new Uint8Array(12 + 8 + 8 + frag.length + 8);
    const v = new DataView(tail.buffer);
    v.setUint16(0, 0x7fe0, true);
    v.setUint16(2, 0x0010, true);
    tail.set([0x4f, 0x42], 4);
    v.setUint32(8, 0xffffffff, true);
    v.setUint16(12, 0xfffe, true);
    v.setUint16(14, 0xe000, true);
    v.setUint32(16, 0, true); // empty Basic Offset Table
    v.setUint16(20, 0xfffe, true);
    v.setUint16(22, 0xe000, true);
    v.setUint32(24, frag.length, true);
    tail.set(frag, 28);
    v.setUint16(28 + frag.length, 0xfffe, true);
    v.setUint16(30 + frag.length, 0xe0dd, true);
    body = new Uint8Array([...head, ...tail]);
  } else {
    ds.set(tag(0x7fe0, 0x0010), { vr: 'OW', value: pixels });
    body = encodeDataSet(ds, enc);
    if (enc.deflated) body = new Uint8Array(deflateRawSync(body));
  }
  const meta: DataSet = new Map();
  meta.set(tag(0x0002, 0x0001), { vr: 'OB', value: new Uint8Array([0, 1]) });
  setString(meta, tag(0x0002, 0x0002), 'UI', sopClass);
  setString(meta, tag(0x0002, 0x0003), 'UI', sopInstanceUid);
  setString(meta, tag(0x0002, 0x0010), 'UI', ts);
  setString(meta, tag(0x0002, 0x0012), 'UI', '1.2.826.0.1.3680043.10.1439.1');
  const metaBody = encodeDataSet(meta, EXPLICIT_LITTLE_ENDIAN);
  const groupLength = encodeDataSet(new Map([[tag(0x0002, 0x0000), { vr: 'UL', value: [metaBody.length] }]]), EXPLICIT_LITTLE_ENDIAN);
  const header = new Uint8Array([...new Uint8Array(128), 0x44, 0x49, 0x43, 0x4d, ...groupLength, ...metaBody]);
  const path = join(dir, `${n}.dcm`);
  writeFileSync(path, new Uint8Array([...header, ...body]));
  return { sopClassUid: sopClass, sopInstanceUid, transferSyntaxUid: ts, path, dataSetOffset: header.length, dataSetLength: body.length };
}

function dataSetBytes(i: InstanceSource): Buffer {
  return readFileSync(i.path).subarray(i.dataSetOffset);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A store handler that keeps every received data set in memory. */
class MemoryStore implements StoreHandler {
  readonly received = new Map<string, { bytes: Buffer; request: StoreRequest }>();
  delayMs = 0;
  async store(request: StoreRequest) {
    const bytes = await collect(request.dataSet);
    if (this.delayMs) await sleep(this.delayMs);
    this.received.set(request.sopInstanceUid, { bytes, request });
    if (request.sopInstanceUid.endsWith('.666')) throw new DimseStatusError(0xa700, 'disk full (test)');
    if (request.sopInstanceUid.endsWith('.667')) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    if (request.sopInstanceUid.endsWith('.668')) throw new Error('cannot index it');
    return { status: Status.Success };
  }
}

/** A find handler yielding `count` study matches, `delayMs` apart; it keeps the signal it was given. */
class CountingFind implements FindHandler {
  count = 25;
  delayMs = 0;
  throwWith: Error | undefined;
  lastSignal: AbortSignal | undefined;
  async *find({ identifier, signal }: { identifier: DataSet; signal: AbortSignal }) {
    this.lastSignal = signal;
    if (this.throwWith) throw this.throwWith;
    for (let i = 0; i < this.count; i++) {
      if (signal.aborted) return;
      if (this.delayMs) await sleep(this.delayMs);
      const m: DataSet = new Map();
      setString(m, StudyInstanceUID, 'UI', `1.2.3.${i + 1}`);
      setString(m, PatientID, 'LO', getString(identifier, PatientID) ?? 'X');
      yield m;
    }
  }
}

describe('our SCU against our SCP', () => {
  const dir = tempDir('scu-scp');
  const sink = new MemoryStore();
  const findHandler = new CountingFind();
  const instances: InstanceSource[] = [];
  let located: InstanceSource[] = [];
  let destination: DicomServer;
  let archive: DicomServer;
  let dest: DicomNode;
  let pacs: DicomNode;
  const retrieve: RetrieveHandler = {
    locate: async () => located,
    destination: async (ae) =>
      ae === 'DEST' ? { aeTitle: 'DEST', host: '127.0.0.1', port: dest.port } : ae === 'DOWN' ? { aeTitle: 'DOWN', host: '127.0.0.1', port: 1 } : undefined,
  };

  before(async () => {
    instances.push(writeInstance(dir, 1, TransferSyntaxUid.ExplicitVRLittleEndian));
    instances.push(writeInstance(dir, 2, TransferSyntaxUid.ImplicitVRLittleEndian));
    instances.push(writeInstance(dir, 3, TransferSyntaxUid.JPEGBaseline8Bit));
    instances.push(writeInstance(dir, 4, TransferSyntaxUid.ExplicitVRLittleEndian, SopClassUid.MRImageStorage));
    instances.push(writeInstance(dir, 5, TransferSyntaxUid.ExplicitVRLittleEndian, SopClassUid.CTImageStorage, 512)); // 512 KB: many PDUs
    instances.push(writeInstance(dir, 6, TransferSyntaxUid.DeflatedExplicitVRLittleEndian));
    destination = new DicomServer({
      host: '127.0.0.1',
      port: 0,
      handlers: { store: sink },
      timeouts: T,
      log,
      policy: { aeTitle: 'DEST', acceptCallingAeTitle: () => true, maxAssociations: 8 },
    });
    dest = { aeTitle: 'DEST', host: '127.0.0.1', port: (await destination.listen()).port };
    archive = new DicomServer({
      host: '127.0.0.1',
      port: 0,
      handlers: { find: findHandler, retrieve, store: sink },
      timeouts: T,
      log,
      pendingIntervalMs: 0,
      policy: { aeTitle: 'PACS', acceptCallingAeTitle: (ae) => ae !== 'INTRUDER', maxAssociations: 8 },
    });
    pacs = { aeTitle: 'PACS', host: '127.0.0.1', port: (await archive.listen()).port };
  });
  after(async () => {
    await archive?.close();
    await destination?.close();
  });

  test('C-ECHO succeeds and reports the peer implementation', async () => {
    const r = await echo(pacs, opts);
    assert.equal(r.status, Status.Success);
    assert.equal(r.peerImplementationVersionName, 'PRIORS_010');
    assert.ok(r.elapsedMs >= 0);
  });

  test('C-STORE delivers each data set byte for byte in its own transfer syntax', async () => {
    sink.received.clear();
    const progress: number[] = [];
    const results = await store(dest, instances, { ...opts, onProgress: (done) => progress.push(done) });
    assert.deepEqual(
      results.map((r) => r.status),
      [0, 0, 0, 0, 0, 0],
    );
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6]);
    for (const i of instances) {
      const got = sink.received.get(i.sopInstanceUid);
      assert.ok(got, `received ${i.sopInstanceUid}`);
      assert.equal(got.request.transferSyntaxUid, i.transferSyntaxUid);
      assert.equal(got.request.sopClassUid, i.sopClassUid);
      assert.ok(got.bytes.equals(dataSetBytes(i)), `bytes of ${i.sopInstanceUid} unchanged`);
    }
  });

  test('C-STORE of an instance in a syntax the node refuses fails with a reason, without a C-STORE', async () => {
    const odd = { ...(instances[0] as InstanceSource), sopInstanceUid: '1.2.3.4.5.6', transferSyntaxUid: '1.2.3.999' };
    const [r] = await store(dest, [odd], opts);
    assert.equal(r?.status, Status.SOPClassNotSupported);
    assert.match(r?.reason ?? '', /the node accepted none of 1\.2\.3\.999 for CT Image Storage/);
    assert.equal(sink.received.has('1.2.3.4.5.6'), false);
  });

  test('C-STORE handler failure becomes its status and the association lives on', async () => {
    const bad = [666, 667, 668].map((n) => writeInstance(dir, n, TransferSyntaxUid.ExplicitVRLittleEndian));
    const results = await store(dest, [...bad, instances[0] as InstanceSource], opts);
    assert.deepEqual(
      results.map((r) => r.status),
      [0xa700, 0xa700, 0xc000, Status.Success],
    );
    assert.equal(results[0]?.errorComment, 'disk full (test)');
    assert.match(results[1]?.errorComment ?? '', /ENOSPC/);
    assert.equal(results[2]?.errorComment, 'cannot index it');
    assert.ok(logs.some((l) => l.includes('0xA700') && l.includes('what to do')));
  });

  test('C-STORE with more than 128 (class, syntax) pairs takes several associations in turn', async () => {
    sink.received.clear();
    const base = instances[0] as InstanceSource;
    const many = Array.from({ length: 130 }, (_, k) => ({
      ...base,
      sopClassUid: `1.2.840.10008.5.1.4.1.1.9999.${k + 1}`,
      sopInstanceUid: `1.2.3.130.${k}`,
    }));
    const results = await store(dest, many, opts);
    assert.equal(results.filter((r) => r.status === Status.Success).length, 130);
    assert.deepEqual(
      results.map((r) => r.sopInstanceUid),
      many.map((i) => i.sopInstanceUid),
    );
    const associations = new Set([...sink.received.values()].map((r) => r.request.association.id));
    assert.equal(associations.size, 2);
  });

  test('C-FIND streams every match then Success', async () => {
    findHandler.count = 25;
    findHandler.delayMs = 0;
    const stream = find(pacs, { model: 'study', level: 'STUDY', identifier: new Map([[PatientID, { vr: 'LO', value: ['PID1'] }]]) }, opts);
    const uids: string[] = [];
    for await (const m of stream) uids.push(getString(m, StudyInstanceUID) ?? '');
    const outcome = await stream.outcome;
    assert.equal(outcome.status, Status.Success);
    assert.equal(outcome.matches, 25);
    assert.equal(uids.length, 25);
    assert.equal(uids[24], '1.2.3.25');
    assert.equal(outcome.cancelled, false);
    assert.equal(outcome.looksCapped, undefined);
  });

  test('C-FIND with a limit sends C-CANCEL and the SCP answers Cancel', async () => {
    findHandler.count = 200;
    findHandler.delayMs = 5;
    const stream = find(pacs, { model: 'study', level: 'STUDY', identifier: new Map() }, { ...opts, limit: 5 });
    let n = 0;
    for await (const _ of stream) n += 1;
    const outcome = await stream.outcome;
    assert.equal(n, 5);
    assert.deepEqual([outcome.matches, outcome.limitReached, outcome.cancelled, outcome.status], [5, true, true, Status.Cancel]);
    assert.equal(outcome.looksCapped, undefined);
    assert.equal(findHandler.lastSignal?.aborted, true, 'the handler saw the C-CANCEL as an abort');
  });

  test('C-FIND cancelled by the signal, and by leaving the loop early', async () => {
    findHandler.count = 200;
    findHandler.delayMs = 5;
    const controller = new AbortController();
    const stream = find(pacs, { model: 'study', level: 'STUDY', identifier: new Map() }, { ...opts, signal: controller.signal });
    let n = 0;
    for await (const _ of stream) if (++n === 3) controller.abort();
    const outcome = await stream.outcome;
    assert.equal(outcome.cancelled, true);
    assert.equal(outcome.status, Status.Cancel);
    assert.equal(outcome.matches, 3);

    const early = find(pacs, { model: 'study', level: 'STUDY', identifier: new Map() }, opts);
    for await (const _ of early) break;
    const o2 = await early.outcome;
    assert.equal(o2.cancelled, true);
    assert.equal(o2.status, Status.Cancel);
  });

  test('C-FIND answers that look capped are flagged', async () => {
    findHandler.count = 100;
    findHandler.delayMs = 0;
    const stream = find(pacs, { model: 'study', level: 'STUDY', identifier: new Map() }, opts);
    for await (const _ of stream) {
      /* drain */
    }
    const outcome = await stream.outcome;
    assert.equal(outcome.matches, 100);
    assert.equal(outcome.looksCapped?.count, 100);
  });

  test('C-FIND failures: bad identifier A900, handler throw C000, DimseStatusError status', async () => {
    findHandler.count = 3;
    // Patient Root at STUDY level needs a single Patient ID (PS3.4 C.4.1.2.1).
    const s1 = find(pacs, { model: 'patient', level: 'STUDY', identifier: new Map() }, opts);
    for await (const _ of s1) assert.fail('no match expected');
    const o1 = await s1.outcome;
    assert.equal(o1.status, 0xa900);
    assert.match(o1.errorComment ?? '', /Patient ID/);

    findHandler.throwWith = new Error('database is locked');
    const s2 = find(pacs, { model: 'study', level: 'STUDY', identifier: new Map() }, opts);
    const o2 = await s2.outcome;
    assert.equal(o2.status, 0xc000);
    assert.equal(o2.errorComment, 'database is locked');

    findHandler.throwWith = new DimseStatusError(0xa700, 'too busy');
    const o3 = await find(pacs, { model: 'study', level: 'STUDY', identifier: new Map() }, opts).outcome;
    assert.equal(o3.status, 0xa700);
    findHandler.throwWith = undefined;
    // the SCP lives on
    assert.equal((await echo(pacs, opts)).status, 0);
  });

  const studyKey = (): DataSet => new Map([[StudyInstanceUID, { vr: 'UI', value: ['1.2.826.0.1.3680043.10.1439.99.1000'] }]]);

  test('C-MOVE to a second server of ours: every instance arrives unchanged, with the Move Originator', async () => {
    sink.received.clear();
    located = instances;
    const progress: number[] = [];
    const r = await move(
      pacs,
      { model: 'study', level: 'STUDY', identifier: studyKey(), destination: 'DEST' },
      { ...opts, onProgress: (p) => progress.push(p.completed) },
    );
    assert.deepEqual([r.status, r.completed, r.failed, r.warning, r.cancelled], [Status.Success, 6, 0, 0, false]);
    assert.ok(progress.length >= 1);
    for (const i of instances) {
      const got = sink.received.get(i.sopInstanceUid);
      assert.ok(got?.bytes.equals(dataSetBytes(i)), `bytes of ${i.sopInstanceUid}`);
      assert.equal(got?.request.moveOriginatorAeTitle, 'SCU');
      assert.equal(typeof got?.request.moveOriginatorMessageId, 'number');
      assert.equal(got?.request.association.callingAeTitle, 'PACS');
    }
  });

  test('C-MOVE failures: unknown destination A801, unreachable A702, some failed B000 with the list', async () => {
    located = instances;
    const r1 = await move(pacs, { model: 'study', level: 'STUDY', identifier: studyKey(), destination: 'NOWHERE' }, opts);
    assert.equal(r1.status, Status.MoveDestinationUnknown);

    const r2 = await move(pacs, { model: 'study', level: 'STUDY', identifier: studyKey(), destination: 'DOWN' }, opts);
    assert.equal(r2.status, 0xa702);
    assert.equal(r2.failed, 6);
    assert.match(r2.errorComment ?? '', /DOWN/);
    assert.equal(r2.failedSopInstanceUids.length, 6);

    const missing = { ...(instances[0] as InstanceSource), sopInstanceUid: '1.2.3.404', path: join(dir, 'missing.dcm') };
    located = [...instances, missing];
    const r3 = await move(pacs, { model: 'study', level: 'STUDY', identifier: studyKey(), destination: 'DEST' }, opts);
    assert.deepEqual([r3.status, r3.completed, r3.failed], [0xb000, 6, 1]);
    assert.deepEqual(r3.failedSopInstanceUids, ['1.2.3.404']);

    const r4 = await move(pacs, { model: 'study', level: 'STUDY', identifier: new Map(), destination: 'DEST' }, opts);
    assert.equal(r4.status, 0xa900);
  });

  test('C-MOVE cancelled mid-way answers FE00 with the remaining count', async () => {
    located = Array.from({ length: 30 }, (_, k) => ({ ...(instances[0] as InstanceSource), sopInstanceUid: `1.2.3.77.${k}` }));
    sink.delayMs = 20;
    const controller = new AbortController();
    try {
      const r = await move(
        pacs,
        { model: 'study', level: 'STUDY', identifier: studyKey(), destination: 'DEST' },
        {
          ...opts,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.completed >= 2) controller.abort();
          },
        },
      );
      assert.equal(r.status, Status.Cancel);
      assert.equal(r.cancelled, true);
      assert.ok((r.remaining ?? 0) > 0 && r.completed < 30, `completed ${r.completed}, remaining ${r.remaining}`);
    } finally {
      sink.delayMs = 0;
    }
  });

  test('C-MOVE cancelled while the peer is stuck in a sub-operation: aborted after the grace, ends cancelled', async () => {
    located = instances;
    sink.delayMs = 3000; // the destination holds the first C-STORE: the PACS cannot answer the C-CANCEL
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    try {
      const r = await move(
        pacs,
        { model: 'study', level: 'STUDY', identifier: studyKey(), destination: 'DEST' },
        { ...opts, signal: controller.signal, cancelGraceMs: 300 },
      );
      const took = Date.now() - started;
      assert.equal(r.status, Status.Cancel);
      assert.equal(r.cancelled, true);
      assert.ok(took < 2500, `ended ${took} ms after the start, before the stuck store ended`);
      assert.ok(
        logs.some((l) => /sent no final C-MOVE response within 300 ms of our C-CANCEL: aborting/.test(l)),
        'the log says why',
      );
    } finally {
      sink.delayMs = 0;
    }
    await sleep(3000); // the held store ends; the archive lives on
    assert.equal((await echo(pacs, opts)).status, 0);
  });

  test('C-GET receives every instance on the same association, byte for byte', async () => {
    located = instances;
    const received = new MemoryStore();
    // With the default 25 classes the deflated syntax shares a context with rarer ones; name it here.
    const transferSyntaxes = [
      TransferSyntaxUid.ExplicitVRLittleEndian,
      TransferSyntaxUid.ImplicitVRLittleEndian,
      TransferSyntaxUid.JPEGBaseline8Bit,
      TransferSyntaxUid.DeflatedExplicitVRLittleEndian,
    ];
    const r = await get(pacs, { model: 'study', level: 'STUDY', identifier: studyKey() }, { ...opts, store: received, transferSyntaxes });
    assert.deepEqual([r.status, r.completed, r.failed], [Status.Success, 6, 0]);
    for (const i of instances) {
      const got = received.received.get(i.sopInstanceUid);
      assert.ok(got?.bytes.equals(dataSetBytes(i)), `bytes of ${i.sopInstanceUid}`);
      assert.equal(got?.request.transferSyntaxUid, i.transferSyntaxUid);
    }
  });

  test('C-GET of a class we did not offer counts it failed (B000)', async () => {
    located = instances;
    const received = new MemoryStore();
    const r = await get(
      pacs,
      { model: 'study', level: 'STUDY', identifier: studyKey() },
      { ...opts, store: received, storageSopClasses: [SopClassUid.CTImageStorage] },
    );
    assert.deepEqual([r.status, r.completed, r.failed], [0xb000, 5, 1]);
    assert.deepEqual(r.failedSopInstanceUids, [(instances[3] as InstanceSource).sopInstanceUid]);
    assert.equal(received.received.size, 5);
  });

  test('association rejections name their reason', async () => {
    await assert.rejects(
      echo({ ...pacs, aeTitle: 'WRONG' }, opts),
      (e: unknown) => e instanceof AssociationRejectedError && e.result === 1 && e.source === 1 && e.reason === 7,
    );
    await assert.rejects(
      echo(pacs, { ...opts, callingAeTitle: 'INTRUDER' }),
      (e: unknown) => e instanceof AssociationRejectedError && e.result === 1 && e.source === 1 && e.reason === 3,
    );
    assert.ok(logs.some((l) => l.includes('rejected association from INTRUDER') && l.includes('what to do')));
  });
});

describe('association limits', () => {
  test('over maxAssociations and over the per-calling-AE limit: (2, 3, 2) local-limit-exceeded', async () => {
    const server = new DicomServer({
      host: '127.0.0.1',
      port: 0,
      handlers: {},
      timeouts: T,
      log,
      policy: { aeTitle: 'LIMITED', acceptCallingAeTitle: () => true, maxAssociations: 2, maxAssociationsPerCallingAe: 1 },
    });
    const { port } = await server.listen();
    const node = { aeTitle: 'LIMITED', host: '127.0.0.1', port };
    const hold = (callingAeTitle: string) =>
      Association.request({
        host: '127.0.0.1',
        port,
        callingAeTitle,
        calledAeTitle: 'LIMITED',
        timeouts: T,
        contexts: [{ abstractSyntax: SopClassUid.Verification, transferSyntaxes: [TransferSyntaxUid.ImplicitVRLittleEndian] }],
      });
    const limited = (e: unknown) => e instanceof AssociationRejectedError && e.result === 2 && e.source === 3 && e.reason === 2;
    try {
      const a = await hold('A');
      assert.equal(server.activeAssociations, 1);
      await assert.rejects(echo(node, { ...opts, callingAeTitle: 'A' }), limited);
      const b = await hold('B');
      assert.equal(server.activeAssociations, 2);
      await assert.rejects(echo(node, { ...opts, callingAeTitle: 'C' }), limited);
      await a.release();
      await b.release();
      for (let i = 0; i < 100 && server.activeAssociations > 0; i++) await sleep(10);
      assert.equal(server.activeAssociations, 0);
      assert.equal((await echo(node, { ...opts, callingAeTitle: 'A' })).status, 0);
    } finally {
      await server.close();
    }
  });

  test('several associations run in parallel', async () => {
    const server = new DicomServer({
      host: '127.0.0.1',
      port: 0,
      handlers: { find: new CountingFind() },
      timeouts: T,
      log,
      policy: { aeTitle: 'PAR', acceptCallingAeTitle: () => true, maxAssociations: 8 },
    });
    const { port } = await server.listen();
    try {
      const node = { aeTitle: 'PAR', host: '127.0.0.1', port };
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => find(node, { model: 'study', level: 'STUDY', identifier: new Map() }, opts).outcome));
      assert.deepEqual(
        outcomes.map((o) => o.matches),
        [25, 25, 25, 25, 25],
      );
    } finally {
      await server.close();
    }
  });
});
