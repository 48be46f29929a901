// A C-GET requestor that offers Implicit VR Little Endian alone, against our SCP holding Explicit
// VR Little Endian instances: every instance arrives, converted on the way, the stored files
// unchanged, and the values of each received data set equal the stored one's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../../shared/config.js';
import { decodeDataSet, encodingOf } from '../../shared/dicom/codec.js';
import type { DataSet } from '../../shared/dicom/dataset.js';
import { TransferSyntaxUid } from '../../shared/dicom/uids.js';
import { Cache } from '../../electron/cache/index.js';
import { readInstanceHeaderSync } from '../../electron/cache/header.js';
import { get } from '../../electron/dimse/scu/index.js';
import { CacheStoreHandler } from '../../electron/services/local-scp/handlers.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
let archive: Cache;
let server: ServeHandle;
let receiving: Cache;
let series: GeneratedSeries;

before(async () => {
  series = await generateCtSeries({ count: 5, rows: 64, cols: 64, patientId: 'TG-1', seed: 91 });
  const work = tempDir('transcode-get');
  archive = await Cache.open(join(work, 'archive'));
  await archive.importPaths(series.files);
  server = await startServer({ config: defaultConfig(), cache: archive, port: 0, bindAddress: '127.0.0.1', aeTitle: 'ARCHIVE', audit: false });
  receiving = await Cache.open(join(work, 'receiving'));
});

after(async () => {
  await server?.close();
  await archive?.close();
  await receiving?.close();
});

/** Tag → value of a stored file's data set, without group lengths. */
function valuesOf(path: string): unknown {
  const h = readInstanceHeaderSync(path);
  const { dataSet } = decodeDataSet(readFileSync(path).subarray(h.dataSetOffset), encodingOf(h.transferSyntaxUid));
  const plain = (ds: DataSet): unknown =>
    [...ds]
      .filter(([t]) => (t & 0xffff) !== 0)
      .sort((a, b) => a[0] - b[0])
      .map(([t, e]) => [t, e.vr === 'SQ' ? (e.value as DataSet[]).map(plain) : e.value instanceof Uint8Array ? Buffer.from(e.value).toString('hex') : e.value]);
  return plain(dataSet);
}

test('C-GET offering Implicit VR Little Endian alone receives every Explicit VR Little Endian instance, converted', async () => {
  const stored = archive.instancesFor('STUDY', [series.StudyInstanceUID]);
  assert.ok(stored.every((i) => i.transferSyntaxUid === TransferSyntaxUid.ExplicitVRLittleEndian));
  const before = stored.map((i) => readFileSync(i.path));
  const identifier: DataSet = new Map([[0x0020000d, { vr: 'UI', value: [series.StudyInstanceUID] }]]);
  const outcome = await get(
    { aeTitle: 'ARCHIVE', host: '127.0.0.1', port: server.port },
    { model: 'study', level: 'STUDY', identifier },
    {
      callingAeTitle: 'REQUESTOR',
      timeouts,
      store: new CacheStoreHandler(receiving),
      transferSyntaxes: [TransferSyntaxUid.ImplicitVRLittleEndian],
    },
  );
  assert.deepEqual({ completed: outcome.completed, failed: outcome.failed }, { completed: 5, failed: 0 });
  receiving.flushIndex();
  const got = receiving.instancesFor('STUDY', [series.StudyInstanceUID]);
  assert.equal(got.length, 5);
  for (const instance of got) {
    assert.equal(instance.transferSyntaxUid, TransferSyntaxUid.ImplicitVRLittleEndian, 'stored as it arrived: converted');
    const original = stored.find((s) => s.sopInstanceUid === instance.sopInstanceUid)!;
    assert.deepEqual(valuesOf(instance.path), valuesOf(original.path), `${instance.sopInstanceUid}: the same values`);
  }
  assert.deepEqual(
    stored.map((i) => readFileSync(i.path)),
    before,
    'the stored files are unchanged',
  );
});
