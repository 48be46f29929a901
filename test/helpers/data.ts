// Test data: synthetic CT series (gen_ct_series.py), copies of them in other transfer syntaxes
// (DCMTK and GDCM command line tools), and the pydicom corpus shipped by Debian.
// Generated data is cached under os.tmpdir()/priors-testdata/<hash of the parameters and of the
// generator>, so repeated test runs reuse it; entries are published by an atomic rename.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { PYDICOM_DATA, PYTHON } from './pydicom.js';

const run = promisify(execFile);
const GENERATOR = fileURLToPath(new URL('./gen_ct_series.py', import.meta.url));
const ENCAPS_COPY = fileURLToPath(new URL('./encaps_copy.py', import.meta.url));

/** Root of the on-disk cache of generated data. */
export function cacheRoot(): string {
  return process.env.PRIORS_TESTDATA ?? join(tmpdir(), 'priors-testdata');
}

/** Parameters of gen_ct_series.py (see its --help); all optional. */
export interface CtSeriesOptions {
  /** Hard-link (or copy) the generated files into this directory too; paths returned are there. */
  dir?: string;
  mode?: 'ct' | 'tiny' | 'multiframe';
  /** Instances (ct: 300, tiny: 2000). */
  count?: number;
  /** Frames of the multiframe instance (400 → ~200 MB). */
  frames?: number;
  rows?: number;
  cols?: number;
  bitsStored?: number;
  patientName?: string;
  patientId?: string;
  birthDate?: string;
  sex?: 'M' | 'F' | 'O';
  /** SpecificCharacterSet, e.g. 'ISO_IR 192' (default) or 'ISO_IR 100'. */
  charset?: string;
  studyDate?: string;
  studyId?: string;
  accession?: string;
  studyDescription?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sliceThickness?: number;
  noise?: number;
  seed?: number;
  /** ct mode: CT (default) or MR Image Storage. */
  modality?: 'CT' | 'MR';
  /** Body Part Examined (default CHEST; '' leaves it out). */
  bodyPart?: string;
}

/** A generated series: its files (sorted) and UIDs (SOPInstanceUIDs in the order of files). */
export interface GeneratedSeries {
  dir: string;
  files: string[];
  SOPInstanceUIDs: string[];
  StudyInstanceUID: string;
  SeriesInstanceUID: string;
  SOPClassUID: string;
}

const flagOf: Record<keyof Omit<CtSeriesOptions, 'dir'>, string> = {
  mode: '--mode',
  count: '--count',
  frames: '--frames',
  rows: '--rows',
  cols: '--cols',
  bitsStored: '--bits-stored',
  patientName: '--patient-name',
  patientId: '--patient-id',
  birthDate: '--birth-date',
  sex: '--sex',
  charset: '--charset',
  studyDate: '--study-date',
  studyId: '--study-id',
  accession: '--accession',
  studyDescription: '--study-description',
  seriesDescription: '--series-description',
  seriesNumber: '--series-number',
  studyInstanceUid: '--study-uid',
  seriesInstanceUid: '--series-uid',
  sliceThickness: '--slice-thickness',
  noise: '--noise',
  seed: '--seed',
  modality: '--modality',
  bodyPart: '--body-part',
};

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * Runs `produce(tmpDir)` unless the cache already holds `key`; publishes the result with an
 * atomic rename and returns the cached directory. `produce` must fill the directory it gets.
 */
