// Compression on the way in: with compressOnArrival set for the cache (JPEG-LS Lossless) or for
// the sending node (RLE Lossless, or 'off'), grey images that storescu sends uncompressed are
// stored compressed, and DCMTK's own decoders (dcmdjpls, dcmdrle) give back exactly the received
// pixels; colour images and what arrives compressed are stored as received; dciodvfy finds no
// error in a stored file that the sent one did not have.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asOwnStudy, compressedCopies, generateCtSeries } from '../helpers/data.js';
import { runDcmtk, storescu, transferSyntaxOf } from '../helpers/peers.js';
import { PYDICOM_DATA, pydicomAvailable } from '../helpers/pydicom.js';
import { runPriors, startPriorsServe, type PriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const JPEG_LS = '1.2.840.10008.1.2.4.80';
const RLE = '1.2.840.10008.1.2.5';
const NATIVE = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'];

/** The pixel bytes DCMTK gives for a file: decompressed by its decoder when compressed, in Explicit VR Little Endian. */
async function pixels(file: string, work: string): Promise<Buffer> {
  const id = Math.random().toString(36).slice(2);
  const plain = join(work, `plain-${id}.dcm`);
  const ts = transferSyntaxOf(file);
  const [tool, args] = ts === JPEG_LS ? ['dcmdjpls', [file, plain]] : ts === RLE ? ['dcmdrle', [file, plain]] : ['dcmconv', ['+te', file, plain]];
  const r = await runDcmtk(tool, args);
  assert.equal(r.code, 0, `${tool} ${file}: ${r.stderr}`);
  const dir = join(work, `raw-${id}`);
  mkdirSync(dir);
  const d = await runDcmtk('dcmdump', ['-q', '+W', dir, plain]);
  assert.equal(d.code, 0, d.stderr);
  return Buffer.concat(
    readdirSync(dir)
      .sort()
      .map((n) => readFileSync(join(dir, n))),
  );
}

async function iodErrors(file: string): Promise<string[]> {
  const r = await runDcmtk('dciodvfy', [file], { timeoutMs: 60_000 });
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => l.startsWith('Error'))
    .map((l) => l.split(file).join('<file>'));
}

