// Issue 17 item 1: a damaged index. Garbage over pages of index.sqlite, or a truncated file: the
// next start checks the index (quick_check), sets the damaged file aside under a name it prints,
// rebuilds the index from the files, keeps the jobs and the audit trail (history.sqlite) and says
// what happened in one sentence; C-FIND at IMAGE level and C-GET then answer everything again.
// Damage met while serving does the same without a restart: the instance acknowledged just before
// is indexed by the rebuild, and stores are refused (A700) until it is done, never acknowledged.
// Our SCU against our SCP on 127.0.0.1, port 0.
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { after, before, describe, test } from 'node:test';
import { defaultConfig, type Config } from '../../shared/config.js';
import { type DataSet } from '../../shared/dicom/dataset.js';
import { AuditStore } from '../../electron/cache/audit.js';
import { Cache } from '../../electron/cache/index.js';
import { JobStore } from '../../electron/cache/jobs.js';
import { parseInstanceHeader } from '../../electron/cache/header.js';
import { find, get } from '../../electron/dimse/scu/index.js';
import type { StoreHandler } from '../../electron/dimse/handlers.js';
import { CacheStoreHandler } from '../../electron/services/local-scp/handlers.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { instancesFromPaths, sendInstances } from '../../electron/services/send/send.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
const AET = 'PRIORS_DMG';
const config: Config = { ...defaultConfig(), local: { ...defaultConfig().local, aeTitle: AET, port: 0, bindAddress: '127.0.0.1' } };
const scu = { callingAeTitle: 'WS1', timeouts };

/** Writes a fixed garbage pattern over pages `from`..`to` (0-based, 4096 bytes each) of a file, as dd conv=notrunc would. */
function damagePages(path: string, from: number, to: number): void {
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 17) & 0xff;
  const fd = openSync(path, 'r+');
  try {
    for (let page = from; page <= to; page++) writeSync(fd, garbage, 0, garbage.length, page * 4096);
  } finally {
    closeSync(fd);
  }
}

/** IMAGE-level C-FIND of a series: the SOP Instance UIDs answered and the final status. */
async function imagesOf(
  server: ServeHandle,
  s: Pick<GeneratedSeries, 'StudyInstanceUID' | 'SeriesInstanceUID'>,
): Promise<{ uids: string[]; status: number; errorComment?: string }> {
  const identifier: DataSet = new Map([
    [0x0020000d, { vr: 'UI', value: [s.StudyInstanceUID] }],
    [0x0020000e, { vr: 'UI', value: [s.SeriesInstanceUID] }],
    [0x00080018, { vr: 'UI', value: [] }],
  ]);
  const stream = find({ aeTitle: AET, host: '127.0.0.1', port: server.port }, { model: 'study', level: 'IMAGE', identifier }, scu);
  const uids: string[] = [];
  for await (const m of stream) uids.push(String((m.get(0x00080018)?.value as string[] | undefined)?.[0] ?? ''));
  const outcome = await stream.outcome;
  return { uids, status: outcome.status, ...(outcome.errorComment ? { errorComment: outcome.errorComment } : {}) };
}

/** C-GET of a study into memory: how many instances arrived, and the final status. */
async function getStudy(server: ServeHandle, study: string): Promise<{ received: number; status: number }> {
  let received = 0;
  const sink: StoreHandler = {
    store: async (r) => {
      for await (const _ of r.dataSet) {
        /* drained */
      }
      received++;
      return { status: 0 };
    },
  };
  const outcome = await get(
    { aeTitle: AET, host: '127.0.0.1', port: server.port },
    { model: 'study', level: 'STUDY', identifier: new Map([[0x0020000d, { vr: 'UI', value: [study] }]]) },
    { ...scu, store: sink },
  );
  return { received, status: outcome.status };
}

/** A data directory holding a 60-image study received over the network, audit events and a transfer job. */
async function populated(series: GeneratedSeries): Promise<{ dir: string; auditEvents: number; jobId: string }> {
  const dir = join(tempDir('index-damage'), 'data');
  const cache = await Cache.open(dir);
  const server = await startServer({ config, cache });
  try {
    const { instances } = await instancesFromPaths(series.files);
    const sent = await sendInstances({ aeTitle: AET, host: '127.0.0.1', port: server.port }, instances, scu);
    assert.equal(sent.sent, series.files.length);
    for (let i = 0; i < 3; i++) assert.equal((await imagesOf(server, series)).uids.length, series.files.length);
  } finally {
    await server.close();
  }
  const jobs = JobStore.open(dir);
  const jobId = jobs.insert({ node: 'pacs', method: 'move', level: 'STUDY', StudyInstanceUID: series.StudyInstanceUID }).id;
  jobs.close();
  await cache.close();
  const audit = AuditStore.open(dir);
  const auditEvents = audit.query().total;
  audit.close();
  assert.ok(auditEvents >= 4, `the store and the queries were audited (${auditEvents})`);
  return { dir, auditEvents, jobId };
}

