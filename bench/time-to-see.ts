// "Time to see", over the links users have: the C-MOVE of a 4-series CT study from Orthanc and
// from dcmqrscp through an emulated link (bench/relay.ts: the workstation's requests to the PACS
// and the PACS's sub-associations back cross the same path), by `priors move` into a running
// `priors serve` (series side by side) against movescu into storescp (one association), round by
// round in the same run.
//   node --import tsx bench/time-to-see.ts [--runs N] [--per-series N]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { generateCtSeries, type GeneratedSeries } from '../test/helpers/data.js';
import { loadIntoDcmqrscp, loadIntoOrthanc, peerEnv, startDcmqrscp, startOrthanc, startStorescp, type Peer } from '../test/helpers/peers.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { commandReceiver } from './ingest.js';
import { countFiles, fmt, interleave, markdownTable, median, PRIORS_NODE, runTimed, warmPageCache, numberArg, runAsScript } from './lib.js';

/** The files of received instances (not the index, its journal or other state). */
const isDicom = (name: string) => name.endsWith('.dcm');
import { LINK_PROFILES, networkPath, startRelay, type LinkProfile, type Relay } from './relay.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');
const PRIORS_AE = 'PRIORS';
const STORESCP_AE = 'STORESCP';
const CALLING_AE = 'BENCHSCU';
const SERIES = 4;

interface Row {
  profile: string;
  source: string;
  ref: number[];
  priors: number[];
  error?: string;
}

async function priorsCli(args: string[]): Promise<void> {
  const run = await runTimed(PRIORS_NODE[0]!, [...PRIORS_NODE.slice(1), cli, ...args], { env: peerEnv() });
  if (run.code !== 0) throw new Error(`priors ${args[0]} exited with ${run.code}: ${(run.stderr || run.stdout).slice(-1500)}`);
}

/** The study: SERIES series of `perSeries` CT images of 512×512. */
export async function makeStudy(perSeries: number): Promise<{ files: string[]; study: string }> {
  let study = '';
  const all: GeneratedSeries[] = [];
  for (let k = 0; k < SERIES; k++) {
    const s = await generateCtSeries({
      count: perSeries,
      patientName: 'BENCH^LINK',
      patientId: 'BENCH06',
      seriesNumber: k + 1,
      seed: 600 + k,
      ...(study ? { studyInstanceUid: study } : {}),
    });
    study ||= s.StudyInstanceUID;
    all.push(s);
  }
  return { files: all.flatMap((s) => s.files), study };
}

