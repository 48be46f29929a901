// The prior pane's series in real Chromium: of a prior holding a larger thin coronal series and
// a smaller axial 5 mm one, the pane shows the axial one beside an axial 5 mm current series
// (not the largest), says which and why, and keeps the series the radiologist picks instead.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { asOwnStudy, generateCtSeries } from '../helpers/data.js';
import { pydicomAvailable } from '../helpers/pydicom.js';
import { gotoViewer, openStudy, paneState, startViewerHost, viewerSkipReason, waitPaneReady, type ViewerHost } from '../helpers/viewer-host.js';

const skip = !pydicomAvailable() ? 'pydicom not installed' : viewerSkipReason();

describe('Viewer: the prior series that matches the current one', { skip, timeout: 300_000 }, () => {
  let host: ViewerHost;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let current = '';
  let prior = '';

  before(async () => {
    const patient = { patientName: 'MATCH^MIA', patientId: 'VIEW-MATCH', rows: 64, cols: 64, bodyPart: 'CHEST' };
    const cur = await generateCtSeries({
      ...patient,
      count: 12,
      sliceThickness: 5,
      studyDate: '20250601',
      studyDescription: 'CT CHEST NOW',
      seriesDescription: 'CHEST AXIAL 5mm',
      seed: 31,
    });
    const ax = await generateCtSeries({
      ...patient,
      count: 10,
      sliceThickness: 5,
      studyDate: '20230601',
      studyDescription: 'CT CHEST PRIOR',
      seriesDescription: 'Chest axial 5mm',
      seriesNumber: 2,
      seed: 32,
    });
    const thin = await generateCtSeries({
      ...patient,
      count: 30,
      sliceThickness: 1,
      studyDate: '20230601',
      studyDescription: 'CT CHEST PRIOR',
      seriesDescription: 'CHEST COR 1mm',
      seriesNumber: 3,
      seed: 33,
      studyInstanceUid: ax.StudyInstanceUID,
    });
    // the thin series made coronal, in the prior's study
    const cor = await asOwnStudy(thin.files, 'viewer-match-coronal', { StudyInstanceUID: ax.StudyInstanceUID, ImageOrientationPatient: '1\\0\\0\\0\\0\\-1' });
    current = cur.StudyInstanceUID;
    prior = ax.StudyInstanceUID;
    host = await startViewerHost([...cur.files, ...ax.files, ...cor]);
    assert.equal(host.cache.series(prior).length, 2, 'the prior holds two series');
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

  const pressed = (study: string) => page.locator(`[data-study="${study}"] .viewer-series button[aria-pressed="true"]`).getAttribute('title');

  test('the prior opens on its axial 5 mm series, smaller than its coronal one, and says why', async () => {
    await openStudy(page, current);
    await waitPaneReady(page, current, 'Current study');
    await waitPaneReady(page, prior, 'Prior study');
    assert.equal((await paneState(page, prior, 'Prior study'))?.shown, 10, 'the 10-image axial series, not the 30-image coronal one');
    assert.match((await pressed(prior)) ?? '', /Chest axial 5mm/);
    const why = await page.getByLabel('Prior series choice').innerText();
    assert.match(
      why,
      /^Series 2 Chest axial 5mm: Matches the current series: same modality \(CT\), same body part \(CHEST\), axial like the current, description shares "CHEST", "AXIAL", "5MM", 5 mm slices like the current\.$/,
    );
    assert.deepEqual(errors, []);
  });

  test('a series picked for the prior is shown and kept, said as chosen', async () => {
    await page.locator(`[data-study="${prior}"] .viewer-series button`).filter({ hasText: 'CHEST COR 1mm' }).click();
    await page.waitForFunction(
      (sel) =>
        (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document
          .querySelector(sel)
          ?.getAttribute('data-total') === '30',
      `[data-study="${prior}"] [aria-label="Prior study"]`,
      { timeout: 30_000 },
    );
    await waitPaneReady(page, prior, 'Prior study');
    assert.match(await page.getByLabel('Prior series choice').innerText(), /^Series 3 CHEST COR 1mm: chosen by you\.$/);
    assert.deepEqual(errors, []);
  });
});
