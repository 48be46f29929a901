// Benchmarks of what leaves Priors in another transfer syntax: C-MOVE of one study, asked by
// DCMTK's movescu, from `priors serve` and from the reference archives, into a storescp that
// accepts only some syntaxes:
// - the CT series (Explicit VR Little Endian) into a storescp taking Implicit VR Little Endian only;
// - its JPEG-LS Lossless copy into a storescp taking uncompressed syntaxes only (decompression).
// References: DCMTK's dcmqrscp and Orthanc holding the same files, in the same run.
//   node --import tsx bench/transcode.ts [--runs N] [--count N]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compressedCopies, generateCtSeries } from '../test/helpers/data.js';
import {
  loadIntoDcmqrscp,
  loadIntoOrthanc,
  peerEnv,
  startDcmqrscp,
  startOrthanc,
  startStorescp,
  type DcmqrscpTransferSyntax,
  type Peer,
} from '../test/helpers/peers.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { commandReceiver, type RunningReceiver } from './ingest.js';
import { countFiles, fmt, interleave, markdownTable, median, PRIORS_NODE, readMemory, runTimed, warmPageCache } from './lib.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');
const PRIORS_AE = 'PRIORS';
const DEST_AE = 'NARROW';
const CALLING_AE = 'BENCHSCU';

interface Row {
  name: string;
  ms: number[];
  peakKb: number[];
  error?: string;
}

async function priorsCli(args: string[]): Promise<void> {
  const run = await runTimed(PRIORS_NODE[0]!, [...PRIORS_NODE.slice(1), cli, ...args], { env: peerEnv() });
  if (run.code !== 0) throw new Error(`priors ${args[0]} exited with ${run.code}: ${(run.stderr || run.stdout).slice(-1500)}`);
}

/** One case: the files, the syntaxes the destination takes (storescp flags), dcmqrscp's network syntax. */
interface Case {
  label: string;
  files: string[];
  storescpArgs: string[];
  dcmqrscpSyntax: DcmqrscpTransferSyntax;
}

async function measureCase(c: Case, studyUid: string, runs: number, log: (l: string) => void): Promise<Row[]> {
  const destPort = await freePort();
  const peers = [
    { aeTitle: DEST_AE, host: '127.0.0.1', port: destPort },
    { aeTitle: CALLING_AE, host: '127.0.0.1', port: 1 },
  ];
  const dq = tempDirManual('priors-bench-tc-dcmqrscp');
  const or = tempDirManual('priors-bench-tc-orthanc');
  const pr = tempDirManual('priors-bench-tc-priors');
  let serve: RunningReceiver | undefined;
  const stops: (() => Promise<void>)[] = [];
  try {
    log(`transcode: ${c.label}: loading dcmqrscp, Orthanc and priors serve`);
    const dcmqrscp = await startDcmqrscp({ dir: dq.dir, autoStop: false, peers, transferSyntax: c.dcmqrscpSyntax });
    stops.push(() => dcmqrscp.stop());
    await loadIntoDcmqrscp(dcmqrscp, c.files);
    const orthanc = await startOrthanc({
      dir: or.dir,
      autoStop: false,
      modalities: { narrow: [DEST_AE, '127.0.0.1', destPort], bench: [CALLING_AE, '127.0.0.1', 1] },
    });
    stops.push(() => orthanc.stop());
    await loadIntoOrthanc(orthanc, c.files);
    await priorsCli(['import', ...c.files, '--data', pr.dir]);
    await priorsCli(['nodes', 'add', 'narrow', `${DEST_AE}@127.0.0.1:${destPort}`, '--no-query', '--data', pr.dir]);
    await priorsCli(['nodes', 'add', 'bench', `${CALLING_AE}@127.0.0.1:1`, '--no-query', '--data', pr.dir]);
    const servePort = await freePort();
    serve = await commandReceiver(
      'priors serve',
      (d, p) => [...PRIORS_NODE, cli, 'serve', '--aet', PRIORS_AE, '--port', String(p), '--bind', '127.0.0.1', '--data', d],
      { aeTitle: PRIORS_AE },
    ).start(pr.dir, servePort);
    const running = serve;
    warmPageCache(c.files);
    const sources: { name: string; peer: Peer | { aeTitle: string; host: string; port: number }; pid?: number }[] = [
      { name: 'dcmqrscp', peer: dcmqrscp },
      { name: 'Orthanc', peer: orthanc },
      { name: 'priors serve', peer: { aeTitle: PRIORS_AE, host: '127.0.0.1', port: servePort }, pid: running.pid },
    ];
    const once = (s: (typeof sources)[number]) => async () => {
      const t = tempDirManual('priors-bench-tc-dest');
      const scp = await startStorescp({ aeTitle: DEST_AE, dir: t.dir, port: destPort, autoStop: false, acceptAll: false, extraArgs: c.storescpArgs });
      try {
        const run = await runTimed(
          'movescu',
          [
            '-aet',
            CALLING_AE,
            '-aec',
            s.peer.aeTitle,
            '-aem',
            DEST_AE,
            '-S',
            '-k',
            'QueryRetrieveLevel=STUDY',
            '-k',
            `StudyInstanceUID=${studyUid}`,
            s.peer.host,
            String(s.peer.port),
          ],
          { env: peerEnv() },
        );
        const got = countFiles(t.dir);
        if (got !== c.files.length)
          throw new Error(
            `${DEST_AE} received ${got} of ${c.files.length} (movescu exit ${run.code}: ${(run.stderr || run.stdout).trim().split('\n').slice(-2).join(' ')})`,
          );
        return { ms: run.ms, ...(s.pid ? { peakKb: readMemory(s.pid)?.hwmKb ?? 0 } : {}) };
      } finally {
        await scp.stop();
        t.remove();
      }
    };
    log(`transcode: ${c.label}: ${runs} rounds`);
    const outcomes = await interleave(sources.map(once), runs);
    return sources.map((s, k) => ({
      name: `${s.name} → ${c.label}`,
      ms: outcomes[k]!.runs.map((r) => r.ms),
      peakKb: outcomes[k]!.runs.flatMap((r) => ('peakKb' in r && r.peakKb !== undefined ? [r.peakKb] : [])),
      ...(outcomes[k]!.error !== undefined ? { error: outcomes[k]!.error } : {}),
    }));
  } finally {
    await serve?.stop();
    for (const stop of stops.reverse()) await stop();
    dq.remove();
    or.remove();
    pr.remove();
  }
}

