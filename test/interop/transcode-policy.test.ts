// What a node is sent follows its settings: a node that must never get decompressed data is sent
// a compressed instance only when it accepts it as stored (the rest is refused with the setting
// named), and a node with a preferred syntax gets it whenever it accepts it. What Priors cannot
// decompress (JPEG Extended, 12-bit) is refused with the sentence saying so. Receivers are DCMTK's
// storescp as C-MOVE destinations of `priors serve` and `priors send` targets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { asOwnStudy, compressedCopies, generateCtSeries } from '../helpers/data.js';
import { listFiles, movescu, startStorescp, transferSyntaxOf, type StorescpPeer } from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import { runPriors, startPriorsServe, type PriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const ILE = '1.2.840.10008.1.2';
const JPEG_LS = '1.2.840.10008.1.2.4.80';
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';

/** Number of Failed Sub-operations (0000,1022) of the final C-MOVE-RSP, from movescu's debug output. */
function failedSubOperations(output: string): number | undefined {
  const all = [...output.matchAll(/Failed Suboperations\s*:\s*(\d+)/g)];
  return all.length ? Number(all[all.length - 1]![1]) : undefined;
}

describe('outgoing settings of a node', () => {
  const work = tempDir('transcode-policy');
  const dataDir = join(work, 'data');
  let serve: PriorsServe;
  let implicitOnly: StorescpPeer;
  let plain: StorescpPeer;
  let studyUid = '';
  /** SOP Instance UIDs by the syntax they are stored in. */
  const bySyntax = new Map<string, string[]>();
  let jpegLsFiles: string[] = [];

  before(async () => {
    const ct = await generateCtSeries({ count: 3, rows: 64, cols: 64, patientId: 'TP-1', patientName: 'POLICY^TEST', seed: 83 });
    studyUid = ct.StudyInstanceUID;
    const copies = await compressedCopies(ct.dir, ['jpeg-ls-lossless', 'jpeg-extended']);
    jpegLsFiles = await asOwnStudy(copies['jpeg-ls-lossless']!.files, 'policy-jpeg-ls', { StudyInstanceUID: studyUid });
    const extended = await asOwnStudy(copies['jpeg-extended']!.files, 'policy-jpeg-extended', { StudyInstanceUID: studyUid });
    for (const f of [...ct.files, ...jpegLsFiles, ...extended]) {
      const ts = transferSyntaxOf(f);
      bySyntax.set(ts, [...(bySyntax.get(ts) ?? []), f]);
    }
    assert.deepEqual([...bySyntax.keys()].sort(), ['1.2.840.10008.1.2.1', JPEG_LS, JPEG_EXTENDED].sort());
    const imported = await runPriors(['import', ...ct.files, ...jpegLsFiles, ...extended], { dataDir });
    assert.equal(imported.code, 0, imported.stderr);
    implicitOnly = await startStorescp({ aeTitle: 'IMPLN', dir: join(work, 'IMPLN'), acceptAll: false, extraArgs: ['+xi'] });
    plain = await startStorescp({ aeTitle: 'PLAINP', dir: join(work, 'PLAINP'), acceptAll: false });
    for (const [name, args] of [
      ['implneverls', ['IMPLN@127.0.0.1:' + implicitOnly.port, '--never-decompress', 'JPEGLSLossless']],
      ['plainprefers', ['PLAINP@127.0.0.1:' + plain.port, '--prefer', 'implicitvrlittleendian']],
    ] as const) {
      const r = await runPriors(['nodes', 'add', name, ...args, '--no-query'], { dataDir });
      assert.equal(r.code, 0, r.stderr);
    }
    serve = await startPriorsServe({ aeTitle: 'PRIORS', dataDir, port: await freePort() });
  });

  after(async () => {
    await serve?.stop();
  });

  /** The SOP Instance UIDs a receiver got, by the syntax they arrived in. */
  function received(dir: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const f of listFiles(dir)) counts.set(transferSyntaxOf(f), (counts.get(transferSyntaxOf(f)) ?? 0) + 1);
    return counts;
  }

  test('never decompress: the JPEG-LS instances are refused with the setting named, the uncompressed ones converted', async () => {
    const r = await movescu({ aeTitle: 'PRIORS', host: '127.0.0.1', port: serve.port }, 'IMPLN', {
      keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${studyUid}`],
      extraArgs: ['-d'],
    });
    assert.match(r.stderr + r.stdout, /Warning: SubOperationsCompleteOneOrMoreFailures/);
    assert.deepEqual([...received(implicitOnly.dir)], [[ILE, 3]]);
    const logs = serve.logs();
    assert.match(logs, /its settings say never to decompress JPEG-LS Lossless Image Compression \(outgoing\.neverDecompress\)/);
    assert.match(logs, /Priors cannot decompress JPEG Extended/);
    // movescu reports the sub-operations that failed: 3 JPEG-LS and 3 JPEG Extended
    assert.equal(failedSubOperations(r.stdout + r.stderr), 6, (r.stdout + r.stderr).slice(-3000));
  });

  test('a preferred syntax: every instance the node takes in it arrives in it, decompressed when needed', async () => {
    const r = await movescu({ aeTitle: 'PRIORS', host: '127.0.0.1', port: serve.port }, 'PLAINP', {
      keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${studyUid}`],
      extraArgs: ['-d'],
    });
    // the JPEG Extended ones cannot be decompressed here: refused
    assert.equal(failedSubOperations(r.stdout + r.stderr), 3);
    // the 3 stored in Explicit VR Little Endian (which storescp takes too) and the 3 JPEG-LS, all in Implicit VR Little Endian
    assert.deepEqual([...received(plain.dir)], [[ILE, 6]]);
  });

  test('priors send says why a compressed instance was not sent', async () => {
    const r = await runPriors(['send', 'implneverls', ...jpegLsFiles], { dataDir });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /IMPLN.*never to decompress JPEG-LS Lossless Image Compression \(outgoing\.neverDecompress\).*\(3 of 3 instances not stored\)/s);
  });

  test('nodes add refuses settings that cannot work', async () => {
    const a = await runPriors(['nodes', 'add', 'x1', 'X1@127.0.0.1:1', '--never-decompress', 'ExplicitVRLittleEndian'], { dataDir });
    assert.notEqual(a.code, 0);
    assert.match(a.stderr, /--never-decompress: Explicit VR Little Endian is not compressed/);
    const b = await runPriors(['nodes', 'add', 'x2', 'X2@127.0.0.1:1', '--prefer', 'JPEGLSLossless'], { dataDir });
    assert.notEqual(b.code, 0);
    assert.match(b.stderr, /--prefer: JPEG-LS Lossless Image Compression is compressed/);
    const c = await runPriors(['nodes', 'add', 'x3', 'X3@127.0.0.1:1', '--never-decompress', 'JPEG7'], { dataDir });
    assert.match(c.stderr, /"JPEG7" is not a transfer syntax Priors knows/);
  });
});