async function cached(key: string, produce: (dir: string) => Promise<void>): Promise<string> {
  const root = cacheRoot();
  const final = join(root, key);
  if (existsSync(join(final, '.complete'))) return final;
  mkdirSync(root, { recursive: true });
  const temp = join(root, `${key}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(temp, { recursive: true });
  try {
    await produce(temp);
    writeFileSync(join(temp, '.complete'), new Date().toISOString());
    if (existsSync(final)) rmSync(final, { recursive: true, force: true }); // incomplete leftover
    renameSync(temp, final);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    if (existsSync(join(final, '.complete'))) return final; // another process won the race
    throw err;
  }
  return final;
}

function dicomFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.dcm'))
    .sort()
    .map((n) => join(dir, n));
}

function linkInto(files: string[], dir: string): string[] {
  const target = resolve(dir);
  mkdirSync(target, { recursive: true });
  return files.map((file) => {
    const out = join(target, basename(file));
    if (!existsSync(out)) {
      try {
        linkSync(file, out);
      } catch {
        copyFileSync(file, out);
      }
    }
    return out;
  });
}

/**
 * Generates (or reuses from the cache) a synthetic series: by default 300 CT images 512x512,
 * 12 of 16 bits stored, Explicit VR Little Endian, valid per dciodvfy. Mode 'tiny' gives many
 * 8x8 instances; 'multiframe' one large Multi-frame Grayscale Word SC instance.
 */
export async function generateCtSeries(options: CtSeriesOptions = {}): Promise<GeneratedSeries> {
  const args: string[] = [];
  for (const [key, flag] of Object.entries(flagOf) as [keyof typeof flagOf, string][]) {
    const value = options[key];
    if (value !== undefined) args.push(flag, String(value));
  }
  const key = `series-${hash({ args, generator: hash(readFileSync(GENERATOR, 'utf8')) })}`;
  const dir = await cached(key, async (out) => {
    const { stdout } = await run(PYTHON, [GENERATOR, '--out', out, ...args], { maxBuffer: 64 << 20 });
    const { files: _files, ...info } = JSON.parse(stdout) as GeneratedSeries;
    writeFileSync(join(out, 'series.json'), JSON.stringify(info));
  }).catch((err: unknown) => {
    throw new Error(`gen_ct_series.py failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
  });
  const info = JSON.parse(readFileSync(join(dir, 'series.json'), 'utf8')) as Omit<GeneratedSeries, 'dir' | 'files'>;
  const files = dicomFiles(dir);
  if (options.dir) return { ...info, dir: resolve(options.dir), files: linkInto(files, options.dir) };
  return { ...info, dir, files };
}

