// Steps of the workstation UI for the e2e tests and the screenshots script, through the
// accessible names and data attributes the renderer gives (see renderer/src/features/**).
import type { Locator, Page } from 'playwright-core';

export const WAIT = { timeout: 60_000 };

/** The little of the DOM the page-side functions use (this file is type-checked without the DOM library). */
export interface El {
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  innerText: string;
  textContent: string | null;
}
export interface Doc {
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  body: El;
}

export async function screen(page: Page, button: string, region: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: button }).click();
  await page.getByRole('region', { name: region, exact: true }).waitFor({ state: 'visible' });
}

export async function addNode(page: Page, n: { name: string; aeTitle: string; port: number; method: 'move' | 'get' }): Promise<void> {
  await screen(page, 'Nodes & settings', 'Nodes and settings');
  await page.getByRole('button', { name: 'Add a node' }).click();
  const form = page.getByRole('form', { name: 'Add node' });
  await form.getByLabel('Name', { exact: true }).fill(n.name);
  await form.getByLabel('AE title', { exact: true }).fill(n.aeTitle);
  await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await form.getByLabel('Port', { exact: true }).fill(String(n.port));
  await form.getByLabel('Retrieve with').selectOption(n.method);
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('row').filter({ hasText: n.name }).first().waitFor(WAIT);
}

/** Presses Test on a node's row and waits for its outcome. */
export async function testNode(page: Page, name: string): Promise<{ outcome: string | null; alert?: { code: string | null; text: string } }> {
  await screen(page, 'Nodes & settings', 'Nodes and settings');
  await page.getByRole('row').filter({ hasText: name }).first().getByRole('button', { name: 'Test' }).click();
  const result = page.locator(`[aria-label="Test of ${name}"]`);
  await result.waitFor(WAIT);
  await page.waitForFunction(
    (n) => {
      const document = (globalThis as unknown as { document: Doc }).document;
      const el = document.querySelector(`[aria-label="Test of ${n}"]`);
      return !!el && el.querySelectorAll('li[data-step]').length > 0 && !document.body.innerText.includes('Testing…');
    },
    name,
    WAIT,
  );
  const outcome = await result.getAttribute('data-outcome');
  const alert = result.getByRole('alert').first();
  if ((await alert.count()) === 0) return { outcome };
  return { outcome, alert: { code: await alert.getAttribute('data-code'), text: (await alert.innerText()).trim() } };
}

export async function search(page: Page, o: { node: string; name?: string; preset?: string }): Promise<number> {
  await screen(page, 'Search', 'Search');
  const form = page.getByRole('form', { name: 'Search criteria' });
  await form.getByLabel('Search in').selectOption(o.node);
  await form.getByLabel('Patient name').fill(o.name ?? '');
  await form.getByText(o.preset ?? 'Any', { exact: true }).click();
  // a date preset re-runs the search shown when nothing else changed; Enter runs any other
  if (!/^Searching/.test(await page.locator('.search-status').innerText())) await form.getByLabel('Patient name').press('Enter');
  await page.waitForFunction(
    () => {
      const document = (globalThis as unknown as { document: Doc }).document;
      return /found\.$|failed/.test(document.querySelector('.search-status')?.textContent ?? '');
    },
    undefined,
    WAIT,
  );
  return page.getByRole('region', { name: 'Search results' }).locator('tbody > tr[data-index]').count();
}

/**
 * Searches several nodes by name: `node` the picker's value ('@all', or '@several' with `tick`
 * the nodes to tick and `untick` those to clear, the form keeping its ticks between searches).
 * Answers with the number of result rows once the search has ended.
 */
export async function searchSeveral(page: Page, o: { node: '@all' | '@several'; tick?: string[]; untick?: string[]; name: string }): Promise<number> {
  await screen(page, 'Search', 'Search');
  const form = page.getByRole('form', { name: 'Search criteria' });
  await form.getByLabel('Search in').selectOption(o.node);
  for (const n of o.tick ?? []) await form.getByRole('group', { name: 'Nodes to search' }).getByLabel(n, { exact: true }).check();
  for (const n of o.untick ?? []) await form.getByRole('group', { name: 'Nodes to search' }).getByLabel(n, { exact: true }).uncheck();
  await form.getByLabel('Patient name').fill(o.name);
  await form.getByText('Any', { exact: true }).click();
  await form.getByLabel('Patient name').press('Enter');
  await page.waitForFunction(
    () => {
      const document = (globalThis as unknown as { document: Doc }).document;
      return /found\.$|failed/.test(document.querySelector('.search-status')?.textContent ?? '');
    },
    undefined,
    WAIT,
  );
  return page.getByRole('region', { name: 'Search results' }).locator('tbody > tr[data-index]').count();
}

