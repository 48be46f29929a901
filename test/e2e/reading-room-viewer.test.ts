// The reading room's viewer in real Chromium at 1280×800 (issue 18), over the web host and a
// cache holding one patient's studies: a current CT of the chest, a CT of the abdomen and an
// MR of the head of the days before, and older CTs of the chest. The prior chooses itself by
// the prefetch rules (same modality and body part), and the newer study is always "Current";
// linked scrolling pairs slices by table position from the first image and says so; the slice
// counter never shows an index the sorted stack contradicts; the viewer fills the screen (1×1,
// 1×2, 2×2) with one toolbar acting on the active pane and showing the tool in use; measuring
// logs no CSP error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import type { Doc, El } from '../helpers/ui-steps.js';
import { gotoViewer, openStudy, paneState, startViewerHost, viewerSkipReason, waitPaneReady, type ViewerHost } from '../helpers/viewer-host.js';

const patient = { patientName: 'READER^RITA', patientId: 'RR-1', rows: 64, cols: 64, birthDate: '19600101' };

describe('e2e: the reading room viewer', { skip: viewerSkipReason(), timeout: 600_000 }, () => {
  let host: ViewerHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let now: GeneratedSeries;
  let abdomen: GeneratedSeries;
  let head: GeneratedSeries;
  let chest2023: GeneratedSeries;
  let chest2022: GeneratedSeries;

  before(async () => {
    now = await generateCtSeries({
      ...patient,
      count: 12,
      sliceThickness: 1.25,
      studyDate: '20261201',
      studyDescription: 'CT CHEST NOW',
      accession: 'RR1',
      seed: 31,
    });
    abdomen = await generateCtSeries({
      ...patient,
      count: 6,
      sliceThickness: 5,
      studyDate: '20261129',
      studyDescription: 'CT ABDOMEN',
      bodyPart: 'ABDOMEN',
      accession: 'RR2',
      seed: 32,
    });
    head = await generateCtSeries({
      ...patient,
      count: 4,
      modality: 'MR',
      studyDate: '20261125',
      studyDescription: 'MR HEAD',
      bodyPart: 'HEAD',
      accession: 'RR3',
      seed: 33,
    });
    chest2023 = await generateCtSeries({
      ...patient,
      count: 8,
      sliceThickness: 2.5,
      studyDate: '20230601',
      studyDescription: 'CT CHEST 2023',
      accession: 'RR4',
      seed: 34,
    });
    chest2022 = await generateCtSeries({
      ...patient,
      count: 5,
      sliceThickness: 2.5,
      studyDate: '20220601',
      studyDescription: 'CT CHEST 2022',
      accession: 'RR5',
      seed: 35,
    });
    host = await startViewerHost([...now.files, ...abdomen.files, ...head.files, ...chest2023.files, ...chest2022.files]);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await gotoViewer(page, host.web.url);
    // every text the current pane's overlay shows, from the first image on (the slice counter test)
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        document: Doc & { body: unknown };
        MutationObserver: new (f: () => void) => { observe(n: unknown, o: unknown): void };
        priorsOverlays: string[];
      };
      g.priorsOverlays = [];
      new g.MutationObserver(() => {
        const text = g.document.querySelector('[aria-label="Current study"] .viewer-overlay')?.textContent ?? '';
        if (text && g.priorsOverlays[g.priorsOverlays.length - 1] !== text) g.priorsOverlays.push(text);
      }).observe(g.document.body, { subtree: true, childList: true, characterData: true });
    });
    await openStudy(page, now.StudyInstanceUID);
    await waitPaneReady(page, now.StudyInstanceUID, 'Current study');
  });
  after(async () => {
    await browser?.close();
    await host?.close();
  });

  test('the prior chooses itself: the newest earlier study of the same modality and body part, not the newest earlier one', async () => {
    await waitPaneReady(page, chest2023.StudyInstanceUID, 'Prior study');
    const picker = page.getByRole('combobox', { name: 'Prior study' });
    assert.equal(await picker.inputValue(), chest2023.StudyInstanceUID);
    assert.deepEqual(await picker.locator('optgroup').evaluateAll((gs) => (gs as unknown as El[]).map((g) => g.getAttribute('label'))), [
      'Relevant (prefetch rules)',
      'Other studies',
    ]);
    const relevant = await picker.locator('option[data-relevant="true"]').allTextContents();
    assert.deepEqual(
      relevant.map((t) => t.trim()),
      ['2023-06-01 CT CHEST 2023 (CT)', '2022-06-01 CT CHEST 2022 (CT)'],
    );
    assert.match((await picker.locator(`option[value="${abdomen.StudyInstanceUID}"]`).getAttribute('title')) ?? '', /ABDOMEN, not the CHEST/);
  });

  test('linked scrolling pairs slices by table position from the first image, and says how', async () => {
    const cur = (await paneState(page, now.StudyInstanceUID, 'Current study'))!;
    const pri = (await paneState(page, chest2023.StudyInstanceUID, 'Prior study'))!;
    assert.ok(cur.position !== undefined && pri.position !== undefined, `${cur.overlay} | ${pri.overlay}`);
    assert.ok(Math.abs(cur.position! - pri.position!) <= 1.25, `the prior's slice is the nearest by position: current ${cur.overlay} · prior ${pri.overlay}`);
    assert.equal(await page.getByLabel('Scroll link').innerText(), 'by table position (both axial)');
    await page.getByLabel('Current study image').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
    await page.waitForFunction(
      ([c, p]) => {
        // no named inner functions in page functions: the test's compiler wraps them in a helper the page lacks
        const document = (globalThis as unknown as { document: Doc }).document;
        const [a, b] = [c, p].map((sel) => Number(/pos (-?\d+(?:\.\d+)?)/.exec(document.querySelector(sel)?.textContent ?? '')?.[1]));
        return Math.abs(a! - b!) <= 1.25;
      },
      [`[data-study="${now.StudyInstanceUID}"] .viewer-overlay`, `[data-study="${chest2023.StudyInstanceUID}"] .viewer-overlay`] as const,
      { timeout: 20_000 },
    );
  });

  test('the slice counter never shows an index the sorted stack contradicts', async () => {
    const texts = await page.evaluate(() => (globalThis as unknown as { priorsOverlays: string[] }).priorsOverlays);
    const seen = texts
      .map((t) => /(\d+)\/(\d+) · pos (-?\d+\.\d)/.exec(t))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => ({ k: Number(m[1]), n: Number(m[2]), pos: m[3]! }));
    assert.ok(seen.length > 0, texts.join('\n'));
    // the stack is sorted by position: slice k of n has the k-th smallest position of the series
    const positions = Array.from({ length: 12 }, (_, i) => -i * 1.25)
      .sort((a, b) => a - b)
      .map((p) => p.toFixed(1));
    for (const s of seen) assert.equal(s.k, positions.indexOf(s.pos) + 1, `"${s.k}/${s.n} · pos ${s.pos}" in: ${texts.join(' | ')}`);
  });

  test('one toolbar for every pane: presets act on the active pane; the tool in use is shown pressed', async () => {
    const tools = page.getByRole('toolbar', { name: 'Viewer tools' });
    assert.equal(
      await page
        .locator('[data-study] button')
        .filter({ hasText: /^(Lung|Invert|W\/L)$/ })
        .count(),
      0,
      'no toolbar inside the panes',
    );
    await page.getByLabel('Prior study image').click();
    await tools.getByRole('button', { name: 'Lung' }).click();
    await page.waitForFunction(
      (sel) => /WW 1500 WL -600/.test((globalThis as unknown as { document: Doc }).document.querySelector(sel)?.textContent ?? ''),
      `[data-study="${chest2023.StudyInstanceUID}"] .viewer-overlay`,
      { timeout: 20_000 },
    );
    assert.doesNotMatch((await paneState(page, now.StudyInstanceUID, 'Current study'))!.overlay, /WW 1500 WL -600/);
    assert.equal(await tools.getByRole('button', { name: 'W/L' }).getAttribute('aria-pressed'), 'true');
    await tools.getByRole('button', { name: 'Length' }).click();
    assert.equal(await tools.getByRole('button', { name: 'Length' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await tools.getByRole('button', { name: 'W/L' }).getAttribute('aria-pressed'), 'false');
  });

  test('measuring a length draws its label and logs no CSP error', async () => {
    await page.getByRole('toolbar', { name: 'Viewer tools' }).getByRole('button', { name: 'Length' }).click();
    const box = (await page.getByLabel('Current study image').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(
      () =>
        /\d+(\.\d+)? mm/.test(
          Array.from((globalThis as unknown as { document: Doc }).document.querySelectorAll('[aria-label="Current study"] svg text'))
            .map((t: El) => t.textContent ?? '')
            .join(' '),
        ),
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(300);
    assert.deepEqual(errors, []);
  });

  for (const size of [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ]) {
    test(`the viewer fills ${size.width}×${size.height}: images take the height, slider and overlay stay on screen; 1×1, 1×2, 2×2`, async () => {
      await page.setViewportSize(size);
      const tools = page.getByRole('toolbar', { name: 'Viewer tools' });
      for (const [layout, panes] of [
        ['1×2', 2],
        ['2×2', 4],
        ['1×1', 1],
        ['1×2', 2],
      ] as const) {
        await tools.getByRole('button', { name: layout }).click();
        await page.waitForFunction(
          (n) => (globalThis as unknown as { document: Doc }).document.querySelectorAll('.viewer-pane[data-complete="true"]').length === n,
          panes,
          { timeout: 30_000 },
        );
        await page.waitForTimeout(300);
        const fit = await page.evaluate(() => {
          const g = globalThis as unknown as { document: Doc & { scrollingElement: { scrollHeight: number } }; innerHeight: number };
          type Boxed = { getBoundingClientRect(): { top: number; bottom: number; height: number } } | null;
          const panes = Array.from(g.document.querySelectorAll('.viewer-pane')).map((p) => ({
            canvas: (p.querySelector('.viewer-canvas') as unknown as Boxed)!.getBoundingClientRect(),
            overlay: (p.querySelector('.viewer-overlay') as unknown as Boxed)!.getBoundingClientRect(),
            slider: (p.querySelector('input[type="range"]') as unknown as Boxed)?.getBoundingClientRect(),
          }));
          return { height: g.innerHeight, scroll: g.document.scrollingElement.scrollHeight, panes };
        });
        assert.ok(fit.scroll <= fit.height, `the page does not scroll (${fit.scroll} > ${fit.height})`);
        const rows = panes === 4 ? 2 : 1;
        for (const p of fit.panes) {
          assert.ok(p.overlay.bottom <= fit.height && (p.slider?.bottom ?? 0) <= fit.height, `${layout}: overlay and slider on screen: ${JSON.stringify(p)}`);
          assert.ok(
            p.canvas.height >= fit.height / rows - (rows === 1 ? 190 : 140),
            `${layout}: the image takes the height (${Math.round(p.canvas.height)} of ${fit.height})`,
          );
        }
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  }

  test('the newer study is always "Current", whichever was opened', async () => {
    await openStudy(page, chest2023.StudyInstanceUID);
    await waitPaneReady(page, chest2023.StudyInstanceUID, 'Current study');
    await waitPaneReady(page, chest2022.StudyInstanceUID, 'Prior study');
    await page.getByRole('combobox', { name: 'Prior study' }).selectOption(now.StudyInstanceUID);
    await waitPaneReady(page, now.StudyInstanceUID, 'Current study');
    await waitPaneReady(page, chest2023.StudyInstanceUID, 'Prior study');
    assert.match(await page.locator(`[data-study="${now.StudyInstanceUID}"] h2`).innerText(), /^Current · 2026-12-01 · CT CHEST NOW/);
    assert.deepEqual(errors, []);
  });
});
