/**
 * The viewer benchmark: a 300-slice 512×512 CT series in the local cache (and its JPEG-LS
 * lossless copy, as a study of its own), opened in headless Chromium through the web host as a
 * radiologist opens it. Per run, in a fresh browser context: time from "open" to the first
 * image on screen, time until every slice is loaded and the stack sorted, frames per second
 * while stepping through the loaded stack (each step waits for cornerstone's IMAGE_RENDERED),
 * and the JS heap and array buffers (decoded images) after loading, after a GC. Timing starts
 * once the app has loaded the viewer's engine, as it does by itself when idle. Goals (issue 4): first image ≤ 0.5 s, whole stack
 * ≤ 3 s, scrolling ≥ 30 frames/s.
 *   node --import tsx bench/viewer.ts [--runs N] [--quick]     (also part of `npm run bench`)
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { asOwnStudy, compressedCopies, generateCtSeries } from '../test/helpers/data.js';
import { startViewerHost, viewerSkipReason } from '../test/helpers/viewer-host.js';
import { fmt, markdownTable, median } from './lib.js';

export interface ViewerRun {
  firstMs: number;
  allMs: number;
  fps: number;
  heapMb: number;
  buffersMb: number;
}
export interface ViewerBenchResult {
  markdown: string;
  failed: boolean;
  runs: Record<string, ViewerRun[]>;
}

const GOALS = { firstMs: 500, allMs: 3000, fps: 30 };

/** A page of the app with the viewer's engine loaded (it loads by itself once the app is idle). */
export async function readyPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset.viewerReady === 'true',
    undefined,
    { timeout: 60_000 },
  );
  return page;
}

/** Array buffer bytes (decoded images, raw data sets) after a GC, in MB. */
async function buffersMb(context: BrowserContext, page: Page): Promise<{ heapMb: number; buffersMb: number }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  await cdp.detach();
  return { heapMb: heap.usedSize / 1e6, buffersMb: (heap.backingStorageSize ?? 0) / 1e6 };
}

/** Opens `study` in `page` and answers when its first image shows and when all of it is loaded (ms). */
export async function openTimed(page: Page, study: string): Promise<{ first: number; all: number }> {
  return page.evaluate(async (uid) => {
    interface Node {
      getAttribute(n: string): string | null;
      querySelector(s: string): Node | null;
      textContent: string | null;
    }
    const g = globalThis as unknown as {
      document: { querySelector(s: string): Node | null; body: unknown };
      performance: { now(): number };
      MutationObserver: new (cb: () => void) => { observe(t: unknown, o: unknown): void; disconnect(): void };
      dispatchEvent(e: unknown): void;
      CustomEvent: new (t: string, i: unknown) => unknown;
      setTimeout(f: () => void, ms: number): void;
    };
    const sel = `[data-study="${uid}"] [aria-label="Current study"]`;
    const start = g.performance.now();
    let first = 0;
    // (no named inner functions: the compiler of this file would wrap them in a helper the page lacks)
    return new Promise<{ first: number; all: number }>((resolve, reject) => {
      const observer = new g.MutationObserver(() => {
        const pane = g.document.querySelector(sel);
        if (!pane) return;
        if (!first && /WW -?\d+ WL/.test(pane.querySelector('.viewer-overlay')?.textContent ?? '')) first = g.performance.now() - start;
        if (first && pane.getAttribute('data-complete') === 'true') {
          observer.disconnect();
          resolve({ first, all: g.performance.now() - start });
        }
      });
      observer.observe(g.document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      g.setTimeout(() => {
        observer.disconnect();
        reject(new Error('the study did not load within 120 s'));
      }, 120_000);
      g.dispatchEvent(new g.CustomEvent('priors:open-study', { detail: { StudyInstanceUID: uid } }));
    });
  }, study);
}

/** One cold open of `study` in a fresh context: the four figures. */
async function measure(browser: Browser, url: string, study: string, steps: number): Promise<ViewerRun> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await readyPage(context, url);
    const times = await openTimed(page, study);
    const fps = await page.evaluate(
      async ([uid, n]) => {
        interface El {
          dispatchEvent(e: unknown): void;
          addEventListener(t: string, f: () => void, o?: unknown): void;
          focus(): void;
        }
        const g = globalThis as unknown as {
          document: { querySelector(s: string): El | null };
          performance: { now(): number };
          KeyboardEvent: new (t: string, i: unknown) => unknown;
          setTimeout(f: () => void, ms: number): void;
        };
        const canvas = g.document.querySelector(`[data-study="${uid}"] [aria-label="Current study image"]`)!;
        canvas.focus();
        const start = g.performance.now();
        for (let i = 0; i < n; i++) {
          const rendered = new Promise<void>((resolve, reject) => {
            canvas.addEventListener('CORNERSTONE_IMAGE_RENDERED', () => resolve(), { once: true });
            g.setTimeout(() => reject(new Error(`no frame rendered within 10 s of scroll step ${i + 1} of ${n}`)), 10_000);
          });
          canvas.dispatchEvent(new g.KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
          await rendered;
        }
        return n / ((g.performance.now() - start) / 1000);
      },
      [study, steps] as const,
    );
    return { firstMs: times.first, allMs: times.all, fps, ...(await buffersMb(context, page)) };
  } finally {
    await context.close();
  }
}

