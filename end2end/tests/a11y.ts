import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { catalogURL } from './helpers';

/** The serious and critical axe-core violations of the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

async function ready(page: Page, hydrated: boolean) {
  if (hydrated) await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
}

/**
 * axe-core on the home page (with Spotify configured and without), the picker (search hits
 * and seeds) and a playlist page: no serious or critical violation.
 */
export async function checkPages(page: Page, baseURL: string, hydrated: boolean) {
  await page.goto(baseURL + '/');
  await ready(page, hydrated);
  expect(await seriousViolations(page), 'home (Spotify configured)').toEqual([]);

  await page.goto(catalogURL + '/');
  await ready(page, hydrated);
  expect(await seriousViolations(page), 'home (catalog only)').toEqual([]);

  await page.goto(catalogURL + '/?q=queen');
  await ready(page, hydrated);
  const add = page.getByTestId('hits').getByTestId('add-seed');
  for (let i = 0; i < 3; i++) {
    await add.nth(i).click();
    await expect(page.getByTestId('seed-chip')).toHaveCount(i + 1);
  }
  expect(await seriousViolations(page), 'picker').toEqual([]);

  await page.getByTestId('generate').click();
  await expect(page).toHaveURL(/\/playlist$/);
  await expect(page.getByTestId('entry').first()).toBeVisible();
  await ready(page, hydrated);
  expect(await seriousViolations(page), 'playlist').toEqual([]);
}
