/**
 * `npm run screenshots`: regenerates docs/screenshots/*.png (1280×800, Debian's Chromium) from
 * a real session: Orthanc loaded by test/helpers/e2e-pacs.ts as the PACS, `priors serve --ui`
 * as the workstation, each screen driven into a meaningful state through the same UI steps as
 * the e2e tests (Prefetch: a completed run for DOE^JANE, expanded; Search then shows its badge).
 * Names after `--` write only those (`npm run screenshots -- prefetch search`); the session is
 * driven the same, so each screen is in the state it has in the full run.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, openUi } from '../test/helpers/browser.js';
import { generateCtSeries } from '../test/helpers/data.js';
import { startE2ePacs } from '../test/helpers/e2e-pacs.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { startFederation } from '../test/helpers/federation.js';
import { addNode, jobState, retrieveRow, runPrefetch, screen, search, searchSeveral, testNode, waitAttribute } from '../test/helpers/ui-steps.js';
import { openStudy, startViewerHost, waitPaneReady } from '../test/helpers/viewer-host.js';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const ONLY = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const wanted = (name: string): boolean => ONLY.length === 0 || ONLY.includes(name);
/** The reading room's screen, as the e2e tests drive it. */
const VIEWPORT = { width: 1280, height: 800 };

/** The shots of the workflow session against Orthanc (each screen in the state the run leaves it). */
const WORKFLOW_SHOTS = ['nodes-and-settings', 'prefetch', 'search', 'transfers', 'local-cache', 'activity', 'audit'];

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const browser = await launchChromium();
  try {
    if (WORKFLOW_SHOTS.some(wanted)) await workflowShots(browser);
    if (wanted('viewer') || wanted('viewer-priors')) await viewerShots(browser);
    if (wanted('search-nodes')) await searchNodesShot(browser);
  } finally {
    await browser.close();
  }
}

/** The workflow: a node added and tested, a search, retrieves, a prefetch run, then each screen. */
async function workflowShots(browser: Browser): Promise<void> {
  const data = tempDirManual('priors-screenshots');
  const port = await freePort();
  const pacs = await startE2ePacs({ priorsAeTitle: 'PRIORS', priorsPort: port });
  const ui = await openUi({ aeTitle: 'PRIORS', dataDir: data.dir, port, autoStop: false, viewport: VIEWPORT }, browser);
  const { page } = ui;
  const shot = async (name: string) => {
    if (!wanted(name)) return;
    await page.waitForTimeout(300); // let the last event's render settle (screenshots only, not a test)
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    console.log(`docs/screenshots/${name}.png`);
  };
  try {
    await addNode(page, { name: 'pacs', aeTitle: pacs.orthanc.aeTitle, port: pacs.orthanc.port, method: 'move' });
    await testNode(page, 'pacs');
    await shot('nodes-and-settings');
    await page.reload();
    await search(page, { node: 'pacs', name: 'DOE*', preset: 'Today' });
    await retrieveRow(page, 'CT CHEST TODAY');
    await jobState(page, 'DOE', /^(completed|incomplete|failed)$/);
    // prefetch for the patient by hand: yesterday's study is fetched, 2019's is too old for the shipped rule
    await runPrefetch(page, { patientId: 'E2E-DOE', dryRun: false });
    await waitAttribute(page, '[aria-label="Result of the run"] li[data-run-id]', 'data-state', /^(completed|incomplete|failed|stopped)$/);
    await shot('prefetch');
    await search(page, { node: 'pacs', name: '*' });
    const results = page.getByRole('region', { name: 'Search results' });
    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT CHEST 2019' }).click();
    await page.keyboard.press(' ');
    await results.getByText('AXIAL').first().waitFor({ timeout: 30_000 });
    await shot('search');
    await search(page, { node: 'pacs', name: 'BIG*' });
    await retrieveRow(page, 'CT BIG');
    await screen(page, 'Transfers', 'Transfers');
    await page
      .locator('li.job[data-state="running"]')
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => undefined);
    await shot('transfers');
    await jobState(page, 'BIG', /^(completed|incomplete|failed|cancelled)$/);
    await screen(page, 'Local cache', 'Local cache');
    await shot('local-cache');
    await screen(page, 'Activity', 'Activity');
    await shot('activity');
    await screen(page, 'Audit', 'Audit');
    await page
      .getByRole('region', { name: 'Audit', exact: true })
      .locator('tr[data-what="store"]')
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => undefined);
    await shot('audit');
  } finally {
    await ui.close();
    await pacs.orthanc.stop();
    data.remove();
  }
}

