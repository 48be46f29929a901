// "Time to see", the third row: a current study arrives at the workstation and the radiologist
// opens it at once; how long until its relevant prior is on screen beside it. Orthanc holds the
// patient's three relevant priors (and two studies no rule keeps) behind an emulated link
// (bench/relay.ts: Priors' C-FINDs and C-MOVEs to the PACS and the PACS's sub-associations back
// cross the same path); storescu sends the current study into `priors serve --ui`, whose
// prefetch (default settings) finds, chooses and retrieves the priors; headless Chromium, on
// the workstation itself, opens the current study the moment storescu releases its association.
// Timed from that release to the newest prior's first image in its pane and to its whole
// series shown. The reference, round by round in the same run, is DCMTK as fast as a script
// that already knows which study to fetch: findscu for the patient's studies, then movescu of
// the newest prior into storescp, through the same link (no viewer: the prior is on disk).
//   node --import tsx bench/arrival-to-prior.ts [--runs N] [--count N]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { uiUrlFrom } from '../test/helpers/browser.js';
import { loadIntoOrthanc, peerEnv, startOrthanc, startStorescp } from '../test/helpers/peers.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { openStudy, viewerSkipReason } from '../test/helpers/viewer-host.js';
import { countFiles, fmt, interleave, markdownTable, median, PRIORS_NODE, runTimed, warmPageCache, numberArg, runAsScript } from './lib.js';
import { findStudiesByHand, moveStudyByHand, patientWithPriors, prefetchingDataDir } from './prefetch.js';
import { LINK_PROFILES, networkPath, startRelay, type LinkProfile, type Relay } from './relay.js';
import { readyPage } from './viewer.js';

const cli = join(import.meta.dirname, '..', 'bin', 'priors.js');
const PRIORS_AE = 'PRIORS';
const STORESCP_AE = 'STORESCP';
const CALLING_AE = 'BENCHSCU';
const isDicom = (name: string) => name.endsWith('.dcm');

interface Row {
  profile: LinkProfile;
  hand: number[];
  first: number[];
  whole: number[];
  error?: string;
}

