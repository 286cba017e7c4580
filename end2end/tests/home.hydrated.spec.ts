import { test, expect } from '@playwright/test';

test('the page hydrates and search updates live, in place', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto('/');
  // Set by an effect that only runs in the WASM client.
  await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.getByTestId('catalog-size')).toContainText('28,356 tracks');

  // A marker on window survives client-side updates but not a full page load.
  await page.evaluate(() => { (window as any).__noReload = true; });

  // The island submits the search form when typing pauses; the page script loads the answer.
  const loaded = page.waitForResponse((r) => new URL(r.url()).searchParams.get('q') === 'queen' && r.status() === 200);
  await page.locator('#q').pressSequentially('queen', { delay: 30 });
  await loaded;
  // Typing goes on in the same box, with the focus where it was.
  await expect(page.locator('#q')).toBeFocused();
  await expect(page.locator('#q')).toHaveValue('queen');
  const hits = page.getByTestId('hits').locator('li');
  await expect(hits.first()).toContainText(/queen/i);
  await expect(page).toHaveURL(/\?q=queen/);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // Clearing the box clears the hits, still without a reload.
  await page.locator('#q').fill('');
  await expect(page.getByTestId('hits')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  expect(errors).toEqual([]);
});

test('the 404 page hydrates keeping its request id', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('404')) errors.push(m.text()); });
  const res = await page.goto('/no/such/page');
  expect(res!.status()).toBe(404);
  const id = res!.headers()['x-request-id'];
  await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.getByTestId('request-id')).toContainText(id);
  expect(errors).toEqual([]);
});
