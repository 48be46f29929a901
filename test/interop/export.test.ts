// `priors export` of real studies (pydicom's corpus, and two copies of a CT image as two studies of
// one patient with an image of the first that references both) as DICOM tools read them: the
// DICOMDIR of a folder or ZIP medium is what dciodvfy accepts without error, what DCMTK's dcmgpdir
// reads and updates without adding a record, and what dcmgpdir makes itself from the same files
// (record for record); the medium imports back through its DICOMDIR, instance for instance. A
// de-identified export is read back by pydicom element by element, sequences included: no
// attribute of PS3.15 Table E.1-1 keeps a value any cached instance had, no private attribute is
// left, the UIDs are replaced consistently (studies, series, Frame of Reference shared by two
// studies, references within and across studies still resolve), and what may show burned-in text
// is left out, which the command says. Both exports are audit events.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ExportResult } from '../../shared/export.js';
import type { ImportResult } from '../../shared/records.js';
import { confidentialityProfile } from '../../electron/services/export/deid-table.js';
import { asOwnStudy } from '../helpers/data.js';
import { runDcmtk } from '../helpers/peers.js';
import { PYDICOM_DATA, pydicomAvailable, runPython } from '../helpers/pydicom.js';
import { cliJson, priorsJson, runPriors, walkFiles } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

/** A CT image referencing one image of its own study (Source Image Sequence) and one of another study (Referenced Image Sequence). */
const REFERENCING_SCRIPT = `
import sys, pydicom
from pydicom.dataset import Dataset
a, b, out = sys.argv[1:4]
ds = pydicom.dcmread(a)
other = pydicom.dcmread(b)
source = ds.SOPInstanceUID
ds.SOPInstanceUID = ds.SOPInstanceUID + '.9'
ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
ds.SeriesInstanceUID = ds.SeriesInstanceUID + '.9'
def ref(uid):
    item = Dataset()
    item.ReferencedSOPClassUID = ds.SOPClassUID
    item.ReferencedSOPInstanceUID = uid
    return item
ds.SourceImageSequence = [ref(source)]
ds.ReferencedImageSequence = [ref(other.SOPInstanceUID)]
ds.OtherPatientIDs = 'OLD-77'
ds.PatientAddress = '1 Main Street'
ds.InstitutionName = 'SAINT ELSEWHERE'
ds.private_block(0x0009, 'ACME 1.0', create=True).add_new(0x01, 'LO', 'ACME SECRET')
ds.save_as(out)
print('{}')
`;

/** Every element of every file, sequences walked: [tag, VR, value] (binary values as their length), and the top-level keys the checks use. */
const WALK_SCRIPT = `
import json, sys, pydicom
BINARY = {'OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN'}
def walk(ds, out, refs):
    for el in ds:
        tag = '%08X' % int(el.tag)
        if el.VR == 'SQ':
            out.append([tag, 'SQ', str(len(el.value)), el.tag.is_private])
            for item in el.value:
                walk(item, out, refs)
            continue
        if el.VR in BINARY or el.tag == 0x7FE00010:
            out.append([tag, el.VR, 'binary', el.tag.is_private])
            continue
        v = el.value
        values = [str(x) for x in v] if isinstance(v, (list, pydicom.multival.MultiValue)) else ([] if v is None or v == '' else [str(v)])
        out.append([tag, el.VR, '\\\\'.join(values), el.tag.is_private])
        if el.tag == 0x00081155:
            refs.extend(values)
files = []
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path, force=True)
    elements, refs = [], []
    walk(ds, elements, refs)
    g = lambda k: str(ds.get(k, '') or '')
    codes = [str(i.CodeValue) for i in ds.get('DeidentificationMethodCodeSequence', [])]
    files.append({'path': path, 'elements': elements, 'refs': refs, 'study': g('StudyInstanceUID'), 'series': g('SeriesInstanceUID'),
        'sop': g('SOPInstanceUID'), 'frameOfReference': g('FrameOfReferenceUID'), 'patientName': g('PatientName'), 'patientId': g('PatientID'),
        'identityRemoved': g('PatientIdentityRemoved'), 'methodCodes': codes})
json.dump(files, sys.stdout)
`;

interface Walked {
  path: string;
  elements: [tag: string, vr: string, value: string, isPrivate: boolean][];
  refs: string[];
  study: string;
  series: string;
  sop: string;
  frameOfReference: string;
  patientName: string;
  patientId: string;
  identityRemoved: string;
  methodCodes: string[];
}

