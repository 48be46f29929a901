// `priors serve` given bad input: malformed PDUs from a raw TCP peer, associations it must
// reject (PS3.8 §7.1.1, Table 9-21), C-STOREs it must refuse (PS3.4 B.2.3, PS3.7 §9.1.1.1.9),
// a truncated file to `priors import`, and a connection dropped in the middle of a data set.
// After every case the server must still answer echoscu.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeDataSet, EXPLICIT_LITTLE_ENDIAN } from '../../shared/dicom/codec.js';
import { setString } from '../../shared/dicom/dataset.js';
import { statusCategory } from '../../shared/dicom/status.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { runDcmtk, storescu } from '../helpers/peers.js';
import { dataSetBytes, priorsJson, priorsStoredFiles, runPriors, startPriorsServe, walkFiles, type PriorsServe } from '../helpers/priors-cli.js';
import {
  associateRq,
  commandPdu,
  dataPdus,
  encodeIn,
  EXPLICIT_LE,
  openAssociation,
  pData,
  rawPdu,
  RawPeer,
  rawStore,
  releaseRq,
  storeCommand,
  type ReadOutcome,
} from '../helpers/raw-peer.js';
import { tempDir } from '../helpers/tmp.js';

const AET = 'PRIORS_BAD';
const GUARDED = 'PRIORS_GUARD';
const FRIEND = 'FRIEND';
const CT = '1.2.840.10008.5.1.4.1.1.2';

let work: string;
let priors: PriorsServe;
let guarded: PriorsServe;
let small: GeneratedSeries;
let big: GeneratedSeries;

async function echoscu(server: PriorsServe, callingAeTitle = 'ECHOSCU', calledAeTitle = server.aeTitle): Promise<{ code: number | null; output: string }> {
  const r = await runDcmtk('echoscu', ['-v', '-aet', callingAeTitle, '-aec', calledAeTitle, '127.0.0.1', String(server.port)], { timeoutMs: 15_000 });
  return { code: r.code, output: r.stdout + r.stderr };
}

/** What a raw peer got back: the decoded PDU's type and fields, or closed/timeout. */
function outcome(r: ReadOutcome): string {
  if ('closed' in r) return 'closed';
  if ('timeout' in r) return 'timeout';
  return r.pdu ? JSON.stringify(r.pdu) : `undecodable PDU type 0x${r.typeCode.toString(16)}`;
}

/** Sends bytes on a fresh connection; expects an A-ABORT from the service provider, then the close. */
async function expectAbort(bytes: Buffer, reason?: number): Promise<void> {
  const peer = await RawPeer.connect('127.0.0.1', priors.port);
  try {
    await peer.send(bytes);
    const r = await peer.readPdu(10_000);
    assert.ok('pdu' in r && r.pdu?.type === 'A-ABORT', `expected an A-ABORT (PS3.8 §9.3.8), got ${outcome(r)}`);
    const abort = r.pdu as { source: number; reason: number };
    assert.equal(abort.source, 2, 'A-ABORT source: DICOM UL service-provider');
    if (reason !== undefined) assert.equal(abort.reason, reason, 'A-ABORT reason (PS3.8 Table 9-26)');
    assert.ok(await peer.waitClosed(10_000), 'the SCP closes the connection after its A-ABORT');
  } finally {
    peer.destroy();
  }
}

/** The instances priors lists with `priors ls -L IMAGE --json`. */
async function listedInstances(dataDir: string): Promise<string[]> {
  const r = await priorsJson<{ rows: { SOPInstanceUID?: string }[] }>(['ls', '-L', 'IMAGE', '-k', 'SOPInstanceUID', '--limit', '1000000'], { dataDir });
  return r.rows.map((x) => x.SOPInstanceUID ?? '').sort();
}

/** Every file under `root`, relative to it. */
function snapshot(root: string): Set<string> {
  return new Set(walkFiles(root).map((f) => relative(root, f)));
}

/** A copy of `bytes` (an Explicit VR LE data set) with another SOPInstanceUID (0008,0018). */
function withSopInstanceUid(bytes: Uint8Array, uid: string): Uint8Array {
  const ds = decodeDataSet(bytes, EXPLICIT_LITTLE_ENDIAN).dataSet;
  setString(ds, 0x00080018, 'UI', uid);
  return encodeIn(ds, EXPLICIT_LE);
}

