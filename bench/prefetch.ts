// Benchmark of prefetch: the time from the release of the association that brought a current
// study into `priors serve` to the moment its last relevant prior is in the cache (the run's
// end: every retrieve verified), with Orthanc on loopback as the PACS holding the patient's
// three relevant priors (and two studies no rule keeps). The reference, in the same run, is
// the same work done by hand with DCMTK as fast as a script can: findscu for the patient's
// studies, then movescu of the three relevant ones into a running storescp, one after another.
//   node --import tsx bench/prefetch.ts [--runs N] [--count N]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrefetchRun } from '../shared/prefetch.js';
import { generateCtSeries, type GeneratedSeries } from '../test/helpers/data.js';
import { loadIntoOrthanc, peerEnv, startOrthanc, startStorescp } from '../test/helpers/peers.js';
import { freePort } from '../test/helpers/ports.js';
import { serveApi } from '../test/helpers/priors-cli.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { commandReceiver, type RunningReceiver } from './ingest.js';

/** The files of received instances (not the index, its journal or other state). */
const isStored = (name: string) => !name.startsWith('.') && !name.includes('.sqlite');
import { countFiles, fmt, interleave, markdownTable, median, PRIORS_NODE, runTimed, warmPageCache, numberArg, runAsScript } from './lib.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');
const PRIORS_AE = 'PRIORS';
const STORESCP_AE = 'STORESCP';

/** The date `offset` days from today, as DICOM writes it. */
export function day(offset: number): string {
  const d = new Date(Date.now() + offset * 86_400_000);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * A patient for prefetch: a current CT study of today, three relevant earlier ones (120, 480 and
 * 900 days before, newest first) of `count` images each, and two studies the default rule does
 * not keep (an MR of the head, a CT of seven years ago). Accession numbers begin with `tag`;
 * `seed`, when given, seeds the current study and the next numbers the priors.
 */
export async function patientWithPriors(o: { patientName: string; patientId: string; count: number; tag: string; seed?: number }) {
  const who = { patientName: o.patientName, patientId: o.patientId, birthDate: '19500101' };
  const seeded = (k: number) => (o.seed === undefined ? {} : { seed: o.seed + k });
  const current = await generateCtSeries({ ...who, count: o.count, studyDate: day(0), accession: `${o.tag}-C`, ...seeded(0) });
  const priors: GeneratedSeries[] = [];
  for (const [i, days] of [120, 480, 900].entries())
    priors.push(await generateCtSeries({ ...who, count: o.count, studyDate: day(-days), accession: `${o.tag}-${i + 1}`, ...seeded(i + 1) }));
  const others = [
    await generateCtSeries({
      ...who,
      count: 20,
      rows: 256,
      cols: 256,
      studyDate: day(-60),
      accession: `${o.tag}-MR`,
      modality: 'MR',
      bodyPart: 'HEAD',
      studyDescription: 'MR BRAIN',
    }),
    await generateCtSeries({ ...who, count: 20, rows: 256, cols: 256, studyDate: day(-7 * 365), accession: `${o.tag}-OLD` }),
  ];
  return { who, current, priors, others };
}

/** A PACS as DCMTK's SCUs are pointed at it (through a relay, its port may be the relay's). */
export interface ByHandPacs {
  aeTitle: string;
  port: number;
  /** Our calling AE title, when the PACS must know it. */
  callingAeTitle?: string;
}

function pacsArgs(pacs: ByHandPacs): string[] {
  return [...(pacs.callingAeTitle ? ['-aet', pacs.callingAeTitle] : []), '-aec', pacs.aeTitle];
}

/** The patient's studies, asked with findscu as a radiologist's script would; throws when it fails. */
export async function findStudiesByHand(pacs: ByHandPacs, patientId: string): Promise<void> {
  const keys = ['QueryRetrieveLevel=STUDY', `PatientID=${patientId}`, 'StudyInstanceUID', 'StudyDate', 'ModalitiesInStudy', 'StudyDescription'];
  const found = await runTimed('findscu', ['-S', ...pacsArgs(pacs), ...keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(pacs.port)], { env: peerEnv() });
  if (found.code !== 0) throw new Error(`findscu: ${found.stderr.slice(-500)}`);
}

/** One study moved with movescu to `destination`; throws when it fails. */
export async function moveStudyByHand(pacs: ByHandPacs, studyInstanceUid: string, destination: string): Promise<void> {
  const moved = await runTimed(
    'movescu',
    [
      '-S',
      ...pacsArgs(pacs),
      '-aem',
      destination,
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      `StudyInstanceUID=${studyInstanceUid}`,
      '127.0.0.1',
      String(pacs.port),
    ],
    { env: peerEnv(), timeoutMs: 600_000 },
  );
  if (moved.code !== 0) throw new Error(`movescu: ${moved.stderr.slice(-500)}`);
}

/** A data directory for `priors serve` with the PACS at 127.0.0.1:`pacs.port` as its node and prefetch on, with `settings`. */
export async function prefetchingDataDir(dir: string, pacs: { aeTitle: string; port: number }, settings: Record<string, unknown> = {}): Promise<void> {
  const add = await runTimed(PRIORS_NODE[0]!, [...PRIORS_NODE.slice(1), cli, 'nodes', 'add', 'pacs', `${pacs.aeTitle}@127.0.0.1:${pacs.port}`, '--data', dir]);
  if (add.code !== 0) throw new Error(`priors nodes add: ${add.stderr}`);
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...(JSON.parse(readFileSync(configPath, 'utf8')) as object), prefetch: { enabled: true, ...settings } }));
}