const walk = (files: string[]): Walked[] => runPython<Walked[]>(WALK_SCRIPT, files);

/** Attributes of Table E.1-1 checked whatever the table in the code says (so that a shortened table cannot pass). */
const MUST_CHANGE = [
  '00100010',
  '00100020',
  '00100030',
  '00101000',
  '00101040',
  '00080080',
  '00080090',
  '00080050',
  '00200010',
  '00080020',
  '00080030',
  '0020000D',
  '0020000E',
  '00080018',
  '00200052',
  '00081070',
  '00181000',
  '00081010',
  '00081155',
];

/** The Directory Record Types and Referenced File IDs of a DICOMDIR, as dcmdump reads them. */
async function records(dicomdir: string): Promise<{ types: Map<string, number>; fileIds: string[] }> {
  const r = await runDcmtk('dcmdump', ['-q', '+L', dicomdir], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `dcmdump ${dicomdir}: ${r.stderr}`);
  const types = new Map<string, number>();
  for (const m of r.stdout.matchAll(/^\s*\(0004,1430\) CS \[([^\]]*)\]/gm)) types.set(m[1]!.trim(), (types.get(m[1]!.trim()) ?? 0) + 1);
  const fileIds = [...r.stdout.matchAll(/^\s*\(0004,1500\) CS \[([^\]]*)\]/gm)].map((m) => m[1]!.trim().replace(/\\/g, '/')).sort();
  return { types, fileIds };
}

async function dciodvfyErrors(file: string): Promise<string[]> {
  const r = await runDcmtk('dciodvfy', [file], { timeoutMs: 60_000 });
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.startsWith('Error'));
}