/**
 * Search across archives: Orthanc A (its issuer set on the node), dcmqrscp B, Orthanc C over DIMSE
 * and over DICOMweb, and a node that is down (test/helpers/federation.ts), one patient's studies
 * in one list with the nodes that hold each, the patients grouped and a namesake flagged.
 */
async function searchNodesShot(browser: Browser): Promise<void> {
  const port = await freePort();
  const fed = await startFederation({ priors: { aeTitle: 'PRIORS', port }, dicomweb: true });
  const data = tempDirManual('priors-screenshots-fed');
  const ui = await openUi(
    {
      aeTitle: 'PRIORS',
      dataDir: data.dir,
      port,
      autoStop: false,
      viewport: VIEWPORT,
      nodes: [
        { name: 'pacs', address: `ARCHIVE_A@127.0.0.1:${fed.a.port}`, extraArgs: ['--issuer', 'HOSP_A'] },
        { name: 'legacy', address: `ARCHIVE_B@127.0.0.1:${fed.b.port}` },
        { name: 'vna', address: `ARCHIVE_C@127.0.0.1:${fed.c.port}` },
        { name: 'cloud', address: fed.c.dicomwebUrl, extraArgs: ['--dicomweb'] },
        { name: 'old-ris', address: `OLD_RIS@127.0.0.1:${await freePort()}` },
      ],
    },
    browser,
  );
  try {
    await searchSeveral(ui.page, { node: '@all', name: 'FED^AL*' });
    await ui.page.waitForTimeout(300); // let the last event's render settle (screenshots only, not a test)
    await ui.page.screenshot({ path: join(OUT, 'search-nodes.png') });
    console.log('docs/screenshots/search-nodes.png');
  } finally {
    await ui.close();
    await fed.stop();
    data.remove();
  }
}

/** The viewer: one study, then current beside prior with linked scrolling (a generated CT phantom of one patient). */
async function viewerShots(browser: Browser): Promise<void> {
  const patient = { patientName: 'PRIOR^PAULA', patientId: 'SHOT-1', rows: 256, cols: 256 };
  const now = await generateCtSeries({ ...patient, count: 60, sliceThickness: 2.5, studyDate: '20251103', studyDescription: 'CT CHEST W/O', seed: 11 });
  const before = await generateCtSeries({ ...patient, count: 40, sliceThickness: 5, studyDate: '20240212', studyDescription: 'CT CHEST W/O', seed: 12 });
  const host = await startViewerHost([...now.files, ...before.files]);
  const page = await browser.newPage({ viewport: VIEWPORT });
  try {
    await page.goto(host.web.url);
    await openStudy(page, now.StudyInstanceUID);
    await waitPaneReady(page, now.StudyInstanceUID, 'Current study');
    await waitPaneReady(page, before.StudyInstanceUID, 'Prior study');
    await page.locator(`[data-study="${now.StudyInstanceUID}"] .viewer-series img`).first().waitFor({ timeout: 30_000 });
    await page.getByRole('group', { name: 'Current study' }).getByLabel('Current study image').focus();
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(500);
    if (wanted('viewer-priors')) {
      await page.screenshot({ path: join(OUT, 'viewer-priors.png') });
      console.log('docs/screenshots/viewer-priors.png');
    }
    await page.getByRole('combobox', { name: 'Prior study' }).selectOption('');
    await page.getByRole('toolbar', { name: 'Viewer tools' }).getByRole('button', { name: 'Lung' }).click();
    await page.waitForTimeout(800);
    if (wanted('viewer')) {
      await page.screenshot({ path: join(OUT, 'viewer.png') });
      console.log('docs/screenshots/viewer.png');
    }
  } finally {
    await page.close();
    await host.close();
  }
}

main().catch((err: unknown) => {
  console.error(`screenshots: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