/** The prefetch section of docs/benchmarks.md. */
export async function runPrefetchBenchmark(options: {
  runs: number;
  count: number;
  log?: (l: string) => void;
}): Promise<{ markdown: string; failed: boolean }> {
  const log = options.log ?? (() => {});
  const { who, current, priors, others } = await patientWithPriors({ patientName: 'BENCH^PREFETCH', patientId: 'BENCH-PF', count: options.count, tag: 'BPF' });
  const ports = { priors: await freePort(), storescp: await freePort() };
  const or = tempDirManual('priors-bench-prefetch-orthanc');
  const orthanc = await startOrthanc({
    dir: or.dir,
    autoStop: false,
    modalities: { priors: [PRIORS_AE, '127.0.0.1', ports.priors], storescp: [STORESCP_AE, '127.0.0.1', ports.storescp] },
  });
  const expected = priors.reduce((n, p) => n + p.files.length, 0);
  try {
    await loadIntoOrthanc(
      orthanc,
      [...priors, ...others].flatMap((s) => s.files),
    );
    warmPageCache(current.files);

    const byPriors = (settings: { lookWhileArriving: boolean }) => async () => {
      const t = tempDirManual('priors-bench-prefetch');
      await prefetchingDataDir(t.dir, { aeTitle: orthanc.aeTitle, port: orthanc.port }, settings);
      let serve: RunningReceiver | undefined;
      try {
        serve = await commandReceiver(
          'priors serve',
          (d, p) => [...PRIORS_NODE, cli, 'serve', '--aet', PRIORS_AE, '--port', String(p), '--bind', '127.0.0.1', '--data', d],
          { aeTitle: PRIORS_AE },
        ).start(t.dir, ports.priors);
        const sent = await runTimed('storescu', ['-aec', PRIORS_AE, '127.0.0.1', String(ports.priors), ...current.files], { env: peerEnv() });
        const released = Date.now();
        if (sent.code !== 0) throw new Error(`storescu: ${sent.stderr.slice(-500)}`);
        const deadline = released + 300_000;
        while (true) {
          const { runs } = await serveApi<{ runs: PrefetchRun[] }>(t.dir, 'prefetch.runs', { PatientID: who.patientId });
          const run = runs.find((r) => r.trigger === 'arrival' && r.state !== 'running');
          if (run) {
            if (run.state !== 'completed') throw new Error(`the prefetch ended ${run.state}: ${run.sentence}`);
            const got = countFiles(join(t.dir, 'files'), isStored) - current.files.length;
            if (got !== expected) throw new Error(`priors serve holds ${got} of the ${expected} prior instances`);
            return { ms: run.finishedAt! - released };
          }
          if (Date.now() > deadline) throw new Error('no prefetch run ended within 5 minutes');
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await serve?.stop();
        t.remove();
      }
    };

    const byHand = async () => {
      const t = tempDirManual('priors-bench-prefetch-ref');
      const scp = await startStorescp({ aeTitle: STORESCP_AE, dir: t.dir, port: ports.storescp, autoStop: false, acceptAll: true });
      try {
        const started = Date.now();
        const pacs = { aeTitle: orthanc.aeTitle, port: orthanc.port };
        await findStudiesByHand(pacs, who.patientId);
        for (const p of priors) await moveStudyByHand(pacs, p.StudyInstanceUID, STORESCP_AE);
        const ms = Date.now() - started;
        const got = countFiles(t.dir, isStored);
        if (got !== expected) throw new Error(`storescp received ${got} of ${expected}`);
        return { ms };
      } finally {
        await scp.stop();
        t.remove();
      }
    };

    log('prefetch: by hand with findscu + movescu, and by priors serve on arrival');
    const [hand, early, settled] = await interleave([byHand, byPriors({ lookWhileArriving: true }), byPriors({ lookWhileArriving: false })], options.runs);
    const cell = (o: { runs: { ms: number }[]; error?: string }) => (o.runs.length ? fmt(median(o.runs.map((r) => r.ms)) / 1000, 2) : `failed: ${o.error}`);
    const ratio = (o: { runs: { ms: number }[] }) =>
      o.runs.length && hand!.runs.length ? `${fmt(median(hand!.runs.map((r) => r.ms)) / median(o.runs.map((r) => r.ms)), 2)}×` : '—';
    const rows = [
      ['findscu + 3 × movescu into storescp (the same work by hand, as fast as a script)', cell(hand!), '—'],
      ['priors serve (default: it looks while the study arrives): release of the current study → last prior in the cache', cell(early!), ratio(early!)],
      ['priors serve, looking only once the study is quiet (5 s): release → last prior in the cache', cell(settled!), ratio(settled!)],
    ];
    const markdown = [
      `### Prefetch: ${priors.length} relevant priors of ${options.count} CT images each (${expected} instances) from Orthanc`,
      '',
      `Median of ${options.runs} runs. Orthanc also holds two studies of the patient that the default rule does not keep (an MR of the head, a CT of seven years ago). ` +
        'Priors is timed from the release of the storescu association that brought the current study to the end of the prefetch run (every prior retrieved by C-MOVE and verified in the cache); ' +
        "by default it looks a moment after the study's first instance, while storescu still sends, and again once the study is quiet (5 s without a new instance) only if series came since; the second row, with `lookWhileArriving` off, looks only then. Its time includes its C-FINDs at study and series level and the choice. " +
        'The reference is the lower bound of doing it by hand: a script that already knows which three studies to fetch, timed from its findscu to the end of its last movescu. "speed vs by hand" > 1 means Priors is faster.',
      '',
      markdownTable(['Operation', 'time (s)', 'speed vs by hand'], rows),
      '',
    ].join('\n');
    return { markdown, failed: [hand, early, settled].some((o) => o!.error !== undefined) };
  } finally {
    await orthanc.stop();
    or.remove();
  }
}

runAsScript(import.meta.url, 'prefetch', (argv) =>
  runPrefetchBenchmark({ runs: numberArg(argv, 'runs', 3), count: numberArg(argv, 'count', 300), log: (l) => console.error(l) }),
);
