// The upper layer against DCMTK 3.6.7: our acceptor answering echoscu and storescu, and our
// requestor associating with storescp. The DIMSE responses are built here by hand (a minimal
// C-ECHO-RSP / C-STORE-RSP), so these tests exercise the association alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { Association, type AcceptDecision, type AssociateRequestInfo, type CloseInfo } from '../../electron/dimse/ul/association.js';
import { decodeDataSet, EXPLICIT_LITTLE_ENDIAN } from '../../shared/dicom/codec.js';
import { getNumber, getString, tag, type DataSet } from '../../shared/dicom/dataset.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { runDcmtk, startStorescp } from '../helpers/peers.js';
import { tempDir } from '../helpers/tmp.js';

const VERIFICATION = '1.2.840.10008.1.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const ILE = '1.2.840.10008.1.2';
const ELE = '1.2.840.10008.1.2.1';

const T = {
  AffectedSOPClassUID: tag(0, 0x0002),
  CommandField: tag(0, 0x0100),
  MessageID: tag(0, 0x0110),
  MessageIDBeingRespondedTo: tag(0, 0x0120),
  Priority: tag(0, 0x0700),
  CommandDataSetType: tag(0, 0x0800),
  Status: tag(0, 0x0900),
  AffectedSOPInstanceUID: tag(0, 0x1000),
};

function cmd(entries: [number, 'UI' | 'US', string | number][]): DataSet {
  return new Map(entries.map(([t, vr, v]) => [t, { vr, value: vr === 'UI' ? [v as string] : [v as number] }])) as DataSet;
}

/** A response (PS3.7 9.3.1.2 / 9.3.5.2): no data set, status 0000. */
function response(rq: DataSet, field: number): DataSet {
  const rsp = cmd([
    [T.AffectedSOPClassUID, 'UI', getString(rq, T.AffectedSOPClassUID)!],
    [T.CommandField, 'US', field],
    [T.MessageIDBeingRespondedTo, 'US', getNumber(rq, T.MessageID)!],
    [T.CommandDataSetType, 'US', 0x0101],
    [T.Status, 'US', 0x0000],
  ]);
  const iuid = getString(rq, T.AffectedSOPInstanceUID);
  if (iuid) rsp.set(T.AffectedSOPInstanceUID, { vr: 'UI', value: [iuid] });
  return rsp;
}

/** Part-10 file → its meta information and the offset of its data set. */
function part10(file: string): { bytes: Buffer; meta: DataSet; offset: number } {
  const bytes = readFileSync(file);
  assert.equal(bytes.toString('latin1', 128, 132), 'DICM');
  const offset = 144 + bytes.readUInt32LE(140);
  return { bytes, meta: decodeDataSet(bytes.subarray(132, offset), EXPLICIT_LITTLE_ENDIAN).dataSet, offset };
}

interface Served {
  echoes: number;
  stored: Map<string, Buffer>;
  closed: CloseInfo[];
  lines: string[];
}

/** Our acceptor on port 0 answering C-ECHO and C-STORE (data sets kept in memory by SOP Instance UID). */
async function startOurScp(decide: (rq: AssociateRequestInfo) => AcceptDecision): Promise<{ port: number; served: Served }> {
  const served: Served = { echoes: 0, stored: new Map(), closed: [], lines: [] };
  const server: Server = createServer((socket) => {
    void (async () => {
      const a = await Association.accept(socket, { decide, log: (l, m) => served.lines.push(`${l} ${m}`) });
      if (!a) return;
      void a.closed.then((c) => served.closed.push(c));
      while (true) {
        const m = await a.receiveMessage();
        if (!m) return;
        const field = getNumber(m.command, T.CommandField);
        if (field === 0x0030) {
          served.echoes++;
          await a.sendMessage(m.contextId, response(m.command, 0x8030));
        } else if (field === 0x0001) {
          const parts: Buffer[] = [];
          for await (const c of m.dataSet!) parts.push(c as Buffer);
          served.stored.set(getString(m.command, T.AffectedSOPInstanceUID)!, Buffer.concat(parts));
          await a.sendMessage(m.contextId, response(m.command, 0x8001));
        } else {
          a.abort();
          return;
        }
      }
    })().catch((e: unknown) => served.lines.push(`error ${(e as Error).message}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => server.close());
  return { port: (server.address() as { port: number }).port, served };
}

const acceptKnown = (rq: AssociateRequestInfo): AcceptDecision => ({
  accept: true,
  contexts: rq.contexts.map((pc) => {
    const ts = pc.transferSyntaxes.find((t) => t === ELE || t === ILE);
    return [VERIFICATION, CT].includes(pc.abstractSyntax) && ts
      ? { id: pc.id, abstractSyntax: pc.abstractSyntax, result: 0, transferSyntax: ts }
      : { id: pc.id, abstractSyntax: pc.abstractSyntax, result: 3 };
  }),
});

let series: GeneratedSeries;
before(async () => {
  series = await generateCtSeries({ count: 20, patientId: 'ULTEST01' });
});

describe('our acceptor, DCMTK requestors', () => {
  test('echoscu: three C-ECHOs on one association, then release', async () => {
    const { port, served } = await startOurScp(acceptKnown);
    const r = await runDcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'PRIORS', '--repeat', '3', '127.0.0.1', String(port)], { timeoutMs: 15000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(served.echoes, 3);
    await waitFor(() => served.closed.length === 1);
    assert.deepEqual(served.closed[0], { how: 'released', by: 'peer' });
    assert.ok(
      served.lines.some((l) => /open \(acceptor\): ECHOSCU -> PRIORS from 127\.0\.0\.1:\d+, 1 of 1 contexts accepted: Verification SOP Class/.test(l)),
      served.lines.join('\n'),
    );
  });

  test('echoscu --abort: the association ends aborted by the peer', async () => {
    const { port, served } = await startOurScp(acceptKnown);
    const r = await runDcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'PRIORS', '--abort', '127.0.0.1', String(port)], { timeoutMs: 15000 });
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => served.closed.length === 1);
    assert.deepEqual(served.closed[0], { how: 'aborted', by: 'peer', source: 0, reason: 0 });
  });

  test('echoscu is told why it was rejected', async () => {
    const { port } = await startOurScp(() => ({ accept: false, result: 1, source: 1, reason: 7 }));
    const r = await runDcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'NOBODY', '127.0.0.1', String(port)], { timeoutMs: 15000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Rejected Permanent/);
    assert.match(r.stderr, /Called AE Title Not Recognized/);
  });

  test('storescu: 20 CT images arrive byte for byte, with max PDU 16384 and 4096', async () => {
    const { port, served } = await startOurScp(acceptKnown);
    for (const pdu of ['16384', '4096']) {
      served.stored.clear();
      const t0 = Date.now();
      const r = await runDcmtk('storescu', ['-aet', 'STORESCU', '-aec', 'PRIORS', '-xe', '-pdu', pdu, '127.0.0.1', String(port), ...series.files], {
        timeoutMs: 60000,
      });
      assert.equal(r.code, 0, r.stderr);
      const seconds = (Date.now() - t0) / 1000;
      assert.equal(served.stored.size, series.files.length);
      for (const file of series.files) {
        const { bytes, meta, offset } = part10(file);
        const got = served.stored.get(getString(meta, tag(0x0002, 0x0003))!);
        assert.ok(got?.equals(bytes.subarray(offset)), `${file} received unchanged`);
      }
      process.stderr.write(`# storescu -pdu ${pdu}: ${series.files.length} instances in ${seconds.toFixed(2)} s (process start included)\n`);
    }
  });
});

