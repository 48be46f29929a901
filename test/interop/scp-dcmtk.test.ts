// `priors serve` (our local SCP) against DCMTK's SCUs: echoscu, storescu, findscu, movescu,
// getscu. The oracle for C-STORE is DCMTK's own `storescp +B`, fed by the SAME storescu
// invocations: storescu re-encodes what it sends (e.g. implicit → explicit VR), so what it
// received, not the source file, is what priors must have stored, byte for byte after the File
// Meta Information. C-FIND expectations are derived from the received files (read by pydicom),
// never hard-coded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compressedCopies, generateCtSeries, pydicomCorpus, type CompressedCopy, type GeneratedSeries } from '../helpers/data.js';
import { listFiles, runDcmtk, startStorescp, transferSyntaxOf, type QrModel, type StorescpPeer, type ToolResult } from '../helpers/peers.js';
import { freePort } from '../helpers/ports.js';
import {
  compareWithOracle,
  dataSetBytes,
  dcmdumpTransferSyntaxes,
  filesBySopInstanceUid,
  findscuDebug,
  firstDifference,
  lastDimseStatus,
  newDciodvfyErrors,
  priorsStoredFiles,
  readPart10,
  startPriorsServe,
  storescuPerSyntax,
  type FindResult,
  type PriorsServe,
} from '../helpers/priors-cli.js';
import { type FindMatch } from '../helpers/dcmtk-scu.js';
import { runPython } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';

const AET = 'PRIORS_DUT';
const DICOMDIR_CLASS = '1.2.840.10008.1.3.10';

/** Attributes of one received instance, read by pydicom (PN decoded per its SpecificCharacterSet). */
interface Rec {
  file: string;
  PatientID: string;
  PatientName: string;
  PatientBirthDate: string;
  PatientSex: string;
  StudyInstanceUID: string;
  StudyDate: string;
  AccessionNumber: string;
  SeriesInstanceUID: string;
  Modality: string;
  SeriesNumber: string;
  SOPInstanceUID: string;
  SOPClassUID: string;
  InstanceNumber: string;
}

const RECORD_SCRIPT = `
import json, sys, pydicom
out = []
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    rec = {'file': path}
    for k in ['PatientID', 'PatientName', 'PatientBirthDate', 'PatientSex', 'StudyInstanceUID', 'StudyDate', 'AccessionNumber',
              'SeriesInstanceUID', 'Modality', 'SeriesNumber', 'SOPInstanceUID', 'SOPClassUID', 'InstanceNumber']:
        v = ds.get(k)
        rec[k] = '' if v is None else str(v)
    out.append(rec)
print(json.dumps(out))
`;

/** One storescu round: files with distinct SOP Instance UIDs, sent to the oracle and to priors. */
interface RoundResult {
  name: string;
  problems: string[];
  compared: number;
}

let priors: PriorsServe;
let oracle: StorescpPeer;
let dest: StorescpPeer;
let movescuPort: number;
let dataDir: string;
let work: string;
/** SOP Instance UID → the oracle's latest received file (the state priors must be in). */
const latest = new Map<string, string>();
let records: Rec[] = [];
let ct: GeneratedSeries;
let utf8: GeneratedSeries;
let dates: GeneratedSeries[] = [];
/** 2000 tiny instances in one series: enough matches for a C-CANCEL to arrive mid-way. */
let many: GeneratedSeries;

/**
 * Sends `files` (distinct SOP Instance UIDs) with the same storescu invocations to the oracle
 * storescp +B and to priors, then compares, per instance the oracle received: priors has it,
 * its meta is valid with the oracle's TransferSyntaxUID, and the data set bytes are identical.
 */
