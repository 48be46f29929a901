// A study opened while it is still arriving, in real Chromium: the viewer shows the slices the
// cache holds, grows its stack as DCMTK storescu sends the rest into the host's own SCP in three
// bursts, and ends with every slice of the series loaded and shown.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { storescu } from '../helpers/dcmtk-scu.js';
import { pydicomAvailable } from '../helpers/pydicom.js';
import { openStudy, paneState, startViewerHost, viewerSkipReason, waitFirstImage, waitPaneReady, type ViewerHost } from '../helpers/viewer-host.js';
import type { Doc } from '../helpers/ui-steps.js';

const skip = !pydicomAvailable() ? 'pydicom not installed' : viewerSkipReason();
const COUNT = 40;

describe('Viewer: a study still arriving', { skip, timeout: 300_000 }, () => {
  let host: ViewerHost;
  let browser: Browser;
  let page: Page;
  let series: GeneratedSeries;
  const errors: string[] = [];

  before(async () => {
    series = await generateCtSeries({ patientName: 'ARRIVING^ADA', patientId: 'VIEW-ARRIVE', count: COUNT, rows: 64, cols: 64, seed: 41 });
    // four slices spread over the series are in the cache when the study is opened
    const first = series.files.filter((_, i) => i % 10 === 5);
    host = await startViewerHost(first);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.web.url);
  });
  after(async () => {
    await browser?.close();
    await host?.close();
  });

  test('the stack grows with each burst that arrives and ends with every slice loaded and shown', async () => {
    const study = series.StudyInstanceUID;
    await openStudy(page, study);
    await waitFirstImage(page, study, 'Current study');
    const opened = await paneState(page, study, 'Current study');
    assert.equal(opened?.total, 4, `the four cached slices: ${JSON.stringify(opened)}`);

    const rest = series.files.filter((_, i) => i % 10 !== 5);
    const bursts = [rest.slice(0, 12), rest.slice(12, 24), rest.slice(24)];
    let expected = 4;
    for (const burst of bursts) {
      const r = await storescu(host.scp, burst, { callingAeTitle: 'MODALITY' });
      assert.equal(r.code, 0, r.stderr);
      expected += burst.length;
      await page.waitForFunction(
        ([sel, n]) => Number((globalThis as unknown as { document: Doc }).document.querySelector(sel as string)?.getAttribute('data-total') ?? 0) === n,
        [`[data-study="${study}"] [aria-label="Current study"]`, expected] as const,
        { timeout: 60_000 },
      );
    }
    await waitPaneReady(page, study, 'Current study');
    const end = await paneState(page, study, 'Current study');
    assert.equal(end?.total, COUNT);
    assert.equal(end?.loaded, COUNT, JSON.stringify(end));
    assert.equal(end?.shown, COUNT, JSON.stringify(end));
    assert.deepEqual(errors, []);
  });
});