describe('a damaged index at start', { timeout: 120_000 }, () => {
  let series: GeneratedSeries;
  const open: { cache: Cache; server?: ServeHandle }[] = [];
  before(async () => {
    series = await generateCtSeries({ count: 60, rows: 32, cols: 32, patientId: 'DAMAGE-1', patientName: 'DAMAGE^INDEX', accession: 'DMG1', seed: 1701 });
  });
  after(async () => {
    for (const o of open) {
      await o.server?.close();
      await o.cache.close();
    }
  });

  for (const [name, damage] of [
    ['garbage over pages of the file', (path: string) => damagePages(path, 5, 25)],
    ['a truncated file', (path: string) => truncateSync(path, 40_000)],
    ['garbage over its header (not a database)', (path: string) => damagePages(path, 0, 0)],
  ] as const) {
    test(`${name}: set aside and named, rebuilt from the files, the audit trail and the jobs kept; C-FIND and C-GET answer everything`, async () => {
      const { dir, auditEvents, jobId } = await populated(series);
      const indexPath = join(dir, 'index.sqlite');
      damage(indexPath);
      const logs: string[] = [];
      const cache = await Cache.open(dir, { log: (level, message) => logs.push(`${level} ${message}`) });
      const server = await startServer({ config, cache });
      open.push({ cache, server });
      const damaged = cache.recovery?.damaged;
      assert.ok(damaged, `the damage was found at open: ${JSON.stringify(cache.recovery)}`);
      assert.match(damaged.setAside, /^index\.sqlite\.damaged-\d{4}-\d\d-\d\dT/);
      assert.ok(existsSync(join(dir, damaged.setAside)), 'the damaged file is kept under its new name');
      const sentence = logs.filter((l) => l.includes('was damaged'));
      assert.equal(sentence.length, 1, logs.join('\n'));
      assert.ok(sentence[0]!.includes(indexPath) && sentence[0]!.includes(damaged.setAside) && sentence[0]!.includes('built from the files'), sentence[0]);
      assert.doesNotMatch(sentence[0]!, /\n/, 'one line');
      assert.equal(cache.recovery?.reindexed, series.files.length, 'every file indexed again');

      const found = await imagesOf(server, series);
      assert.equal(found.status, 0, `C-FIND answered ${found.status.toString(16)} ${found.errorComment ?? ''}`);
      assert.deepEqual(found.uids.sort(), [...series.SOPInstanceUIDs].sort(), 'IMAGE-level C-FIND finds every instance');
      assert.deepEqual(await getStudy(server, series.StudyInstanceUID), { received: series.files.length, status: 0 }, 'C-GET sends every instance');

      await server.close();
      open.pop();
      await cache.close();
      const audit = AuditStore.open(dir);
      try {
        assert.ok(audit.query().total >= auditEvents, `the audit trail kept its ${auditEvents} events (now ${audit.query().total})`);
      } finally {
        audit.close();
      }
      const jobs = JobStore.open(dir);
      try {
        assert.equal(jobs.get(jobId)?.StudyInstanceUID, series.StudyInstanceUID, 'the transfer job is kept');
      } finally {
        jobs.close();
      }
    });
  }
});

