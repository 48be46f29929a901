// What leaves Priors reaches receivers that take only some transfer syntaxes: storescp accepting
// Implicit VR Little Endian only (+xi), preferring explicit little (+xe) or big endian (+xb), or
// its default, as C-MOVE destinations of `priors serve` and as `priors send` targets, and getscu,
// whose storage contexts offer Explicit VR Little Endian only, for its C-GET. The cache holds instances in Implicit
// and Explicit VR Little Endian, Explicit VR Big Endian, Deflated Explicit VR Little Endian, RLE,
// JPEG baseline and lossless, JPEG-LS and JPEG 2000 (pydicom's corpus and copies of a CT series
// made by DCMTK and GDCM); each received instance must be,
// element for element, what DCMTK's dcmconv makes of the stored file in the received syntax, its
// pixels those of DCMTK's (GDCM's for JPEG 2000) decompression, and dciodvfy finds no error in it the
// stored file did not have.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asOwnStudy, compressedCopies, generateCtSeries, pydicomCorpus } from '../helpers/data.js';
import { getscu, listFiles, movescu, runDcmtk, startStorescp, transferSyntaxOf, type StorescpPeer } from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import { pydicomAvailable } from '../helpers/pydicom.js';
import { runPriors, startPriorsServe, type PriorsServe } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

const ILE = '1.2.840.10008.1.2';
const DCMCONV_TO: Record<string, string> = { '1.2.840.10008.1.2': '+ti', '1.2.840.10008.1.2.1': '+te', '1.2.840.10008.1.2.2': '+tb' };
/** pydicom corpus files in native and deflated syntaxes that DCMTK reads whole. */
const CORPUS = [
  'MR_small_bigendian.dcm',
  'MR_small_implicit.dcm',
  'MR_small.dcm',
  'image_dfl.dcm',
  'rtplan.dcm',
  'waveform_ecg.dcm',
  'rtdose.dcm',
  'reportsi.dcm',
  'CT_small.dcm',
  'liver_1frame.dcm',
  'test-SR.dcm',
  // and compressed ones: RLE, JPEG-LS, JPEG 2000 lossless and lossy, JPEG baseline and lossless, colour and grey, several frames
  'MR_small_RLE.dcm',
  'MR_small_jpeg_ls_lossless.dcm',
  'MR_small_jp2klossless.dcm',
  'SC_rgb_rle.dcm',
  'SC_rgb_rle_16bit.dcm',
  'SC_rgb_rle_2frame.dcm',
  'SC_rgb_jpeg_dcmtk.dcm',
  'JPEG2000.dcm',
  'SC_rgb_jpeg_gdcm.dcm',
  'rtdose_rle.dcm',
];

/**
 * The data set as dcmdump prints it, element by element: without the file meta information, group
 * lengths, Data Set Trailing Padding (storescp drops it when it writes), how sequences and items
 * are delimited (a receiver may write them with explicit lengths or undefined ones), and Pixel
 * Data, whose bytes are compared on their own (its VR may be OB or OW for 8-bit samples).
 */
async function dump(file: string): Promise<string[]> {
  const r = await runDcmtk('dcmdump', ['-q', '-M', '+U8', file], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`dcmdump ${file}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => !l.startsWith('#') && !/^\s*\((0002,|[0-9a-f]{4},0000\)|fffe,e00d\)|fffe,e0dd\)|fffc,fffc\)|7fe0,0010\))/.test(l))
    .map((l) => l.replace(/\s+#.*$/, '').replace(/ with (explicit|undefined) length.*$/, ''))
    .filter((l) => l.trim() !== '');
}

/** The Pixel Data bytes of a file in a little-endian syntax, as dcmdump writes them out. */
async function pixels(file: string, work: string): Promise<Buffer | undefined> {
  const dir = join(work, `pixels-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const r = await runDcmtk('dcmdump', ['-q', '+W', dir, file], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`dcmdump +W ${file}: ${r.stderr}`);
  const raw = readdirSync(dir)
    .filter((n) => n.endsWith('.raw'))
    .sort();
  return raw.length ? Buffer.concat(raw.map((n) => readFileSync(join(dir, n)))) : undefined;
}

/** DCMTK's (or, for JPEG 2000, GDCM's) decompression of a compressed file. */
const DECOMPRESS: Record<string, (from: string, to: string) => [string, string[]]> = {
  '1.2.840.10008.1.2.5': (f, t) => ['dcmdrle', [f, t]],
  '1.2.840.10008.1.2.4.80': (f, t) => ['dcmdjpls', [f, t]],
  '1.2.840.10008.1.2.4.81': (f, t) => ['dcmdjpls', [f, t]],
  '1.2.840.10008.1.2.4.90': (f, t) => ['gdcmconv', ['--raw', f, t]],
  '1.2.840.10008.1.2.4.91': (f, t) => ['gdcmconv', ['--raw', f, t]],
  '1.2.840.10008.1.2.4.50': (f, t) => ['dcmdjpeg', [f, t]],
  '1.2.840.10008.1.2.4.57': (f, t) => ['dcmdjpeg', [f, t]],
  '1.2.840.10008.1.2.4.70': (f, t) => ['dcmdjpeg', [f, t]],
};

/** What DCMTK makes of `stored` in `transferSyntaxUid` (decompressed first when it is compressed; undefined lengths, no group lengths): its file. */
async function oracle(stored: string, transferSyntaxUid: string, work: string): Promise<string> {
  const name = () => join(work, `oracle-${Math.random().toString(36).slice(2)}.dcm`);
  let source = stored;
  const decompress = DECOMPRESS[transferSyntaxOf(stored)];
  if (decompress) {
    source = name();
    const [tool, args] = decompress(stored, source);
    const d = await runDcmtk(tool, args);
    if (d.code !== 0) throw new Error(`${tool} ${stored}: ${d.stderr}`);
  }
  const out = name();
  const r = await runDcmtk('dcmconv', ['+uc', '-g', '-e', DCMCONV_TO[transferSyntaxUid]!, source, out]);
  if (r.code !== 0) throw new Error(`dcmconv ${stored}: ${r.stderr}`);
  return out;
}

/** dciodvfy's errors for a file (the standard's checks of its IOD and encoding), without the file's own name. */
async function iodErrors(file: string): Promise<string[]> {
  const r = await runDcmtk('dciodvfy', [file], { timeoutMs: 60_000 });
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => l.startsWith('Error'))
    .map((l) => l.split(file).join('<file>'));
}