describe('compression on the way in', { skip: !pydicomAvailable() && 'pydicom is not installed' }, () => {
  const work = tempDir('compress-arrival');
  const dataDir = join(work, 'data');
  let serve: PriorsServe;
  /** SOP Instance UID (from the file name of our store) → the file sent. */
  const sent = new Map<string, string>();
  const bySender: Record<'STORESCU' | 'MODRLE' | 'MODRAW', string[]> = { STORESCU: [], MODRLE: [], MODRAW: [] };
  let colour: string[] = [];
  let arrivedCompressed: string[] = [];

  before(async () => {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ compressOnArrival: 'jpeg-ls-lossless' }));
    const ct = await generateCtSeries({ count: 6, rows: 128, cols: 128, patientId: 'CA-1', seed: 71 });
    const deflated = (await compressedCopies(ct.dir, ['deflated']))['deflated']!.files;
    const jls = (await compressedCopies(ct.dir, ['jpeg-ls-lossless']))['jpeg-ls-lossless']!.files;
    const corpus = ['MR_small.dcm', 'MR_small_bigendian.dcm', 'CT_small.dcm', 'SC_rgb_small_odd.dcm'].map((n) => join(PYDICOM_DATA, 'test_files', n));
    // one tag per file: pydicom's MR_small variants share their SOP Instance UID
    const own = async (tag: string, files: string[]) =>
      (await Promise.all(files.map((f, i) => asOwnStudy([f], `compress-arrival-${tag}-${i}`, { PatientID: 'CA-1' })))).flat();
    bySender.STORESCU = [...ct.files.slice(0, 3), ...(await own('corpus-a', corpus))];
    bySender.MODRLE = [...ct.files.slice(3), ...(await own('deflated', deflated.slice(0, 2))), ...(await own('corpus-b', corpus.slice(0, 3)))];
    bySender.MODRAW = await own('corpus-c', corpus.slice(0, 2));
    arrivedCompressed = await own('jls', jls.slice(0, 2));
    bySender.STORESCU.push(...arrivedCompressed);
    colour = bySender.STORESCU.filter((f) => f.includes('SC_rgb'));
    assert.equal(colour.length, 1);
    for (const [name, args] of [
      ['modrle', ['MODRLE@127.0.0.1:1', '--compress-on-arrival', 'rle-lossless']],
      ['modraw', ['MODRAW@127.0.0.1:1', '--compress-on-arrival', 'off']],
    ] as const) {
      const r = await runPriors(['nodes', 'add', name, ...args, '--no-query'], { dataDir });
      assert.equal(r.code, 0, r.stderr);
    }
    serve = await startPriorsServe({ aeTitle: 'PRIORS', dataDir });
    for (const [aet, files] of Object.entries(bySender)) {
      const r = await storescu({ aeTitle: 'PRIORS', host: '127.0.0.1', port: serve.port }, files, { callingAeTitle: aet });
      assert.equal(r.code, 0, `${aet}: ${r.stderr}`);
    }
    const stored = readdirSync(join(dataDir, 'files'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.dcm'));
    for (const files of Object.values(bySender)) {
      for (const f of files) {
        const uid = /\(0008,0018\) UI \[([^\]]+)\]/.exec((await runDcmtk('dcmdump', ['-q', '+P', '0008,0018', f])).stdout)?.[1];
        const hit = stored.find((s) => s.name === `${uid}.dcm`);
        assert.ok(hit, `${f} (${uid}) was stored`);
        sent.set(join(hit.parentPath, hit.name), f);
      }
    }
  });

  after(async () => {
    await serve?.stop();
  });

  const storedOf = (file: string) => {
    const hit = [...sent].find(([, s]) => s === file);
    assert.ok(hit, `${file} was stored (${sent.size} files stored of ${Object.values(bySender).flat().length} sent)`);
    return hit[0];
  };

  test("the cache-wide setting (JPEG-LS) and a node's own (RLE, off): each file stored in the syntax it names", () => {
    for (const f of bySender.STORESCU) {
      const want = colour.includes(f) ? transferSyntaxOf(f) : JPEG_LS;
      assert.equal(transferSyntaxOf(storedOf(f)), want, `${f} from STORESCU`);
    }
    for (const f of bySender.MODRLE) assert.equal(transferSyntaxOf(storedOf(f)), RLE, `${f} from MODRLE`);
    // storescu sends a big endian file in Explicit VR Little Endian: 'as received' is uncompressed
    for (const f of bySender.MODRAW)
      assert.ok(NATIVE.includes(transferSyntaxOf(storedOf(f))), `${f} from MODRAW: as received, got ${transferSyntaxOf(storedOf(f))}`);
  });

  test('DCMTK decodes every stored file to exactly the pixels that were sent', async () => {
    for (const [stored, original] of sent) {
      assert.ok((await pixels(stored, work)).equals(await pixels(original, work)), `${original} → ${stored} (${transferSyntaxOf(stored)})`);
    }
  });

  test('dciodvfy finds no error in a stored file that the sent one did not have', async () => {
    for (const [stored, original] of sent) {
      if (transferSyntaxOf(original) === '1.2.840.10008.1.2.1.99') continue; // dciodvfy cannot read deflated files
      const before = new Set(await iodErrors(original));
      assert.deepEqual(
        (await iodErrors(stored)).filter((e) => !before.has(e)),
        [],
        `${original} → ${stored}`,
      );
    }
  });

  test('the CT images take less room', (t) => {
    const ct = bySender.STORESCU.slice(0, 3);
    const sentBytes = ct.reduce((n, f) => n + statSync(f).size, 0);
    const storedBytes = ct.reduce((n, f) => n + statSync(storedOf(f)).size, 0);
    t.diagnostic(`3 CT images: ${sentBytes} bytes sent, ${storedBytes} stored as JPEG-LS (${((storedBytes / sentBytes) * 100).toFixed(0)} %)`);
    assert.ok(storedBytes < sentBytes * 0.8, `${storedBytes} of ${sentBytes}`);
  });
});
