// UIDs never reach the file system unchecked (issue 6 item 6). A Study, Series or SOP Instance
// UID that is not a UID per PS3.5 §9.1 — path traversal, an absolute path, NUL, more than 64
// characters, a leading zero in a component, an empty or '..' component — is refused by the
// cache's one write path (CacheError EUID), by the Storage SCP handler with a status (0117
// Invalid Object Instance for the command's Affected SOP Instance UID, PS3.7 Annex C; A900 for
// a data set whose Study or Series Instance UID is not a UID, PS3.4 B.2.3), and by import.
// After each refusal, a scan of the whole sandbox shows nothing created outside the store's
// own files, and nothing in the store either.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { type DataSet, setString } from '../../../../shared/dicom/dataset.js';
import { EXPLICIT_LITTLE_ENDIAN, encodeDataSet } from '../../../../shared/dicom/codec.js';
import { Cache, CacheError } from '../../../../electron/cache/index.js';
import { buildFileMetaInformation } from '../../../../electron/cache/file-meta.js';
import { CacheStoreHandler } from '../../../../electron/services/local-scp/handlers.js';
import { walkFiles } from '../../../helpers/priors-cli.js';
import { tempDir } from '../../../helpers/tmp.js';

const SC = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const STUDY = '1.2.826.0.1.3680043.10.1.2';
const SERIES = '1.2.826.0.1.3680043.10.1.2.1';
const SOP = '1.2.826.0.1.3680043.10.1.2.1.1';

/** UIDs that must never become a path, and why each is not a UID. */
const BAD: [string, string][] = [
  ['../../etc/passwd', 'path traversal'],
  ['/etc/passwd', 'an absolute path'],
  ['1.2.3/../../../x', 'traversal after digits'],
  ['..', "a '..' component"],
  ['1.2..3', 'an empty component'],
  ['1.2.3.', 'a trailing period'],
  ['.1.2', 'a leading period'],
  ['1.2\u00003.4', 'a NUL inside'],
  [`1.2.${'3'.repeat(62)}`, 'over 64 characters'],
  ['1.02.3', 'a leading zero in a component'],
  ['1.2.840.10008.00', 'a leading zero in the last component'],
  ['C:\\Windows\\x', 'a Windows path'],
  ['1.2.3 4', 'a space inside'],
  ['', 'empty'],
];

function dataSet(uids: { study?: string; series?: string; sop?: string }): Uint8Array {
  const ds: DataSet = new Map();
  setString(ds, 0x00080016, 'UI', SC);
  setString(ds, 0x00080018, 'UI', uids.sop ?? SOP);
  setString(ds, 0x00100020, 'LO', 'PATHS');
  setString(ds, 0x0020000d, 'UI', uids.study ?? STUDY);
  setString(ds, 0x0020000e, 'UI', uids.series ?? SERIES);
  return encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN);
}

let sandbox: string;
let dataDir: string;
let cache: Cache;
/** Every file of the sandbox, relative to it. */
const scan = () =>
  walkFiles(sandbox)
    .map((f) => relative(sandbox, f).split('\\').join('/'))
    .sort();
let baseline: string[];

before(async () => {
  sandbox = tempDir('paths');
  dataDir = join(sandbox, 'a', 'b', 'data'); // so that ../../ from files/ lands inside the sandbox
  cache = await Cache.open(dataDir);
  baseline = scan();
});
after(async () => {
  await cache?.close();
});

function assertNothingWritten(what: string): void {
  const extra = scan().filter((f) => !baseline.includes(f) && !/^a\/b\/data\/index\.sqlite(-wal|-shm)?$/.test(f));
  assert.deepEqual(extra, [], `${what}: nothing written anywhere`);
}