/** Selects the result row holding `text` and presses R; answers when the job is listed. */
export async function retrieveRow(page: Page, text: string): Promise<void> {
  const row = page.getByRole('region', { name: 'Search results' }).locator('tbody > tr[data-index]').filter({ hasText: text });
  await row.click();
  await page.keyboard.press('r');
}

export async function jobState(page: Page, label: string, wanted: RegExp): Promise<string> {
  await screen(page, 'Transfers', 'Transfers');
  const job = page.locator('li.job').filter({ hasText: label }).first();
  await job.waitFor(WAIT);
  await page.waitForFunction(
    ([l, w]) => {
      const document = (globalThis as unknown as { document: Doc }).document;
      const el = Array.from(document.querySelectorAll('li.job')).find((j) => j.innerText.includes(l));
      return !!el && new RegExp(w).test(el.getAttribute('data-state') ?? '');
    },
    [label, wanted.source] as const,
    { timeout: 120_000 },
  );
  return (await job.getAttribute('data-state')) ?? '';
}

/** The Prefetch screen's region. */
export async function prefetchScreen(page: Page): Promise<Locator> {
  await screen(page, 'Prefetch', 'Prefetch');
  return page.getByRole('region', { name: 'Prefetch', exact: true });
}

/** What the rule editor is given (text as typed; absent fields are left as the form has them). */
export interface RuleEdit {
  name?: string;
  relevant?: 'Same modality' | 'Any modality' | 'These modalities';
  sameBodyPart?: boolean;
  maxStudies?: string;
  years?: string;
  minGapDays?: string;
  forModalities?: string;
}

/** Fills the rule editor (the form "Add rule" or "Edit rule <name>"). */
export async function fillRule(form: Locator, r: RuleEdit): Promise<void> {
  if (r.name !== undefined) await form.getByLabel('Name', { exact: true }).fill(r.name);
  if (r.forModalities !== undefined) await form.getByLabel('Applies to current studies of').fill(r.forModalities);
  if (r.relevant) await form.getByLabel(r.relevant, { exact: true }).check();
  if (r.sameBodyPart !== undefined) await form.getByLabel('Same body part').setChecked(r.sameBodyPart);
  if (r.maxStudies !== undefined) await form.getByLabel('At most (newest studies)').fill(r.maxStudies);
  if (r.years !== undefined) await form.getByLabel('Within (years)').fill(r.years);
  if (r.minGapDays !== undefined) await form.getByLabel('Minimum gap (days)').fill(r.minGapDays);
}

/** Adds a prefetch rule on the Prefetch screen; answers its row once listed. */
export async function addRule(page: Page, r: RuleEdit & { name: string }): Promise<Locator> {
  const rules = (await prefetchScreen(page)).getByRole('region', { name: 'Prefetch rules' });
  await rules.getByRole('button', { name: 'Add a rule' }).click();
  const form = rules.getByRole('form', { name: 'Add rule' });
  await fillRule(form, r);
  await form.getByRole('button', { name: 'Save rule' }).click();
  await form.waitFor({ state: 'detached', ...WAIT });
  return rules.locator(`tr[data-rule="${r.name}"]`);
}

/** Runs prefetch by hand from the Prefetch screen; answers the run as shown under the form once it has an id. */
export async function runPrefetch(page: Page, o: { patientId: string; dryRun: boolean }): Promise<Locator> {
  const panel = (await prefetchScreen(page)).getByRole('region', { name: 'Prefetch for a patient' });
  const shown = panel.locator('li[data-run-id]');
  const before = (await shown.count()) ? await shown.getAttribute('data-run-id') : null;
  await panel.getByLabel('Patient ID').fill(o.patientId);
  await panel.getByLabel(/Dry run/).setChecked(o.dryRun);
  await panel.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForFunction(
    (previous) => {
      const document = (globalThis as unknown as { document: Doc }).document;
      const id = document.querySelector('[aria-label="Result of the run"] li[data-run-id]')?.getAttribute('data-run-id');
      return !!id && id !== previous;
    },
    before,
    WAIT,
  );
  return panel.locator('li[data-run-id]');
}

/** Waits until an element's attribute matches (a run's data-state, a job's). */
export async function waitAttribute(page: Page, selector: string, name: string, wanted: RegExp, timeout = 120_000): Promise<string> {
  await page.waitForFunction(
    ([s, n, w]) => {
      const document = (globalThis as unknown as { document: Doc }).document;
      return new RegExp(w).test(document.querySelector(s)?.getAttribute(n) ?? '');
    },
    [selector, name, wanted.source] as const,
    { timeout },
  );
  return (await page.locator(selector).first().getAttribute(name)) ?? '';
}