/** Several series at once (e.g. prior studies of several patients), generated one after another. */
export async function generateStudies(specs: CtSeriesOptions[]): Promise<GeneratedSeries[]> {
  const out: GeneratedSeries[] = [];
  for (const spec of specs) out.push(await generateCtSeries(spec));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Copies in other transfer syntaxes

/** Transfer syntaxes compressedCopies can produce, with the tool used. */
export const COPY_CODECS = {
  'jpeg-lossless': { transferSyntaxUid: '1.2.840.10008.1.2.4.70', tool: 'dcmcjpeg', args: ['+e1', '+un'] },
  'jpeg-baseline': { transferSyntaxUid: '1.2.840.10008.1.2.4.50', tool: 'dcmcjpeg', args: ['+eb', '+un'] },
  'jpeg-extended': { transferSyntaxUid: '1.2.840.10008.1.2.4.51', tool: 'dcmcjpeg', args: ['+ee', '+un'] },
  'jpeg-ls-lossless': { transferSyntaxUid: '1.2.840.10008.1.2.4.80', tool: 'dcmcjpls', args: ['+el'] },
  rle: { transferSyntaxUid: '1.2.840.10008.1.2.5', tool: 'dcmcrle', args: [] },
  'j2k-lossless': { transferSyntaxUid: '1.2.840.10008.1.2.4.90', tool: 'gdcmconv', args: ['--j2k'] },
  // test/helpers/encaps_copy.py writes these: OpenJPH's ojph_compress makes the HTJ2K codestream
  'htj2k-lossless': { transferSyntaxUid: '1.2.840.10008.1.2.4.201', tool: 'ojph_compress', args: ['htj2k'] },
  'encapsulated-uncompressed': { transferSyntaxUid: '1.2.840.10008.1.2.1.98', tool: PYTHON, args: ['uncompressed'] },
  'implicit-little': { transferSyntaxUid: '1.2.840.10008.1.2', tool: 'dcmconv', args: ['+ti'] },
  deflated: { transferSyntaxUid: '1.2.840.10008.1.2.1.99', tool: 'dcmconv', args: ['+td'] },
  'explicit-big': { transferSyntaxUid: '1.2.840.10008.1.2.2', tool: 'dcmconv', args: ['+tb'] },
} as const;
export type CopyCodec = keyof typeof COPY_CODECS;
/** The copies made when none are named: DCMTK 3.6.7's network tools know neither of the two newer syntaxes, so they are asked for by name. */
const DEFAULT_COPIES = (Object.keys(COPY_CODECS) as CopyCodec[]).filter((c) => c !== 'htj2k-lossless' && c !== 'encapsulated-uncompressed');

/** One copy of a source directory in one transfer syntax. */
export interface CompressedCopy {
  codec: CopyCodec;
  transferSyntaxUid: string;
  dir: string;
  files: string[];
}

async function toolAvailable(tool: string): Promise<boolean> {
  try {
    await run(tool, ['--version']);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * Copies every *.dcm of srcDir into each transfer syntax (default: all of COPY_CODECS but HTJ2K
 * and Encapsulated Uncompressed whose tool is installed), cached. SOP Instance UIDs are kept, even for the lossy JPEG copies (`+un`), so a
 * copy maps to its original by UID; lossy copies carry LossyImageCompression "01". JPEG baseline
 * of 12-bit data is rescaled by DCMTK to 8 bits (BitsStored 8, new RescaleSlope).
 */
export async function compressedCopies(
  srcDir: string,
  codecs: CopyCodec[] = DEFAULT_COPIES,
  o: { first?: number } = {},
): Promise<Partial<Record<CopyCodec, CompressedCopy>>> {
  const sources = dicomFiles(resolve(srcDir)).slice(0, o.first);
  if (sources.length === 0) throw new Error(`no *.dcm files in ${srcDir}`);
  const fingerprint = sources.map((f) => {
    const s = statSync(f);
    return `${f}:${s.size}:${s.mtimeMs}`;
  });
  const result: Partial<Record<CopyCodec, CompressedCopy>> = {};
  for (const codec of codecs) {
    const { tool, args, transferSyntaxUid } = COPY_CODECS[codec];
    if (!(await toolAvailable(tool))) continue;
    const [command, commandArgs] = tool === 'ojph_compress' || tool === PYTHON ? [PYTHON, [ENCAPS_COPY, ...args]] : [tool, [...args]];
    const dir = await cached(`copy-${codec}-${hash({ fingerprint, tool, args })}`, (out) =>
      mapLimit(sources, availableParallelism(), async (file) => {
        try {
          await run(command, [...commandArgs, file, join(out, basename(file))]);
        } catch (err) {
          throw new Error(`${tool} ${args.join(' ')} ${file} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
        }
      }),
    );
    result[codec] = { codec, transferSyntaxUid, dir, files: dicomFiles(dir) };
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// pydicom corpus

/** One file of pydicom's test corpus. */
export interface CorpusFile {
  path: string;
  /** Has the Part-10 preamble and 'DICM' prefix (PS3.10 7.1). */
  part10: boolean;
  SOPClassUID?: string;
  SOPInstanceUID?: string;
  TransferSyntaxUID?: string;
  SpecificCharacterSet?: string;
  /** dcmdump reads the whole file without error. */
  dcmtkReadable: boolean;
}

const CORPUS_SCRIPT = `
import json, os, sys
import pydicom
out = []
for root in sys.argv[1:]:
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            path = os.path.join(dirpath, name)
            with open(path, 'rb') as f:
                head = f.read(132)
            if len(head) < 132 or head[128:132] != b'DICM':
                continue
            rec = {'path': path, 'part10': True}
            try:
                ds = pydicom.dcmread(path, stop_before_pixels=True)
                meta = ds.file_meta
                rec['SOPClassUID'] = str(ds.get('SOPClassUID', meta.get('MediaStorageSOPClassUID', '')) or '') or None
                rec['SOPInstanceUID'] = str(ds.get('SOPInstanceUID', meta.get('MediaStorageSOPInstanceUID', '')) or '') or None
                rec['TransferSyntaxUID'] = str(meta.get('TransferSyntaxUID', '') or '') or None
                cs = ds.get('SpecificCharacterSet')
                rec['SpecificCharacterSet'] = ('\\\\'.join(cs) if isinstance(cs, (list, pydicom.multival.MultiValue)) else cs) or None
            except Exception as e:
                rec['error'] = str(e)
            out.append({k: v for k, v in rec.items() if v is not None})
json.dump(sorted(out, key=lambda r: r['path']), sys.stdout)
`;

let corpus: Promise<CorpusFile[]> | undefined;

function walkStats(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) walkStats(path, out);
    else if (e.isFile()) {
      const s = statSync(path);
      out.push(`${path}:${s.size}:${s.mtimeMs}`);
    }
  }
  return out;
}

/**
 * The Part-10 files of pydicom's test_files and charset_files (Debian's python3-pydicom), with
 * their UIDs read by pydicom and whether DCMTK's dcmdump reads them. Cached on disk (keyed by
 * the files' names, sizes and dates) and memoized per process. Note: some files share a SOP
 * Instance UID (e.g. chrFren.dcm and chrFrenMulti.dcm).
 */
export function pydicomCorpus(): Promise<CorpusFile[]> {
  corpus ??= (async () => {
    const roots = ['test_files', 'charset_files'].map((d) => join(PYDICOM_DATA, d)).filter((d) => existsSync(d));
    if (roots.length === 0) throw new Error(`pydicom corpus not found under ${PYDICOM_DATA} (apt-get install python3-pydicom)`);
    const dir = await cached(`corpus-${hash(roots.flatMap((r) => walkStats(r)))}`, async (out) => {
      writeFileSync(join(out, 'corpus.json'), JSON.stringify(await readCorpus(roots)));
    });
    return JSON.parse(readFileSync(join(dir, 'corpus.json'), 'utf8')) as CorpusFile[];
  })();
  return corpus;
}

async function readCorpus(roots: string[]): Promise<CorpusFile[]> {
  const { stdout } = await run(PYTHON, ['-c', CORPUS_SCRIPT, ...roots], { maxBuffer: 16 << 20 });
  const records = JSON.parse(stdout) as (Omit<CorpusFile, 'dcmtkReadable'> & { error?: string })[];
  const files: CorpusFile[] = [];
  await mapLimit(records, availableParallelism(), async (rec) => {
    let dcmtkReadable = true;
    try {
      await run('dcmdump', ['-q', rec.path], { maxBuffer: 64 << 20 });
    } catch {
      dcmtkReadable = false;
    }
    const { error: _error, ...rest } = rec;
    files.push({ ...rest, dcmtkReadable });
  });
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

// ---------------------------------------------------------------------------------------------
// Copies as studies of their own

const REIDENTIFY_SCRIPT = `
import hashlib, json, os, sys
import pydicom
spec = json.loads(sys.argv[1])
def uid(old):
    return "2.25." + str(int.from_bytes(hashlib.sha256((spec["tag"] + "/" + old).encode()).digest()[:16], "big"))
for src in spec["files"]:
    ds = pydicom.dcmread(src)
    for kw in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        setattr(ds, kw, uid(str(getattr(ds, kw))))
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    for kw, value in spec["set"].items():
        setattr(ds, kw, value)
    ds.save_as(os.path.join(spec["out"], os.path.basename(src)))
`;

/**
 * Copies of `files` as another study: new Study, Series and SOP Instance UIDs derived from
 * `tag` (the same call gives the same UIDs), `set` applied (e.g. PatientID), everything else —
 * the transfer syntax and the pixel data's bytes included — unchanged (pydicom).
 */
export async function asOwnStudy(files: string[], tag: string, set: Record<string, string> = {}): Promise<string[]> {
  const dir = await cached(`study-${hash({ files, tag, set, script: REIDENTIFY_SCRIPT })}`, async (out) => {
    await run(PYTHON, ['-c', REIDENTIFY_SCRIPT, JSON.stringify({ files, tag, set, out })], { maxBuffer: 16 << 20 });
  });
  return dicomFiles(dir);
}
