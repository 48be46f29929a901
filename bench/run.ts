/**
 * `npm run bench`: the benchmark suite. Starts and stops its own peers on 127.0.0.1, generates
 * its own data, measures Priors beside DCMTK and Orthanc in the same run and writes
 * docs/benchmarks.md. Runs the compiled CLI (dist/, built by `npm run bench` first) so tsx is
 * not measured.
 *   npm run bench [-- --runs N] [-- --quick]   (--quick: smaller data, for a smoke run)
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { commandReceiver, orthancReceiver, runIngestBenchmark, storescpReceiver, warmedReceiver, type IngestResult, type Receiver } from './ingest.js';
import { generateCtSeries } from '../test/helpers/data.js';
import { fmt, PRIORS_NODE } from './lib.js';
import { runQueryBenchmark } from './query.js';
import { runDicomwebServerBenchmark } from './dicomweb-server.js';
import { runPduBenchmark } from './pdu.js';
import { runPrefetchBenchmark } from './prefetch.js';
import { runRetrieveBenchmark } from './retrieve.js';
import { runTranscodeBenchmark } from './transcode.js';
import { runTimeToSeeBenchmark } from './time-to-see.js';
import { runViewerLinkBenchmark } from './viewer-link.js';
import { runArrivalToPriorBenchmark } from './arrival-to-prior.js';
import { runStartupBenchmark } from './startup.js';
import { runViewerBenchmark } from './viewer.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');

/** `priors serve` on a fresh data dir; instances land under <data>/files. */
export const priorsReceiver: Receiver = {
  ...commandReceiver(
    'priors serve',
    (dir, port) => [...PRIORS_NODE, cli, 'serve', '--aet', 'PRIORS', '--port', String(port), '--bind', '127.0.0.1', '--data', dir],
    { aeTitle: 'PRIORS' },
  ),
  filesDir: (dir) => join(dir, 'files'),
};

function priorsPeak(results: IngestResult[]): number {
  return Math.max(0, ...results.filter((r) => r.name.startsWith(priorsReceiver.name)).flatMap((r) => r.runs.map((x) => x.peakKb)));
}

