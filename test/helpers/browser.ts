// Real Chromium for the e2e tier: Debian's /usr/bin/chromium driven by playwright-core, and
// `priors serve --ui` opened in a page whose console errors and page errors fail the test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, startPriorsServe, type PriorsServe, type PriorsServeOptions } from './priors-cli.js';

/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
/** The renderer's build output served by `priors serve --ui`. */
export const RENDERER_DIST = join(REPO_ROOT, 'renderer', 'dist');

/** Why the e2e tier cannot run here, or false. */
export function e2eSkipReason(): string | false {
  return existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)`;
}

/** Builds the renderer once when renderer/dist is missing (CI may not have built it). */
export function ensureRendererBuilt(): void {
  if (existsSync(join(RENDERER_DIST, 'index.html'))) return;
  const r = spawnSync('npx', ['vite', 'build', 'renderer'], { cwd: REPO_ROOT, stdio: 'pipe', encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`renderer build failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
}

/** Starts headless Chromium with the tier's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 60_000,
  });
}

/** A browser page on a running `priors serve --ui`. */
export interface UiSession {
  serve: PriorsServe;
  url: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  /** Fails when the page reported any error. */
  assertNoErrors(): void;
  /** Closes the page, the browser and the serve process (only what this session started). */
  close(): Promise<void>;
}

/** Reads `Priors UI: <url>` from serve's output. */
export function uiUrlFrom(logs: string): string | undefined {
  return /Priors UI: (\S+)/.exec(logs)?.[1];
}

/** Starts `priors serve --ui` and opens its URL (with token) in a page of `viewport` (default 1280×720). */
export async function openUi(o: PriorsServeOptions & { viewport?: { width: number; height: number } }, browser?: Browser): Promise<UiSession> {
  ensureRendererBuilt();
  const serve = await startPriorsServe({ ...o, extraArgs: ['--ui', ...(o.extraArgs ?? [])] });
  let url: string | undefined;
  for (let i = 0; i < 100 && (url = uiUrlFrom(serve.logs())) === undefined; i++) await new Promise((r) => setTimeout(r, 100));
  if (url === undefined) {
    await serve.stop();
    throw new Error(`priors serve --ui printed no UI URL:\n${serve.logs()}`);
  }
  const ownBrowser = browser === undefined;
  const b = browser ?? (await launchChromium());
  const context = await b.newContext({ viewport: o.viewport ?? { width: 1280, height: 720 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  let closed = false;
  return {
    serve,
    url,
    browser: b,
    context,
    page,
    errors,
    assertNoErrors: () => assert.deepEqual(errors, [], `page errors:\n${errors.join('\n')}`),
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      if (ownBrowser) await b.close().catch(() => undefined);
      await serve.stop();
    },
  };
}
