// A study opened while it is still arriving, in real Chromium: the viewer shows the slices the
// cache holds, grows its stack as DCMTK storescu sends the rest into the host's own SCP in three
// bursts, and ends with every slice of the series loaded and shown. Then a prior of the patient
// arrives while the study is open (as a prefetch brings it): it shows itself beside the study.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateCtSeries, type GeneratedSeries } from '../helpers/data.js';
import { storescu } from '../helpers/dcmtk-scu.js';
import { pydicomAvailable } from '../helpers/pydicom.js';
import { gotoViewer, openStudy, paneState, startViewerHost, viewerSkipReason, waitFirstImage, waitPaneReady, type ViewerHost } from '../helpers/viewer-host.js';
import type { Doc } from '../helpers/ui-steps.js';

const skip = !pydicomAvailable() ? 'pydicom not installed' : viewerSkipReason();
const COUNT = 40;
const PRIOR_COUNT = 24;

describe('Viewer: a study still arriving', { skip, timeout: 300_000 }, () => {
  let host: ViewerHost;
  let browser: Browser;
  let page: Page;
  let series: GeneratedSeries;
  let prior: GeneratedSeries;
  const errors: string[] = [];

  before(async () => {
    const patient = { patientName: 'ARRIVING^ADA', patientId: 'VIEW-ARRIVE', rows: 64, cols: 64 };
    series = await generateCtSeries({ ...patient, count: COUNT, seed: 41, studyDate: '20261201', accession: 'ARR-NOW' });
    prior = await generateCtSeries({ ...patient, count: PRIOR_COUNT, seed: 42, studyDate: '20250601', accession: 'ARR-PRIOR' });
    // four slices spread over the series are in the cache when the study is opened
    const first = series.files.filter((_, i) => i % 10 === 5);
    host = await startViewerHost(first);
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
  test('a prior that arrives while the study is open shows itself beside it and ends whole', async () => {
    const pane = `[data-study="${prior.StudyInstanceUID}"] [aria-label="Prior study"]`;
    assert.equal(await page.locator(pane).count(), 0, 'no prior before one arrives');
    const before = await paneState(page, series.StudyInstanceUID, 'Current study');
    const r = await storescu(host.scp, prior.files.slice(0, 8), { callingAeTitle: 'PACS' });
    assert.equal(r.code, 0, r.stderr);
    await waitFirstImage(page, prior.StudyInstanceUID, 'Prior study');
    const rest = await storescu(host.scp, prior.files.slice(8), { callingAeTitle: 'PACS' });
    assert.equal(rest.code, 0, rest.stderr);
    await page.waitForFunction(
      ([sel, n]) => Number((globalThis as unknown as { document: Doc }).document.querySelector(sel as string)?.getAttribute('data-total') ?? 0) === n,
      [pane, PRIOR_COUNT] as const,
      { timeout: 60_000 },
    );
    await waitPaneReady(page, prior.StudyInstanceUID, 'Prior study');
    const end = await paneState(page, prior.StudyInstanceUID, 'Prior study');
    assert.equal(end?.shown, PRIOR_COUNT, JSON.stringify(end));
    assert.equal(await page.getByRole('combobox', { name: 'Prior study' }).inputValue(), prior.StudyInstanceUID);
    // the radiologist's place in the current study stays where it was: the prior follows it, not the reverse
    const after = await paneState(page, series.StudyInstanceUID, 'Current study');
    assert.equal(after?.position, before?.position, `current before: ${before?.overlay} · after: ${after?.overlay}`);
    assert.deepEqual(errors, []);
  });
});