/** `priors serve --ui` on `port`, with its UI address. */
async function serveUi(dataDir: string, port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(
    PRIORS_NODE[0]!,
    [...PRIORS_NODE.slice(1), cli, 'serve', '--ui', '--aet', PRIORS_AE, '--port', String(port), '--bind', '127.0.0.1', '--data', dataDir],
    { env: peerEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-20_000)));
  child.stderr.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-20_000)));
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = uiUrlFrom(out);
    if (url) return { url, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`priors serve --ui printed no UI address: ${out.slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The "study arrives → relevant prior on screen" rows of the "time to see" section. */
export async function runArrivalToPriorBenchmark(o: {
  runs: number;
  count: number;
  log?: (l: string) => void;
}): Promise<{ markdown: string; failed: boolean }> {
  const log = o.log ?? (() => {});
  const skip = viewerSkipReason();
  if (skip) return { markdown: `Study arrives → prior on screen: not measured: ${skip}.\n`, failed: false };
  const { who, current, priors, others } = await patientWithPriors({
    patientName: 'BENCH^ARRIVAL',
    patientId: 'BENCH-ARR',
    count: o.count,
    tag: 'BAR',
    seed: 700,
  });
  const newest = priors[0]!;
  const ports = { priors: await freePort(), storescp: await freePort(), toPriors: await freePort(), toStorescp: await freePort() };
  const or = tempDirManual('priors-bench-arrival-orthanc');
  const orthanc = await startOrthanc({
    dir: or.dir,
    autoStop: false,
    modalities: { priors: [PRIORS_AE, '127.0.0.1', ports.toPriors], storescp: [STORESCP_AE, '127.0.0.1', ports.toStorescp] },
  });
  let browser: Browser | undefined;
  const rows: Row[] = [];
  try {
    await loadIntoOrthanc(
      orthanc,
      [...priors, ...others].flatMap((s) => s.files),
    );
    warmPageCache(current.files);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    for (const profile of LINK_PROFILES) {
      log(`time to see: study arrives → prior on screen, over ${profile.name}`);
      const path = networkPath(profile);
      const relays: Relay[] = [];
      try {
        relays.push(await startRelay({ host: '127.0.0.1', port: ports.priors }, profile, ports.toPriors, { up: path.toWorkstation, down: path.toPacs }));
        relays.push(await startRelay({ host: '127.0.0.1', port: ports.storescp }, profile, ports.toStorescp, { up: path.toWorkstation, down: path.toPacs }));
        const toPacs = await startRelay({ host: orthanc.host, port: orthanc.port }, profile, 0, { up: path.toPacs, down: path.toWorkstation });
        relays.push(toPacs);

        const byHand = async () => {
          const t = tempDirManual('priors-bench-arrival-ref');
          const scp = await startStorescp({ aeTitle: STORESCP_AE, dir: t.dir, port: ports.storescp, autoStop: false, acceptAll: true });
          try {
            const started = Date.now();
            const pacs = { aeTitle: orthanc.aeTitle, port: toPacs.port, callingAeTitle: CALLING_AE };
            await findStudiesByHand(pacs, who.patientId);
            await moveStudyByHand(pacs, newest.StudyInstanceUID, STORESCP_AE);
            const ms = Date.now() - started;
            const got = countFiles(t.dir, isDicom);
            if (got !== newest.files.length) throw new Error(`storescp received ${got} of ${newest.files.length}`);
            return { first: ms, whole: ms };
          } finally {
            await scp.stop();
            t.remove();
          }
        };

        const byPriors = async () => {
          const t = tempDirManual('priors-bench-arrival');
          await prefetchingDataDir(t.dir, { aeTitle: orthanc.aeTitle, port: toPacs.port });
          const serve = await serveUi(t.dir, ports.priors);
          const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
          try {
            const page = await readyPage(context, serve.url);
            const sent = await runTimed('storescu', ['-aec', PRIORS_AE, '127.0.0.1', String(ports.priors), ...current.files], { env: peerEnv() });
            const released = Date.now();
            if (sent.code !== 0) throw new Error(`storescu: ${sent.stderr.slice(-500)}`);
            // the radiologist opens the study the moment it is in (as the Search and Local cache screens do)
            await openStudy(page, current.StudyInstanceUID, { arriving: true });
            const pane = `[data-study="${newest.StudyInstanceUID}"] [aria-label="Prior study"]`;
            await page.waitForFunction(
              (sel) => {
                const document = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
                return /WW -?\d+ WL/.test(document.querySelector(`${sel} .viewer-overlay`)?.textContent ?? '');
              },
              pane,
              { timeout: 300_000, polling: 20 },
            );
            const first = Date.now() - released;
            await page.waitForFunction(
              ([sel, n]) => {
                const document = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } })
                  .document;
                const p = document.querySelector(sel as string);
                return p?.getAttribute('data-complete') === 'true' && Number(p.getAttribute('data-shown')) === n;
              },
              [pane, newest.files.length] as const,
              { timeout: 300_000, polling: 20 },
            );
            return { first, whole: Date.now() - released };
          } finally {
            await context.close();
            await serve.stop();
            t.remove();
          }
        };
        const [hand, pri] = await interleave([byHand, byPriors], o.runs);
        const error = hand!.error ?? pri!.error;
        rows.push({
          profile,
          hand: hand!.runs.map((r) => r.whole),
          first: pri!.runs.map((r) => r.first),
          whole: pri!.runs.map((r) => r.whole),
          ...(error ? { error } : {}),
        });
      } finally {
        for (const relay of relays) await relay.stop();
      }
    }
  } finally {
    await browser?.close();
    await orthanc.stop();
    or.remove();
  }
  const s = (list: number[], error?: string) => (list.length ? fmt(median(list) / 1000, 2) : `failed: ${error ?? '?'}`);
  const ratio = (a: number[], b: number[]) => (a.length && b.length ? `${fmt(median(a) / median(b), 2)}×` : '—');
  const table = markdownTable(
    [
      'Link',
      'findscu + movescu of the prior (s)',
      "Priors: release → prior's first image (s)",
      'first image / by hand',
      "Priors: release → prior's whole series (s)",
      'whole series / by hand',
    ],
    rows.map((r) => [r.profile.name, s(r.hand, r.error), s(r.first, r.error), ratio(r.first, r.hand), s(r.whole, r.error), ratio(r.whole, r.hand)]),
    ['l', 'r', 'r', 'r', 'r', 'r'],
  );
  const markdown = [
    `### Study arrives → relevant prior on screen: ${o.count} CT images per study, the newest of 3 relevant priors from Orthanc over a link`,
    '',
    `Median of ${o.runs} runs, round by round. storescu sends the current study into \`priors serve --ui\` with prefetch on and its default settings (a moment after the study's first instance, while storescu still sends, it asks the PACS at study and series level, chooses by the rules and retrieves the three priors); ` +
      "the PACS (Orthanc, also holding two studies no rule keeps) is behind a relay of the link, the workstation's requests and the PACS's sub-associations crossing the same path. " +
      "Headless Chromium on the workstation opens the current study the moment storescu releases; timed from that release to the newest prior's first image in the prior pane, and to its whole series shown. " +
      "The reference is the least a radiologist could do by hand with DCMTK, as fast as a script that knows which study to fetch: findscu for the patient's studies, then movescu of the newest prior into storescp, with no viewer (the prior is on disk, not on screen). A ratio below 1 means Priors is faster. " +
      "Priors' whole series waits for the three priors, which the transfer queue fetches side by side on the associations the node allows (prefetch leaving one to the user): the newest shares the link with the other two.",
    '',
    table,
    '',
  ].join('\n');
  return { markdown, failed: rows.some((r) => r.error !== undefined) };
}

runAsScript(import.meta.url, 'arrival-to-prior', (argv) =>
  runArrivalToPriorBenchmark({ runs: numberArg(argv, 'runs', 3), count: numberArg(argv, 'count', 100), log: (l) => console.error(l) }),
);