async function storeRound(name: string, files: string[], dciodvfySample = 2): Promise<RoundResult> {
  const toOracle = await storescuPerSyntax(oracle, files);
  const toPriors = await storescuPerSyntax(priors, files);
  const roundDir = join(work, 'oracle-rounds', name);
  mkdirSync(roundDir, { recursive: true });
  for (const f of listFiles(oracle.dir)) renameSync(f, join(roundDir, basename(f)));
  const received = filesBySopInstanceUid(roundDir);
  const stored = priorsStoredFiles(dataDir);
  const problems: string[] = [];
  if (received.size === 0) problems.push(`the oracle received nothing: ${toOracle.stderr}`);
  const bySop = new Map(files.map((f) => [readPart10(f).meta.get('00020003') ?? '', f]));
  let sampled = 0;
  const pairs: [string, string][] = [];
  for (const [uid, oracleFile] of received) {
    latest.set(uid, oracleFile);
    const source = bySop.get(uid);
    const ours = stored.get(uid);
    if (!ours) {
      problems.push(`${uid} (${source ? basename(source) : '?'}): stored by storescp, not by priors`);
      continue;
    }
    const label = `${uid} (${source ? basename(source) : '?'}): `;
    const differences = compareWithOracle(oracleFile, ours, label);
    problems.push(...differences);
    if (!differences.length && source && sampled < dciodvfySample) {
      sampled++;
      const added = await newDciodvfyErrors(source, ours);
      if (added.length) problems.push(`${label}dciodvfy reports new errors in priors' file: ${added.join('; ')}`);
    }
    pairs.push([oracleFile, ours]);
  }
  // dcmdump must read priors' files, and find the TransferSyntaxUID the oracle got.
  const dumped = await dcmdumpTransferSyntaxes(pairs.map(([, ours]) => ours));
  for (const [oracleFile, ours] of pairs) {
    const want = readPart10(oracleFile).meta.get('00020010');
    if (dumped.get(ours) !== want) problems.push(`${ours}: dcmdump reads TransferSyntaxUID "${dumped.get(ours)}", storescp got ${want}`);
  }
  for (const uid of bySop.keys()) {
    if (!received.has(uid) && stored.has(uid) && !latest.has(uid)) problems.push(`${uid}: stored by priors, refused by storescp`);
  }
  if (problems.length) problems.push(`storescu → storescp (${toOracle.code}):\n${tail(toOracle)}\nstorescu → priors (${toPriors.code}):\n${tail(toPriors)}`);
  return { name, problems, compared: received.size };
}

function tail(r: ToolResult): string {
  return (r.stderr + r.stdout)
    .split('\n')
    .filter((l) => /^[EW]:|error|fail/i.test(l))
    .slice(-15)
    .join('\n');
}