describe('a damaged index too large to check before opening', { timeout: 120_000 }, () => {
  test('checked in the background once open: the damage found sets it aside and rebuilds it while serving, and says so', async () => {
    const series = await generateCtSeries({ count: 60, rows: 32, cols: 32, patientId: 'DAMAGE-3', patientName: 'DAMAGE^LARGE', accession: 'DMG4', seed: 1704 });
    const { dir } = await populated(series);
    // leaves of the instance table: pages opening never reads, that a check (or a query) does
    const db = new Database(join(dir, 'index.sqlite'), { readonly: true });
    const leaves = db.prepare("SELECT pageno FROM dbstat WHERE name = 'instance' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    db.close();
    assert.ok(leaves.length >= 2, `the instance table has leaves (${leaves.length})`);
    damagePages(join(dir, 'index.sqlite'), leaves[0]! - 1, leaves[0]! - 1);
    const logs: string[] = [];
    // every index counts as large here: opened at once, checked after
    const cache = await Cache.open(dir, { checkBeforeOpenBytes: 0, log: (level, message) => logs.push(`${level} ${message}`) });
    const server = await startServer({ config, cache });
    try {
      assert.equal(cache.recovery?.damaged, undefined, 'not checked before opening');
      const deadline = Date.now() + 30_000;
      while (!logs.some((l) => l.includes('rebuilt from the files')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const told = logs.filter((l) => l.includes('is damaged') || l.includes('rebuilt from the files'));
      assert.equal(told.length, 2, logs.join('\n'));
      assert.ok(told[1]!.includes(join(dir, 'index.sqlite')) && /set aside as index\.sqlite\.damaged-/.test(told[1]!), told[1]);
      const found = await imagesOf(server, series);
      assert.equal(found.status, 0);
      assert.equal(found.uids.length, series.files.length, 'every instance found again');
    } finally {
      await server.close();
      await cache.close();
    }
  });
});

describe('an index damaged while serving', { timeout: 120_000 }, () => {
  test('the instance acknowledged just before is indexed by the rebuild, without a restart; stores meanwhile are refused with A700, never acknowledged', async () => {
    const series = await generateCtSeries({ count: 60, rows: 32, cols: 32, patientId: 'DAMAGE-2', patientName: 'DAMAGE^LIVE', accession: 'DMG2', seed: 1702 });
    const late = await generateCtSeries({ count: 3, rows: 32, cols: 32, patientId: 'DAMAGE-2', patientName: 'DAMAGE^LIVE', accession: 'DMG3', seed: 1703 });
    const { dir } = await populated(series);
    const logs: string[] = [];
    const cache = await Cache.open(dir, { log: (level, message) => logs.push(`${level} ${message}`) });
    const server = await startServer({ config, cache });
    const handler = new CacheStoreHandler(cache);
    const storeFile = async (file: string) => {
      const bytes = readFileSync(file);
      const header = parseInstanceHeader(bytes, bytes.length, file)!;
      const outcome = await handler.store({
        association: { id: 'd1', callingAeTitle: 'CT1', calledAeTitle: AET, peerAddress: '127.0.0.1', peerPort: 1 },
        sopClassUid: header.fields.instance.SOPClassUID,
        sopInstanceUid: header.fields.instance.SOPInstanceUID,
        transferSyntaxUid: header.transferSyntaxUid,
        dataSet: Readable.from([bytes.subarray(header.dataSetOffset)]),
      });
      outcome.afterResponse?.(); // as the SCP does once the answer is sent
      return outcome;
    };
    try {
      assert.equal(cache.recovery?.damaged, undefined, 'sound at open');
      // the pages of the index on disk are damaged under the running server (its connections have not read them yet)
      damagePages(join(dir, 'index.sqlite'), 3, 40);
      const first = await storeFile(late.files[0]!);
      assert.equal(first.status, 0, 'deferred durability: answered before its row is written');
      cache.flushIndex(); // the row's write meets the damage: the rebuild starts
      assert.ok(
        logs.some((l) => l.includes('is damaged') && l.includes('refuses incoming instances')),
        logs.join('\n'),
      );
      const during = await storeFile(late.files[1]!);
      assert.deepEqual(
        { status: during.status, errorComment: during.errorComment },
        { status: 0xa700, errorComment: 'Index being rebuilt on the receiving workstation; retry later' },
        'refused before it is acknowledged while the index is rebuilt',
      );
      const report = await cache.rebuildIndex(); // the rebuild under way (or a new one): wait for it
      assert.ok(report.damaged?.setAside && existsSync(join(dir, report.damaged.setAside)), JSON.stringify(report));
      assert.ok(
        logs.some((l) => l.includes('rebuilt from the files') && l.includes('accepts instances again')),
        logs.join('\n'),
      );
      // no restart: what was acknowledged is found, and stores are accepted again
      const afterRebuild = await storeFile(late.files[2]!);
      assert.equal(afterRebuild.status, 0);
      const found = await imagesOf(server, late);
      assert.equal(found.status, 0);
      assert.deepEqual(
        found.uids.sort(),
        [late.SOPInstanceUIDs[0]!, late.SOPInstanceUIDs[2]!].sort(),
        'every acknowledged instance is found; the refused one is not',
      );
      assert.equal((await imagesOf(server, series)).uids.length, series.files.length, 'the study held before is found whole');
    } finally {
      await server.close();
      await cache.close();
    }
  });
});