/** Rounds of movescu → storescp and priors move → priors serve, through `profile`, from one source. */
async function measure(
  profile: LinkProfile,
  source: { name: string; peer: Peer },
  ports: { storescp: number; priors: number; toStorescp: number; toPriors: number },
  study: { files: string[]; study: string },
  runs: number,
): Promise<Row> {
  const path = networkPath(profile);
  const relays: Relay[] = [];
  try {
    relays.push(await startRelay({ host: '127.0.0.1', port: ports.storescp }, profile, ports.toStorescp, { up: path.toWorkstation, down: path.toPacs }));
    relays.push(await startRelay({ host: '127.0.0.1', port: ports.priors }, profile, ports.toPriors, { up: path.toWorkstation, down: path.toPacs }));
    const toPacs = await startRelay({ host: source.peer.host, port: source.peer.port }, profile, 0, { up: path.toPacs, down: path.toWorkstation });
    relays.push(toPacs);
    const key = ['-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study.study}`];
    const ref = async () => {
      const t = tempDirManual('priors-bench-tts-ref');
      const scp = await startStorescp({ aeTitle: STORESCP_AE, dir: t.dir, port: ports.storescp, autoStop: false, acceptAll: true });
      try {
        const run = await runTimed(
          'movescu',
          ['-aet', CALLING_AE, '-aec', source.peer.aeTitle, '-aem', STORESCP_AE, '-S', ...key, '127.0.0.1', String(toPacs.port)],
          { env: peerEnv(), timeoutMs: 600_000 },
        );
        if (run.code !== 0) throw new Error(`movescu exited with ${run.code}: ${run.stderr.slice(-800)}`);
        const got = countFiles(t.dir, isDicom);
        if (got !== study.files.length) throw new Error(`storescp received ${got} of ${study.files.length}`);
        return { ms: run.ms };
      } finally {
        await scp.stop();
        t.remove();
      }
    };
    const priors = async () => {
      const t = tempDirManual('priors-bench-tts');
      await priorsCli(['nodes', 'add', 'pacs', `${source.peer.aeTitle}@127.0.0.1:${toPacs.port}`, '--data', t.dir]);
      const serve = await commandReceiver(
        'priors serve',
        (d, p) => [...PRIORS_NODE, cli, 'serve', '--aet', PRIORS_AE, '--port', String(p), '--bind', '127.0.0.1', '--data', d],
        { aeTitle: PRIORS_AE },
      ).start(t.dir, ports.priors);
      try {
        const run = await runTimed(PRIORS_NODE[0]!, [...PRIORS_NODE.slice(1), cli, 'move', 'pacs', '-k', `StudyInstanceUID=${study.study}`, '--data', t.dir], {
          env: peerEnv(),
          timeoutMs: 600_000,
        });
        if (run.code !== 0) throw new Error(`priors move exited with ${run.code}: ${(run.stderr || run.stdout).slice(-800)}`);
        const got = countFiles(join(t.dir, 'files'), isDicom);
        if (got !== study.files.length) throw new Error(`priors serve holds ${got} of ${study.files.length}`);
        return { ms: run.ms };
      } finally {
        await serve.stop();
        t.remove();
      }
    };
    const [r, p] = await interleave([ref, priors], runs);
    const error = r!.error ?? p!.error;
    return { profile: profile.name, source: source.name, ref: r!.runs.map((x) => x.ms), priors: p!.runs.map((x) => x.ms), ...(error ? { error } : {}) };
  } finally {
    for (const relay of relays) await relay.stop();
  }
}

/** The "time to see" section of docs/benchmarks.md (retrieve over link profiles). */
export async function runTimeToSeeBenchmark(options: {
  runs: number;
  perSeries: number;
  log?: (l: string) => void;
}): Promise<{ markdown: string; failed: boolean }> {
  const log = options.log ?? (() => {});
  const study = await makeStudy(options.perSeries);
  const bytes = study.files.reduce((n, f) => n + statSync(f).size, 0);
  const ports = { storescp: await freePort(), priors: await freePort(), toStorescp: await freePort(), toPriors: await freePort() };
  const destinations = {
    storescp: [STORESCP_AE, '127.0.0.1', ports.toStorescp] as [string, string, number],
    priors: [PRIORS_AE, '127.0.0.1', ports.toPriors] as [string, string, number],
  };
  const rows: Row[] = [];
  const dq = tempDirManual('priors-bench-tts-dcmqrscp');
  const or = tempDirManual('priors-bench-tts-orthanc');
  const dcmqrscp = await startDcmqrscp({
    dir: dq.dir,
    autoStop: false,
    peers: [
      { aeTitle: STORESCP_AE, host: '127.0.0.1', port: ports.toStorescp },
      { aeTitle: PRIORS_AE, host: '127.0.0.1', port: ports.toPriors },
      { aeTitle: CALLING_AE, host: '127.0.0.1', port: 1 },
    ],
  });
  const orthanc = await startOrthanc({ dir: or.dir, autoStop: false, modalities: destinations });
  try {
    log('time to see: loading Orthanc and dcmqrscp');
    await loadIntoDcmqrscp(dcmqrscp, study.files);
    await loadIntoOrthanc(orthanc, study.files);
    warmPageCache(study.files);
    for (const profile of LINK_PROFILES) {
      for (const source of [
        { name: 'Orthanc', peer: orthanc as Peer },
        { name: 'dcmqrscp', peer: dcmqrscp as Peer },
      ]) {
        log(`time to see: ${profile.name}, from ${source.name}`);
        rows.push(await measure(profile, source, ports, study, options.runs));
      }
    }
  } finally {
    await dcmqrscp.stop();
    await orthanc.stop();
    dq.remove();
    or.remove();
  }
  const floor = (p: LinkProfile) => (bytes * 8) / p.bitsPerSecond;
  const table = markdownTable(
    ['Link', 'From', 'movescu → storescp (s)', 'priors move (s)', 'Priors / DCMTK', 'bandwidth floor (s)'],
    rows.map((r) => {
      const profile = LINK_PROFILES.find((p) => p.name === r.profile)!;
      const ref = r.ref.length ? median(r.ref) / 1000 : undefined;
      const pri = r.priors.length ? median(r.priors) / 1000 : undefined;
      return [
        r.profile,
        r.source,
        ref !== undefined ? fmt(ref, 2) : `failed: ${r.error ?? '?'}`,
        pri !== undefined ? fmt(pri, 2) : `failed: ${r.error ?? '?'}`,
        ref !== undefined && pri !== undefined ? `${fmt(pri / ref, 2)}×` : '—',
        fmt(floor(profile), 2),
      ];
    }),
  );
  const markdown = [
    `### Retrieve over a network link: ${SERIES} series, ${study.files.length} CT images (${fmt(bytes / 1e6, 1)} MB)`,
    '',
    `Median of ${options.runs} runs, round by round. Each link is emulated by a relay on 127.0.0.1 (bench/relay.ts): a one-way delay and one bandwidth per direction shared by every connection, the workstation's C-MOVE to the PACS and the PACS's sub-associations back crossing the same path. ` +
      'DCMTK: movescu asks for the study on one association, the PACS sends to a storescp. Priors: `priors move` into a running `priors serve`, timed from start to exit, which is when every instance is verified in the cache; the study goes as one C-MOVE per series side by side (the node allows 4 associations). "Priors / DCMTK" below 1 means Priors is faster; the floor is the study\'s bytes over the bandwidth.',
    '',
    table,
    '',
  ].join('\n');
  return { markdown, failed: rows.some((r) => r.error !== undefined) };
}

runAsScript(import.meta.url, 'time-to-see', (argv) =>
  runTimeToSeeBenchmark({ runs: numberArg(argv, 'runs', 3), perSeries: numberArg(argv, 'per-series', 60), log: (l) => console.error(l) }),
);
