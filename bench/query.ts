// Benchmark: C-FIND latency of the local Q/R SCP (`priors serve`) against Orthanc and DCMTK
// dcmqrscp holding the same patients, studies, series and instances, all measured with the same
// in-process client (Priors' own SCU, one association per query, as findscu does).
//   node --import tsx bench/query.ts [--repeat N] [--quick]
// Priors' index is built from the synthetic records directly (Repository.index; C-FIND reads
// only the index), Orthanc and dcmqrscp are loaded with the same records as small Part-10 files.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { type DataSet, setString } from '../shared/dicom/dataset.js';
import { tagOf, vrOf } from '../shared/dicom/dictionary.js';
import type { QueryLevel } from '../shared/dicom/query.js';
import type { InstanceIndexRecord } from '../shared/records.js';
import { find } from '../electron/dimse/scu/index.js';
import { openAssociation, queryRetrieveSopClass, UNCOMPRESSED_SYNTAXES } from '../electron/dimse/scu/common.js';
import { drain, readDataSet } from '../electron/dimse/channel.js';
import { CommandField, findRq } from '../electron/dimse/command.js';
import { Cache } from '../electron/cache/index.js';
import { syntheticRecords, type SyntheticSizes } from '../electron/cache/synthetic.js';
import { loadIntoDcmqrscp, loadIntoOrthanc, startDcmqrscp, startOrthanc } from '../test/helpers/peers.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { commandReceiver } from './ingest.js';
import { fmt, markdownTable, median, p95, PRIORS_NODE } from './lib.js';
import { queryDataSet } from './query-data.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');

/** One query of the fixed set. */
export interface QueryCase {
  name: string;
  level: QueryLevel;
  /** Matching keys (value) and return keys (''). */
  keys: Record<string, string>;
}

const STUDY_RETURN = {
  PatientName: '',
  PatientID: '',
  PatientBirthDate: '',
  StudyDate: '',
  StudyTime: '',
  AccessionNumber: '',
  StudyDescription: '',
  StudyInstanceUID: '',
  ModalitiesInStudy: '',
  NumberOfStudyRelatedSeries: '',
  NumberOfStudyRelatedInstances: '',
};

/** The fixed query set, drawn from the middle of the synthetic data so every query has matches. */
export function queryCases(records: readonly InstanceIndexRecord[]): QueryCase[] {
  const mid = records[Math.floor(records.length / 2)]!;
  const [family = 'SMITH', given = 'ANNA'] = (mid.patient.PatientName ?? '').split('^');
  const year = (mid.study.StudyDate ?? '2020').slice(0, 4);
  const month = (mid.study.StudyDate ?? '202001').slice(0, 6);
  const modality = mid.series.Modality ?? 'CT';
  return [
    { name: 'STUDY: exact Patient ID', level: 'STUDY', keys: { ...STUDY_RETURN, PatientID: mid.patient.PatientID } },
    { name: `STUDY: name wildcard ${family}^${given}*`, level: 'STUDY', keys: { ...STUDY_RETURN, PatientName: `${family}^${given}*` } },
    { name: `STUDY: date range ${year}-01..03`, level: 'STUDY', keys: { ...STUDY_RETURN, StudyDate: `${year}0101-${year}0331` } },
    {
      name: `STUDY: modality ${modality} + date range`,
      level: 'STUDY',
      keys: { ...STUDY_RETURN, ModalitiesInStudy: modality, StudyDate: `${month}01-${month}31` },
    },
    { name: 'STUDY: exact accession', level: 'STUDY', keys: { ...STUDY_RETURN, AccessionNumber: mid.study.AccessionNumber ?? '' } },
    {
      name: 'SERIES: of one study',
      level: 'SERIES',
      keys: {
        StudyInstanceUID: mid.study.StudyInstanceUID,
        SeriesInstanceUID: '',
        Modality: '',
        SeriesNumber: '',
        SeriesDescription: '',
        NumberOfSeriesRelatedInstances: '',
      },
    },
    {
      name: 'IMAGE: of one series',
      level: 'IMAGE',
      keys: {
        StudyInstanceUID: mid.study.StudyInstanceUID,
        SeriesInstanceUID: mid.series.SeriesInstanceUID,
        SOPInstanceUID: '',
        SOPClassUID: '',
        InstanceNumber: '',
      },
    },
  ];
}