async function storeAssociation(server: PriorsServe, callingAeTitle?: string) {
  return openAssociation('127.0.0.1', server.port, {
    calledAeTitle: server.aeTitle,
    ...(callingAeTitle ? { callingAeTitle } : {}),
    contexts: [{ id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_LE] }],
  });
}

describe('priors serve on bad input', { timeout: 600_000 }, () => {
  before(async () => {
    work = tempDir('scp-bad-input');
    small = await generateCtSeries({ mode: 'tiny', count: 4, patientId: 'BAD-INPUT', patientName: 'BAD^INPUT', accession: 'BADIN', seed: 51 });
    big = await generateCtSeries({ count: 2, patientId: 'BAD-INPUT-BIG', patientName: 'BAD^BIG', accession: 'BADBIG', seed: 52 });
    priors = await startPriorsServe({ aeTitle: AET, dataDir: join(work, 'main') });
    const r = await storescu(priors, small.files);
    assert.equal(r.code, 0, r.stderr);

    // A second server whose configuration only admits the AE titles of its nodes, two
    // associations at a time, with a short ARTIM timer (config.json, shared/config.ts).
    const guardedDir = join(work, 'guarded');
    const added = await runPriors(['nodes', 'add', 'friend', `${FRIEND}@127.0.0.1:104`], { dataDir: guardedDir });
    assert.equal(added.code, 0, added.stderr);
    const configPath = join(guardedDir, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(configPath, JSON.stringify({ ...config, callingAePolicy: { mode: 'configured' }, maxAssociations: 2, timeouts: { artimMs: 2000 } }, null, 2));
    guarded = await startPriorsServe({ aeTitle: GUARDED, dataDir: guardedDir });
  });
  after(async () => {
    await priors?.stop();
    await guarded?.stop();
  });
  afterEach(async () => {
    const e = await echoscu(priors);
    assert.equal(e.code, 0, `echoscu failed after the case:\n${e.output}\n--- server log ---\n${priors.logs().slice(-3000)}`);
    const g = await echoscu(guarded, FRIEND);
    assert.equal(g.code, 0, `echoscu to the guarded server failed after the case:\n${g.output}`);
  });

  describe('malformed PDUs → A-ABORT (PS3.8 §9.3.8)', () => {
    test('garbage bytes (an HTTP request): unrecognized PDU', async () => {
      await expectAbort(Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), 1);
    });

    test('an unknown PDU type (0x09)', async () => {
      await expectAbort(rawPdu(0x09, Buffer.alloc(4)), 1);
    });

    test('an A-ASSOCIATE-RQ whose PDU length cuts its fixed fields', async () => {
      await expectAbort(rawPdu(0x01, associateRq({ calledAeTitle: AET }).subarray(6, 50)));
    });

    test('an A-ASSOCIATE-RQ item whose length overruns the PDU', async () => {
      const rq = associateRq({ calledAeTitle: AET });
      rq.writeUInt16BE(0xfff0, 6 + 68 + 2); // the Application Context item's length
      await expectAbort(rq);
    });

    test('an A-ASSOCIATE-RQ with a truncated Presentation Context item (2 bytes)', async () => {
      const rq = associateRq({ calledAeTitle: AET, contexts: [] });
      const body = Buffer.concat([rq.subarray(6), Buffer.from([0x20, 0, 0, 2, 1, 0])]);
      await expectAbort(rawPdu(0x01, body));
    });

    test('an A-ASSOCIATE-RQ with a truncated Maximum Length sub-item (2 bytes)', async () => {
      // PS3.8 D.1: the Maximum Length sub-item (0x51) has a 4-byte value
      await expectAbort(associateRq({ calledAeTitle: AET, userInfo: { maxLength: undefined, other: [{ type: 0x51, data: Buffer.from([0x40, 0x00]) }] } }));
    });

    test('an A-ASSOCIATE-RQ announcing more bytes than it sends: the SCP gives up after ARTIM', async () => {
      const rq = associateRq({ calledAeTitle: GUARDED, callingAeTitle: FRIEND });
      const peer = await RawPeer.connect('127.0.0.1', guarded.port);
      try {
        await peer.send(Buffer.concat([rawPdu(0x01, Buffer.alloc(0), rq.length - 6 + 100), rq.subarray(6)]));
        const started = Date.now();
        // PS3.8 §9.1.5: the ARTIM timer (2 s in its configuration) bounds the wait for the request.
        const r = await peer.readPdu(15_000);
        assert.notEqual(outcome(r), 'timeout', 'the SCP still holds the connection 15 s later');
        assert.ok(await peer.waitClosed(5_000));
        assert.ok(Date.now() - started < 12_000);
      } finally {
        peer.destroy();
      }
    });

    test('a P-DATA-TF longer than the Maximum Length the SCP announced', async () => {
      const { peer, ac } = await openAssociation('127.0.0.1', priors.port, { calledAeTitle: AET });
      try {
        const max = ac.userInfo.maxLength!;
        assert.ok(max > 0);
        await peer.send(pData([{ contextId: 1, isCommand: true, isLast: false, data: Buffer.alloc(max) }]));
        const r = await peer.readPdu(10_000);
        assert.ok('pdu' in r && r.pdu?.type === 'A-ABORT', `expected an A-ABORT, got ${outcome(r)}`);
        assert.ok(await peer.waitClosed(10_000));
      } finally {
        peer.destroy();
      }
    });

    test('a P-DATA-TF of exactly the announced Maximum Length is accepted (a C-STORE in maximal PDUs)', async () => {
      const { peer, ac } = await storeAssociation(priors);
      try {
        const r = await rawStore(peer, 1, {
          sopClassUid: CT,
          sopInstanceUid: big.SOPInstanceUIDs[1]!,
          dataSet: dataSetBytes(big.files[1]!),
          fragment: ac.userInfo.maxLength! - 6,
        });
        assert.equal(r.status, 0x0000, JSON.stringify(r));
        await peer.send(releaseRq());
        const rp = await peer.readPdu(10_000);
        assert.ok('pdu' in rp && rp.pdu?.type === 'A-RELEASE-RP', outcome(rp));
      } finally {
        peer.destroy();
      }
    });
  });

  describe('association rejections (PS3.8 Table 9-21)', () => {
    test('echoscu -aec WRONG: rejected, called AE title not recognized', async () => {
      const e = await echoscu(priors, 'ECHOSCU', 'WRONG');
      assert.notEqual(e.code, 0);
      assert.match(e.output, /Called AE Title Not Recognized/i, e.output);
      const peer = await RawPeer.connect('127.0.0.1', priors.port);
      await peer.send(associateRq({ calledAeTitle: 'WRONG' }));
      const r = await peer.readPdu(10_000);
      peer.destroy();
      assert.deepEqual('pdu' in r && r.pdu, { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 });
    });

    test('callingAePolicy "configured": an unknown calling AE is rejected, calling AE title not recognized', async () => {
      const e = await echoscu(guarded, 'STRANGER');
      assert.notEqual(e.code, 0);
      assert.match(e.output, /Calling AE Title Not Recognized/i, e.output);
      const peer = await RawPeer.connect('127.0.0.1', guarded.port);
      await peer.send(associateRq({ calledAeTitle: GUARDED, callingAeTitle: 'STRANGER' }));
      const r = await peer.readPdu(10_000);
      peer.destroy();
      assert.deepEqual('pdu' in r && r.pdu, { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 3 });
      assert.equal((await echoscu(guarded, FRIEND)).code, 0, 'a configured node is accepted');
    });

    test('maxAssociations 2: a third simultaneous association is rejected (transient, local limit exceeded)', async () => {
      const held = [
        await openAssociation('127.0.0.1', guarded.port, { calledAeTitle: GUARDED, callingAeTitle: FRIEND }),
        await openAssociation('127.0.0.1', guarded.port, { calledAeTitle: GUARDED, callingAeTitle: FRIEND }),
      ];
      try {
        const peer = await RawPeer.connect('127.0.0.1', guarded.port);
        await peer.send(associateRq({ calledAeTitle: GUARDED, callingAeTitle: FRIEND }));
        const r = await peer.readPdu(10_000);
        peer.destroy();
        assert.deepEqual('pdu' in r && r.pdu, { type: 'A-ASSOCIATE-RJ', result: 2, source: 3, reason: 2 });
        assert.notEqual((await echoscu(guarded, FRIEND)).code, 0, 'echoscu is refused while both slots are taken');
      } finally {
        for (const { peer } of held) {
          await peer.send(releaseRq());
          await peer.readPdu(5_000);
          peer.destroy();
        }
      }
      // the slots are freed when the associations end
      const deadline = Date.now() + 10_000;
      while ((await echoscu(guarded, FRIEND)).code !== 0 && Date.now() < deadline) await sleep(200);
      assert.equal((await echoscu(guarded, FRIEND)).code, 0, 'a slot is free again once the associations are released');
    });
  });

  describe('C-STORE refusals', () => {
    const dataDir = () => join(work, 'main');

    async function refusedStore(sopInstanceUid: string, dataSet: Uint8Array): Promise<{ status?: number; errorComment?: string }> {
      const before = snapshot(work);
      const listed = await listedInstances(dataDir());
      const { peer } = await storeAssociation(priors);
      let r;
      try {
        r = await rawStore(peer, 1, { sopClassUid: CT, sopInstanceUid, dataSet });
      } finally {
        peer.destroy();
      }
      assert.ok(r.status !== undefined, `no C-STORE-RSP: ${r.other ? outcome(r.other) : ''}`);
      const added = [...snapshot(work)].filter((f) => !before.has(f));
      const outsideTmp = added.filter((f) => !f.startsWith(join('main', 'tmp')) && !/index\.sqlite/.test(f));
      const answered = `answered 0x${r.status.toString(16).padStart(4, '0')}${r.errorComment ? ` (${r.errorComment})` : ''}`;
      assert.deepEqual(outsideTmp, [], `nothing written for a refused instance; ${answered}`);
      assert.deepEqual(await listedInstances(dataDir()), listed, `nothing indexed for a refused instance; ${answered}`);
      return r;
    }

    const isFailure = (s: number | undefined) => s !== undefined && statusCategory(s) === 'failure';

    for (const uid of ['1.2.3/../../etc', `1.2.${'3'.repeat(66)}`]) {
      test(`a command's Affected SOP Instance UID that is not a UID (${uid.length} characters: ${uid.slice(0, 20)}…) → failure, nothing written`, async () => {
        const r = await refusedStore(uid, withSopInstanceUid(dataSetBytes(small.files[0]!), uid));
        // PS3.5 §9.1: a UID is digits and periods, at most 64 characters. Any failure will do:
        // 0117 Invalid SOP Instance (PS3.7 Annex C), C000 or A900 (PS3.4 Table B.2-1).
        assert.ok(isFailure(r.status), `status 0x${r.status?.toString(16).padStart(4, '0')} (${r.errorComment ?? ''}) for an invalid SOP Instance UID`);
      });
    }

    test("a data set whose SOPInstanceUID differs from the command's → A900", async () => {
      const r = await refusedStore('1.2.826.0.1.3680043.10.1.77.1', withSopInstanceUid(dataSetBytes(small.files[0]!), '1.2.826.0.1.3680043.10.1.77.2'));
      assert.equal(r.status, 0xa900, JSON.stringify(r));
    });

    test('a data set that cannot be parsed → C000', async () => {
      // (0008,0018) UI announcing 32767 bytes where 2 follow, then the end
      const r = await refusedStore('1.2.826.0.1.3680043.10.1.77.3', Buffer.from([0x08, 0, 0x18, 0, 0x55, 0x49, 0xff, 0x7f, 0x31, 0x2e]));
      assert.equal(r.status, 0xc000, JSON.stringify(r));
    });

    test('a data set cut short inside its Pixel Data (last fragment flagged) → C000, nothing stored', async () => {
      const uid = '1.2.826.0.1.3680043.10.1.77.4';
      const whole = withSopInstanceUid(dataSetBytes(big.files[1]!), uid);
      const r = await refusedStore(uid, whole.subarray(0, whole.length - 1000));
      assert.equal(r.status, 0xc000, `status 0x${r.status?.toString(16).padStart(4, '0')} (${r.errorComment ?? ''}) for a data set 1000 bytes short`);
    });
  });

  test('priors import of truncated files: each skipped with a reason; a good copy is never replaced by a truncated one', async () => {
    const dir = join(work, 'import-src');
    mkdirSync(dir, { recursive: true });
    const [goodSource, otherSource] = big.files as [string, string];
    const good = join(dir, 'good.dcm');
    copyFileSync(goodSource, good);
    const cut = (source: string, name: string, keep: (n: number) => number) => {
      const bytes = readFileSync(source);
      const path = join(dir, name);
      writeFileSync(path, bytes.subarray(0, keep(bytes.length)));
      return path;
    };
    const cutHeader = cut(goodSource, 'cut-in-header.dcm', () => 400);
    const cutPixels = cut(otherSource, 'cut-in-pixel-data.dcm', (n) => n - 1000);
    const importDir = join(work, 'import-data');
    const r = await runPriors(['import', good, cutHeader, cutPixels], { dataDir: importDir, json: true });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const result = JSON.parse(r.stdout) as { imported: number; skipped: { path: string; reason: string }[] };
    assert.deepEqual(result.skipped.map((s) => s.path).sort(), [cutHeader, cutPixels].sort(), `a truncated file was imported:\n${r.stdout}`);
    for (const s of result.skipped) assert.ok(s.reason.length > 10, `a reason for ${s.path}: "${s.reason}"`);
    assert.equal(result.imported, 1, r.stdout);
    assert.deepEqual(await listedInstances(importDir), [big.SOPInstanceUIDs[0]!]);

    // The same instance again, cut short: refused, and the good copy stays as it was.
    const cutGood = cut(goodSource, 'good-cut-in-pixel-data.dcm', (n) => n - 1000);
    const again = await runPriors(['import', cutGood], { dataDir: importDir, json: true });
    const stored = priorsStoredFiles(importDir).get(big.SOPInstanceUIDs[0]!)!;
    assert.ok(readFileSync(stored).equals(readFileSync(goodSource)), `the cached copy was replaced by the truncated file: ${again.stdout}${again.stderr}`);
    assert.notEqual(again.code, 0, 'nothing was imported: the command says so');
  });

  test('a connection dropped in the middle of a C-STORE data set: nothing half-written, earlier instances kept', async () => {
    const dataDir = join(work, 'main');
    const before = await listedInstances(dataDir);
    assert.ok(before.length >= small.files.length);
    const storedBefore = priorsStoredFiles(dataDir);
    const uid = big.SOPInstanceUIDs[0]!;
    assert.equal(storedBefore.has(uid), false);
    const drops = () => (priors.logs().match(/dropped/g) ?? []).length;
    const dropsBefore = drops();
    const { peer } = await storeAssociation(priors);
    const data = dataSetBytes(big.files[0]!);
    const pdus = dataPdus(1, data);
    await peer.send(commandPdu(1, storeCommand({ sopClassUid: CT, sopInstanceUid: uid })));
    for (const pdu of pdus.slice(0, Math.floor(pdus.length / 2))) await peer.send(pdu);
    await sleep(300); // let the SCP start writing the instance
    peer.destroy();
    const deadline = Date.now() + 10_000;
    while (drops() === dropsBefore && Date.now() < deadline) await sleep(100);
    assert.ok(drops() > dropsBefore, 'the SCP logs the dropped association');
    assert.deepEqual(await listedInstances(dataDir), before, 'no new indexed instance');
    const files = join(dataDir, 'files');
    assert.deepEqual(snapshot(files), new Set([...storedBefore.values()].map((f) => relative(files, f))), 'no new file outside tmp/');

    await priors.stop();
    priors = await startPriorsServe({ aeTitle: AET, dataDir });
    assert.deepEqual(await listedInstances(dataDir), before, 'after a restart, the same instances');
    const stored = priorsStoredFiles(dataDir);
    assert.deepEqual(new Set(stored.keys()), new Set(storedBefore.keys()));
    for (const [u, f] of storedBefore) assert.equal(stored.get(u), f);
    assert.deepEqual([...snapshot(join(dataDir, 'tmp'))], [], 'the temp file is gone after the next start');
  });
});