describe('the cache write path refuses UIDs that are not UIDs (EUID)', () => {
  for (const [uid, why] of BAD) {
    for (const where of ['study', 'series', 'sop'] as const) {
      test(`${where} UID with ${why}: ${JSON.stringify(uid.slice(0, 24))}`, async () => {
        if (where === 'sop' && uid === '') {
          assert.throws(
            () => cache.createTempWriter({ meta: { sopClassUid: SC, sopInstanceUid: uid, transferSyntaxUid: EXPLICIT_LE } }),
            /without a SOP Instance UID/,
          );
          return assertNothingWritten('an empty SOP Instance UID');
        }
        const writer = cache.createTempWriter({ meta: { sopClassUid: SC, sopInstanceUid: where === 'sop' ? uid : SOP, transferSyntaxUid: EXPLICIT_LE } });
        await new Promise<void>((resolve, reject) =>
          writer.stream.end(Buffer.from(dataSet({ [where]: uid })), (e?: Error | null) => (e ? reject(e) : resolve())),
        );
        await assert.rejects(
          writer.commit(),
          (e: unknown) => e instanceof CacheError && (e.code === 'EUID' || (uid === '' && e.code === 'EINVALID')),
          `refused: ${why}`,
        );
        assert.equal(cache.stats().instances, 0);
        assertNothingWritten(`${where} UID ${JSON.stringify(uid)}`);
      });
    }
  }

  test('a valid UID is stored under files/<study>/<series>/<sop>.dcm (the control case)', async () => {
    const writer = cache.createTempWriter({ meta: { sopClassUid: SC, sopInstanceUid: SOP, transferSyntaxUid: EXPLICIT_LE } });
    await new Promise<void>((resolve, reject) => writer.stream.end(Buffer.from(dataSet({})), (e?: Error | null) => (e ? reject(e) : resolve())));
    const r = await writer.commit({ expectedSopInstanceUid: SOP });
    assert.equal(r.filePath, `files/${STUDY}/${SERIES}/${SOP}.dcm`);
    assert.ok(scan().includes(`a/b/data/${r.filePath}`));
    assert.equal(await cache.deleteStudy(STUDY), true);
    assertNothingWritten('after deleting the control study');
  });
});

describe('the Storage SCP handler answers with a status and writes nothing', () => {
  const association = { id: 'a1', callingAeTitle: 'MODALITY', calledAeTitle: 'PRIORS', peerAddress: '127.0.0.1', peerPort: 1 };
  const store = async (sopInstanceUid: string, bytes: Uint8Array) => {
    const outcome = await new CacheStoreHandler(cache).store({
      association,
      sopClassUid: SC,
      sopInstanceUid,
      transferSyntaxUid: EXPLICIT_LE,
      dataSet: Readable.from([Buffer.from(bytes)]),
    });
    outcome.afterResponse?.(); // as the SCP does once it has answered
    const { afterResponse: _, ...answer } = outcome;
    return answer;
  };

  for (const [uid, why] of BAD.filter(([u]) => u !== '')) {
    test(`Affected SOP Instance UID with ${why} → 0117 Invalid Object Instance`, async () => {
      const r = await store(uid, dataSet({ sop: uid }));
      assert.equal(r.status, 0x0117, JSON.stringify(r));
      assert.match(r.errorComment ?? '', /^Affected SOP Instance UID: /);
      assert.ok(r.errorComment!.length <= 64);
      assertNothingWritten(`command UID ${JSON.stringify(uid)}`);
    });
  }

  for (const [uid, why] of BAD.filter(([u]) => u !== '').slice(0, 6)) {
    for (const where of ['study', 'series'] as const) {
      test(`data set ${where} UID with ${why} → A900`, async () => {
        const r = await store(SOP, dataSet({ [where]: uid }));
        assert.equal(r.status, 0xa900, JSON.stringify(r));
        assert.match(r.errorComment ?? '', where === 'study' ? /^Study Instance UID / : /^Series Instance UID /);
        assertNothingWritten(`data set ${where} UID ${JSON.stringify(uid)}`);
      });
    }
  }
});

describe('import refuses such files with a reason', () => {
  test('files whose UIDs try to leave the store are skipped', async () => {
    const src = join(sandbox, 'import-src');
    mkdirSync(src);
    const files = BAD.slice(0, 5).map(([uid], i) => {
      const path = join(src, `${i}.dcm`);
      const meta = buildFileMetaInformation({ sopClassUid: SC, sopInstanceUid: SOP, transferSyntaxUid: EXPLICIT_LE });
      writeFileSync(path, Buffer.concat([Buffer.from(meta), Buffer.from(dataSet({ study: uid }))]));
      return path;
    });
    baseline = scan();
    const r = await cache.importPaths(files);
    assert.equal(r.imported, 0);
    assert.equal(r.skipped.length, files.length);
    for (const s of r.skipped) assert.match(s.reason, /Study Instance UID .* is not a valid UID/);
    assertNothingWritten('import');
  });
});