function identifier(keys: Record<string, string>): DataSet {
  const ds: DataSet = new Map();
  for (const [keyword, value] of Object.entries(keys)) setString(ds, tagOf(keyword), vrOf(tagOf(keyword)), value);
  return ds;
}

/** A Q/R SCP under test, already loaded. */
export interface QueryTarget {
  name: string;
  aeTitle: string;
  port: number;
  stop(): Promise<void>;
}

/** Latencies of one case against one target. */
export interface CaseResult {
  /** Each query on its own association (connect, A-ASSOCIATE, C-FIND, A-RELEASE). */
  ms: number[];
  /** Each query on one association kept open: C-FIND-RQ to the final C-FIND-RSP. */
  openMs: number[];
  matches: number;
  status: number;
  error?: string;
}

/**
 * Passes over the whole query set before measuring a target: the steady state of a server that
 * has been answering for a while, and the same warm client for every target (the first target
 * measured would otherwise also pay for compiling the client's code).
 */
const WARM_UP_PASSES = 3;

async function runQuery(target: QueryTarget, c: QueryCase): Promise<{ matches: number; status: number }> {
  const stream = find(
    { aeTitle: target.aeTitle, host: '127.0.0.1', port: target.port },
    { model: 'study', level: c.level, identifier: identifier(c.keys) },
    { callingAeTitle: 'BENCHSCU' },
  );
  let matches = 0;
  for await (const _ of stream) matches++;
  return { matches, status: (await stream.outcome).status };
}

/** Runs every case `repeat` times against a target (after the warm-up passes), one association per query. */
export async function measure(target: QueryTarget, cases: QueryCase[], repeat: number): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
    for (const c of cases) await runQuery(target, c).catch(() => undefined); // failures are reported by the measured runs
  }
  for (const c of cases) {
    const result: CaseResult = { ms: [], openMs: [], matches: 0, status: -1 };
    try {
      for (let i = 0; i < repeat; i++) {
        const started = process.hrtime.bigint();
        const { matches, status } = await runQuery(target, c);
        result.ms.push(Number(process.hrtime.bigint() - started) / 1e6);
        result.matches = matches;
        result.status = status;
      }
    } catch (err) {
      result.error = (err as Error).message;
    }
    out.push(result);
  }
  await measureOnOpenAssociation(target, cases, repeat, out);
  return out;
}

