import { test, expect } from '@playwright/test';

test('the server renders the catalog size into the HTML', async ({ request }) => {
  const res = await request.get('/');
  expect(res.status()).toBe(200);
  const html = await res.text();
  // In the document itself, before any script could run.
  expect(html).toMatch(/data-testid="catalog-size"[^>]*>28,356 tracks by [\d,]+ artists from 471 playlists/);
  // The bundle and stylesheet under names that carry their content's hash.
  expect(html).toMatch(/\/pkg\/frontend-[0-9a-f]{8,16}\.js/);
  expect(html).toMatch(/\/pkg\/main-[0-9a-f]{8,16}\.css/);
});

test('search works as a plain form without JavaScript', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('catalog-size')).toContainText('28,356 tracks');
  await page.fill('#q', 'ed sheeran');
  await page.click('form[role=search] button[type=submit]');
  await expect(page).toHaveURL(/\?q=ed\+sheeran/);
  const hits = page.getByTestId('hits').locator('li');
  await expect(hits.first()).toContainText('Ed Sheeran');
  expect(await hits.count()).toBeGreaterThan(3);
});

test('a search with no match says so', async ({ page }) => {
  await page.goto('/?q=zzqqxxnotatrack');
  await expect(page.getByTestId('no-hits')).toContainText('Nothing matches');
});

test('unknown pages answer 404, naming the request id of the x-request-id header', async ({ request }) => {
  const res = await request.get('/no/such/page');
  expect(res.status()).toBe(404);
  const text = await res.text();
  expect(text).toContain('Page not found');
  const id = res.headers()['x-request-id'];
  expect(id).toBeTruthy();
  expect(text).toContain('Request id');
  expect(text).toContain(id);
});
