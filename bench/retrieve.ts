// Benchmarks of the SCU side: C-MOVE and C-GET of one study from DCMTK dcmqrscp and from
// Orthanc into Priors, against DCMTK's movescu (into a running storescp) and getscu; WADO-RS
// of the same study from Orthanc's DICOMweb plugin (`priors move` of a DICOMweb node) against
// curl saving the answer; and C-STORE of the same series by `priors send` against storescu.
//   node --import tsx bench/retrieve.ts [--runs N] [--count N]
// Priors is timed as a user runs it: the `priors move|get|send` command, from start to exit
// (so Node's start-up, about 0.1–0.3 s, is inside its time); C-MOVE goes to a `priors serve`
// already running on the same data directory, as in the app.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateCtSeries, type GeneratedSeries } from '../test/helpers/data.js';
import { loadIntoDcmqrscp, loadIntoOrthanc, peerEnv, startDcmqrscp, startOrthanc, startStorescp, type Peer } from '../test/helpers/peers.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { commandReceiver, type RunningReceiver } from './ingest.js';

/** The files of received instances (not the index, its journal or other state). */
const isInstance = (name: string) => !name.startsWith('.') && !name.endsWith('.sqlite') && !name.includes('.sqlite-');
import { countFiles, fmt, interleave, markdownTable, median, PRIORS_NODE, readMemory, runTimed, type TimedRun, warmPageCache } from './lib.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');
const PRIORS_AE = 'PRIORS';
const STORESCP_AE = 'STORESCP';
const CALLING_AE = 'BENCHSCU';

/** One measured operation: wall times of its runs and the peak RSS of Priors' processes. */
export interface OpResult {
  name: string;
  ms: number[];
  /** Peak RSS (KiB) of the Priors processes involved (serve and the command), when measured. */
  peakKb: number[];
  error?: string;
}