/** Whether the helper can read the file's TransferSyntaxUID (it trusts the meta group length). */
const readableMeta = (file: string) => {
  try {
    return !!transferSyntaxOf(file);
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------
// C-FIND with findscu -d: matches (parsed from the identifiers) and the final DIMSE status

function find(model: QrModel, level: string, keys: string[], extraArgs: string[] = []): Promise<FindResult> {
  return findscuDebug(priors, model, level, keys, extraArgs);
}

/** The keyword a findscu -k argument names. */
function keyName(k: string): string {
  return k.split('=')[0]!;
}

const ALWAYS_ALLOWED = new Set(['SpecificCharacterSet', 'QueryRetrieveLevel', 'RetrieveAETitle']);

/** Checks a C-FIND: success, the set of values of `uniqueKey` over the matches, and the response keys. */
function checkFind(r: FindResult, keys: string[], uniqueKey: string, expected: Iterable<string>): FindMatch[] {
  const want = new Set(expected);
  assert.ok(want.size > 0, 'the expectation derived from the files is empty: the test data changed');
  assert.equal(r.status, 0x0000, `final status 0x${r.status?.toString(16)}; output:\n${r.output.slice(-3000)}`);
  const requested = new Set(keys.map(keyName));
  for (const m of r.matches) {
    const extra = Object.keys(m).filter((k) => !requested.has(k) && !ALWAYS_ALLOWED.has(k));
    assert.deepEqual(extra, [], `response holds keys that were not requested: ${extra.join(', ')}`);
    const missing = [...requested].filter((k) => !(k in m));
    assert.deepEqual(missing, [], `response lacks requested keys (PS3.4 C.4.1.1.3.2): ${missing.join(', ')}`);
  }
  const got = r.matches.map((m) => m[uniqueKey] ?? '');
  assert.equal(new Set(got).size, got.length, `duplicate ${uniqueKey} in the responses`);
  assert.deepEqual(new Set(got), want, `matching ${uniqueKey} values`);
  return r.matches;
}

/** Records grouped by a key (e.g. studies by StudyInstanceUID). */
function groupBy(rs: Rec[], key: keyof Rec): Map<string, Rec[]> {
  const out = new Map<string, Rec[]>();
  for (const r of rs) out.set(r[key], [...(out.get(r[key]) ?? []), r]);
  return out;
}

/** PS3.4 C.2.2.2.4 wild card matching (* and ?), case-insensitive as configured for PN (caseInsensitivePN). */
function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(
    `^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`,
    ignoreCase ? 'iu' : 'u',
  );
  return re.test(value);
}

/** PS3.4 C.2.2.2.5 range matching on DA values: "a-b", "-b", "a-". */
function inRange(range: string, date: string): boolean {
  const [lo, hi] = range.split('-');
  return date !== '' && (!lo || date >= lo) && (!hi || date <= hi);
}

/** Records with the hierarchy's UIDs (the weird corpus files without them are left out of expectations). */
function indexed(): Rec[] {
  return records.filter((r) => r.StudyInstanceUID && r.SeriesInstanceUID && r.SOPInstanceUID);
}

describe('priors serve against DCMTK SCUs', { timeout: 1_800_000 }, () => {
  before(async () => {
    work = tempDir('scp-dcmtk');
    dataDir = join(work, 'priors-data');
    oracle = await startStorescp({ aeTitle: 'ORACLE', dir: join(work, 'oracle'), bitPreserving: true });
    dest = await startStorescp({ aeTitle: 'MOVEDEST', dir: join(work, 'movedest'), bitPreserving: true });
    movescuPort = await freePort();
    priors = await startPriorsServe({
      aeTitle: AET,
      dataDir,
      nodes: [
        { name: 'movedest', address: `MOVEDEST@127.0.0.1:${dest.port}` },
        { name: 'movescu', address: `MOVESCU@127.0.0.1:${movescuPort}` },
      ],
    });
    ct = await generateCtSeries();
    utf8 = await generateCtSeries({
      mode: 'tiny',
      count: 3,
      patientName: 'Müller^Jürgen',
      patientId: 'PRIORS-UTF8',
      charset: 'ISO_IR 192',
      studyDate: '20180704',
      accession: 'ACCUTF8',
      seed: 2,
    });
    many = await generateCtSeries({ mode: 'tiny', count: 2000, patientId: 'PRIORS-MANY', patientName: 'MANY^INSTANCES', seed: 7 });
    dates = [];
    for (const [i, d] of ['20190101', '20200615', '20211231'].entries()) {
      dates.push(
        await generateCtSeries({
          mode: 'tiny',
          count: 2,
          patientName: 'DATES^PATIENT',
          patientId: 'PRIORS-DATES',
          studyDate: d,
          accession: `ACCD${i}`,
          seed: 10 + i,
        }),
      );
    }
  });
  after(async () => {
    await priors?.stop();
  });

  test('C-ECHO: echoscu is answered', async () => {
    const r = await runDcmtk('echoscu', ['-v', '-aec', AET, '127.0.0.1', String(priors.port)], { timeoutMs: 10_000 });
    assert.equal(r.code, 0, r.stderr);
  });

  test('C-STORE of the pydicom corpus: what storescp +B receives, priors stores byte for byte', async (t) => {
    const corpus = (await pydicomCorpus()).filter(
      (f) =>
        f.part10 && f.dcmtkReadable && f.TransferSyntaxUID && f.SOPInstanceUID && f.SOPClassUID && f.SOPClassUID !== DICOMDIR_CLASS && readableMeta(f.path),
    );
    assert.ok(corpus.length > 100, `corpus has ${corpus.length} usable files`);
    // Files sharing a SOP Instance UID (the same image in several syntaxes) go in separate rounds.
    const rounds: string[][] = [];
    const seen = new Map<string, number>();
    for (const f of corpus) {
      const n = seen.get(f.SOPInstanceUID!) ?? 0;
      seen.set(f.SOPInstanceUID!, n + 1);
      (rounds[n] ??= []).push(f.path);
    }
    const problems: string[] = [];
    let compared = 0;
    for (const [i, files] of rounds.entries()) {
      const r = await storeRound(`corpus-${i}`, files, 4);
      problems.push(...r.problems);
      compared += r.compared;
    }
    t.diagnostic(`${corpus.length} corpus files in ${rounds.length} rounds; ${compared} transmissions compared`);
    assert.ok(compared > 80, `only ${compared} corpus instances went through storescp`);
    assert.deepEqual(problems, []);
  });

  test('C-STORE of the CT series in other transfer syntaxes (compressed copies): byte-identical to storescp +B', async (t) => {
    // 30 slices of each syntax: every codec's path is taken; the whole series adds time, not cases
    const copies = Object.values(await compressedCopies(ct.dir, undefined, { first: 30 })) as CompressedCopy[];
    t.diagnostic(`copies: ${copies.map((c) => `${c.codec} (${c.files.length})`).join(', ')}`);
    assert.ok(copies.length >= 8, `only ${copies.map((c) => c.codec).join(', ')} could be made`);
    const problems: string[] = [];
    for (const copy of copies) {
      const r = await storeRound(`ct-${copy.codec}`, copy.files, 1);
      if (r.compared !== copy.files.length) problems.push(`${copy.codec}: storescp received ${r.compared} of ${copy.files.length}`);
      problems.push(...r.problems.map((p) => `${copy.codec}: ${p}`));
    }
    assert.deepEqual(problems.slice(0, 40), []);
  });

  test('C-STORE of the generated 300-image CT series (and the small query series): byte-identical to storescp +B', async () => {
    const files = [...ct.files, ...utf8.files, ...dates.flatMap((d) => d.files), ...many.files];
    const r = await storeRound('generated', files, 3);
    // The C-FIND expectations: every instance the oracle holds now, as pydicom reads it.
    records = runPython<Rec[]>(RECORD_SCRIPT, [...latest.values()]);
    assert.equal(records.length, latest.size);
    assert.equal(r.compared, files.length);
    assert.deepEqual(r.problems.slice(0, 40), []);
  });

  describe('C-FIND', () => {
    const studyKeys = ['StudyInstanceUID', 'StudyDate', 'PatientName', 'PatientID', 'AccessionNumber', 'ModalitiesInStudy', 'NumberOfStudyRelatedInstances'];

    test('Study Root STUDY, exact PatientID: the study, its date, accession, modalities and instance count', async () => {
      const keys = [...studyKeys.filter((k) => k !== 'PatientID'), 'PatientID=PRIORS001'];
      const want = groupBy(
        indexed().filter((r) => r.PatientID === 'PRIORS001'),
        'StudyInstanceUID',
      );
      const matches = checkFind(await find('study', 'STUDY', keys), keys, 'StudyInstanceUID', want.keys());
      for (const m of matches) {
        const rs = want.get(m.StudyInstanceUID!)!;
        assert.equal(m.StudyDate, rs[0]!.StudyDate);
        assert.equal(m.AccessionNumber, rs[0]!.AccessionNumber);
        assert.equal(m.NumberOfStudyRelatedInstances, String(rs.length));
        assert.deepEqual(new Set(m.ModalitiesInStudy!.split('\\')), new Set(rs.map((r) => r.Modality)));
      }
    });

    for (const pattern of ['Müll*', 'Buc^Jérô*', 'Люк*', 'äNEAS^R?DIGER']) {
      test(`Study Root STUDY, wild card PatientName=${pattern} in UTF-8: matches decoded from each file's character set`, async () => {
        const keys = ['SpecificCharacterSet=ISO_IR 192', `PatientName=${pattern}`, 'StudyInstanceUID', 'PatientID'];
        const hits = indexed().filter((r) => wildcard(pattern, r.PatientName, true));
        assert.ok(hits.length > 0, `no loaded file matches ${pattern}: the test data changed`);
        const matches = checkFind(
          await find('study', 'STUDY', keys),
          keys,
          'StudyInstanceUID',
          hits.map((r) => r.StudyInstanceUID),
        );
        const names = groupBy(hits, 'StudyInstanceUID');
        for (const m of matches) assert.equal(m.PatientName, names.get(m.StudyInstanceUID!)![0]!.PatientName, 'PatientName as stored, in UTF-8');
      });
    }

    for (const range of ['20200101-20211231', '-20200615', '20200616-', '20190101']) {
      test(`Study Root STUDY, StudyDate=${range} (range matching) for one patient`, async () => {
        const keys = ['PatientID=PRIORS-DATES', `StudyDate=${range}`, 'StudyInstanceUID'];
        const want = indexed().filter((r) => r.PatientID === 'PRIORS-DATES' && inRange(range.includes('-') ? range : `${range}-${range}`, r.StudyDate));
        assert.ok(want.length > 0);
        const matches = checkFind(
          await find('study', 'STUDY', keys),
          keys,
          'StudyInstanceUID',
          want.map((r) => r.StudyInstanceUID),
        );
        for (const m of matches) assert.ok(inRange(range.includes('-') ? range : `${range}-${range}`, m.StudyDate!), m.StudyDate);
      });
    }

    for (const modality of ['MR', 'CT']) {
      test(`Study Root STUDY, ModalitiesInStudy=${modality}: every study with a ${modality} series`, async () => {
        const keys = [`ModalitiesInStudy=${modality}`, 'StudyInstanceUID'];
        const studies = groupBy(indexed(), 'StudyInstanceUID');
        const want = [...studies].filter(([, rs]) => rs.some((r) => r.Modality === modality)).map(([uid]) => uid);
        const matches = checkFind(await find('study', 'STUDY', keys), keys, 'StudyInstanceUID', want);
        for (const m of matches) assert.ok(m.ModalitiesInStudy!.split('\\').includes(modality), m.ModalitiesInStudy);
      });
    }

    test('Study Root STUDY, list of UID matching on StudyInstanceUID', async () => {
      const uids = [ct.StudyInstanceUID, dates[1]!.StudyInstanceUID, '1.2.3.4.5.404'];
      const keys = [`StudyInstanceUID=${uids.join('\\')}`, 'PatientID'];
      const want = new Set(
        indexed()
          .filter((r) => uids.includes(r.StudyInstanceUID))
          .map((r) => r.StudyInstanceUID),
      );
      checkFind(await find('study', 'STUDY', keys), keys, 'StudyInstanceUID', want);
    });

    test('Study Root SERIES: the series of a study with Modality, SeriesNumber and instance count', async () => {
      const keys = [`StudyInstanceUID=${ct.StudyInstanceUID}`, 'SeriesInstanceUID', 'Modality', 'SeriesNumber', 'NumberOfSeriesRelatedInstances'];
      const want = groupBy(
        indexed().filter((r) => r.StudyInstanceUID === ct.StudyInstanceUID),
        'SeriesInstanceUID',
      );
      const matches = checkFind(await find('study', 'SERIES', keys), keys, 'SeriesInstanceUID', want.keys());
      for (const m of matches) {
        const rs = want.get(m.SeriesInstanceUID!)!;
        assert.equal(m.Modality, rs[0]!.Modality);
        assert.equal(Number(m.SeriesNumber), Number(rs[0]!.SeriesNumber));
        assert.equal(m.NumberOfSeriesRelatedInstances, String(rs.length));
      }
    });

    test('Study Root IMAGE: every instance of the series; and a list of SOP Instance UIDs', async () => {
      const base = [`StudyInstanceUID=${ct.StudyInstanceUID}`, `SeriesInstanceUID=${ct.SeriesInstanceUID}`];
      const keys = [...base, 'SOPInstanceUID', 'SOPClassUID', 'InstanceNumber'];
      const want = indexed().filter((r) => r.SeriesInstanceUID === ct.SeriesInstanceUID);
      assert.equal(want.length, ct.files.length);
      const matches = checkFind(
        await find('study', 'IMAGE', keys),
        keys,
        'SOPInstanceUID',
        want.map((r) => r.SOPInstanceUID),
      );
      const byUid = new Map(want.map((r) => [r.SOPInstanceUID, r]));
      for (const m of matches) assert.equal(Number(m.InstanceNumber), Number(byUid.get(m.SOPInstanceUID!)!.InstanceNumber));
      const some = want.slice(0, 3).map((r) => r.SOPInstanceUID);
      const listKeys = [...base, `SOPInstanceUID=${some.join('\\')}`];
      checkFind(await find('study', 'IMAGE', listKeys), listKeys, 'SOPInstanceUID', some);
    });

    test('Patient Root PATIENT / STUDY / SERIES / IMAGE', async () => {
      const mine = indexed().filter((r) => r.PatientID === 'PRIORS-DATES');
      let keys = ['PatientID=PRIORS-DATES', 'PatientName', 'PatientBirthDate', 'NumberOfPatientRelatedStudies'];
      const [p] = checkFind(await find('patient', 'PATIENT', keys), keys, 'PatientID', ['PRIORS-DATES']);
      assert.equal(p!.PatientName, mine[0]!.PatientName);
      assert.equal(p!.PatientBirthDate, mine[0]!.PatientBirthDate);
      assert.equal(p!.NumberOfPatientRelatedStudies, String(groupBy(mine, 'StudyInstanceUID').size));
      keys = ['PatientName=müller^*', 'PatientID', 'SpecificCharacterSet=ISO_IR 192'];
      checkFind(
        await find('patient', 'PATIENT', keys),
        keys,
        'PatientID',
        new Set(
          indexed()
            .filter((r) => wildcard('müller^*', r.PatientName, true))
            .map((r) => r.PatientID),
        ),
      );
      keys = ['PatientID=PRIORS-DATES', 'StudyInstanceUID', 'StudyDate'];
      checkFind(await find('patient', 'STUDY', keys), keys, 'StudyInstanceUID', groupBy(mine, 'StudyInstanceUID').keys());
      const study = dates[2]!;
      keys = ['PatientID=PRIORS-DATES', `StudyInstanceUID=${study.StudyInstanceUID}`, 'SeriesInstanceUID', 'Modality'];
      checkFind(await find('patient', 'SERIES', keys), keys, 'SeriesInstanceUID', [study.SeriesInstanceUID]);
      keys = ['PatientID=PRIORS001', `StudyInstanceUID=${ct.StudyInstanceUID}`, `SeriesInstanceUID=${ct.SeriesInstanceUID}`, 'SOPInstanceUID'];
      checkFind(
        await find('patient', 'IMAGE', keys),
        keys,
        'SOPInstanceUID',
        indexed()
          .filter((r) => r.SeriesInstanceUID === ct.SeriesInstanceUID)
          .map((r) => r.SOPInstanceUID),
      );
    });

    test('Patient/Study Only PATIENT and STUDY', async () => {
      let keys = ['PatientID=PRIORS001', 'PatientName'];
      checkFind(await find('psonly', 'PATIENT', keys), keys, 'PatientID', ['PRIORS001']);
      keys = ['PatientID=PRIORS-DATES', 'StudyDate=20200101-', 'StudyInstanceUID'];
      const want = indexed()
        .filter((r) => r.PatientID === 'PRIORS-DATES' && inRange('20200101-', r.StudyDate))
        .map((r) => r.StudyInstanceUID);
      checkFind(await find('psonly', 'STUDY', keys), keys, 'StudyInstanceUID', want);
    });

    const bad: [string, QrModel, string, string[]][] = [
      ['Study Root SERIES without StudyInstanceUID', 'study', 'SERIES', ['SeriesInstanceUID']],
      ['Study Root IMAGE without SeriesInstanceUID', 'study', 'IMAGE', [`StudyInstanceUID=${'1.2.3'}`, 'SOPInstanceUID']],
      ['Study Root PATIENT level (not in the model)', 'study', 'PATIENT', ['PatientID']],
      ['Patient Root STUDY without PatientID', 'patient', 'STUDY', ['StudyInstanceUID']],
      ['Patient/Study Only SERIES level (not in the model)', 'psonly', 'SERIES', ['PatientID=PRIORS001', 'SeriesInstanceUID']],
      ['an unknown QueryRetrieveLevel', 'study', 'WARD', ['StudyInstanceUID']],
    ];
    for (const [name, model, level, keys] of bad) {
      test(`A900 for a bad identifier: ${name}`, async () => {
        const r = await find(model, level, keys);
        assert.equal(r.matches.length, 0);
        assert.equal(r.status, 0xa900, `status 0x${r.status?.toString(16)}:\n${r.output.slice(-2000)}`);
        const after = await runDcmtk('echoscu', ['-aec', AET, '127.0.0.1', String(priors.port)], { timeoutMs: 10_000 });
        assert.equal(after.code, 0);
      });
    }

    test('C-CANCEL (findscu --cancel 3) of a 2000-match query: final status Cancel (FE00) before all matches are sent', async () => {
      // PS3.7 §9.3.2.3 (C-CANCEL-FIND-RQ), PS3.4 Table C.4-1: FE00 "matching terminated due to Cancel".
      // DCMTK's dcmqrscp, given the same 2000 instances, stops after some 20–250 matches.
      const keys = [`StudyInstanceUID=${many.StudyInstanceUID}`, `SeriesInstanceUID=${many.SeriesInstanceUID}`, 'SOPInstanceUID'];
      const r = await find('study', 'IMAGE', keys, ['--cancel', '3']);
      assert.match(r.output, /Sending Cancel Request/);
      assert.ok(r.matches.length >= 3);
      assert.equal(
        r.status,
        0xfe00,
        `final status 0x${r.status?.toString(16)} after ${r.matches.length} of ${many.files.length} matches: the C-CANCEL was not acted on`,
      );
      assert.ok(r.matches.length < many.files.length);
    });
  });

  describe('C-MOVE and C-GET', () => {
    /** Moves the files a peer received so far (directly in its directory) to work/<name>; returns that directory. */
    function takeReceived(dir: string, name: string): string {
      const to = join(work, name);
      mkdirSync(to, { recursive: true });
      for (const f of listFiles(dir)) renameSync(f, join(to, basename(f)));
      return to;
    }

    /** Checks that `dir` holds exactly the `wanted` instances, each byte-identical to what priors stored. */
    function sameAsStored(dir: string, wanted: Iterable<string>): void {
      const got = filesBySopInstanceUid(dir);
      const stored = priorsStoredFiles(dataDir);
      assert.deepEqual(new Set(got.keys()), new Set(wanted));
      for (const [uid, file] of got) {
        const ours = stored.get(uid)!;
        assert.equal(readPart10(file).meta.get('00020010'), readPart10(ours).meta.get('00020010'), `${uid}: transfer syntax`);
        const at = firstDifference(dataSetBytes(file), dataSetBytes(ours));
        assert.equal(at, -1, `${uid}: received data set differs from the stored one at byte ${at}`);
      }
    }

    async function movescu(
      destination: string,
      keys: string[],
      extra: string[] = [],
      cwd?: string,
    ): Promise<{ status?: number; output: string; code: number | null }> {
      const r = await runDcmtk(
        'movescu',
        ['-d', '-aet', 'MOVESCU', '-aec', AET, '-aem', destination, '-S', ...keys.flatMap((k) => ['-k', k]), ...extra, '127.0.0.1', String(priors.port)],
        { timeoutMs: 300_000, ...(cwd ? { cwd } : {}) },
      );
      const output = r.stdout + r.stderr;
      return { status: lastDimseStatus(output.slice(output.lastIndexOf('C-MOVE RSP'))), output, code: r.code };
    }

    test('movescu STUDY → a storescp configured as a node: every instance arrives byte-identical to the stored data set', async () => {
      assert.equal(listFiles(dest.dir).length, 0);
      const r = await movescu('MOVEDEST', ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${ct.StudyInstanceUID}`]);
      assert.equal(r.status, 0x0000, r.output.slice(-3000));
      assert.match(r.output, new RegExp(`Completed Suboperations\\s*:\\s*${ct.files.length}\\b`));
      sameAsStored(
        takeReceived(dest.dir, 'moved-ct'),
        indexed()
          .filter((x) => x.StudyInstanceUID === ct.StudyInstanceUID)
          .map((x) => x.SOPInstanceUID),
      );
    });

    test('movescu SERIES of compressed corpus instances → storescp: stored transfer syntax and bytes kept', async () => {
      const stored = priorsStoredFiles(dataDir);
      const compressed = indexed().filter((x) => {
        const ts = readPart10(stored.get(x.SOPInstanceUID)!).meta.get('00020010')!;
        return !['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'].includes(ts);
      });
      const series = [...groupBy(compressed, 'SeriesInstanceUID').keys()].slice(0, 3);
      assert.ok(series.length > 0);
      for (const uid of series) {
        const study = compressed.find((x) => x.SeriesInstanceUID === uid)!.StudyInstanceUID;
        const r = await movescu('MOVEDEST', ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${study}`, `SeriesInstanceUID=${uid}`]);
        assert.equal(r.status, 0x0000, r.output.slice(-3000));
      }
      sameAsStored(
        takeReceived(dest.dir, 'moved-compressed'),
        indexed()
          .filter((x) => series.includes(x.SeriesInstanceUID))
          .map((x) => x.SOPInstanceUID),
      );
    });

    test('movescu to an unknown destination: A801 Move Destination unknown, and the SCP lives on', async () => {
      const r = await movescu('NOSUCHAE', ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${ct.StudyInstanceUID}`]);
      assert.equal(r.status, 0xa801, r.output.slice(-2000));
      const e = await runDcmtk('echoscu', ['-aec', AET, '127.0.0.1', String(priors.port)], { timeoutMs: 10_000 });
      assert.equal(e.code, 0);
    });

    test('movescu with its own receiver (movescu --port) as the destination', async () => {
      const dir = join(work, 'movescu-recv');
      mkdirSync(dir, { recursive: true });
      const study = dates[0]!;
      // DCMTK 3.6.7's movescu writes bit-preserved files to its working directory, ignoring -od.
      const r = await movescu(
        'MOVESCU',
        ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${study.StudyInstanceUID}`],
        ['+P', String(movescuPort), '+B', '+xa', '-od', dir],
        dir,
      );
      assert.equal(r.status, 0x0000, r.output.slice(-3000));
      sameAsStored(dir, study.SOPInstanceUIDs);
    });

    test('getscu STUDY: every instance arrives on the same association, byte-identical', async () => {
      const dir = join(work, 'getscu');
      mkdirSync(dir, { recursive: true });
      const r = await runDcmtk(
        'getscu',
        [
          '-d',
          '-aet',
          'GETSCU',
          '-aec',
          AET,
          '-S',
          '+B',
          '-od',
          dir,
          '-k',
          'QueryRetrieveLevel=STUDY',
          '-k',
          `StudyInstanceUID=${ct.StudyInstanceUID}`,
          '127.0.0.1',
          String(priors.port),
        ],
        { timeoutMs: 300_000 },
      );
      const output = r.stdout + r.stderr;
      assert.equal(lastDimseStatus(output.slice(output.lastIndexOf('C-GET RSP'))), 0x0000, output.slice(-3000));
      sameAsStored(dir, ct.SOPInstanceUIDs);
    });
  });

  test('the oracle copies are intact (sanity of the comparison itself)', () => {
    // A data set compared with itself through readPart10 must be found equal, and two
    // different instances different: guards against a comparison that always passes.
    const [a, b] = [...latest.values()];
    assert.ok(a && b);
    assert.equal(firstDifference(dataSetBytes(a), dataSetBytes(a)), -1);
    assert.notEqual(firstDifference(dataSetBytes(a), dataSetBytes(b)), -1);
    assert.ok(readFileSync(a).length > 0);
  });
});
