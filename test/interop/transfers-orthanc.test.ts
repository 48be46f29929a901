// The transfer queue against real Orthanc servers: jobs by C-GET and by C-MOVE reach a verified
// complete (expected from a C-FIND, arrived in the cache), and a C-GET to an Orthanc whose entry
// for our AE title forbids C-GET ("AllowGet": false) falls back to C-MOVE.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type Config, type RemoteNode } from '../../shared/config.js';
import { type DataSet, setString } from '../../shared/dicom/dataset.js';
import type { TransferJob } from '../../shared/transfers.js';
import { Cache } from '../../electron/cache/index.js';
import { searchRemote } from '../../electron/services/query/query.js';
import { retrieve } from '../../electron/services/retrieve/retrieve.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { TransferQueue } from '../../electron/services/transfers/index.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { loadIntoOrthanc, startOrthanc, type OrthancPeer } from '../helpers/peers.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 10000, dimseMs: 30000 };

describe('transfer queue with Orthanc', () => {
  let cache: Cache;
  let dest: ServeHandle;
  let open: OrthancPeer;
  let strict: OrthancPeer;
  let a: GeneratedSeries;
  let b: GeneratedSeries;
  let q: TransferQueue;
  const config: Config = defaultConfig();
  const scu = { callingAeTitle: 'PRIORS', timeouts };

  /** Number of Study Related Instances, as the search screen would have it. */
  async function expectedOf(node: RemoteNode, study: string): Promise<number> {
    const keys: DataSet = new Map();
    setString(keys, 0x0020000d, 'UI', study);
    const found = await searchRemote(node, { model: 'study', level: 'STUDY', keys }, scu);
    assert.equal(found.rows.length, 1);
    return Number(found.rows[0]!.NumberOfStudyRelatedInstances);
  }

  function finished(id: string): Promise<TransferJob> {
    return new Promise((resolve) => {
      const off = q.on((e) => {
        if (e.type === 'job.finished' && e.job.id === id) {
          off();
          resolve(e.job);
        }
      });
    });
  }

  before(async () => {
    a = await generateCtSeries({ count: 6, rows: 64, cols: 64, patientName: 'Queue^Ada', patientId: 'PRIORS-Q-1', seed: 31 });
    b = await generateCtSeries({ count: 5, rows: 64, cols: 64, patientName: 'Queue^Bo', patientId: 'PRIORS-Q-2', seed: 32 });
    cache = await Cache.open(tempDir('transfers-orthanc'));
    config.local = { ...config.local, aeTitle: 'PRIORS', port: 0, bindAddress: '127.0.0.1' };
    config.timeouts = timeouts;
    dest = await startServer({ config, cache, queryRetrieve: false });
    open = await startOrthanc({ dir: tempDir('transfers-orthanc-open'), aeTitle: 'ORTHANC', modalities: { priors: ['PRIORS', '127.0.0.1', dest.port] } });
    strict = await startOrthanc({
      dir: tempDir('transfers-orthanc-strict'),
      aeTitle: 'STRICT',
      allowUnknownCallers: false,
      config: { DicomModalities: { priors: { AET: 'PRIORS', Host: '127.0.0.1', Port: dest.port, AllowGet: false } } },
    });
    await loadIntoOrthanc(open, [...a.files, ...b.files]);
    await loadIntoOrthanc(strict, a.files);
    const node = (name: string, peer: OrthancPeer, method: 'move' | 'get'): RemoteNode => ({
      name,
      aeTitle: peer.aeTitle,
      host: '127.0.0.1',
      port: peer.port,
      model: 'study',
      method,
      maxAssociations: 2,
    });
    config.nodes = [node('orthanc', open, 'get'), node('strict', strict, 'get')];
    q = new TransferQueue({
      cache,
      config,
      retrieve,
      scu: { timeouts },
      local: { aeTitle: 'PRIORS', port: dest.port, host: '127.0.0.1', storedListeners: dest.storedListeners },
    });
    q.start();
  });

  after(async () => {
    await q?.close();
    await dest?.close();
    await cache?.close();
  });

  test('a C-GET job and a C-MOVE job reach verified-complete', async () => {
    const orthanc = config.nodes[0]!;
    const get = q.add({ node: 'orthanc', level: 'STUDY', StudyInstanceUID: a.StudyInstanceUID, expected: await expectedOf(orthanc, a.StudyInstanceUID) });
    const move = q.add({
      node: 'orthanc',
      method: 'move',
      level: 'SERIES',
      StudyInstanceUID: b.StudyInstanceUID,
      SeriesInstanceUIDs: [b.SeriesInstanceUID],
      expected: 5,
    });
    const [g, m] = await Promise.all([finished(get.id), finished(move.id)]);
    assert.equal(g.expected, 6);
    assert.equal(g.state, 'completed', g.verdict?.sentence);
    assert.equal(g.verdict!.sentence, 'Retrieved 6 instances from ORTHANC by C-GET; all 6 expected are in the cache.');
    assert.equal(m.state, 'completed', m.verdict?.sentence);
    assert.equal(m.verdict!.sentence, 'Retrieved 5 instances from ORTHANC by C-MOVE; all 5 expected are in the cache.');
    assert.equal(cache.study(a.StudyInstanceUID)!.NumberOfStudyRelatedInstances, 6);
    assert.equal(cache.study(b.StudyInstanceUID)!.NumberOfStudyRelatedInstances, 5);
  });

  test('a C-GET to an Orthanc that refuses it falls back to C-MOVE and is verified', async () => {
    await cache.deleteStudy(a.StudyInstanceUID);
    const job = q.add({ node: 'strict', level: 'STUDY', StudyInstanceUID: a.StudyInstanceUID, expected: 6 });
    const done = await finished(job.id);
    assert.equal(done.state, 'completed', done.verdict?.sentence);
    assert.equal(done.method, 'get');
    assert.equal(done.usedMethod, 'move');
    assert.equal(
      done.verdict!.sentence,
      'Retrieved 6 instances from STRICT by C-MOVE (STRICT refused C-GET, so C-MOVE was used); all 6 expected are in the cache.',
    );
    assert.equal(cache.study(a.StudyInstanceUID)!.NumberOfStudyRelatedInstances, 6);
  });
});
