// The Viewer in real Chromium (playwright-core, /usr/bin/chromium headless, CPU rendering when
// WebGL is missing) against the web host over a cache holding pydicom's CT_small and MR_small:
// "Open" renders a non-blank canvas, a window/level preset changes the pixels, and WADO-URI
// imageIds carry the session token.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { defaultConfig } from '../../shared/config.js';
import { Cache } from '../../electron/cache/index.js';
import { ActivityLog } from '../../electron/services/audit/activity-log.js';
import { AppCore } from '../../electron/app/core.js';
import { ConfigStore } from '../../electron/services/config/config-store.js';
import { startServer, type ServeHandle } from '../../electron/services/local-scp/serve.js';
import { DicomwebServer } from '../../electron/services/dicomweb/server.js';
import { startWebHost, type WebHost } from '../../electron/web/host.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/web/static-files.js';
import { REPO_ROOT } from '../helpers/priors-cli.js';
import { PYDICOM_DATA, pydicomAvailable } from '../helpers/pydicom.js';
import { tempDir } from '../helpers/tmp.js';
import { gotoViewer, openStudy } from '../helpers/viewer-host.js';

// Browser globals, used only inside page.evaluate / waitForFunction callbacks (this file is typed for Node).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const STATIC = join(REPO_ROOT, 'renderer', 'dist');
const FILES = ['CT_small.dcm', 'MR_small.dcm'].map((f) => join(PYDICOM_DATA, 'test_files', f));
const skip = !pydicomAvailable()
  ? 'pydicom corpus not installed'
  : !existsSync('/usr/bin/chromium')
    ? 'no /usr/bin/chromium'
    : !existsSync(join(STATIC, 'index.html'))
      ? 'renderer not built (npx vite build renderer)'
      : false;

/** Sum of absolute differences of a canvas's pixels, and whether any pixel is not black. */
async function canvasStats(page: Page, label: string): Promise<{ sum: number; nonBlack: number; data: number[] }> {
  return page.evaluate((l) => {
    const pane = document.querySelector(`[aria-label="${l}"]`)!;
    const canvas = pane.querySelector('canvas')!;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const d = ctx.getImageData(0, 0, copy.width, copy.height).data;
    let sum = 0;
    let nonBlack = 0;
    const sample: number[] = [];
    for (let i = 0; i < d.length; i += 4) {
      const v = d[i]! + d[i + 1]! + d[i + 2]!;
      sum += v;
      if (v > 0) nonBlack++;
      if (i % 4096 === 0) sample.push(d[i]!);
    }
    return { sum, nonBlack, data: sample };
  }, label);
}