describe('our requestor, DCMTK storescp', () => {
  test('a Verification association: C-ECHO, then release', async () => {
    const scp = await startStorescp({ dir: tempDir('ul-storescp') });
    const lines: string[] = [];
    const a = await Association.request({
      host: '127.0.0.1',
      port: scp.port,
      callingAeTitle: 'PRIORS',
      calledAeTitle: scp.aeTitle,
      contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [ELE, ILE] }],
      log: (l, m) => lines.push(`${l} ${m}`),
    });
    assert.equal(a.contexts.length, 1);
    assert.match(a.peerImplementationClassUid, /^1\.2\.276\.0\.7230010\.3\./, 'DCMTK implementation class UID');
    assert.ok(a.peerMaxPduLength > 0);
    await a.sendMessage(
      a.contexts[0]!.id,
      cmd([
        [T.AffectedSOPClassUID, 'UI', VERIFICATION],
        [T.CommandField, 'US', 0x0030],
        [T.MessageID, 'US', 42],
        [T.CommandDataSetType, 'US', 0x0101],
      ]),
    );
    const rsp = await a.receiveMessage();
    assert.ok(rsp);
    assert.equal(getNumber(rsp.command, T.CommandField), 0x8030);
    assert.equal(getNumber(rsp.command, T.MessageIDBeingRespondedTo), 42);
    assert.equal(getNumber(rsp.command, T.Status), 0);
    await a.release();
    assert.deepEqual(await a.closed, { how: 'released', by: 'us' });
    assert.ok(lines.some((l) => /closed after [\d.]+ s: released by us/.test(l)));
  });

  test('C-STORE from a file stream arrives unchanged (storescp +B)', async () => {
    const dir = tempDir('ul-storescp');
    const scp = await startStorescp({ dir, bitPreserving: true });
    const a = await Association.request({
      host: '127.0.0.1',
      port: scp.port,
      callingAeTitle: 'PRIORS',
      calledAeTitle: scp.aeTitle,
      contexts: [{ abstractSyntax: CT, transferSyntaxes: [ELE] }],
    });
    const ctx = a.findContext(CT, [ELE]);
    assert.ok(ctx);
    const files = series.files.slice(0, 3);
    for (const [i, file] of files.entries()) {
      const { meta, offset } = part10(file);
      await a.sendMessage(
        ctx.id,
        cmd([
          [T.AffectedSOPClassUID, 'UI', CT],
          [T.CommandField, 'US', 0x0001],
          [T.MessageID, 'US', i + 1],
          [T.Priority, 'US', 0],
          [T.CommandDataSetType, 'US', 0x0000],
          [T.AffectedSOPInstanceUID, 'UI', getString(meta, tag(0x0002, 0x0003))!],
        ]),
        createReadStream(file, { start: offset }),
      );
      const rsp = await a.receiveMessage();
      assert.equal(getNumber(rsp!.command, T.Status), 0);
    }
    await a.release();
    const received = scp.receivedFiles();
    assert.equal(received.length, files.length);
    for (const file of files) {
      const { bytes, meta, offset } = part10(file);
      const uid = getString(meta, tag(0x0002, 0x0003))!;
      const stored = received.find((f) => f.includes(uid));
      assert.ok(stored, `${uid} stored`);
      const s = part10(stored);
      assert.ok(s.bytes.subarray(s.offset).equals(bytes.subarray(offset)), 'data set bytes unchanged');
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