/** The studies opened one after another in one page with the image memory set to `mb`: array buffers after each. */
async function memoryBound(browser: Browser, url: string, studies: string[], mb: number): Promise<number[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await context.addInitScript((v) => {
      (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('priors.viewer.cacheMB', v);
    }, String(mb));
    const page = await readyPage(context, url);
    const after: number[] = [];
    for (const uid of studies) {
      await openTimed(page, uid);
      after.push((await buffersMb(context, page)).buffersMb);
    }
    return after;
  } finally {
    await context.close();
  }
}

/** Where the time of one open goes: the image requests (how many, of which kind, waiting and receiving) and the page's main thread. */
export interface OpenBreakdown {
  allMs: number;
  /** WADO-URI requests (one instance each) and WADO-RS requests (a whole series, streamed into a worker). */
  uriRequests: number;
  seriesRequests: number;
  bytes: number;
  /** Mean time to the first byte and to the last, per request (ms). */
  ttfbMs: number;
  bodyMs: number;
  /** Time with at least one image request open (ms). */
  networkMs: number;
  /** Main-thread task and script time during the open (ms), from Chromium's Performance domain. */
  mainTaskMs: number;
  mainScriptMs: number;
}

/** One cold open of `study` in a fresh context, measured for {@link OpenBreakdown}. */
export async function breakdown(browser: Browser, url: string, study: string): Promise<OpenBreakdown> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await readyPage(context, url);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async () => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      const get = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
      return { task: get('TaskDuration'), script: get('ScriptDuration') };
    };
    // the page's requests and its workers' (the series stream runs in one)
    const finished: Promise<{ series: boolean; start: number; ttfb: number; body: number; end: number; bytes: number }>[] = [];
    page.on('requestfinished', (req) => {
      const u = req.url();
      if (!u.includes('/wado?') && !u.includes('/dicom-web/')) return;
      finished.push(
        req.sizes().then((sizes) => {
          const t = req.timing();
          return {
            series: u.includes('/dicom-web/'),
            start: t.startTime,
            ttfb: t.responseStart,
            body: t.responseEnd - t.responseStart,
            end: t.startTime + t.responseEnd,
            bytes: sizes.responseBodySize,
          };
        }),
      );
    });
    const m0 = await metric();
    const t = await openTimed(page, study);
    const m1 = await metric();
    const entries = await Promise.all(finished);
    await cdp.detach();
    // the union of the requests' spans
    let networkMs = 0;
    let until = -Infinity;
    for (const e of [...entries].sort((a, b) => a.start - b.start)) {
      if (e.end <= until) continue;
      networkMs += e.end - Math.max(e.start, until);
      until = e.end;
    }
    const mean = (k: 'ttfb' | 'body') => (entries.length ? entries.reduce((n, e) => n + e[k], 0) / entries.length : 0);
    return {
      allMs: t.all,
      uriRequests: entries.filter((e) => !e.series).length,
      seriesRequests: entries.filter((e) => e.series).length,
      bytes: entries.reduce((n, e) => n + e.bytes, 0),
      ttfbMs: mean('ttfb'),
      bodyMs: mean('body'),
      networkMs,
      mainTaskMs: (m1.task - m0.task) * 1000,
      mainScriptMs: (m1.script - m0.script) * 1000,
    };
  } finally {
    await context.close();
  }
}

/** The sentence of a breakdown. */
export function breakdownText(b: OpenBreakdown): string {
  return (
    `Where the ${fmt(b.allMs / 1000, 2)} s of one open of the uncompressed series go: ${b.uriRequests} WADO-URI request${b.uriRequests === 1 ? '' : 's'} (the middle image first) and ${b.seriesRequests} WADO-RS series request${b.seriesRequests === 1 ? '' : 's'} streamed into a worker, ${fmt(b.bytes / 1e6, 0)} MB, each waiting ${fmt(b.ttfbMs, 0)} ms on average for its first byte and ${fmt(b.bodyMs, 0)} ms for the rest; ` +
    `at least one request open during ${fmt(b.networkMs / 1000, 2)} s; the page's main thread busy ${fmt(b.mainTaskMs / 1000, 2)} s (scripts ${fmt(b.mainScriptMs / 1000, 2)} s: parsing each data set, making the image, rendering), the decoding itself in the loader's workers.`
  );
}

/** Scroll steps measured: down from the middle slice, where a stack opens, at most to the last one. */
function scrollSteps(count: number): number {
  return Math.min(100, Math.floor((count - 1) / 2));
}