function checkRun(run: TimedRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited with ${run.code}: ${(run.stderr || run.stdout).slice(-1500)}`);
}

async function startPriorsServe(dir: string, port: number): Promise<RunningReceiver> {
  return commandReceiver(
    'priors serve',
    (d, p) => [...PRIORS_NODE, cli, 'serve', '--aet', PRIORS_AE, '--port', String(p), '--bind', '127.0.0.1', '--data', d],
    { aeTitle: PRIORS_AE },
  ).start(dir, port);
}

type Once = () => Promise<{ ms: number; peakKb?: number }>;

/** Runs the operations `runs` times each, round by round (see {@link interleave}). */
async function repeat(runs: number, ops: { name: string; once: Once }[]): Promise<OpResult[]> {
  const outcomes = await interleave(
    ops.map((op) => op.once),
    runs,
  );
  return ops.map((op, k): OpResult => {
    const o = outcomes[k]!;
    return {
      name: op.name,
      ms: o.runs.map((r) => r.ms),
      peakKb: o.runs.flatMap((r) => (r.peakKb !== undefined ? [r.peakKb] : [])),
      ...(o.error !== undefined ? { error: o.error } : {}),
    };
  });
}

/** A Q/R source loaded with the series, which knows STORESCP and PRIORS as move destinations (and its DICOMweb base URL, if any). */
interface Source {
  label: string;
  peer: Peer;
  dicomwebUrl?: string;
}

async function startSources(series: GeneratedSeries, ports: { storescp: number; priors: number }): Promise<{ sources: Source[]; stop(): Promise<void> }> {
  const dq = tempDirManual('priors-bench-dcmqrscp');
  const dcmqrscp = await startDcmqrscp({
    dir: dq.dir,
    autoStop: false,
    peers: [
      { aeTitle: STORESCP_AE, host: '127.0.0.1', port: ports.storescp },
      { aeTitle: PRIORS_AE, host: '127.0.0.1', port: ports.priors },
      { aeTitle: CALLING_AE, host: '127.0.0.1', port: 1 },
    ],
  });
  await loadIntoDcmqrscp(dcmqrscp, series.files);
  const or = tempDirManual('priors-bench-orthanc');
  const orthanc = await startOrthanc({
    dir: or.dir,
    autoStop: false,
    dicomweb: true,
    modalities: { storescp: [STORESCP_AE, '127.0.0.1', ports.storescp], priors: [PRIORS_AE, '127.0.0.1', ports.priors] },
  });
  await loadIntoOrthanc(orthanc, series.files);
  return {
    sources: [
      { label: 'dcmqrscp', peer: dcmqrscp },
      { label: 'Orthanc', peer: orthanc, dicomwebUrl: orthanc.dicomwebUrl },
    ],
    async stop() {
      await dcmqrscp.stop();
      await orthanc.stop();
      dq.remove();
      or.remove();
    },
  };
}

/** C-MOVE and C-GET of the study from each source, DCMTK pair first. */
async function retrieveRows(
  series: GeneratedSeries,
  warm: GeneratedSeries,
  runs: number,
  log: (l: string) => void,
): Promise<{ rows: { ref: OpResult; priors: OpResult }[] }> {
  const ports = { storescp: await freePort(), priors: await freePort() };
  const { sources, stop } = await startSources(series, ports);
  warmPageCache([...series.files, ...warm.files]); // dcmqrscp's storage area links these files; the warm-up series is sent from them
  const rows: { ref: OpResult; priors: OpResult }[] = [];
  const key = ['-k', `StudyInstanceUID=${series.StudyInstanceUID}`];
  try {
    for (const { label, peer, dicomwebUrl } of sources) {
      const target = [peer.host, String(peer.port)];
      log(`retrieve: C-MOVE from ${label}`);
      const moveRef: Once = async () => {
        const t = tempDirManual('priors-bench-move-ref');
        const scp = await startStorescp({ aeTitle: STORESCP_AE, dir: t.dir, port: ports.storescp, autoStop: false, acceptAll: true });
        try {
          const run = await runTimed(
            'movescu',
            ['-aet', CALLING_AE, '-aec', peer.aeTitle, '-aem', STORESCP_AE, '-S', '-k', 'QueryRetrieveLevel=STUDY', ...key, ...target],
            { env: peerEnv() },
          );
          checkRun(run, 'movescu');
          const got = countFiles(t.dir, isInstance);
          if (got !== series.files.length) throw new Error(`storescp received ${got} of ${series.files.length}`);
          return { ms: run.ms };
        } finally {
          await scp.stop();
          t.remove();
        }
      };
      const movePriors = (warmUp: string[]) => async () => {
        const t = tempDirManual('priors-bench-move');
        const serve = await startPriorsServe(t.dir, ports.priors);
        try {
          if (warmUp.length) {
            const warm = await runTimed('storescu', ['-aec', PRIORS_AE, '127.0.0.1', String(ports.priors), ...warmUp], { env: peerEnv() });
            checkRun(warm, 'the warm-up storescu');
          }
          const run = await runTimed(
            PRIORS_NODE[0]!,
            [...PRIORS_NODE.slice(1), cli, 'move', `${peer.aeTitle}@127.0.0.1:${peer.port}`, ...key, '--data', t.dir],
            { env: peerEnv() },
          );
          checkRun(run, 'priors move');
          const got = countFiles(join(t.dir, 'files'), isInstance) - warmUp.length;
          if (got !== series.files.length) throw new Error(`priors serve holds ${got} of ${series.files.length}`);
          return { ms: run.ms, peakKb: Math.max(run.peakKb, readMemory(serve.pid)?.hwmKb ?? 0) };
        } finally {
          await serve.stop();
          t.remove();
        }
      };
      const [moveRefResult, moveCold, moveWarm] = await repeat(runs, [
        { name: `movescu → storescp, from ${label}`, once: moveRef },
        { name: `priors move (into priors serve), from ${label}`, once: movePriors([]) },
        { name: `priors move (into a warm priors serve), from ${label}`, once: movePriors(warm.files) },
      ]);
      rows.push({ ref: moveRefResult!, priors: moveCold! }, { ref: moveRefResult!, priors: moveWarm! });
      log(`retrieve: C-GET from ${label}`);
      const getRef: Once = async () => {
        const t = tempDirManual('priors-bench-get-ref');
        try {
          const run = await runTimed(
            'getscu',
            ['-aet', CALLING_AE, '-aec', peer.aeTitle, '-S', '-od', t.dir, '-k', 'QueryRetrieveLevel=STUDY', ...key, ...target],
            { env: peerEnv() },
          );
          checkRun(run, 'getscu');
          const got = countFiles(t.dir, isInstance);
          if (got !== series.files.length) throw new Error(`getscu received ${got} of ${series.files.length}`);
          return { ms: run.ms };
        } finally {
          t.remove();
        }
      };
      const getPriors: Once = async () => {
        const t = tempDirManual('priors-bench-get');
        try {
          const run = await runTimed(
            PRIORS_NODE[0]!,
            [...PRIORS_NODE.slice(1), cli, 'get', `${peer.aeTitle}@127.0.0.1:${peer.port}`, ...key, '--data', t.dir],
            { env: peerEnv() },
          );
          checkRun(run, 'priors get');
          const got = countFiles(join(t.dir, 'files'), isInstance);
          if (got !== series.files.length) throw new Error(`priors get stored ${got} of ${series.files.length}`);
          return { ms: run.ms, peakKb: run.peakKb };
        } finally {
          t.remove();
        }
      };
      const [getRefResult, getPriorsResult] = await repeat(runs, [
        { name: `getscu, from ${label}`, once: getRef },
        { name: `priors get, from ${label}`, once: getPriors },
      ]);
      rows.push({ ref: getRefResult!, priors: getPriorsResult! });
      if (dicomwebUrl) rows.push(await wadoRow(label, dicomwebUrl, series, runs, ports.priors, log));
    }
  } finally {
    await stop();
  }
  return { rows };
}

/**
 * WADO-RS of the study (PS3.18 §10.4): curl saving the multipart answer to one file (the server's
 * delivery alone), against `priors move` of a DICOMweb node into a running `priors serve`, each
 * instance parsed out of the answer, stored and indexed, the job verified.
 */
async function wadoRow(
  label: string,
  url: string,
  series: GeneratedSeries,
  runs: number,
  priorsPort: number,
  log: (l: string) => void,
): Promise<{ ref: OpResult; priors: OpResult }> {
  log(`retrieve: WADO-RS from ${label}`);
  const study = `${url}/studies/${series.StudyInstanceUID}`;
  const ref: Once = async () => {
    const t = tempDirManual('priors-bench-wado-ref');
    try {
      const run = await runTimed('curl', [
        '-sf',
        '-o',
        join(t.dir, 'study.multipart'),
        '-H',
        'Accept: multipart/related; type="application/dicom"; transfer-syntax=*',
        study,
      ]);
      checkRun(run, 'curl');
      const size = statSync(join(t.dir, 'study.multipart')).size;
      const bytes = series.files.reduce((n, f) => n + statSync(f).size, 0);
      if (size < bytes) throw new Error(`curl received ${size} bytes, less than the ${bytes} of the study`);
      return { ms: run.ms };
    } finally {
      t.remove();
    }
  };
  const priors: Once = async () => {
    const t = tempDirManual('priors-bench-wado');
    const add = await runTimed(PRIORS_NODE[0]!, [...PRIORS_NODE.slice(1), cli, 'nodes', 'add', 'web', url, '--dicomweb', '--data', t.dir]);
    checkRun(add, 'priors nodes add');
    const serve = await startPriorsServe(t.dir, priorsPort);
    try {
      const run = await runTimed(
        PRIORS_NODE[0]!,
        [...PRIORS_NODE.slice(1), cli, 'move', 'web', '-k', `StudyInstanceUID=${series.StudyInstanceUID}`, '--data', t.dir],
        { env: peerEnv() },
      );
      checkRun(run, 'priors move (WADO-RS)');
      const got = countFiles(join(t.dir, 'files'), isInstance);
      if (got !== series.files.length) throw new Error(`priors serve holds ${got} of ${series.files.length}`);
      return { ms: run.ms, peakKb: Math.max(run.peakKb, readMemory(serve.pid)?.hwmKb ?? 0) };
    } finally {
      await serve.stop();
      t.remove();
    }
  };
  const [refResult, priorsResult] = await repeat(runs, [
    { name: `curl (the WADO-RS answer into one file), from ${label}`, once: ref },
    { name: `priors move by WADO-RS (into priors serve), from ${label}`, once: priors },
  ]);
  return { ref: refResult!, priors: priorsResult! };
}

/** C-STORE of the series into one storescp: storescu vs `priors send`. */
async function sendRows(series: GeneratedSeries, runs: number, log: (l: string) => void): Promise<{ ref: OpResult; priors: OpResult }> {
  log('send: storescu vs priors send');
  // this machine pages out file data untouched for a minute: storescu, first in each round, would read from the disk
  warmPageCache(series.files);
  const once = (command: string, args: (port: number) => string[]) => async () => {
    const t = tempDirManual('priors-bench-send');
    const data = tempDirManual('priors-bench-send-data');
    const scp = await startStorescp({ aeTitle: STORESCP_AE, dir: t.dir, autoStop: false, acceptAll: true });
    try {
      const run = await runTimed(
        command,
        args(scp.port).map((a) => a.replace('{data}', data.dir)),
        { env: peerEnv() },
      );
      checkRun(run, command);
      const got = countFiles(t.dir, isInstance);
      if (got !== series.files.length) throw new Error(`storescp received ${got} of ${series.files.length}`);
      return { ms: run.ms, ...(command === PRIORS_NODE[0] ? { peakKb: run.peakKb } : {}) };
    } finally {
      await scp.stop();
      t.remove();
      data.remove();
    }
  };
  const [ref, priors] = await repeat(runs, [
    { name: 'storescu', once: once('storescu', (port) => ['-aet', CALLING_AE, '-aec', STORESCP_AE, '127.0.0.1', String(port), ...series.files]) },
    {
      name: 'priors send',
      once: once(PRIORS_NODE[0]!, (port) => [...PRIORS_NODE.slice(1), cli, 'send', `${STORESCP_AE}@127.0.0.1:${port}`, ...series.files, '--data', '{data}']),
    },
  ]);
  return { ref: ref!, priors: priors! };
}

/** Markdown rows: reference, Priors, and the ratio of times (reference / Priors: > 1 means Priors is faster). */
export function pairTable(pairs: { ref: OpResult; priors: OpResult }[], bytes: number): string {
  const cell = (r: OpResult) => (r.ms.length ? fmt(median(r.ms) / 1000, 2) : `failed: ${r.error ?? '?'}`);
  const rows = pairs.flatMap(({ ref, priors }, i) => {
    const ratio = ref.ms.length && priors.ms.length ? `${fmt(median(ref.ms) / median(priors.ms), 2)}×` : '—';
    // a reference shared with the pair above (two Priors variants against one DCMTK run) is listed once
    const refRow =
      i > 0 && pairs[i - 1]!.ref === ref ? [] : [[ref.name, cell(ref), ref.ms.length ? fmt(bytes / 1e6 / (median(ref.ms) / 1000), 1) : '—', '—', '']];
    return [
      ...refRow,
      [
        priors.name,
        cell(priors),
        priors.ms.length ? fmt(bytes / 1e6 / (median(priors.ms) / 1000), 1) : '—',
        priors.peakKb.length ? fmt(Math.max(...priors.peakKb) / 1024, 1) : '—',
        ratio,
      ],
    ];
  });
  return markdownTable(['Operation', 'time (s)', 'MB/s', 'Priors peak RSS (MB)', 'speed vs DCMTK'], rows);
}

/** Retrieve and send sections of docs/benchmarks.md. */
export async function runRetrieveBenchmark(options: {
  runs: number;
  count: number;
  log?: (l: string) => void;
}): Promise<{ markdown: string; failed: boolean; peakKb: number }> {
  const log = options.log ?? (() => {});
  const series = await generateCtSeries({ count: options.count, patientName: 'BENCH^RETRIEVE', patientId: 'BENCH02' });
  const bytes = series.files.reduce((s, f) => s + statSync(f).size, 0);
  // a `priors serve` that has been running for a while: it has first received this other series
  const warm = await generateCtSeries({ count: options.count, patientName: 'BENCH^WARMUP', patientId: 'BENCH03' });
  const retrieve = await retrieveRows(series, warm, options.runs, log);
  const send = await sendRows(series, options.runs, log);
  const all = [...retrieve.rows, send];
  const failed = all.some((p) => p.ref.error || p.priors.error);
  const peakKb = Math.max(0, ...all.flatMap((p) => p.priors.peakKb));
  const markdown = [
    `### C-MOVE and C-GET of one study (${series.files.length} CT images, ${fmt(bytes / 1e6, 1)} MB)`,
    '',
    `Median of ${options.runs} runs. The DCMTK pair: movescu asking the source to send to a running storescp, or getscu. ` +
      'Priors: the `priors move` command (into a `priors serve` running on the same data directory) or `priors get`, timed from start to exit, verification included. ' +
      'The `priors serve` is started for each run; a "warm" one has first received another series of the same size, as the server of a workstation that has been running for a while has (see the ingest section). ' +
      "WADO-RS: Orthanc's DICOMweb plugin answers the study as multipart/related; curl saving that answer to one file is the reference (its last column compares with curl, not DCMTK); " +
      '`priors move` of the node added with `--dicomweb` stores each instance as delivered into the running `priors serve`. Compare it with the C-MOVE rows from Orthanc above (same run).',
    '',
    pairTable(retrieve.rows, bytes),
    '',
    `### Send: C-STORE of the same ${series.files.length} images into one storescp`,
    '',
    pairTable([send], bytes),
    '',
  ].join('\n');
  return { markdown, failed, peakKb };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const { markdown, failed } = await runRetrieveBenchmark({ runs: arg('--runs') ?? 3, count: arg('--count') ?? 300, log: (l) => console.error(l) });
  console.log(markdown);
  if (failed) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`bench/retrieve: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
