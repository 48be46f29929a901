/**
 * `npm run screenshots`: regenerates docs/screenshots/*.png (1280×720, Debian's Chromium) from
 * a real session: Orthanc loaded by test/helpers/e2e-pacs.ts as the PACS, `priors serve --ui`
 * as the workstation, each screen driven into a meaningful state through the same UI steps as
 * the e2e tests.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openUi } from '../test/helpers/browser.js';
import { startE2ePacs } from '../test/helpers/e2e-pacs.js';
import { freePort } from '../test/helpers/ports.js';
import { tempDirManual } from '../test/helpers/tmp.js';
import { addNode, jobState, retrieveRow, screen, search, testNode } from '../test/helpers/ui-steps.js';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const data = tempDirManual('priors-screenshots');
  const port = await freePort();
  const pacs = await startE2ePacs({ priorsAeTitle: 'PRIORS', priorsPort: port });
  const browser = await launchChromium();
  const ui = await openUi({ aeTitle: 'PRIORS', dataDir: data.dir, port, autoStop: false }, browser);
  const { page } = ui;
  const shot = async (name: string) => {
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
    await search(page, { node: 'pacs', name: '*' });
    const results = page.getByRole('region', { name: 'Search results' });
    await results.locator('tbody > tr[data-index]').filter({ hasText: 'CT CHEST 2019' }).click();
    await page.keyboard.press(' ');
    await results.getByText('AXIAL').first().waitFor({ timeout: 30_000 });
    await shot('search');
    await search(page, { node: 'pacs', name: 'BIG*' });
    await retrieveRow(page, 'CT BIG');
    await screen(page, 'Transfers', 'Transfers');
    await page.locator('li.job[data-state="running"]').first().waitFor({ timeout: 30_000 }).catch(() => undefined);
    await shot('transfers');
    await jobState(page, 'BIG', /^(completed|incomplete|failed|cancelled)$/);
    await screen(page, 'Local cache', 'Local cache');
    await shot('local-cache');
    await screen(page, 'Activity', 'Activity');
    await shot('activity');
    await screen(page, 'Local cache', 'Local cache');
    const open = page.locator('tr[data-study]').first().getByRole('button', { name: 'Open' });
    if (await open.count()) {
      await open.click();
      await page.getByRole('region', { name: 'Viewer', exact: true }).waitFor({ timeout: 30_000 }).catch(() => undefined);
      await page.waitForTimeout(3000);
      await shot('viewer');
    }
  } finally {
    await ui.close();
    await browser.close();
    await pacs.orthanc.stop();
    data.remove();
  }
}

main().catch((err: unknown) => {
  console.error(`screenshots: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
});