async function main(argv: string[]): Promise<void> {
  const runs = Number(argv[argv.indexOf('--runs') + 1] ?? 3) || 3;
  const quick = argv.includes('--quick');
  const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const started = Date.now();
  const machine = `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${fmt(totalmem() / 2 ** 30, 0)} GiB RAM, Node ${process.version}, ${process.platform}`;
  const receivers = [storescpReceiver, orthancReceiver, priorsReceiver];
  let failed = false;
  let peakKb = 0;

  log('ingest: 300 CT images');
  const warmUp = await generateCtSeries({ count: quick ? 50 : 300, patientName: 'BENCH^WARMUP', patientId: 'BENCH02' });
  const ct = await runIngestBenchmark([...receivers, warmedReceiver(priorsReceiver, warmUp.files)], { runs, count: quick ? 50 : 300 });
  log('ingest: 2,000 tiny instances');
  // a steady state: the code of every message's path compiled, as after a morning of studies
  const tinyWarmUp = await generateCtSeries({ count: quick ? 400 : 4000, mode: 'tiny', patientName: 'BENCH^WARMTINY', patientId: 'BENCH03', seed: 31 });
  const tiny = await runIngestBenchmark([...receivers, warmedReceiver(priorsReceiver, tinyWarmUp.files)], {
    runs,
    count: quick ? 200 : 2000,
    series: { mode: 'tiny' },
  });
  log('ingest: one very large instance');
  const large = await runIngestBenchmark(receivers, { runs, count: 1, series: { mode: 'multiframe', frames: quick ? 40 : 400 } });
  log('ingest by maximum PDU length');
  const pdu = await runPduBenchmark({ runs, count: quick ? 50 : 300, log });
  failed ||= pdu.failed;
  for (const r of [ct, tiny, large]) {
    failed ||= r.results.some((x) => x.error);
    peakKb = Math.max(peakKb, priorsPeak(r.results));
  }
  const mb = (r: { results: IngestResult[] }) => fmt(r.results[0]!.bytes / 1e6, 1);

  const retrieve = await runRetrieveBenchmark({ runs, count: quick ? 50 : 300, log });
  const prefetch = await runPrefetchBenchmark({ runs, count: quick ? 50 : 300, log });
  const transcode = await runTranscodeBenchmark({ runs, count: quick ? 50 : 300, log });
  const timeToSee = await runTimeToSeeBenchmark({ runs, perSeries: quick ? 15 : 60, log });
  const viewerLink = await runViewerLinkBenchmark({ runs, perSeries: quick ? 15 : 60, log });
  const arrivalToPrior = await runArrivalToPriorBenchmark({ runs, count: quick ? 20 : 100, log });
  const query = await runQueryBenchmark({ repeat: quick ? 5 : 20, full: quick ? 1000 : 10000, growth: quick ? [100, 1000] : [1000, 10000, 100000], log });
  const dicomwebServer = await runDicomwebServerBenchmark({ studies: quick ? 1000 : 5000, repeat: quick ? 3 : 10, log });
  const startup = await runStartupBenchmark({ runs: quick ? 2 : 5, studies: quick ? 1000 : 10000, log });
  const viewer = await runViewerBenchmark({ runs, count: quick ? 60 : 300, log });
  failed ||=
    retrieve.failed ||
    prefetch.failed ||
    transcode.failed ||
    timeToSee.failed ||
    viewerLink.failed ||
    arrivalToPrior.failed ||
    query.failed ||
    dicomwebServer.failed ||
    startup.failed ||
    viewer.failed;
  peakKb = Math.max(peakKb, retrieve.peakKb, startup.peakKb);

  const doc = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)} in ${fmt((Date.now() - started) / 60000, 1)} minutes. Machine: ${machine}.`,
    'Every Priors figure is measured in the same run as its reference (DCMTK 3.6.7 with TCP_NODELAY=1, Orthanc 1.10 with its default SQLite index), on 127.0.0.1.',
    `Medians of ${runs} runs unless said otherwise, taken round by round: run 1 of every contender of a table, then run 2, and so on, so that a slow minute of the machine does not fall on one contender only; MB = 10^6 bytes; peak RSS = the process's VmHWM. Priors runs with its default durability ('deferred': received files are flushed to disk in groups within about 0.1 s of arrival, off the response path); storescp and Orthanc do not flush. So the ingest tables also give the time until what was received is on disk: the send, then \`sync -f\` of the receiver's filesystem (after one before the send), which writes what a receiver that does not flush left in the page cache and what Priors has not flushed yet ("on disk", and its own ratio).`,
    '',
    `## 1. Ingest: storescu sending over one association`,
    '',
    `### ${ct.results[0]!.instances} CT images 512×512, 16 bits (${mb(ct)} MB)`,
    '',
    ct.table,
    '',
    `Each receiver is a process started for the run. "Warm" is a \`priors serve\` that has first received another series of ${warmUp.files.length} images, as a workstation that has been running for a while has: most of its code is compiled by then, while a process just started spends more of the run in V8's optimizing compiler (on 2 cores, beside storescu); some of the path is still being compiled during the timed series.`,
    '',
    `### ${tiny.results[0]!.instances.toLocaleString('en')} tiny instances (${mb(tiny)} MB): the cost per message`,
    '',
    tiny.table,
    '',
    `"Warm" here has first received ${tinyWarmUp.files.length.toLocaleString('en')} other tiny instances: the cost per message once V8 has compiled the whole path, which a process just started reaches only after some thousands of messages.`,
    '',
    `### One very large instance (multi-frame, ${mb(large)} MB): throughput and memory`,
    '',
    large.table,
    '',
    pdu.markdown,
    '',
    '## 2–3. Retrieve and send',
    '',
    retrieve.markdown,
    prefetch.markdown,
    transcode.markdown,
    timeToSee.markdown,
    viewerLink.markdown,
    arrivalToPrior.markdown,
    '## 4. Query: the local Q/R SCP against Orthanc and dcmqrscp',
    '',
    'The same patients, studies, series and instances in each; every query through the same in-process client (Priors\' SCU, one association per query, as findscu does), after three passes over the whole set against that target: the steady state of a server that has been answering for a while, with the same warm client for every target. "matches" shows one figure when all agree.',
    '',
    query.markdown,
    '### The local DICOMweb server: QIDO-RS against C-FIND on the same cache',
    '',
    dicomwebServer.markdown,
    '## 5. Start-up',
    '',
    startup.markdown,
    '## 6. Viewer: open, load and scroll a CT series in Chromium',
    '',
    viewer.markdown,
    '## 7. Memory',
    '',
    `Peak RSS of any Priors process across the suite: **${fmt(peakKb / 1024, 1)} MB**.`,
    '',
  ].join('\n');
  writeFileSync(join(import.meta.dirname, '..', 'docs', 'benchmarks.md'), doc);
  console.log(doc);
  if (failed) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
