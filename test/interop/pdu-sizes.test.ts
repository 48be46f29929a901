// A data set spread over many P-DATA-TF PDUs of every size arrives byte for byte: storescu sends
// CT images to priors serve and to storescp +B announcing the same Maximum Length (4096, the
// default, 131072, and no limit for priors), and priors send honours the maximum each storescp
// announces. The framer's own splitting across socket reads is tested in the unit tier.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultConfig } from '../../shared/config.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { startStorescp, type StorescpPeer } from '../helpers/peers.js';
import {
  compareWithOracle,
  filesBySopInstanceUid,
  priorsStoredFiles,
  runPriors,
  startPriorsServe,
  storescuPerSyntax,
  type PriorsServe,
} from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const SIZES = [4096, defaultConfig().local.maxPduLength, 131072];

let work: string;
let ct: GeneratedSeries;
const started: (PriorsServe | StorescpPeer)[] = [];

/** A data dir whose config.json sets `local.maxPduLength`. */
function dataDirWithMax(name: string, maxPduLength: number): string {
  const dataDir = join(work, name);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ local: { aeTitle: 'PRIORS', port: 11112, maxPduLength } }));
  return dataDir;
}

/** priors serve with `local.maxPduLength` set. */
async function priorsWithMax(name: string, maxPduLength: number): Promise<{ serve: PriorsServe; dataDir: string }> {
  const dataDir = dataDirWithMax(name, maxPduLength);
  const serve = await startPriorsServe({ aeTitle: 'PRIORS', dataDir });
  started.push(serve);
  return { serve, dataDir };
}

/** Every file of `oracleDir` has a byte-identical counterpart (File Meta and data set) among `ours`. */
function problemsAgainst(oracleDir: string, ours: Map<string, string>, expected: number): string[] {
  const received = filesBySopInstanceUid(oracleDir);
  const problems: string[] = [];
  if (received.size !== expected) problems.push(`the oracle received ${received.size} of ${expected}`);
  for (const [uid, oracleFile] of received) {
    const mine = ours.get(uid);
    if (!mine) problems.push(`${uid}: received by storescp, not by priors`);
    else problems.push(...compareWithOracle(oracleFile, mine, `${basename(mine)}: `));
  }
  return problems;
}

describe('P-DATA-TF sizes against DCMTK', { timeout: 600_000 }, () => {
  before(async () => {
    work = tempDir('pdu-sizes');
    // 512×512 16-bit slices: each data set spans 4 to 130 PDUs at these sizes
    ct = await generateCtSeries({ count: 6, patientName: 'PDU^SIZES', patientId: 'PRIORS-PDU', seed: 31 });
  });
  after(async () => {
    await Promise.all(started.map((p) => p.stop()));
  });

  for (const size of SIZES) {
    test(`storescu → priors serve announcing ${size}: byte-identical to storescp +B announcing ${size}`, async () => {
      const oracle = await startStorescp({ aeTitle: 'ORACLE', dir: join(work, `oracle-${size}`), bitPreserving: true, extraArgs: ['-pdu', String(size)] });
      started.push(oracle);
      const { serve, dataDir } = await priorsWithMax(`in-${size}`, size);
      const a = await storescuPerSyntax(oracle, ct.files);
      const b = await storescuPerSyntax(serve, ct.files);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, `${b.stderr}\n${serve.logs().slice(-2000)}`);
      assert.deepEqual(problemsAgainst(oracle.dir, priorsStoredFiles(dataDir), ct.files.length), []);
    });
  }

  test('storescu → priors serve with no limit (0): byte-identical to storescp +B at its largest, 131072', async () => {
    const oracle = await startStorescp({ aeTitle: 'ORACLE', dir: join(work, 'oracle-max'), bitPreserving: true, extraArgs: ['-pdu', '131072'] });
    started.push(oracle);
    const { serve, dataDir } = await priorsWithMax('in-unlimited', 0);
    assert.equal((await storescuPerSyntax(oracle, ct.files)).code, 0);
    const b = await storescuPerSyntax(serve, ct.files);
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(problemsAgainst(oracle.dir, priorsStoredFiles(dataDir), ct.files.length), []);
  });

  test('priors send to storescp +B announcing 4096 and 131072: PDUs within each maximum, data sets as stored', async () => {
    const dataDir = dataDirWithMax('out', defaultConfig().local.maxPduLength);
    const r0 = await runPriors(['import', ct.dir], { dataDir });
    assert.equal(r0.code, 0, r0.stderr + r0.stdout);
    const stored = priorsStoredFiles(dataDir);
    assert.equal(stored.size, ct.files.length);
    for (const size of [4096, 131072]) {
      // storescp aborts an association whose P-DATA-TF exceeds what it announced
      const oracle = await startStorescp({ aeTitle: 'ORACLE', dir: join(work, `sent-${size}`), bitPreserving: true, extraArgs: ['-pdu', String(size)] });
      started.push(oracle);
      const r = await runPriors(['send', `ORACLE@127.0.0.1:${oracle.port}`, ...stored.values()], { dataDir, timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.deepEqual(problemsAgainst(oracle.dir, stored, ct.files.length), [], `announcing ${size}`);
    }
  });
});
