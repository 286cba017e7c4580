import { test, expect } from '@playwright/test';
import { catalogURL, expectM3u8, expectPlaylist, seedCount, seedIds, playlistIds, expectNoSecrets } from './helpers';

// The catalog-only mode: no Spotify client id/secret configured on this server.
test.use({ baseURL: catalogURL });

test('without Spotify, the catalog flow works as plain forms: pick, generate, re-generate, export', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('spotify-off')).toContainText('Spotify is not configured');
  await expect(page.getByTestId('sign-in')).toHaveCount(0);
  await expect(page.getByTestId('no-seeds')).toBeVisible();

  // Search (GET form) and add three hits (POST forms to server functions, redirected back).
  await page.fill('#q', 'queen');
  await page.click('form[role=search] button[type=submit]');
  await expect(page).toHaveURL(/\?q=queen/);
  const add = page.getByTestId('hits').getByTestId('add-seed');
  for (let i = 0; i < 3; i++) {
    await add.nth(i).click();
    await expect(page.getByTestId('seed-chip')).toHaveCount(i + 1);
    // The page came back to the same search.
    await expect(page).toHaveURL(/\?q=queen/);
  }
  expect(await seedCount(page)).toBe(3);
  await expect(add.nth(0)).toHaveText('Added');

  // Remove one chip; the seeds survive a fresh page load (they live in the session).
  const removed = (await seedIds(page))[1];
  await page.getByTestId('seed-chip').nth(1).getByRole('button').click();
  await expect(page.getByTestId('seed-chip')).toHaveCount(2);
  await page.goto('/');
  const seeds = await seedIds(page);
  expect(seeds).toHaveLength(2);
  expect(seeds).not.toContain(removed);

  // Paging of the search.
  await page.goto('/?q=love');
  await page.getByTestId('next-page').click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByTestId('hits').locator('li')).toHaveCount(20);

  // A bad option is refused with the field's name, and nothing is generated.
  await page.goto('/');
  await page.getByTestId('negative-seeds').fill('Nobody Atall - No Such Song Here');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('action-error')).toContainText('negative_seeds: no track matches');
  await expect(page).toHaveURL(/\/$|\/\?/);

  await page.getByTestId('negative-seeds').fill('');
  await page.getByTestId('length').fill('10');
  await page.getByTestId('generate').click();
  await expect(page).toHaveURL(/\/playlist$/);
  const first = await expectPlaylist(page, 10, seeds);

  // Re-generate with other options, same seeds.
  await page.getByTestId('options-summary').click();
  await page.getByTestId('length').fill('12');
  await page.getByTestId('flow').check();
  await page.getByTestId('energy-on').check();
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('entry')).toHaveCount(12);
  const second = await expectPlaylist(page, 12, seeds);
  expect(second).not.toEqual(first);
  await expect(page.getByTestId('save-unavailable')).toBeVisible();

  await expectM3u8(page, second);
  expectNoSecrets(await page.content(), 'the playlist page');
});

test('a session of its own: another browser starts with no seeds', async ({ browser }) => {
  const a = await (await browser.newContext({ baseURL: catalogURL, javaScriptEnabled: false })).newPage();
  await a.goto('/?q=abba');
  await a.getByTestId('hits').getByTestId('add-seed').first().click();
  await expect(a.getByTestId('seed-chip')).toHaveCount(1);
  const cookies = await a.context().cookies();
  const session = cookies.find((c) => c.name === 'selecta_session')!;
  expect(session.httpOnly).toBe(true);
  expect(session.sameSite).toBe('Lax');
  // Only an opaque id: no seed, no JSON.
  expect(session.value).toMatch(/^[A-Za-z0-9_-]{22}$/);

  const b = await (await browser.newContext({ baseURL: catalogURL, javaScriptEnabled: false })).newPage();
  await b.goto('/');
  await expect(b.getByTestId('no-seeds')).toBeVisible();
  await expect(b.getByTestId('no-playlist')).toHaveCount(0);
  await b.goto('/playlist');
  await expect(b.getByTestId('no-playlist')).toBeVisible();
});

test('exports refuse unknown formats and empty sessions with a message', async ({ request }) => {
  let res = await request.get('/playlist/export/m3u8');
  expect(res.status()).toBe(404);
  expect(await res.text()).toContain('generate one first');
  res = await request.get('/playlist/export/wav');
  expect(res.status()).toBe(400);
  expect(await res.text()).toContain('format');
});
