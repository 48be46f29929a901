// nodes.test over C-GET against a second `priors serve` (our own SCP) holding an instance in a
// transfer syntax the default C-GET plan only offers in a shared context (RLE Lossless): the
// retrieve step must still succeed (it used to fail with "requestor offered no context"), and
// leave the cache as it found it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiEvent } from '../../shared/api/contract.js';
import { defaultConfig } from '../../shared/config.js';
import { SopClassUid, TransferSyntaxUid } from '../../shared/dicom/uids.js';
import { Cache } from '../../electron/cache/index.js';
import { planGetContexts } from '../../electron/dimse/scu/index.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { AppCore } from '../../electron/app/core.js';
import { getContextsFor } from '../../electron/app/node-test.js';
import { ConfigStore } from '../../electron/services/config/config-store.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { runPriors, startPriorsServe, type PriorsServe } from '../helpers/priors-cli.js';
import { PYDICOM_DATA, pydicomAvailable } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';

const MR_RLE = join(PYDICOM_DATA, 'test_files', 'MR_small_RLE.dcm');

test('the test C-GET offers its class with one context per transfer syntax', () => {
  const one = getContextsFor(SopClassUid.MRImageStorage);
  assert.deepEqual(one.storageSopClasses, [SopClassUid.MRImageStorage]);
  const plan = planGetContexts('1.2.840.10008.5.1.4.1.2.2.3', one.storageSopClasses!, one.transferSyntaxes!);
  const rle = plan.contexts.filter((c) => c.transferSyntaxes.includes(TransferSyntaxUid.RLELossless));
  assert.equal(rle.length, 1);
  assert.deepEqual(rle[0]!.transferSyntaxes, [TransferSyntaxUid.RLELossless]);
  assert.ok(plan.contexts.length <= 128);
  assert.ok(getContextsFor(undefined).storageSopClasses!.length > 1);
});

describe('nodes.test by C-GET', { skip: pydicomAvailable() ? false : 'pydicom corpus not installed' }, () => {
  let cache: Cache;
  let server: ServeHandle;
  let core: AppCore;
  let remote: PriorsServe;
  const dataDir = tempDir('node-test-get');

  before(async () => {
    cache = await Cache.open(dataDir);
    const activity = new ActivityLog();
    const config = { ...defaultConfig(), local: { ...defaultConfig().local, aeTitle: 'PRIORSGET', port: 0, bindAddress: '127.0.0.1' } };
    const store = new ConfigStore(dataDir);
    await store.save(config);
    server = await startServer({ config, cache, log: activity.logger, nodes: async () => (await store.load()).nodes });
    core = new AppCore({ store, cache, activity, server });
    const remoteDir = tempDir('node-test-remote');
    const imported = await runPriors(['import', MR_RLE], { dataDir: remoteDir });
    assert.equal(imported.code, 0, imported.stderr);
    remote = await startPriorsServe({ aeTitle: 'RLEPACS', dataDir: remoteDir, nodes: [{ name: 'us', address: `PRIORSGET@127.0.0.1:${server.port}` }] });
  });

  after(async () => {
    core?.close();
    await server?.close();
    await cache?.close();
    await remote?.stop();
  });

  test('echo, find and a one-instance C-GET of an RLE Lossless instance all succeed', async () => {
    const saved = await core['nodes.save']({ node: { name: 'rle', aeTitle: remote.aeTitle, host: '127.0.0.1', port: remote.port, method: 'get' } });
    assert.equal(saved.ok, true);
    const r = await core['nodes.test']({ name: 'rle' });
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.steps.map((s) => [s.step, s.outcome]),
      [
        ['echo', 'ok'],
        ['find', 'ok'],
        ['retrieve', 'ok'],
      ],
      JSON.stringify(r.value.steps),
    );
    assert.match(r.value.steps[2]!.message, /arrived by C-GET; it was removed again, so the cache is as before the test\.$/);
    assert.equal(cache.stats().instances, 0, 'the test leaves the cache as it found it');
  });

  test('cache.import emits import.progress after each file, with the importId', async () => {
    const seen: ApiEvent[] = [];
    const off = core.subscribe((e) => seen.push(e));
    const r = await core.invoke('cache.import', { path: join(PYDICOM_DATA, 'test_files', 'CT_small.dcm'), importId: 'imp-1' });
    off();
    assert.ok(r.ok, JSON.stringify(r));
    const progress = seen.filter((e): e is Extract<ApiEvent, { type: 'import.progress' }> => e.type === 'import.progress');
    assert.deepEqual(
      progress.map((e) => [e.importId, e.imported, e.path.endsWith('CT_small.dcm')]),
      [['imp-1', 1, true]],
    );
    assert.equal((await core.invoke('cache.import', { path: '/x', importId: 'bad id!' })).ok, false);
  });
});
