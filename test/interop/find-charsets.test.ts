// Each archive in its own character set: a dcmqrscp configured for Latin-1, one left to answer in
// the set it is asked in (queried in ISO 2022 IR 87), an Orthanc whose DefaultEncoding is Latin1
// and one whose is JapaneseKanji (ISO 2022 IR 87), holding studies with the names of pydicom's
// charset files. A query by a non-ASCII name, written in the node's set
// (dcmqrscp's log shows the identifier as it came), finds the study on each and the names read
// right; a name the set cannot hold fails that node alone with a sentence, nothing sent; the node
// test reports the set each Orthanc answers in, to be taken as the node's in one call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { NodeSearchOutcome } from '../../shared/search.js';
import { loadIntoDcmqrscp, loadIntoOrthanc, startDcmqrscp, startOrthanc, type DcmqrscpPeer, type OrthancPeer } from '../helpers/peers.js';
import { PYDICOM_DATA, pydicomAvailable } from '../helpers/pydicom.js';
import { cliJson, runPriors, serveApi, startPriorsServe, type PriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const CHARSET_FILES = join(PYDICOM_DATA, 'charset_files');
const files = (...names: string[]) => names.map((n) => join(CHARSET_FILES, n));
const STUDY = {
  fren: '1.3.6.1.4.1.5962.1.2.0.1175775772.5720.0',
  germ: '1.3.6.1.4.1.5962.1.2.0.1175775772.5723.0',
  h31: '1.3.6.1.4.1.5962.1.2.0.1175775771.5702.0',
};

interface FindJson {
  rows: Array<Record<string, string>>;
  characterSets?: string[];
}

describe("queries in each archive's character set", { skip: !pydicomAvailable() && 'Debian pydicom not installed', timeout: 300_000 }, () => {
  let dq: DcmqrscpPeer;
  let dqJapan: DcmqrscpPeer;
  let latin: OrthancPeer;
  let kanji: OrthancPeer;
  const dataDir = tempDir('find-charsets');
  const find = (node: string, ...keys: string[]) => runPriors(['find', node, ...keys.flatMap((k) => ['-k', k])], { dataDir, json: true });

  before(async () => {
    // -v: dcmqrscp prints each request identifier as it came
    dq = await startDcmqrscp({ dir: tempDir('charset-dq'), aeTitle: 'DQ_LATIN1', specificCharacterSet: '"ISO_IR 100", override', extraArgs: ['-v'] });
    await loadIntoDcmqrscp(dq, files('chrFren.dcm', 'chrGerm.dcm'));
    // a dcmqrscp left to its default: answers in the request's character set
    dqJapan = await startDcmqrscp({ dir: tempDir('charset-dq-jp'), aeTitle: 'DQ_JAPAN', extraArgs: ['-v'] });
    await loadIntoDcmqrscp(dqJapan, files('chrH31.dcm', 'chrJapMulti.dcm'));
    latin = await startOrthanc({ dir: tempDir('charset-latin1'), aeTitle: 'ORTHANC_L1', config: { DefaultEncoding: 'Latin1' } });
    await loadIntoOrthanc(latin, files('chrFren.dcm', 'chrGerm.dcm'));
    kanji = await startOrthanc({ dir: tempDir('charset-kanji'), aeTitle: 'ORTHANC_JP', config: { DefaultEncoding: 'JapaneseKanji' } });
    await loadIntoOrthanc(kanji, files('chrH31.dcm', 'chrJapMulti.dcm'));
    for (const [name, peer, set] of [
      ['dq', dq, 'ISO_IR 100'],
      ['ol', latin, 'ISO_IR 100'],
      ['oj', kanji, '\\ISO 2022 IR 87'],
      ['dqj', dqJapan, '\\ISO 2022 IR 87'],
    ] as const) {
      const r = await runPriors(['nodes', 'add', name, `${peer.aeTitle}@127.0.0.1:${peer.port}`, '--charset', set], { dataDir });
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await Promise.all([dq?.stop(), dqJapan?.stop(), latin?.stop(), kanji?.stop()]);
  });

  test('Latin-1: dcmqrscp gets the name in ISO_IR 100 bytes and both archives find the French and German studies, names read right', async () => {
    for (const node of ['dq', 'ol']) {
      const fren = cliJson<FindJson>(await find(node, 'PatientName=Buc^Jérôme'));
      assert.deepEqual(
        fren.rows.map((r) => [r.StudyInstanceUID, r.PatientName]),
        [[STUDY.fren, 'Buc^Jérôme']],
        node,
      );
      const germ = cliJson<FindJson>(await find(node, 'PatientName=Äneas*'));
      assert.deepEqual(
        germ.rows.map((r) => [r.StudyInstanceUID, r.PatientName]),
        [[STUDY.germ, 'Äneas^Rüdiger']],
        node,
      );
    }
    // as dcmqrscp received it: declared ISO_IR 100, "Buc^Jérôme" in 10 bytes (UTF-8 would take 12)
    const logged = dq.logs();
    assert.match(logged, /\(0008,0005\) CS \[ISO_IR 100\]/);
    assert.match(logged, /\(0010,0010\) PN \[Buc\^J.r.me\] +# +10, 1 PatientName/);
    assert.doesNotMatch(logged, /ISO_IR 192/);
  });

  test('ISO 2022 IR 87: Orthanc finds the kanji and the hiragana names written with escape sequences, and they read right', async () => {
    const kanjiName = cliJson<FindJson>(await find('oj', 'PatientName=*山田*'));
    assert.deepEqual(
      kanjiName.rows.map((r) => [r.StudyInstanceUID, r.PatientName]),
      [[STUDY.h31, 'Yamada^Tarou=山田^太郎=やまだ^たろう']],
    );
    // Orthanc answers in its own set, declared with one value; the escape sequences decode as they should
    assert.deepEqual(kanjiName.characterSets, ['ISO 2022 IR 87']);
    const hiragana = cliJson<FindJson>(await find('oj', 'PatientName=やまだ^たろう'));
    assert.deepEqual(
      hiragana.rows.map((r) => r.PatientName),
      ['やまだ^たろう'],
    );
  });

  test('ISO 2022 IR 87: dcmqrscp gets the kanji with its escape sequences, finds the study and answers in the set asked in', async () => {
    const found = cliJson<FindJson>(await find('dqj', 'PatientName=*山田*'));
    assert.deepEqual(
      found.rows.map((r) => [r.StudyInstanceUID, r.PatientName]),
      [[STUDY.h31, 'Yamada^Tarou=山田^太郎=やまだ^たろう']],
    );
    assert.deepEqual(found.characterSets, ['\\ISO 2022 IR 87']);
    // as dcmqrscp received it: the set declared with an empty first value, 山田 as its JIS X 0208
    // bytes ";3ED" between ESC $ B and ESC ( B, the wildcards outside (PS3.5 §6.1.2.5.3)
    const logged = dqJapan.logs();
    assert.match(logged, /\(0008,0005\) CS \[\\ISO 2022 IR 87\]/);
    const asked = logged
      .split('\n')
      .find((l) => l.includes('(0010,0010) PN ['))
      ?.replace(/ +/g, ' ');
    assert.equal(asked, 'I: (0010,0010) PN [*\x1b$B;3ED\x1b(B*] # 12, 1 PatientName');
  });

  test("a name a node's set cannot hold: that node fails with a sentence and is sent nothing; the others answer", async () => {
    const before = (dq.logs().match(/Received Find SCP/g) ?? []).length;
    const r = await runPriors(['find', 'oj,dq,ol', '-k', 'PatientName=Buc^Jérôme'], { dataDir, json: true });
    assert.equal(r.code, 3, r.stderr);
    const out = JSON.parse(r.stdout) as { rows: Array<Record<string, string> & { heldBy: string[] }>; nodes: NodeSearchOutcome[] };
    assert.deepEqual(
      out.rows.map((row) => [row.StudyInstanceUID, [...row.heldBy].sort()]),
      [[STUDY.fren, ['dq', 'ol']]],
    );
    const oj = out.nodes.find((n) => n.node === 'oj')!;
    assert.equal(oj.outcome, 'failed');
    assert.equal(oj.code, 'invalid-input');
    assert.match(oj.sentence!, /^Nothing was sent to node oj: PatientName "Buc\^Jérôme" has "é", "ô", which \\ISO 2022 IR 87 cannot hold/);
    assert.equal((dq.logs().match(/Received Find SCP/g) ?? []).length, before + 1);
    // the one-node form: exit 2 (bad input) with the same sentence
    const one = await runPriors(['find', 'oj', '-k', 'PatientName=Buc^Jérôme'], { dataDir });
    assert.equal(one.code, 2);
    assert.match(one.stderr, /^Nothing was sent to node oj: /);
  });

  test("the node test reports the set each Orthanc answers in; taking it makes it the node's query set", async () => {
    let serve: PriorsServe | undefined;
    try {
      serve = await startPriorsServe({
        aeTitle: 'PRIORS_CS',
        dataDir,
        nodes: [
          { name: 'ol2', address: `${latin.aeTitle}@127.0.0.1:${latin.port}` },
          { name: 'oj2', address: `${kanji.aeTitle}@127.0.0.1:${kanji.port}` },
        ],
      });
      const ol = await serveApi<{ characterSets?: string[]; steps: Array<{ step: string; outcome: string }> }>(dataDir, 'nodes.test', { name: 'ol2' });
      assert.equal(ol.steps.find((s) => s.step === 'find')?.outcome, 'ok');
      assert.deepEqual(ol.characterSets, ['ISO_IR 100']);
      const oj = await serveApi<{ characterSets?: string[] }>(dataDir, 'nodes.test', { name: 'oj2' });
      assert.deepEqual(oj.characterSets, ['ISO 2022 IR 87']);
      const { nodes } = await serveApi<{ nodes: Array<Record<string, unknown>> }>(dataDir, 'nodes.list', {});
      const node = nodes.find((n) => n.name === 'oj2')!;
      const saved = await serveApi<{ node: { characterSet?: string } }>(dataDir, 'nodes.save', {
        node: { ...node, characterSet: oj.characterSets![0] },
        previousName: 'oj2',
      });
      assert.equal(saved.node.characterSet, 'ISO 2022 IR 87');
      const found = cliJson<FindJson>(await find('oj2', 'PatientName=*山田*'));
      assert.deepEqual(
        found.rows.map((r) => r.StudyInstanceUID),
        [STUDY.h31],
      );
    } finally {
      await serve?.stop();
    }
  });
});