describe('export to media, and de-identified', { skip: !pydicomAvailable() && 'pydicom is not installed' }, () => {
  const work = tempDir('export');
  const dataDir = join(work, 'data');
  let studies: string[] = [];
  let cached = 0;
  let ownA = '';
  let ownB = '';
  let folder: ExportResult;
  const folderDir = join(work, 'medium');

  before(async () => {
    const ct = join(PYDICOM_DATA, 'test_files', 'CT_small.dcm');
    const patient = { PatientID: 'EXP-1', PatientName: 'EXPORT^ALICE' };
    const [a] = await asOwnStudy([ct], 'export-a', patient);
    const [b] = await asOwnStudy([ct], 'export-b', patient);
    const own = join(work, 'own');
    mkdirSync(own);
    copyFileSync(a!, join(own, 'a.dcm'));
    copyFileSync(b!, join(own, 'b.dcm'));
    runPython(REFERENCING_SCRIPT, [a!, b!, join(own, 'ref.dcm')]);
    const imported = await priorsJson<ImportResult>(['import', join(PYDICOM_DATA, 'test_files'), own], { dataDir });
    cached = imported.imported;
    assert.ok(cached > 100, `${cached} instances imported`);
    const ls = await priorsJson<{ rows: { StudyInstanceUID: string; PatientID: string }[] }>(['ls', '-L', 'STUDY'], { dataDir });
    studies = ls.rows.map((r) => r.StudyInstanceUID);
    const ownStudies = ls.rows.filter((r) => r.PatientID === 'EXP-1').map((r) => r.StudyInstanceUID);
    assert.equal(ownStudies.length, 2);
    const studyOf = (file: string) => walk([file])[0]!.study;
    ownA = studyOf(a!);
    ownB = studyOf(b!);
    assert.deepEqual(new Set(ownStudies), new Set([ownA, ownB]));
    folder = cliJson<ExportResult>(await runPriors(['export', '--study', ...studies, '--out', folderDir, '--dicomdir'], { dataDir, json: true }));
  });

  test('a folder medium: File IDs of the profile, a DICOMDIR that dciodvfy, dcmdump and dcmgpdir accept, record for record what dcmgpdir makes', async () => {
    assert.equal(folder.instances + folder.leftOut.length, cached, 'every cached instance written or left out with its reason');
    assert.ok(folder.instances >= cached - 2, `${folder.leftOut.map((l) => l.reason).join('; ')}`);
    const files = walkFiles(folderDir).map((f) => relative(folderDir, f));
    assert.equal(files.length, folder.instances + 1);
    for (const f of files) {
      const parts = f.split('/');
      assert.ok(parts.length <= 8, f);
      for (const p of parts) assert.match(p, /^[A-Z0-9_]{1,8}$/, `${f}: PS3.10 §8.2 File ID component`);
    }
    const dicomdir = join(folderDir, 'DICOMDIR');
    assert.deepEqual(await dciodvfyErrors(dicomdir), []);
    const ours = await records(dicomdir);
    assert.deepEqual(ours.fileIds, files.filter((f) => f !== 'DICOMDIR').sort(), 'every file referenced once, nothing else');

    // dcmgpdir makes its own DICOMDIR from the files (no value invented: the files have every key)
    const theirsPath = join(work, 'dcmtk.DICOMDIR');
    const made = await runDcmtk('dcmgpdir', ['+r', '+D', theirsPath, 'DICOM'], { cwd: folderDir, timeoutMs: 120_000 });
    assert.equal(made.code, 0, made.stderr);
    assert.doesNotMatch(made.stdout + made.stderr, /^E:/m);
    const theirs = await records(theirsPath);
    assert.deepEqual(theirs.fileIds, ours.fileIds);
    assert.deepEqual(Object.fromEntries([...theirs.types].sort()), Object.fromEntries([...ours.types].sort()));

    // and reads ours to update it: the files are found already there, nothing is added
    const copy = join(work, 'update.DICOMDIR');
    copyFileSync(dicomdir, copy);
    const updated = await runDcmtk('dcmgpdir', ['+U', '+D', copy, '+r', 'DICOM'], { cwd: folderDir, timeoutMs: 120_000 });
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual((await records(copy)).types, ours.types);
  });

  test('a ZIP medium holds the same files as the folder, and its DICOMDIR is as valid', async () => {
    const zip = join(work, 'zips', 'medium.zip');
    const r = cliJson<ExportResult>(await runPriors(['export', '--study', ...studies, '--out', zip, '--dicomdir', '--zip'], { dataDir, json: true }));
    assert.equal(r.kind, 'zip');
    assert.equal(r.location, zip);
    assert.equal(r.instances, folder.instances);
    assert.deepEqual(readdirSync(join(work, 'zips')), ['medium.zip'], 'no partial file left beside it');
    const unzipped = join(work, 'unzipped');
    const u = await runDcmtk('unzip', ['-q', zip, '-d', unzipped]);
    assert.equal(u.code, 0, u.stderr);
    const files = walkFiles(unzipped)
      .map((f) => relative(unzipped, f))
      .sort();
    assert.deepEqual(
      files,
      walkFiles(folderDir)
        .map((f) => relative(folderDir, f))
        .sort(),
    );
    for (const f of files) {
      if (f === 'DICOMDIR') continue; // its File-set UID is new in each export
      assert.ok(readFileSync(join(unzipped, f)).equals(readFileSync(join(folderDir, f))), `${f} as in the folder`);
    }
    assert.deepEqual(await dciodvfyErrors(join(unzipped, 'DICOMDIR')), []);
  });

  test('the medium imports back through its DICOMDIR: the same instances, a file it does not reference left alone', async () => {
    const medium = join(work, 'medium-copy');
    cpSync(folderDir, medium, { recursive: true });
    copyFileSync(join(PYDICOM_DATA, 'test_files', 'MR_small.dcm'), join(medium, 'STRAY'));
    const r = await priorsJson<ImportResult>(['import', medium], { dataDir: join(work, 'reimport') });
    assert.equal(r.imported, folder.instances);
    assert.equal(r.dicomdir?.referenced, folder.instances);
    assert.deepEqual(r.dicomdir?.missing, []);
    assert.equal(r.dicomdir?.notReferenced, 1);
    assert.equal(r.dicomdir?.firstNotReferenced, 'STRAY');

    // a medium another creator wrote (pydicom's): the files its records reference, as pydicom counts them
    const theirs = join(PYDICOM_DATA, 'test_files', 'dicomdirtests');
    const referenced = runPython<number>(
      `import sys, pydicom
d = pydicom.dcmread(sys.argv[1])
print(len([r for r in d.DirectoryRecordSequence if 'ReferencedFileID' in r]))`,
      [join(theirs, 'DICOMDIR')],
    );
    const other = await priorsJson<ImportResult>(['import', theirs], { dataDir: join(work, 'reimport-theirs') });
    assert.equal(other.dicomdir?.referenced, referenced);
    assert.equal(other.imported + other.duplicates, referenced);
    assert.deepEqual(other.dicomdir?.missing, []);
  });

  test('de-identified: no Annex E attribute keeps an original value, UIDs replaced consistently, burned-in text left out and said', async () => {
    const out = join(work, 'deid');
    const run = await runPriors(['export', '--study', ...studies, '--out', out, '--deidentify'], { dataDir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /The patients are named ANON-[A-Z2-9]{8}(, ANON-[A-Z2-9]{8})+ \(generated\)\./);
    assert.match(run.stdout, /left out: .*burned-in text/);
    assert.match(run.stdout, /Allow burned-in annotation to include/);
    const result = cliJson<ExportResult>(await runPriors(['export', '--study', ...studies, '--out', `${out}-json`, '--deidentify'], { dataDir, json: true }));
    const exported = walk(walkFiles(`${out}-json`));
    assert.equal(exported.length, result.instances);
    assert.ok(
      result.leftOut.some((l) => l.burnedIn),
      'ultrasound and secondary capture without Burned In Annotation = NO are left out',
    );
    const originals = walk(walkFiles(join(dataDir, 'files')));

    // every value each Annex E attribute had in any cached instance, and every UID
    const table = new Set([...confidentialityProfile().keys()].map((t) => t.toString(16).toUpperCase().padStart(8, '0')));
    for (const t of MUST_CHANGE) assert.ok(table.has(t), `(${t}) is in the table`);
    const originalValues = new Map<string, Set<string>>();
    const originalUids = new Set<string>();
    for (const f of originals) {
      for (const [tag, vr, value] of f.elements) {
        if (vr === 'UI') for (const u of value.split('\\')) if (u && !u.startsWith('1.2.840.10008.')) originalUids.add(u);
        if (table.has(tag) && value !== '' && vr !== 'SQ' && value !== 'binary') originalValues.set(tag, (originalValues.get(tag) ?? new Set()).add(value));
      }
    }
    const pseudonyms = new Set(result.studies.map((s) => s.pseudonym));
    let checked = 0;
    for (const f of exported) {
      assert.equal(f.identityRemoved, 'YES', f.path);
      assert.ok(f.methodCodes.includes('113100'), `${f.path}: De-identification Method Code Sequence names the Basic Profile`);
      assert.ok(pseudonyms.has(f.patientId) && f.patientName === f.patientId, `${f.path}: the pseudonym`);
      for (const [tag, vr, value, isPrivate] of f.elements) {
        assert.ok(!isPrivate, `${f.path}: private (${tag}) left`);
        if (vr === 'UI') for (const u of value.split('\\')) assert.ok(!originalUids.has(u), `${f.path}: (${tag}) keeps the original UID ${u}`);
        if (!table.has(tag) || vr === 'SQ' || value === '' || tag === '00100010' || tag === '00100020') continue;
        checked++;
        assert.ok(!originalValues.get(tag)?.has(value), `${f.path}: (${tag}) keeps an original value: ${value}`);
      }
    }
    assert.ok(checked > 100, `${checked} values of table attributes compared`);

    // studies: one new UID per study, holding its instances; series likewise
    const byStudy = new Map<string, Walked[]>();
    for (const f of exported) byStudy.set(f.study, [...(byStudy.get(f.study) ?? []), f]);
    for (const s of result.studies.filter((x) => x.instances > 0)) {
      assert.equal(byStudy.get(s.exportedStudyInstanceUID!)?.length, s.instances, `study ${s.StudyInstanceUID}`);
    }
    assert.equal(byStudy.size, result.studies.filter((x) => x.instances > 0).length);
    const exportedSops = new Set(exported.map((f) => f.sop));
    const leftOut = new Set(result.leftOut.map((l) => l.SOPInstanceUID));
    const kept = originals.filter((f) => !leftOut.has(f.sop));
    assert.equal(new Set(exported.map((f) => f.series)).size, new Set(kept.map((f) => f.series)).size);
    assert.equal(new Set(exported.map((f) => f.frameOfReference).filter(Boolean)).size, new Set(kept.map((f) => f.frameOfReference).filter(Boolean)).size);

    // across studies: the two copies share their Frame of Reference, and the references resolve to the new instances
    const newUid = (uid: string) => result.studies.find((s) => s.StudyInstanceUID === uid)!.exportedStudyInstanceUID!;
    const a = byStudy.get(newUid(ownA))!;
    const b = byStudy.get(newUid(ownB))!;
    assert.equal(a.length, 2);
    assert.equal(b.length, 1);
    assert.equal(a[0]!.frameOfReference, b[0]!.frameOfReference);
    const referencing = a.find((f) => f.refs.length === 2)!;
    const referenced = a.find((f) => f !== referencing)!;
    assert.deepEqual(referencing.refs, [b[0]!.sop, referenced.sop], 'Referenced Image (the other study), then Source Image (same study), in tag order');
    const originalSops = new Set(kept.map((f) => f.sop));
    const resolving = (files: Walked[], sops: Set<string>) => files.reduce((n, f) => n + f.refs.filter((r) => sops.has(r)).length, 0);
    assert.equal(resolving(exported, exportedSops), resolving(kept, originalSops), 'every reference that resolved still does');
  });

  test('de-identified onto a ZIP medium with a pseudonym: a valid DICOMDIR naming the pseudonym; burned-in text included only when allowed', async () => {
    const zip = join(work, 'deid.zip');
    const r = cliJson<ExportResult>(
      await runPriors(['export', '--study', ownA, ownB, '--out', zip, '--zip', '--dicomdir', '--deidentify', '--pseudonym', 'SUBJECT-7'], {
        dataDir,
        json: true,
      }),
    );
    assert.equal(r.instances, 3);
    const dir = join(work, 'deid-zip');
    assert.equal((await runDcmtk('unzip', ['-q', zip, '-d', dir])).code, 0);
    assert.deepEqual(await dciodvfyErrors(join(dir, 'DICOMDIR')), []);
    const dump = await runDcmtk('dcmdump', ['-q', '+P', '0010,0020', '+P', '0010,0010', join(dir, 'DICOMDIR')]);
    assert.deepEqual(
      dump.stdout
        .trim()
        .split('\n')
        .map((l) => /\[([^\]]*)\]/.exec(l)?.[1])
        .sort(),
      ['SUBJECT-7', 'SUBJECT-7'],
    );
    for (const f of walkFiles(dir).filter((p) => !p.endsWith('DICOMDIR'))) {
      const errors = await dciodvfyErrors(f);
      assert.ok(!errors.some((e) => /Patient|Study Date|Study Time|Missing attribute/i.test(e)), `${f}: ${errors.join('; ')}`);
    }

    // the ultrasound and secondary-capture images: left out by default, included (and counted) when allowed
    const burned = folder.studies.filter((s) => s.instances > 0).map((s) => s.StudyInstanceUID);
    const allowed = cliJson<ExportResult>(
      await runPriors(['export', '--study', ...burned, '--out', join(work, 'allowed'), '--deidentify', '--allow-burned-in'], { dataDir, json: true }),
    );
    const refused = cliJson<ExportResult>(
      await runPriors(['export', '--study', ...burned, '--out', join(work, 'refused'), '--deidentify'], { dataDir, json: true }),
    );
    const burnedIn = refused.leftOut.filter((l) => l.burnedIn).length;
    assert.ok(burnedIn > 0);
    assert.equal(allowed.deidentified?.burnedInIncluded, burnedIn);
    assert.equal(allowed.instances, refused.instances + burnedIn);
  });

  test('each export is an audit event per study, saying where to and whether de-identified', async () => {
    const events = await priorsJson<{ events: { what: string; StudyInstanceUID?: string; detail?: string; PatientID?: string }[] }>(
      ['audit', '--what', 'export', '--limit', '1000'],
      { dataDir },
    );
    const ofA = events.events.filter((e) => e.StudyInstanceUID === ownA);
    assert.ok(
      ofA.some((e) => /^to .*medium \(DICOMDIR, identified; by /.test(e.detail ?? '')),
      JSON.stringify(ofA),
    );
    assert.ok(
      ofA.some((e) => /^to .*deid\.zip \(DICOMDIR, ZIP, de-identified as SUBJECT-7; by /.test(e.detail ?? '')),
      JSON.stringify(ofA),
    );
    assert.ok(
      ofA.every((e) => e.PatientID === 'EXP-1'),
      'the event names the patient as cached, not the pseudonym',
    );
  });
});
