// What this workstation does, recorded in its audit trail through the app core's events: an
// import, a send (to an archive that is our own SCP on port 0, and to a port nobody listens
// on), a query, a C-GET job and a delete, each with the outcome PS3.15 gives it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditOutcome, type AuditEvent } from '../../shared/audit.js';
import { defaultConfig, type Config } from '../../shared/config.js';
import { isFinished, type TransferJob } from '../../shared/transfers.js';
import { Cache } from '../../electron/cache/index.js';
import { composeAppCore, type ComposedCore } from '../../electron/app/compose.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { instancesFromPaths, sendInstances } from '../../electron/services/send/send.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };

/** A port that was free a moment ago: nothing answers there. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the audit trail follows the app core', { timeout: 120_000 }, () => {
  const work = tempDir('audit-outgoing');
  let archiveCache: Cache;
  let archive: ServeHandle;
  let cache: Cache;
  let composed: ComposedCore;
  let local: GeneratedSeries;
  let remote: GeneratedSeries;

  const events = async (what: AuditEvent['what']): Promise<AuditEvent[]> => {
    const r = await composed.core['audit.query']({ what, limit: 100 });
    assert.ok(r.ok);
    return r.value.events;
  };
  /** The events of a kind once `count` of them are there (queries are recorded when they end). */
  const eventually = async (what: AuditEvent['what'], count: number): Promise<AuditEvent[]> => {
    for (const deadline = Date.now() + 20_000; ;) {
      const found = await events(what);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`${found.length} ${what} events, expected ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  before(async () => {
    local = await generateCtSeries({ count: 3, rows: 32, cols: 32, patientId: 'AO-LOCAL', patientName: 'AUDIT^LOCAL', dir: join(work, 'import') });
    remote = await generateCtSeries({ count: 4, rows: 32, cols: 32, patientId: 'AO-REMOTE', patientName: 'AUDIT^REMOTE' });
    archiveCache = await Cache.open(join(work, 'archive'));
    archive = await startServer({
      config: { ...defaultConfig(), timeouts },
      cache: archiveCache,
      port: 0,
      bindAddress: '127.0.0.1',
      aeTitle: 'ARCHIVE',
      audit: false,
    });
    const { instances } = await instancesFromPaths(remote.files);
    assert.equal(
      (await sendInstances({ aeTitle: 'ARCHIVE', host: '127.0.0.1', port: archive.port }, instances, { callingAeTitle: 'MODALITY', timeouts })).sent,
      4,
    );

    const config: Config = { ...defaultConfig(), timeouts };
    config.local = { ...config.local, aeTitle: 'PRIORS', port: 0, bindAddress: '127.0.0.1' };
    config.nodes = [
      { name: 'archive', aeTitle: 'ARCHIVE', host: '127.0.0.1', port: archive.port, model: 'study', method: 'get', maxAssociations: 1 },
      { name: 'nowhere', aeTitle: 'NOWHERE', host: '127.0.0.1', port: await closedPort(), model: 'study', method: 'get', maxAssociations: 1 },
    ];
    const activity = new ActivityLog();
    cache = await Cache.open(join(work, 'ours'), { log: activity.logger });
    // no server of ours: the core keeps an audit trail of its own over the same history
    composed = composeAppCore({ dataDir: cache.dataDir, config, cache, activity, worklist: false });
    await composed.store.save(config);
  });

  after(async () => {
    await composed?.close();
    await cache?.close();
    await archive?.close();
    await archiveCache?.close();
  });

  test('imports and sends: success, a minor failure for files skipped, a serious one for a send nobody answers', async () => {
    const imported = await composed.core['cache.import']({ path: join(work, 'import') });
    assert.ok(imported.ok && imported.value.imported === 3, JSON.stringify(imported));
    const notDicom = join(work, 'not-dicom');
    mkdirSync(notDicom);
    writeFileSync(join(notDicom, 'notes.txt'), 'not a DICOM file');
    assert.ok((await composed.core['cache.import']({ path: notDicom })).ok);
    const imports = await events('import');
    const whole = imports.find((e) => e.detail === `from ${join(work, 'import')}`)!;
    assert.deepEqual([whole.outcome, whole.direction, whole.instances], [AuditOutcome.Success, 'local', 3]);
    const skipped = imports.find((e) => e.detail?.startsWith(`from ${notDicom}`))!;
    assert.deepEqual([skipped.outcome, skipped.instances, skipped.detail], [AuditOutcome.MinorFailure, 0, `from ${notDicom}; 1 files skipped`]);

    const sent = await composed.core['cache.send']({ node: 'archive', level: 'STUDY', uids: [local.StudyInstanceUID] });
    assert.ok(sent.ok && sent.value.sent === 3, JSON.stringify(sent));
    const refused = await composed.core['cache.send']({ node: 'nowhere', level: 'STUDY', uids: [local.StudyInstanceUID] });
    assert.ok(!refused.ok, 'nothing listens there');
    const sends = await events('send');
    const toArchive = sends.find((e) => e.node === 'archive')!;
    assert.deepEqual(
      [toArchive.outcome, toArchive.peerAeTitle, toArchive.StudyInstanceUID, toArchive.instances, toArchive.PatientID],
      [AuditOutcome.Success, 'ARCHIVE', local.StudyInstanceUID, 3, 'AO-LOCAL'],
    );
    const toNowhere = sends.find((e) => e.node === 'nowhere')!;
    assert.deepEqual([toNowhere.outcome, toNowhere.peerAeTitle, toNowhere.instances], [AuditOutcome.SeriousFailure, 'NOWHERE', 0]);
    assert.equal(toNowhere.outcomeText, refused.ok ? undefined : refused.error.message);
  });

  test('a query of a node is recorded when it ends, with its keys and matches; a search of the cache is not', async () => {
    const cacheSearch = await composed.core['search.start']({ source: { kind: 'local' }, level: 'STUDY', keys: { PatientID: 'AO-LOCAL' } });
    assert.ok(cacheSearch.ok);
    const started = await composed.core['search.start']({ source: { kind: 'node', node: 'archive' }, level: 'STUDY', keys: { PatientID: 'AO-REMOTE' } });
    assert.ok(started.ok);
    const [query, ...more] = await eventually('query', 1);
    assert.equal(more.length, 0, 'the cache search left no event');
    assert.deepEqual(
      [query!.outcome, query!.node, query!.peerAeTitle, query!.PatientID, query!.instances, query!.detail],
      [AuditOutcome.Success, 'archive', 'ARCHIVE', 'AO-REMOTE', 1, 'STUDY: PatientID=AO-REMOTE'],
    );
  });

  test('a retrieve job is recorded when it finishes, and a delete names the patient it removed', async () => {
    const added = await composed.core['transfers.add']({ node: 'archive', method: 'get', level: 'STUDY', StudyInstanceUID: remote.StudyInstanceUID });
    assert.ok(added.ok);
    const finished = await new Promise<TransferJob>((resolve) => {
      const off = composed.transfers.on((e) => {
        if (e.type === 'job.finished' && e.job.id === added.value.job.id) {
          off();
          resolve(e.job);
        }
      });
    });
    assert.ok(isFinished(finished.state) && finished.state === 'completed', finished.verdict?.sentence);
    const [retrieve] = await eventually('retrieve', 1);
    assert.deepEqual(
      [retrieve!.outcome, retrieve!.node, retrieve!.StudyInstanceUID, retrieve!.instances, retrieve!.detail],
      [AuditOutcome.Success, 'archive', remote.StudyInstanceUID, 4, 'C-GET STUDY'],
    );

    const deleted = await composed.core['cache.delete']({ level: 'STUDY', uids: [local.StudyInstanceUID] });
    assert.ok(deleted.ok && deleted.value.deleted === 1);
    const [del] = await events('delete');
    assert.deepEqual(
      [del!.outcome, del!.direction, del!.StudyInstanceUID, del!.PatientID, del!.PatientName, del!.instances],
      [AuditOutcome.Success, 'local', local.StudyInstanceUID, 'AO-LOCAL', 'AUDIT^LOCAL', 3],
    );
  });
});