/** Runs the viewer benchmark; `log` says what it does. */
export async function runViewerBenchmark(o: { runs: number; count: number; log: (line: string) => void }): Promise<ViewerBenchResult> {
  const skip = viewerSkipReason();
  if (skip) return { markdown: `Not measured: ${skip}.\n`, failed: false, runs: {} };
  o.log(`viewer: ${o.count} CT slices 512×512 and a JPEG-LS copy`);
  const series = await generateCtSeries({ count: o.count, patientId: 'BENCH-VIEW', studyDescription: 'CT VIEWER BENCH' });
  const jls = (await compressedCopies(series.dir, ['jpeg-ls-lossless']))['jpeg-ls-lossless'];
  const studies: [string, string[]][] = [['uncompressed (Explicit VR Little Endian)', series.files]];
  if (jls) studies.push(['JPEG-LS lossless', await asOwnStudy(jls.files, 'bench-viewer-jls', { PatientID: 'BENCH-VIEW-JLS' })]);
  const host = await startViewerHost(studies.flatMap(([, files]) => files));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const runs: Record<string, ViewerRun[]> = {};
  let memory: number[] = [];
  let where: OpenBreakdown | undefined;
  let failed = false;
  try {
    const byPatient = new Map(host.cache.studies().map((s) => [s.PatientID, s.StudyInstanceUID]));
    for (const [name] of studies) {
      const uid = byPatient.get(name.startsWith('JPEG-LS') ? 'BENCH-VIEW-JLS' : 'BENCH-VIEW')!;
      runs[name] = [];
      for (let r = 0; r < o.runs; r++) {
        try {
          runs[name].push(await measure(browser, host.web.url, uid, scrollSteps(o.count)));
        } catch (err) {
          o.log(`viewer: ${name} run ${r + 1} failed: ${(err as Error).message}`);
          failed = true;
        }
      }
    }
    try {
      where = await breakdown(browser, host.web.url, byPatient.get('BENCH-VIEW')!);
    } catch (err) {
      o.log(`viewer: breakdown failed: ${(err as Error).message}`);
    }
    if (byPatient.size >= 2) {
      const a = byPatient.get('BENCH-VIEW')!;
      const b = byPatient.get('BENCH-VIEW-JLS')!;
      try {
        memory = await memoryBound(browser, host.web.url, [a, b, a, b], 256);
      } catch (err) {
        o.log(`viewer: memory bound run failed: ${(err as Error).message}`);
        failed = true;
      }
    }
  } finally {
    await browser.close();
    await host.close();
  }
  const row = (name: string, list: ViewerRun[]) => {
    const m = (k: keyof ViewerRun) => median(list.map((x) => x[k]));
    return [
      name,
      `${fmt(m('firstMs') / 1000, 2)} s`,
      `${fmt(m('allMs') / 1000, 2)} s`,
      fmt(m('fps'), 0),
      `${fmt(m('heapMb'), 0)} MB`,
      `${fmt(m('buffersMb'), 0)} MB`,
      [m('firstMs') <= GOALS.firstMs, m('allMs') <= GOALS.allMs, m('fps') >= GOALS.fps].map((ok) => (ok ? 'yes' : '**no**')).join(' / '),
    ];
  };
  const table = markdownTable(
    ['Series', 'first image', 'whole stack', 'scroll fps', 'JS heap', 'array buffers', 'goals met (first / stack / fps)'],
    Object.entries(runs)
      .filter(([, l]) => l.length)
      .map(([n, l]) => row(n, l)),
    ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  const markdown = [
    `${o.count} CT slices, 512×512, 16 bits, from the local cache through the web host (the middle image by WADO-URI, the rest in one streamed WADO-RS request) into headless Chromium (no GPU: its WebGL is the SwiftShader software rasterizer, so the viewer renders with cornerstone's canvas path), a fresh browser context per run; median of ${o.runs}.`,
    `Goals: first image ≤ ${GOALS.firstMs / 1000} s, whole stack ≤ ${GOALS.allMs / 1000} s, scrolling ≥ ${GOALS.fps} frames/s. Scrolling steps through ${scrollSteps(o.count)} loaded slices, each step waiting for the rendered frame.`,
    '',
    table,
    '',
    ...(where ? [breakdownText(where), ''] : []),
    ...(memory.length
      ? [
          `Bounded memory: with the image memory set to 256 MB, the two studies opened in turn in one page (${memory.length} opens, ${o.count} slices each) leave ${memory.map((m) => `${fmt(m, 0)}`).join(' → ')} MB of array buffers after each open: bounded (at most ${fmt(Math.max(...memory) / 256, 1)}× the setting, which counts decoded images only; the raw data sets they came from are kept beside them for their headers until the image is evicted).`,
          '',
        ]
      : []),
  ].join('\n');
  return { markdown, failed, runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const runs = Number(argv[argv.indexOf('--runs') + 1] ?? 3) || 3;
  runViewerBenchmark({ runs, count: argv.includes('--quick') ? 60 : 300, log: (l) => console.error(l) })
    .then((r) => {
      console.log(r.markdown);
      if (r.failed) process.exitCode = 1;
    })
    .catch((err: unknown) => {
      console.error(`bench viewer: ${(err as Error).message}`);
      process.exitCode = 1;
    });
}