/** The SOP Class UID of a stored file (from its file meta information). */
function classOf(file: string): string {
  return /\(0002,0002\) UI =?\[?([^\] ]+)/.exec(execFileSync('dcmdump', ['-q', '+P', '0002,0002', file], { encoding: 'utf8' }))?.[1] ?? '?';
}

describe('receivers that take only some transfer syntaxes', { skip: !pydicomAvailable() && 'pydicom is not installed' }, () => {
  const work = tempDir('transcode-receivers');
  const dataDir = join(work, 'data');
  const receivers: Record<'IMPL' | 'EXPL' | 'BIG' | 'PLAIN', StorescpPeer> = {} as never;
  let serve: PriorsServe;
  /** SOP Instance UID → the file as stored (imported byte for byte). */
  const stored = new Map<string, string>();
  let studyUid = '';

  before(async () => {
    const corpus = (await pydicomCorpus()).filter((f) => CORPUS.some((n) => f.path.endsWith(`/${n}`)));
    const ct = await generateCtSeries({ count: 4, rows: 64, cols: 64, patientId: 'TC-1', patientName: 'TRANSCODE^TEST', seed: 81 });
    const copies = await compressedCopies(ct.dir, [
      'implicit-little',
      'explicit-big',
      'deflated',
      'jpeg-lossless',
      'jpeg-baseline',
      'jpeg-ls-lossless',
      'rle',
      'j2k-lossless',
    ]);
    // one study: the corpus copies take the CT's patient and Study Instance UID
    studyUid = ct.StudyInstanceUID;
    const own = await asOwnStudy(
      corpus.map((f) => f.path),
      'transcode-receivers',
      { PatientID: 'TC-1', PatientName: 'TRANSCODE^TEST', StudyInstanceUID: studyUid },
    );
    // the copies keep the CT's SOP Instance UIDs: each syntax gets UIDs of its own, so the cache holds them all
    const renamed = await Promise.all(
      Object.values(copies).map((c) => asOwnStudy(c!.files.slice(0, 2), `transcode-${c!.codec}`, { StudyInstanceUID: studyUid })),
    );
    const all = [...own, ...renamed.flat()];
    const imported = await runPriors(['import', ...all, '--json'], { dataDir });
    assert.equal(imported.code, 0, imported.stderr);
    for (const f of readdirSync(join(dataDir, 'files'), { recursive: true, withFileTypes: true })) {
      if (f.isFile() && f.name.endsWith('.dcm')) stored.set(f.name.replace(/\.dcm$/, ''), join(f.parentPath, f.name));
    }
    const syntaxes = new Set([...stored.values()].map(transferSyntaxOf));
    assert.ok(
      ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99'].every((t) => syntaxes.has(t)),
      [...syntaxes].join(' '),
    );
    const flags = { IMPL: ['+xi'], EXPL: ['+xe'], BIG: ['+xb'], PLAIN: [] as string[] };
    for (const [ae, extra] of Object.entries(flags) as [keyof typeof flags, string[]][]) {
      receivers[ae] = await startStorescp({ aeTitle: ae, dir: join(work, ae), acceptAll: false, extraArgs: extra });
      const r = await runPriors(['nodes', 'add', ae.toLowerCase(), `${ae}@127.0.0.1:${receivers[ae].port}`, '--no-query'], { dataDir });
      assert.equal(r.code, 0, r.stderr);
    }
    serve = await startPriorsServe({ aeTitle: 'PRIORS', dataDir, port: await freePort() });
  });

  after(async () => {
    await serve?.stop();
  });

  /** The sub-operation failures priors serve logged, for an assertion's message. */
  const failures = () =>
    serve
      .logs()
      .split('\n')
      .filter((l) => /sub-operation .* failed/.test(l))
      .slice(-8)
      .join('\n');

  /** Every received file is what DCMTK makes of the stored one in the received syntax. */
  async function checkReceived(dir: string, expectSyntax?: string): Promise<Set<string>> {
    const files = listFiles(dir);
    const missing = [...stored.keys()].filter((uid) => !files.some((f) => f.includes(uid)));
    assert.deepEqual(
      missing.map((uid) => `${uid} (${classOf(stored.get(uid)!)})`),
      [],
      `${dir}: ${files.length} of ${stored.size} received`,
    );
    const syntaxes = new Set<string>();
    for (const file of files) {
      const uid = file.replace(/^.*\/[A-Za-z]+\./, '').replace(/\.dcm$/, '');
      const original = stored.get(uid);
      assert.ok(original, `${file} is one of ours`);
      const ts = transferSyntaxOf(file);
      syntaxes.add(ts);
      if (expectSyntax) assert.equal(ts, expectSyntax, `${file} arrived in ${ts}`);
      // GDCM, the JPEG 2000 reference, writes Bits Stored and High Bit from the codestream (16 for these
      // 12-bit images) and drops a Number of Frames of 1: those are not compared
      const j2k = transferSyntaxOf(original).startsWith('1.2.840.10008.1.2.4.9');
      const keep = (lines: string[]) => (j2k ? lines.filter((l) => !/^\(0028,(010[12]|0008)\)/.test(l)) : lines);
      const expected = await oracle(original, ts, work);
      assert.deepEqual(
        keep(await dump(file)),
        keep(await dump(expected)),
        `${uid} (${classOf(original)}, stored in ${transferSyntaxOf(original)}): what arrived differs from DCMTK's conversion of the stored file`,
      );
      // dciodvfy cannot read a deflated file: DCMTK's conversion of it stands for it
      const before = new Set([...(await iodErrors(original)), ...(transferSyntaxOf(original) === '1.2.840.10008.1.2.1.99' ? await iodErrors(expected) : [])]);
      assert.deepEqual(
        (await iodErrors(file)).filter((e) => !before.has(e)),
        [],
        `${uid} (${classOf(original)}, stored in ${transferSyntaxOf(original)}): dciodvfy finds errors the stored file did not have`,
      );
      if (ts !== '1.2.840.10008.1.2.2') {
        const [got, want] = [await pixels(file, work), await pixels(expected, work)];
        assert.ok(
          got === undefined ? want === undefined : want !== undefined && got.equals(want),
          `${uid} (${classOf(original)}, stored in ${transferSyntaxOf(original)}): its pixels differ from DCMTK's`,
        );
      }
    }
    return syntaxes;
  }

  test('C-MOVE to a receiver taking Implicit VR Little Endian only: every instance, converted', async () => {
    const r = await movescu({ aeTitle: 'PRIORS', host: '127.0.0.1', port: serve.port }, 'IMPL', {
      model: 'study',
      keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${studyUid}`],
    });
    assert.equal(r.code, 0, r.stderr);
    await checkReceived(receivers.IMPL.dir, ILE);
  });

  test("C-MOVE to receivers preferring explicit little or big endian, or with DCMTK's defaults: every instance, as stored or converted", async () => {
    for (const ae of ['EXPL', 'BIG', 'PLAIN'] as const) {
      const r = await movescu({ aeTitle: 'PRIORS', host: '127.0.0.1', port: serve.port }, ae, {
        model: 'study',
        keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${studyUid}`],
      });
      assert.equal(r.code, 0, `${ae}: ${r.stderr}\n${failures()}\n${receivers[ae].logs().slice(-3000)}`);
      const syntaxes = await checkReceived(receivers[ae].dir);
      assert.equal(syntaxes.has('1.2.840.10008.1.2.1.99'), false, `${ae}: deflated instances are inflated for a receiver that does not take them`);
    }
  });

  test('C-GET by getscu, which offers Explicit VR Little Endian alone for every storage class: every instance, converted', async () => {
    const dir = join(work, 'getscu');
    const r = await getscu({ aeTitle: 'PRIORS', host: '127.0.0.1', port: serve.port }, dir, {
      model: 'study',
      keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${studyUid}`],
    });
    assert.equal(r.code, 0, r.stderr);
    await checkReceived(dir, '1.2.840.10008.1.2.1');
  });

  test("priors send to a receiver taking Implicit VR Little Endian only, handed to the running serve's cache", async () => {
    const implicitOnly = await startStorescp({ aeTitle: 'IMPL2', dir: join(work, 'IMPL2'), acceptAll: false, extraArgs: ['+xi'] });
    const r = await runPriors(['send', `IMPL2@127.0.0.1:${implicitOnly.port}`, '--study', studyUid], { dataDir });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    await checkReceived(implicitOnly.dir, ILE);
  });
});