describe('Viewer in Chromium', { skip }, () => {
  let cache: Cache;
  let server: ServeHandle;
  let core: AppCore;
  let web: WebHost;
  let browser: Browser;
  const studies: string[] = [];

  before(async () => {
    const dataDir = tempDir('priors-viewer-e2e');
    cache = await Cache.open(dataDir);
    await cache.importPaths(FILES);
    for (const s of cache.studies()) studies.push(s.StudyInstanceUID);
    const activity = new ActivityLog();
    const config = { ...defaultConfig(), local: { ...defaultConfig().local, aeTitle: 'PRIORSVIEW', port: 0, bindAddress: '127.0.0.1' } };
    const store = new ConfigStore(dataDir);
    await store.save(config);
    server = await startServer({ config, cache, log: activity.logger, nodes: async () => (await store.load()).nodes });
    core = new AppCore({ store, cache, activity, server });
    web = await startWebHost({ api: core, staticDir: STATIC, dicomweb: new DicomwebServer({ cache, aeTitle: 'PRIORS', caseInsensitivePN: true }) });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    core?.close();
    await server?.close();
    await cache?.close();
  });

  test('Open shows the CT, not blank; a W/L preset changes the pixels', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => {
      errors.push(e.message);
      process.stdout.write(`# page error: ${e.stack ?? e.message}\n`);
    });
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    await gotoViewer(page, web.url);
    const ct = cache.studies().find((s) => s.ModalitiesInStudy.includes('CT'))!;
    await openStudy(page, ct.StudyInstanceUID);
    const pane = page.getByRole('group', { name: 'Current study' });
    await pane.waitFor({ timeout: 30_000 }).catch(async (err: unknown) => {
      const text = await page
        .locator('section[aria-label="Viewer"]')
        .textContent()
        .catch(() => '?');
      throw new Error(`no viewer pane: ${text}\n${consoleLines.slice(-10).join('\n')}\n${errors.join('\n')}`, { cause: err });
    });
    await page.waitForFunction(
      () =>
        document.querySelector('[aria-label="Current study"]')?.getAttribute('data-complete') === 'true' &&
        /WW -?\d+ WL/.test(document.querySelector('.viewer-overlay')?.textContent ?? ''),
      undefined,
      { timeout: 60_000 },
    );
    const overlay = await page.locator('.viewer-overlay').textContent();
    assert.match(overlay ?? '', /1\/1/);
    const before = await canvasStats(page, 'Current study');
    assert.ok(before.nonBlack > 1000, `canvas nearly blank: ${before.nonBlack} lit pixels`);
    // one toolbar for the panes, acting on the active one
    const tools = page.getByRole('toolbar', { name: 'Viewer tools' });
    await tools.getByRole('button', { name: 'Bone' }).click();
    await page.waitForFunction(() => /WW 1800 WL 400/.test(document.querySelector('.viewer-overlay')?.textContent ?? ''), undefined, { timeout: 20_000 });
    await page.waitForTimeout(300);
    const bone = await canvasStats(page, 'Current study');
    // a wider window over the same data: less contrast, a different picture
    assert.notDeepEqual(bone.data, before.data);
    await tools.getByRole('button', { name: 'Lung' }).click();
    await page.waitForFunction(() => /WW 1500 WL -600/.test(document.querySelector('.viewer-overlay')?.textContent ?? ''), undefined, { timeout: 20_000 });
    await page.waitForTimeout(300);
    const lung = await canvasStats(page, 'Current study');
    // soft tissue is above a lung window's top: the lung window is brighter overall
    assert.ok(lung.sum > bone.sum, `lung ${lung.sum} vs bone ${bone.sum}`);
    await tools.getByRole('button', { name: 'Invert' }).click();
    await page.waitForTimeout(300);
    const inverted = await canvasStats(page, 'Current study');
    assert.ok(inverted.sum < lung.sum, 'invert darkens a bright picture');
    if (process.env.PRIORS_VIEWER_SHOT) await page.screenshot({ path: process.env.PRIORS_VIEWER_SHOT });
    assert.deepEqual(errors, []);
    await page.close();
  });

  // The codecs are WebAssembly: the page's CSP must allow compiling it ('wasm-unsafe-eval').
  // PRIORS_VIEWER_BYPASS_CSP=1 runs it regardless (to check the codecs themselves).
  const wasmAllowed = CONTENT_SECURITY_POLICY.includes('wasm-unsafe-eval') || process.env.PRIORS_VIEWER_BYPASS_CSP === '1';
  test(
    'the pydicom corpus: each cached study renders or shows its placeholder, and the page survives',
    {
      skip: !wasmAllowed && "the web host's CSP lacks 'wasm-unsafe-eval' (electron/web/static-files.ts): the codecs cannot load",
    },
    async () => {
      await cache.importPaths([join(PYDICOM_DATA, 'test_files')]);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: process.env.PRIORS_VIEWER_BYPASS_CSP === '1' });
      if (process.env.PRIORS_VIEWER_BYPASS_CSP === '1') {
        await context.route('**/assets/**', async (route) => {
          const res = await route.fetch();
          const headers = { ...res.headers() };
          if (headers['content-security-policy'])
            headers['content-security-policy'] = headers['content-security-policy'].replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'");
          await route.fulfill({ response: res, headers });
        });
      }
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => {
        errors.push(e.message);
        process.stdout.write(`# page error: ${e.stack ?? e.message}\n`);
      });
      let crashed = false;
      page.on('crash', () => {
        crashed = true;
        process.stdout.write('# the page crashed\n');
      });
      await gotoViewer(page, web.url);
      const studies = cache.studies().slice(0, 40);
      let rendered = 0;
      let placeholders = 0;
      let renderedCt = '';
      const timings: Array<[number, string]> = [];
      for (const s of studies) {
        const started = performance.now();
        const name = `${s.ModalitiesInStudy.join('/')} ${s.StudyDescription ?? ''} (${s.StudyInstanceUID})`;
        await openStudy(page, s.StudyInstanceUID);
        // done: every instance tried (loaded = total) and then either an overlay or a placeholder, or no image series at all
        const state = await page
          .waitForFunction(
            (uid) => {
              const pane = document.querySelector(`[data-study="${uid}"] [aria-label="Current study"]`);
              if (!pane) return false;
              if (pane.getAttribute('data-complete') !== 'true') return false;
              if (/WW -?\d+ WL/.test(pane.querySelector('.viewer-overlay')?.textContent ?? '')) return 'rendered';
              if (pane.querySelector('.viewer-placeholder')) return 'placeholder';
              return false;
            },
            s.StudyInstanceUID,
            { timeout: 30_000 },
          )
          .then((h) => h.jsonValue())
          .catch(() => 'timeout');
        timings.push([performance.now() - started, name]);
        if (state === 'rendered') {
          rendered++;
          if (!renderedCt && s.ModalitiesInStudy.includes('CT')) renderedCt = s.StudyInstanceUID;
        } else if (state === 'placeholder') {
          placeholders++;
          const why = await page.locator(`[data-study="${s.StudyInstanceUID}"] [aria-label="Current study"] .viewer-placeholder li`).first().textContent();
          process.stdout.write(`# placeholder ${s.ModalitiesInStudy.join('/')} ${s.StudyDescription ?? ''}: ${(why ?? '').slice(0, 160)}\n`);
        } else {
          // a page that no longer answers (crashed or busy) says so instead of waiting again
          const text = crashed
            ? '(the page crashed)'
            : await page
                .locator('section[aria-label="Viewer"]')
                .textContent({ timeout: 5_000 })
                .catch(
                  async () =>
                    `(no Viewer section; the page shows: ${(
                      await page
                        .locator('body')
                        .textContent({ timeout: 5_000 })
                        .catch(() => '(no answer from the page)')
                    )?.slice(0, 300)})`,
                );
          // a study whose series carry no images (RT plan, SR) has nothing to show: not a failure
          assert.ok(
            !crashed && !/Loading \d+\/\d+|no Viewer section|screen stopped/.test(text ?? ''),
            `${name} did not finish in 30 s: ${text}\npage errors: ${errors.join('\n') || 'none'}`,
          );
        }
      }
      timings.sort((a, b) => b[0] - a[0]);
      process.stdout.write(
        `# corpus: ${studies.length} studies, ${rendered} rendered, ${placeholders} placeholders; ${errors.length} errors in the page; slowest: ${timings
          .slice(0, 3)
          .map(([ms, n]) => `${(ms / 1000).toFixed(1)} s ${n}`)
          .join(', ')}\n`,
      );
      // a failed load is the placeholder's business, never an uncaught error in the page
      assert.deepEqual(
        errors.map((e) => e.slice(0, 200)),
        [],
      );
      // the page still works: a CT study that rendered in the loop renders again (the order of
      // cache.studies() follows the import, so "the first CT" may be the file-set without pixel data)
      assert.ok(renderedCt, 'no CT study rendered');
      await openStudy(page, renderedCt);
      await page
        .waitForFunction(
          (uid) => /WW -?\d+ WL/.test(document.querySelector(`[data-study="${uid}"] [aria-label="Current study"] .viewer-overlay`)?.textContent ?? ''),
          renderedCt,
          { timeout: 30_000 },
        )
        .catch(async (err: unknown) => {
          const html = await page
            .locator('section[aria-label="Viewer"]')
            .innerHTML({ timeout: 5_000 })
            .catch(() => '(no answer from the page)');
          throw new Error(`the CT study opened again after the corpus did not render: ${html.slice(0, 3000)}`, { cause: err });
        });
      assert.ok(rendered >= 5, `only ${rendered} of ${studies.length} studies rendered (${placeholders} placeholders)`);
      await context.close();
    },
  );
});