/** The transcoding section of docs/benchmarks.md. */
export async function runTranscodeBenchmark(options: {
  runs: number;
  count: number;
  log?: (l: string) => void;
}): Promise<{ markdown: string; failed: boolean }> {
  const log = options.log ?? (() => {});
  const series = await generateCtSeries({ count: options.count, patientName: 'BENCH^TRANSCODE', patientId: 'BENCH05' });
  const jls = (await compressedCopies(series.dir, ['jpeg-ls-lossless']))['jpeg-ls-lossless']!;
  const bytes = (files: string[]) => files.reduce((s, f) => s + statSync(f).size, 0);
  const cases: Case[] = [
    // the same move without conversion: what the conversion costs
    { label: `every syntax (${series.files.length} CT, sent as stored)`, files: series.files, storescpArgs: ['+xe'], dcmqrscpSyntax: 'uncompressed' },
    {
      label: `Implicit VR Little Endian only (${series.files.length} CT, stored Explicit VR Little Endian)`,
      files: series.files,
      storescpArgs: ['+xi'],
      dcmqrscpSyntax: 'uncompressed',
    },
    { label: `uncompressed only (the JPEG-LS Lossless copy)`, files: jls.files, storescpArgs: [], dcmqrscpSyntax: 'jpeg-ls-lossless' },
  ];
  const rows: Row[] = [];
  for (const c of cases) rows.push(...(await measureCase(c, series.StudyInstanceUID, options.runs, log)));
  const table = markdownTable(
    ['C-MOVE asked by movescu', 'time (s)', 'vs priors serve', 'priors serve peak RSS (MB)'],
    rows.map((r, i) => {
      const priors = rows[Math.floor(i / 3) * 3 + 2]!;
      const t = r.ms.length ? median(r.ms) / 1000 : undefined;
      const ratio = t !== undefined && priors.ms.length ? `${fmt(t / (median(priors.ms) / 1000), 2)}×` : '—';
      return [
        r.name,
        r.ms.length ? fmt(t, 2) : `failed: ${r.error ?? '?'}`,
        r === priors ? '' : ratio,
        r.peakKb.length ? fmt(Math.max(...r.peakKb) / 1024, 1) : '',
      ];
    }),
  );
  const markdown = [
    `### Transcoding on the way out: C-MOVE to receivers that take only some syntaxes (${series.files.length} CT images; ${fmt(bytes(series.files) / 1e6, 1)} MB, JPEG-LS copy ${fmt(bytes(jls.files) / 1e6, 1)} MB)`,
    '',
    `Median of ${options.runs} runs, movescu asking each archive to send the study to a storescp started for the run that accepts Implicit VR Little Endian only (+xi), or the uncompressed syntaxes only (its default). ` +
      '"vs priors serve" is the reference\'s time over Priors\' (> 1: Priors is faster). dcmqrscp is started with the JPEG-LS network syntax for the compressed case (it proposes the stored syntax and the uncompressed ones).',
    '',
    table,
    '',
  ].join('\n');
  return { markdown, failed: rows.some((r) => r.name.startsWith('priors') && r.error) };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const { markdown, failed } = await runTranscodeBenchmark({ runs: arg('--runs') ?? 3, count: arg('--count') ?? 300, log: (l) => console.error(l) });
  console.log(markdown);
  if (failed) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`bench/transcode: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
