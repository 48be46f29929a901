// Steps of the workstation UI for the e2e tests and the screenshots script, through the
// accessible names and data attributes the renderer gives (see renderer/src/features/**).
import type { Page } from 'playwright-core';

export const WAIT = { timeout: 60_000 };

/** The little of the DOM the page-side functions use (this file is type-checked without the DOM library). */
export interface El { getAttribute(name: string): string | null; querySelector(selector: string): El | null; querySelectorAll(selector: string): ArrayLike<El>; innerText: string; textContent: string | null }
export interface Doc { querySelector(selector: string): El | null; querySelectorAll(selector: string): ArrayLike<El>; body: El }

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
  await page.waitForFunction((n) => {
    const document = (globalThis as unknown as { document: Doc }).document;
    const el = document.querySelector(`[aria-label="Test of ${n}"]`);
    return !!el && el.querySelectorAll('li[data-step]').length > 0 && !document.body.innerText.includes('Testing…');
  }, name, WAIT);
  const outcome = await result.getAttribute('data-outcome');
  const alert = result.getByRole('alert').first();
  if (await alert.count() === 0) return { outcome };
  return { outcome, alert: { code: await alert.getAttribute('data-code'), text: (await alert.innerText()).trim() } };
}

export async function search(page: Page, o: { node: string; name?: string; preset?: string }): Promise<number> {
  await screen(page, 'Search', 'Search');
  const form = page.getByRole('form', { name: 'Search criteria' });
  await form.getByLabel('Search in').selectOption(o.node);
  await form.getByLabel('Patient name').fill(o.name ?? '');
  await form.getByText(o.preset ?? 'Any', { exact: true }).click();
  await form.getByLabel('Patient name').press('Enter');
  await page.waitForFunction(() => {
    const document = (globalThis as unknown as { document: Doc }).document;
    return /found\.$|failed/.test(document.querySelector('.search-status')?.textContent ?? '');
  }, undefined, WAIT);
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
  await page.waitForFunction(([l, w]) => {
    const document = (globalThis as unknown as { document: Doc }).document;
    const el = Array.from(document.querySelectorAll('li.job')).find((j) => j.innerText.includes(l));
    return !!el && new RegExp(w).test(el.getAttribute('data-state') ?? '');
  }, [label, wanted.source] as const, { timeout: 120_000 });
  return (await job.getAttribute('data-state')) ?? '';
}

