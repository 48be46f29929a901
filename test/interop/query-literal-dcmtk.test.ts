// C-FIND values match literally over the network (issue 6 item 6): quotes, `%`, `_`, `[`, SQL
// keywords sent by our SCU and by DCMTK findscu to our Query SCP (on port 0, over a cache holding
// test/helpers/literal-cases.ts's patients) match only what they say; `*` and `?` are the only
// wild cards (PS3.4 C.2.2.2.4); a backslash separates values (PS3.5 §6.2). Every query ends in
// Success, and the SCP still answers with every study afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultConfig } from '../../shared/config.js';
import { type DataSet, getString } from '../../shared/dicom/dataset.js';
import { keywordOf, tagOf } from '../../shared/dicom/dictionary.js';
import { Cache } from '../../electron/cache/index.js';
import { find } from '../../electron/dimse/scu/index.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { findscuDebug } from '../helpers/priors-cli.js';
import { CASES, PATIENTS, storeLiteralPatients } from '../helpers/literal-cases.js';
import { tempDir } from '../helpers/tmp.js';

const AET = 'PRIORS_LIT';
const VR = { PatientID: 'LO', PatientName: 'PN', StudyDescription: 'LO', AccessionNumber: 'SH' } as const;
const timeouts = { connectMs: 5000, artimMs: 5000, dimseMs: 20000 };
let cache: Cache;
let server: ServeHandle;

/** Our SCU: the PatientIDs of the matches and the final status. */
async function ourFind(keyword: keyof typeof VR, value: string): Promise<{ ids: string[]; status: number }> {
  const identifier: DataSet = new Map();
  identifier.set(tagOf('PatientID'), { vr: 'LO', value: [] });
  identifier.set(tagOf(keyword), { vr: VR[keyword], value: value.split('\\') });
  const stream = find(
    { aeTitle: AET, host: '127.0.0.1', port: server.port },
    { model: 'study', level: 'STUDY', identifier },
    { callingAeTitle: 'OURSCU', timeouts },
  );
  const ids: string[] = [];
  for await (const m of stream) ids.push(getString(m, tagOf('PatientID')) ?? '');
  return { ids: ids.sort(), status: (await stream.outcome).status };
}

describe('literal query values through our SCU and DCMTK findscu', { timeout: 170_000 }, () => {
  before(async () => {
    cache = await Cache.open(join(tempDir('query-literal-dcmtk'), 'data'));
    await storeLiteralPatients(cache);
    server = await startServer({ config: defaultConfig(), cache, port: 0, bindAddress: '127.0.0.1', aeTitle: AET });
  });
  after(async () => {
    await server?.close();
    await cache?.close();
  });

  for (const c of CASES) {
    test(`${c.keyword}=${c.value} → ${JSON.stringify([...c.expected].sort())}`, async () => {
      const ours = await ourFind(c.keyword, c.value);
      assert.equal(ours.status, 0, 'our SCU: Success');
      assert.deepEqual(ours.ids, [...c.expected].sort(), 'our SCU');
      const keys = [`${c.keyword}=${c.value}`, ...(c.keyword === 'PatientID' ? [] : ['PatientID'])];
      const dcmtk = await findscuDebug({ aeTitle: AET, host: '127.0.0.1', port: server.port }, 'study', 'STUDY', keys);
      assert.equal(dcmtk.status, 0, `findscu: Success\n${dcmtk.output.slice(-1500)}`);
      assert.deepEqual(dcmtk.matches.map((m) => m.PatientID ?? '').sort(), [...c.expected].sort(), `findscu\n${dcmtk.output.slice(-1500)}`);
    });
  }

  test('afterwards every study is still found, and each keyword maps to the tag it names', async () => {
    const all = await findscuDebug({ aeTitle: AET, host: '127.0.0.1', port: server.port }, 'study', 'STUDY', ['PatientID', 'StudyDescription']);
    assert.equal(all.matches.length, PATIENTS.length);
    for (const k of Object.keys(VR)) assert.equal(keywordOf(tagOf(k)), k);
  });
});
