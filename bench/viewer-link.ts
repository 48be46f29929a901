/**
 * "Time to see" in the viewer, over the links users have: the 4-series CT study of
 * bench/time-to-see.ts in the cache of the web host, opened in headless Chromium whose HTTP
 * connections to the host cross an emulated link (bench/relay.ts: the page, its API calls and
 * every WADO request share the link's delay and bandwidth). Per run, in a fresh browser context
 * once the viewer's engine is loaded: the click (the open-study event Search and Local cache
 * send) → the first image of the study on screen, and → the whole stack of the series shown,
 * loaded and sorted. Priors only: DCMTK has no viewer. Each figure beside the link's floor:
 * the bytes the screen needs over the bandwidth, plus one round trip.
 *   node --import tsx bench/viewer-link.ts [--runs N] [--per-series N]
 */
import { chromium } from 'playwright-core';
import { startViewerHost, viewerSkipReason } from '../test/helpers/viewer-host.js';
import { fmt, markdownTable, median, numberArg, runAsScript } from './lib.js';
import { LINK_PROFILES, startRelay, type LinkProfile } from './relay.js';
import { makeStudy } from './time-to-see.js';
import { openTimed, readyPage } from './viewer.js';

interface Row {
  profile: LinkProfile;
  first: number[];
  all: number[];
  error?: string;
}

/** The viewer rows of the "time to see" section. */
export async function runViewerLinkBenchmark(o: {
  runs: number;
  perSeries: number;
  log?: (l: string) => void;
}): Promise<{ markdown: string; failed: boolean }> {
  const log = o.log ?? (() => {});
  const skip = viewerSkipReason();
  if (skip) return { markdown: `Click → image over a link: not measured: ${skip}.\n`, failed: false };
  const study = await makeStudy(o.perSeries);
  const host = await startViewerHost(study.files);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const rows: Row[] = [];
  // the series the viewer opens on: the study's series are of one size, so any one's figures
  const series = host.cache.series(study.study);
  const seriesBytes = median(series.map((s) => s.size));
  const instanceBytes = seriesBytes / Math.max(1, median(series.map((s) => s.NumberOfSeriesRelatedInstances)));
  try {
    for (const profile of LINK_PROFILES) {
      log(`time to see: viewer over ${profile.name}`);
      const web = new URL(host.web.url);
      const relay = await startRelay({ host: '127.0.0.1', port: Number(web.port) }, profile);
      const row: Row = { profile, first: [], all: [] };
      try {
        web.port = String(relay.port);
        for (let r = 0; r < o.runs; r++) {
          const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
          try {
            const page = await readyPage(context, web.toString());
            const t = await openTimed(page, study.study);
            row.first.push(t.first);
            row.all.push(t.all);
          } catch (err) {
            row.error ??= (err as Error).message;
            log(`time to see: viewer over ${profile.name}, run ${r + 1} failed: ${(err as Error).message}`);
          } finally {
            await context.close();
          }
        }
      } finally {
        await relay.stop();
      }
      rows.push(row);
    }
  } finally {
    await browser.close();
    await host.close();
  }
  const floor = (bytes: number, p: LinkProfile) => (bytes * 8) / p.bitsPerSecond + (2 * p.delayMs) / 1000;
  const cell = (list: number[], error?: string) => (list.length ? fmt(median(list) / 1000, 2) : `failed: ${error ?? '?'}`);
  const table = markdownTable(
    ['Link', 'click → first image (s)', 'floor (s)', 'click → whole stack (s)', 'floor (s)', 'first image ≤ 1 s'],
    rows.map((r) => [
      r.profile.name,
      cell(r.first, r.error),
      fmt(floor(instanceBytes, r.profile), 3),
      cell(r.all, r.error),
      fmt(floor(seriesBytes, r.profile), 2),
      r.first.length ? (median(r.first) <= 1000 ? 'yes' : '**no**') : '—',
    ]),
    ['l', 'r', 'r', 'r', 'r', 'l'],
  );
  const markdown = [
    `### Click → image over a network link: the same study in the cache, its series of ${series[0]?.NumberOfSeriesRelatedInstances ?? 0} CT images (${fmt(seriesBytes / 1e6, 1)} MB) in the viewer`,
    '',
    `Median of ${o.runs} runs, a fresh browser context each (no HTTP cache), the viewer's engine loaded first as the app loads it when idle. The web host (\`priors serve --ui\`'s) behind a relay of the link; headless Chromium (CPU rendering) opens the study as a click in Search or Local cache does. ` +
      '"First image": the middle slice of the series on screen with its window; "whole stack": every slice loaded and sorted. The floor is what any viewer needs at least: the bytes on screen (one instance; the whole series) over the bandwidth plus one round trip. Priors only: DCMTK has no viewer to compare with. Goal: first image ≤ 1 s on the LAN.',
    '',
    table,
    '',
  ].join('\n');
  return { markdown, failed: rows.some((r) => r.error !== undefined) };
}

runAsScript(import.meta.url, 'viewer-link', (argv) =>
  runViewerLinkBenchmark({ runs: numberArg(argv, 'runs', 3), perSeries: numberArg(argv, 'per-series', 60), log: (l) => console.error(l) }),
);