/** The same queries on one association kept open: what the SCP itself costs per query. */
async function measureOnOpenAssociation(target: QueryTarget, cases: QueryCase[], repeat: number, out: CaseResult[]): Promise<void> {
  const sopClass = queryRetrieveSopClass('study', 'find');
  const channel = await openAssociation(
    { aeTitle: target.aeTitle, host: '127.0.0.1', port: target.port },
    { callingAeTitle: 'BENCHSCU' },
    { contexts: [{ abstractSyntax: sopClass, transferSyntaxes: [...UNCOMPRESSED_SYNTAXES] }] },
  );
  try {
    const contextId = channel.association.findContext(sopClass)!.id;
    for (const [ci, c] of cases.entries()) {
      const ds = identifier({ QueryRetrieveLevel: c.level, ...c.keys });
      for (let i = 0; i <= repeat; i++) {
        const started = process.hrtime.bigint();
        const messageId = channel.nextMessageId();
        await channel.sendWithDataSet(contextId, findRq({ messageId, affectedSopClassUid: sopClass }), ds);
        while (true) {
          const msg = await channel.receive();
          if (!msg) throw new Error(`${target.name} closed the association during C-FIND`);
          if (msg.cmd.commandField === CommandField.C_FIND_RSP && (msg.cmd.status === 0xff00 || msg.cmd.status === 0xff01)) {
            await readDataSet(msg);
            continue;
          }
          await drain(msg.dataSet);
          break;
        }
        if (i > 0) out[ci]!.openMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
  } finally {
    await channel.association.release().catch(() => channel.association.abort());
  }
}

/** `priors serve` over an index built from syntheticRecords(sizes) (no files: C-FIND reads only the index). */
export async function startPriorsQueryTarget(sizes: SyntheticSizes): Promise<QueryTarget & { buildMs: number }> {
  const { dir, remove } = tempDirManual('priors-bench-query');
  const started = Date.now();
  const cache = await Cache.open(dir);
  cache.repository.transaction(() => {
    for (const r of syntheticRecords(sizes)) cache.repository.index(r);
  });
  await cache.close();
  const buildMs = Date.now() - started;
  const port = await freePort();
  const receiver = commandReceiver(
    'priors serve',
    (d, p) => [...PRIORS_NODE, cli, 'serve', '--aet', 'PRIORS', '--port', String(p), '--bind', '127.0.0.1', '--data', d],
    { aeTitle: 'PRIORS', readyTimeoutMs: 120000 },
  );
  const running = await receiver.start(dir, port);
  return {
    name: 'priors serve',
    aeTitle: 'PRIORS',
    port,
    buildMs,
    stop: async () => {
      await running.stop();
      remove();
    },
  };
}

/** Orthanc (default SQLite index) loaded with the files of the same records through its REST API. */
export async function startOrthancQueryTarget(sizes: SyntheticSizes): Promise<QueryTarget & { loadMs: number }> {
  const data = queryDataSet(sizes);
  const { dir, remove } = tempDirManual('priors-bench-orthanc');
  const peer = await startOrthanc({ dir, autoStop: false, config: { LimitFindResults: 0, LimitFindInstances: 0 } });
  const started = Date.now();
  await loadIntoOrthanc(peer, data.files, 4);
  return {
    name: 'Orthanc',
    aeTitle: peer.aeTitle,
    port: peer.port,
    loadMs: Date.now() - started,
    stop: async () => {
      await peer.stop();
      remove();
    },
  };
}

/** dcmqrscp with the same files registered by dcmqridx (its storage area holds at most 500 studies). */
export async function startDcmqrscpQueryTarget(sizes: SyntheticSizes): Promise<QueryTarget> {
  if (sizes.studies > 500) throw new Error('dcmqrscp holds at most 500 studies per storage area');
  const data = queryDataSet(sizes);
  const { dir, remove } = tempDirManual('priors-bench-dcmqrscp');
  const peer = await startDcmqrscp({ dir, autoStop: false, maxStudies: 500 });
  await loadIntoDcmqrscp(peer, data.files);
  return {
    name: 'DCMTK dcmqrscp',
    aeTitle: peer.aeTitle,
    port: peer.port,
    stop: async () => {
      await peer.stop();
      remove();
    },
  };
}

/** Markdown: one row per case; median/p95 per target and the ratio of each reference's median to Priors'. */
export function comparisonTable(cases: QueryCase[], targets: { name: string; results: CaseResult[] }[]): string {
  const priors = targets[0]!;
  const headers = ['Query', 'matches', ...targets.flatMap((t, i) => [`${t.name} median (ms)`, 'p95', 'open assoc.', ...(i > 0 ? [`÷ Priors`, 'open ÷'] : [])])];
  const rows = cases.map((c, ci) => {
    const p = priors.results[ci]!;
    const counts = targets.map((t) => (t.results[ci]!.error ? '×' : String(t.results[ci]!.matches)));
    const matches = new Set(counts).size === 1 ? counts[0]! : counts.join(' / ');
    const cells = targets.flatMap((t, ti) => {
      const r = t.results[ci]!;
      if (r.error || r.ms.length === 0) return [`failed: ${r.error ?? `status ${r.status.toString(16)}`}`, '—', '—', ...(ti > 0 ? ['—', '—'] : [])];
      const m = median(r.ms);
      const open = r.openMs.length ? median(r.openMs) : NaN;
      const ratio = (a: number, b: number[]) => `${fmt(a / median(b.length ? b : [NaN]), 1)}×`;
      return [fmt(m, 2), fmt(p95(r.ms), 2), fmt(open, 2), ...(ti > 0 ? [ratio(m, p.ms), ratio(open, p.openMs)] : [])];
    });
    return [c.name, matches, ...cells];
  });
  return markdownTable(headers, rows);
}

/** Sizes with the shape of the issue's cache: 10 instances per study, 3.33 studies per patient. */
export function sizesFor(studies: number): SyntheticSizes {
  return { patients: Math.max(1, Math.round(studies * 0.3)), studies, instances: studies * 10 };
}

/** Runs the three comparisons and the growth series; returns the Markdown section. */
export async function runQueryBenchmark(options: {
  repeat: number;
  full: number;
  growth: number[];
  log?: (line: string) => void;
}): Promise<{ markdown: string; failed: boolean }> {
  const log = options.log ?? (() => {});
  const parts: string[] = [];
  let failed = false;
  const record = (results: CaseResult[]) => {
    if (results.some((r) => r.error)) failed = true;
    return results;
  };

  // 1. dcmqrscp's scale. Its storage area holds at most 500 studies, and dcmqridx reads the whole
  // index for every file it registers: 5,000 instances took 3.5 minutes to load, 2,500 take one.
  const small = sizesFor(250);
  const smallCases = queryCases([...syntheticRecords(small)]);
  log(`query: ${small.instances} instances / ${small.studies} studies in Priors, Orthanc and dcmqrscp`);
  const smallTargets: { name: string; results: CaseResult[] }[] = [];
  for (const start of [startPriorsQueryTarget, startOrthancQueryTarget, startDcmqrscpQueryTarget]) {
    const target = await start(small);
    try {
      smallTargets.push({ name: target.name, results: record(await measure(target, smallCases, options.repeat)) });
    } finally {
      await target.stop();
    }
  }
  parts.push(
    `### ${small.instances.toLocaleString('en')} instances / ${small.studies} studies / ${small.patients} patients (dcmqrscp's scale: its storage area holds at most 500 studies, and its index, read whole for each file registered, takes about a minute to load 2,500 instances)`,
    '',
    comparisonTable(smallCases, smallTargets),
    '',
  );

  // 2. The full cache: Priors and Orthanc.
  const full = sizesFor(options.full);
  const fullCases = queryCases([...syntheticRecords(full)]);
  log(`query: ${full.instances} instances / ${full.studies} studies in Priors and Orthanc`);
  const priors = await startPriorsQueryTarget(full);
  const fullTargets: { name: string; results: CaseResult[] }[] = [];
  try {
    fullTargets.push({ name: priors.name, results: record(await measure(priors, fullCases, options.repeat)) });
  } finally {
    await priors.stop();
  }
  const orthanc = await startOrthancQueryTarget(full);
  try {
    fullTargets.push({ name: orthanc.name, results: record(await measure(orthanc, fullCases, options.repeat)) });
  } finally {
    await orthanc.stop();
  }
  parts.push(
    `### ${full.instances.toLocaleString('en')} instances / ${full.studies.toLocaleString('en')} studies / ${full.patients.toLocaleString('en')} patients`,
    '',
    `Priors' index built in ${fmt(priors.buildMs / 1000, 1)} s; Orthanc loaded over REST in ${fmt(orthanc.loadMs / 1000, 1)} s (${fmt(full.instances / (orthanc.loadMs / 1000), 0)} instances/s).`,
    '',
    comparisonTable(fullCases, fullTargets),
    '',
  );

  // 3. Growth of Priors' latency with the cache.
  const growth: { studies: number; results: CaseResult[] }[] = [];
  let growthCases: QueryCase[] = [];
  for (const studies of options.growth) {
    const sizes = sizesFor(studies);
    log(`query: growth, ${sizes.instances} instances / ${studies} studies`);
    const cases = queryCases([...syntheticRecords(sizes)]);
    growthCases = cases;
    const target = await startPriorsQueryTarget(sizes);
    try {
      growth.push({ studies, results: record(await measure(target, cases, options.repeat)) });
    } finally {
      await target.stop();
    }
  }
  parts.push(
    "### Growth of Priors' median latency (ms) with the cache (10 instances per study)",
    '',
    'Each cell: median ms (matches). The selective queries (one patient, one accession, one study) stay flat; the ranges and wildcards return more matches as the cache grows, and their time follows the matches, not the cache.',
    '',
    markdownTable(
      [
        'Query',
        ...growth.map((g) => `${g.studies.toLocaleString('en')} studies`),
        `× from ${options.growth[0]!.toLocaleString('en')} to ${options.growth.at(-1)!.toLocaleString('en')}`,
      ],
      growthCases.map((c, ci) => {
        const medians = growth.map((g) => (g.results[ci]!.ms.length ? median(g.results[ci]!.ms) : NaN));
        const cells = growth.map((g, gi) => `${fmt(medians[gi], 2)} (${g.results[ci]!.matches})`);
        return [c.name.replace(/ (\S+\*|\d{4}-.*)$/, '').replace(/modality \S+/, 'modality'), ...cells, `${fmt(medians.at(-1)! / medians[0]!, 1)}×`];
      }),
    ),
    '',
  );
  return { markdown: parts.join('\n'), failed };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const quick = argv.includes('--quick');
  const { markdown, failed } = await runQueryBenchmark({
    repeat: arg('--repeat') ?? 20,
    full: quick ? 1000 : 10000,
    growth: quick ? [100, 1000] : [1000, 10000, 100000],
    log: (line) => console.error(line),
  });
  console.log(markdown);
  if (failed) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`bench/query: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
