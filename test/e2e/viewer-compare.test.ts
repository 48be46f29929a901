// The Viewer in real Chromium against the web host: the priors layout (current beside the
// newest earlier study of the patient, thumbnails, scrolling linked by slice position), and the
// codecs: each copy of one CT series in another transfer syntax renders the same pixels as the
// uncompressed original (lossless: equal; JPEG baseline: within a small mean error).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { asOwnStudy, compressedCopies, generateCtSeries, type CopyCodec } from '../helpers/data.js';
import { pydicomAvailable } from '../helpers/pydicom.js';
import { gotoViewer, openStudy, paneCanvasVs, paneState, startViewerHost, viewerSkipReason, waitPaneReady, type ViewerHost } from '../helpers/viewer-host.js';

const LOSSLESS: CopyCodec[] = ['rle', 'jpeg-lossless', 'jpeg-ls-lossless', 'j2k-lossless', 'deflated', 'explicit-big', 'implicit-little'];
const LOSSY: CopyCodec[] = ['jpeg-baseline'];
const skip = !pydicomAvailable() ? 'pydicom not installed' : viewerSkipReason();

describe('Viewer: priors layout and codecs in Chromium', { skip, timeout: 600_000 }, () => {
  let host: ViewerHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let current = '';
  let prior = '';
  let older = '';
  const codecStudies = new Map<string, string>(); // codec (or 'original') → StudyInstanceUID

  before(async () => {
    const patient = { patientName: 'COMPARE^CARL', patientId: 'VIEW-CMP', rows: 128, cols: 128 };
    const cur = await generateCtSeries({ ...patient, count: 40, sliceThickness: 1.25, studyDate: '20250601', studyDescription: 'CT CHEST NOW', seed: 3 });
    const pri = await generateCtSeries({ ...patient, count: 20, sliceThickness: 2.5, studyDate: '20230601', studyDescription: 'CT CHEST PRIOR', seed: 4 });
    const old = await generateCtSeries({ ...patient, count: 4, sliceThickness: 5, studyDate: '20190601', studyDescription: 'CT CHEST OLD', seed: 5 });
    current = cur.StudyInstanceUID;
    prior = pri.StudyInstanceUID;
    older = old.StudyInstanceUID;
    const base = await generateCtSeries({
      patientName: 'CODEC^CORA',
      patientId: 'VIEW-CODEC',
      rows: 128,
      cols: 128,
      count: 5,
      studyDescription: 'CT CODECS',
      seed: 6,
    });
    const copies = await compressedCopies(base.dir, [...LOSSLESS, ...LOSSY]);
    const files = [...cur.files, ...pri.files, ...old.files];
    // each copy its own patient and study, so none becomes another's prior
    for (const [codec, dir] of [['original', base.files] as const, ...Object.entries(copies).map(([c, copy]) => [c, copy.files] as const)]) {
      const own = await asOwnStudy([...dir], `viewer-codec-${codec}`, { PatientID: `VIEW-CODEC-${codec}`, SeriesDescription: codec });
      files.push(...own);
    }
    host = await startViewerHost(files);
    for (const s of host.cache.studies()) {
      const m = /^VIEW-CODEC-(.+)$/.exec(s.PatientID ?? '');
      if (m) codecStudies.set(m[1]!, s.StudyInstanceUID);
    }
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await gotoViewer(page, host.web.url);
  });
  after(async () => {
    await browser?.close();
    await host?.close();
  });

  test('the current study opens beside the newest earlier one; thumbnails; the picker lists every other study newest first', async () => {
    await openStudy(page, current);
    await waitPaneReady(page, current, 'Current study');
    await waitPaneReady(page, prior, 'Prior study');
    const options = await page.getByRole('combobox', { name: 'Prior study' }).locator('option').allTextContents();
    assert.deepEqual(
      options.map((o) => o.replace(/\s+/g, ' ').trim()),
      ['None', '2023-06-01 CT CHEST PRIOR (CT)', '2019-06-01 CT CHEST OLD (CT)'],
    );
    const cur = await paneState(page, current, 'Current study');
    const pri = await paneState(page, prior, 'Prior study');
    assert.equal(cur?.shown, 40);
    assert.match(cur?.overlay ?? '', /COMPARE CARL · 2025-06-01 · /, 'the overlay names the patient and the study date');
    assert.equal(pri?.shown, 20);
    // a thumbnail per series, rendered (an <img> once drawn)
    await page.locator(`[data-study="${current}"] .viewer-series img`).first().waitFor({ timeout: 30_000 });
    await page.locator(`[data-study="${prior}"] .viewer-series img`).first().waitFor({ timeout: 30_000 });
    assert.match(await page.getByRole('toolbar', { name: 'Comparison' }).innerText(), /Link scrolling\s+by table position \(both axial\)/);
    // what is open is held against eviction: the open study and every study of its patient
    for (let i = 0; i < 50 && host.cache.stats().pinnedStudies !== 3; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(host.cache.stats().pinnedStudies, 3, 'the three studies of the open patient are pinned');
  });

  test('scrolling the current study moves the prior by the same distance (slice position, other spacing)', async () => {
    const before = { cur: (await paneState(page, current, 'Current study'))!, pri: (await paneState(page, prior, 'Prior study'))! };
    assert.ok(before.cur.position !== undefined && before.pri.position !== undefined, `positions shown: ${before.cur.overlay} | ${before.pri.overlay}`);
    await page.getByRole('group', { name: 'Current study' }).getByLabel('Current study image').focus();
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
    await page.waitForFunction(
      ([sel, start]) => {
        const document = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document;
        return Number(document.querySelector(sel)?.getAttribute('data-index') ?? 0) === start + 8;
      },
      [`[data-study="${current}"] [aria-label="Current study"]`, before.cur.index] as const,
      { timeout: 20_000 },
    );
    await page.waitForFunction(
      ([sel, start]) => {
        const document = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document;
        return Number(document.querySelector(sel)?.getAttribute('data-index') ?? 0) !== start;
      },
      [`[data-study="${prior}"] [aria-label="Prior study"]`, before.pri.index] as const,
      { timeout: 20_000 },
    );
    const after = { cur: (await paneState(page, current, 'Current study'))!, pri: (await paneState(page, prior, 'Prior study'))! };
    const moved = after.cur.position! - before.cur.position!;
    assert.equal(Math.abs(moved), 10, `8 slices of 1.25 mm: ${before.cur.overlay} → ${after.cur.overlay}`);
    assert.equal(Math.abs(after.pri.index - before.pri.index), 4, `10 mm is 4 slices of 2.5 mm in the prior: ${before.pri.overlay} → ${after.pri.overlay}`);
    assert.equal(Math.sign(after.pri.position! - before.pri.position!), Math.sign(moved), 'the same direction');
    // unlinked, the prior stays
    await page.getByLabel(/Link scrolling/).uncheck();
    await page.keyboard.press('ArrowUp').catch(() => undefined);
    await page.getByRole('group', { name: 'Current study' }).getByLabel('Current study image').focus();
    await page.keyboard.press('ArrowUp');
    await page.waitForTimeout(500);
    assert.equal((await paneState(page, prior, 'Prior study'))!.index, after.pri.index);
    await page.getByLabel(/Link scrolling/).check();
  });

  test('another prior from the picker replaces the pane', async () => {
    await page.getByRole('combobox', { name: 'Prior study' }).selectOption(older);
    await waitPaneReady(page, older, 'Prior study');
    assert.equal((await paneState(page, older, 'Prior study'))?.shown, 4);
  });

  test('every copy of the CT series renders the pixels of the original (lossless: equal; JPEG baseline: close)', async () => {
    const original = codecStudies.get('original');
    assert.ok(original, 'the original is in the cache');
    const shot = async (uid: string, what: 'keep' | 'compare') => {
      await openStudy(page, uid);
      await waitPaneReady(page, uid, 'Current study');
      await page.getByRole('toolbar', { name: 'Viewer tools' }).getByRole('button', { name: 'Abdomen' }).click();
      await page.waitForFunction(
        (sel) =>
          /WW 400 WL 50/.test(
            (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector(sel)
              ?.textContent ?? '',
          ),
        `[data-study="${uid}"] .viewer-overlay`,
        { timeout: 20_000 },
      );
      await page.waitForTimeout(200);
      return paneCanvasVs(page, uid, 'Current study', what);
    };
    const reference = await shot(original!, 'keep');
    assert.ok(reference.lit > 1000, `the original renders (${reference.lit} lit pixels)`);
    const tried: string[] = [];
    for (const codec of [...LOSSLESS, ...LOSSY]) {
      const uid = codecStudies.get(codec);
      if (!uid) continue; // the tool that makes this copy is missing
      tried.push(codec);
      const img = await shot(uid, 'compare');
      assert.ok(img.sameSize, `${codec}: same canvas size`);
      if (LOSSLESS.includes(codec)) assert.equal(img.max, 0, `${codec} is lossless: every pixel equal (mean ${img.mean.toFixed(3)}, max ${img.max})`);
      else assert.ok(img.mean < 4 && img.mean > 0, `${codec}: mean difference ${img.mean.toFixed(3)} gray levels`);
    }
    process.stdout.write(`# codecs rendered like the original: ${tried.join(', ')}\n`);
    assert.ok(tried.length >= 6, `copies made: ${tried.join(', ')}`);
    assert.deepEqual(errors, []);
  });
});
