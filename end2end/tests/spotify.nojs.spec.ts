import { test, expect } from '@playwright/test';
import {
  addFromLibrary, expectCleanLogs, expectM3u8, expectNoSecrets, expectPlaylist, playlistIds, seedIds,
  signIn, standinExamples, standinPlaylist, standinPlaylistsOf, standinURL,
} from './helpers';

test('signed in without JavaScript: pick from the library and the catalog, generate, save after a failure', async ({ page, request }) => {
  await page.goto('/');
  const user = await signIn(page);
  expectNoSecrets(await page.content(), 'the signed-in page');

  // Saved tracks: tracks not in the catalog are listed as such, never dropped.
  await page.getByTestId('tab-saved').click();
  await expect(page).toHaveURL(/source=saved/);
  await addFromLibrary(page, 2);

  // A playlist of the listener's own: open it and see its tracks.
  const own = await standinPlaylistsOf(request, user);
  await page.getByTestId('tab-playlists').click();
  await expect(page.getByTestId('playlists')).toBeVisible();
  const open = page.locator(`[data-testid=open-playlist][href*="${own[0] ?? 'none'}"]`);
  if (own.length && (await open.count())) {
    await open.click();
    await expect(page).toHaveURL(/source=playlist&list=/);
    await expect(page.getByTestId('library-track').first()).toBeVisible();
  }

  // Recently played, then the catalog search.
  await page.getByTestId('tab-recent').click();
  await addFromLibrary(page, 1);
  await page.goto('/?q=daft punk');
  await page.getByTestId('hits').getByTestId('add-seed').first().click();
  await expect(page.getByTestId('seed-chip')).toHaveCount(4);
  const seeds = await seedIds(page);

  await page.getByTestId('length').fill('15');
  await page.getByTestId('generate').click();
  await expect(page).toHaveURL(/\/playlist$/);
  const ids = await expectPlaylist(page, 15, seeds);
  await expectM3u8(page, ids);

  // Spotify fails the first add (after letting the create through): the page says what was
  // saved; saving again finishes the same playlist rather than creating another.
  const before = await standinPlaylistsOf(request, user);
  const fail = await request.post(`${standinURL}/_standin/fail`, { data: { requests: 1, status: 503, after: 1 } });
  expect(fail.ok()).toBe(true);
  await page.getByTestId('save-name').fill('E2E no-JS mix');
  await page.getByTestId('save').click();
  await expect(page.getByTestId('action-error')).toContainText('Saved 0 of 15 tracks');
  await expect(page.getByTestId('saved-partial')).toBeVisible();
  await page.getByTestId('save').click();
  await expect(page.getByTestId('saved')).toContainText('Saved 15 tracks');
  const after = await standinPlaylistsOf(request, user);
  expect(after.length).toBe(before.length + 1);
  const created = after.find((p) => !before.includes(p))!;
  const href = await page.getByTestId('saved-link').getAttribute('href');
  expect(href).toContain(created);
  const saved = await standinPlaylist(request, created);
  expect(saved.name).toBe('E2E no-JS mix');
  expect(saved.public).toBe(false);
  expect(saved.uris).toEqual(ids.map((id) => `spotify:track:${id}`));

  // Signing out deletes the session: seeds and playlist are gone.
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByTestId('sign-in')).toBeVisible();
  await expect(page.getByTestId('no-seeds')).toBeVisible();
  expectCleanLogs();
});

test('a forged or replayed callback is refused with a message', async ({ page }) => {
  await page.goto('/auth/callback?code=abc&state=forged');
  await expect(page.getByTestId('auth-error')).toContainText('state mismatch');
  await page.goto('/auth/callback?error=access_denied&state=x');
  await expect(page.getByTestId('auth-error')).toBeVisible();
});

test('without JavaScript, a pasted album link is a plain form post that adds its tracks and says so', async ({ page, request }) => {
  const { mixed_albums: [album], unknown_albums: [unknown] } = await standinExamples(request);
  await page.goto(`/?q=${encodeURIComponent(`spotify:album:${album}`)}`);
  await page.getByTestId('add-link').click();
  await expect(page.getByTestId('link-added')).toContainText(/^Added \d+ of \d+ tracks? from “.+”/);
  expect(await page.getByTestId('seed-chip').count()).toBeGreaterThan(1);
  await expect(page.getByTestId('seed-estimated').first()).toBeVisible();
  // Shown once: the next page load no longer repeats it.
  await page.reload();
  await expect(page.getByTestId('link-added')).toHaveCount(0);
  // An album by artists the catalog lacks adds nothing, and the error says why.
  await page.goto(`/?q=${encodeURIComponent(`https://open.spotify.com/album/${unknown}`)}`);
  await page.getByTestId('add-link').click();
  await expect(page.getByTestId('action-error').first()).toContainText(/link: Added none of \d+ tracks? from “.+”; \d+ (have|has) nothing by (their|its) artists in the catalog/);
});
