import { test, expect } from '@playwright/test';
import {
  addFromLibrary, expectCleanLogs, expectM3u8, expectNoSecrets, expectPlaylist, seedCount, seedIds, signIn,
  standinExamples, standinPlaylist, standinPlaylistsOf, watchResponses,
} from './helpers';

test('the whole flow in the hydrated app: sign in, pick 3 saved + 1 top + 1 search, generate 20, re-generate, export, save', async ({ page, request, baseURL }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const bodies = watchResponses(page, baseURL!);

  await page.goto('/');
  await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
  await signIn(page);
  await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
  // From here on, nothing reloads the page.
  await page.evaluate(() => { (window as any).__noReload = true; });

  await page.getByTestId('tab-saved').click();
  await addFromLibrary(page, 3);
  await page.getByTestId('tab-top-medium').click();
  await addFromLibrary(page, 1);
  await page.getByTestId('tab-catalog').click();
  await page.locator('#q').pressSequentially('abba', { delay: 20 });
  await page.getByTestId('hits').getByTestId('add-seed').first().click();
  await expect(page.getByTestId('seed-chip')).toHaveCount(5);
  await expect(page.getByTestId('seed-count')).toContainText('5 / 50');
  const seeds = await seedIds(page);

  await page.getByTestId('length').fill('20');
  const started = Date.now();
  await page.getByTestId('generate').click();
  await expect(page).toHaveURL(/\/playlist$/);
  const first = await expectPlaylist(page, 20, seeds);
  console.log(`click to playlist: ${Date.now() - started} ms`);

  await page.getByTestId('options-summary').click();
  await page.getByTestId('flow').check();
  await page.getByTestId('generate').click();
  await expect.poll(async () => JSON.stringify(await page.getByTestId('entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-track-id'))))).not.toBe(JSON.stringify(first));
  const ids = await expectPlaylist(page, 20, seeds);
  // The options the listener opened stay open, showing what the server kept.
  await expect(page.getByTestId('flow')).toBeVisible();
  await expect(page.getByTestId('flow')).toBeChecked();
  await expectM3u8(page, ids);

  await page.getByTestId('save').click();
  const link = page.getByTestId('saved-link');
  await expect(link).toBeVisible();
  const id = (await link.getAttribute('href'))!.split('/').pop()!;
  const saved = await standinPlaylist(request, id);
  expect(saved.uris).toEqual(ids.map((t) => `spotify:track:${t}`));
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // No secret or token in any page, script or server function answer.
  for (const [url, body] of await Promise.all(bodies)) expectNoSecrets(body, url);
  expectNoSecrets(await page.content(), 'the final page');
  expectCleanLogs();
  expect(errors).toEqual([]);
});

test('keyboard: seeds can be added and removed without a mouse', async ({ page }) => {
  await page.goto('/?q=beatles');
  await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
  await page.getByTestId('clear-seeds').click();
  await expect(page.getByTestId('no-seeds')).toBeVisible();
  await page.getByTestId('hits').getByTestId('add-seed').first().focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('seed-chip')).toHaveCount(1);
  await page.getByTestId('seed-chip').getByRole('button').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('no-seeds')).toBeVisible();
});

test('a library track the catalog lacks becomes an estimated seed, and the playlist is saved', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
  await signIn(page);
  await page.getByTestId('tab-saved').click();
  // The stand-in's libraries hold tracks by catalog artists that the catalog lacks.
  const estimated = page.locator('[data-testid=library-track][data-in-catalog=false]:has([data-testid=estimated])');
  await expect(page.getByTestId('library-track').first()).toBeVisible();
  for (let pages = 0; (await estimated.count()) === 0; pages++) {
    expect(pages, 'no estimated track in the saved tracks').toBeLessThan(6);
    await page.getByTestId('next-page').click();
    // The old page stays on screen while the next one loads: wait for the next one's number.
    await expect(page.getByRole('navigation', { name: 'Pages' })).toContainText(`Page ${pages + 2}`);
    await expect(page.getByTestId('library-track').first()).toBeVisible();
  }
  const row = estimated.first();
  await expect(row.getByTestId('estimated')).toHaveAttribute('title', /is not in the catalog: its sound is estimated from \d+ catalog tracks? by /);
  await row.getByTestId('add-seed').click();
  await expect(page.getByTestId('seed-chip')).toHaveCount(1);
  await expect(page.getByTestId('seed-estimated')).toHaveCount(1);
  const [seed] = await seedIds(page);

  await page.getByTestId('length').fill('12');
  await page.getByTestId('generate').click();
  await expect(page).toHaveURL(/\/playlist$/);
  const ids = await expectPlaylist(page, 12, [seed]);
  // The reasons say how the seed was matched.
  const reasons = await page.getByTestId('reason').allTextContents();
  expect(reasons.some((r) => /its sound is estimated from \d+ catalog tracks? by /.test(r))).toBe(true);

  await page.getByTestId('save').click();
  const link = page.getByTestId('saved-link');
  await expect(link).toBeVisible();
  const saved = await standinPlaylist(request, (await link.getAttribute('href'))!.split('/').pop()!);
  expect(saved.uris).toEqual(ids.map((t) => `spotify:track:${t}`));
});

test('a pasted album link adds its tracks as seeds, some estimated; a playlist link needs sign-in, then fills the seeds to 50', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const { mixed_albums: [album] } = await standinExamples(request);
  await page.goto('/');
  await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
  await page.evaluate(() => { (window as any).__noReload = true; });

  // Signed out, an album is looked up with the app's token.
  await page.locator('#q').fill(`https://open.spotify.com/album/${album}?si=e2e`);
  const action = page.getByTestId('add-link');
  await expect(action).toHaveText("Add this album's tracks as seeds");
  await action.click();
  const said = page.getByTestId('link-added');
  await expect(said).toContainText(/^Added \d+ of \d+ tracks? from “.+” \(\d+ estimated from their artists' catalog tracks\)/);
  const [, added, read] = (await said.textContent())!.match(/^Added (\d+) of (\d+)/)!.map(Number);
  expect(added).toBeGreaterThan(1);
  expect(added).toBeLessThanOrEqual(read);
  await expect(page.getByTestId('seed-chip')).toHaveCount(added);
  expect(await seedCount(page)).toBe(added);
  const estimated = await page.getByTestId('seed-estimated').count();
  expect(estimated).toBeGreaterThan(0);
  expect(estimated).toBeLessThan(added);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // Again: nothing new, and it says so.
  await action.click();
  await expect(said).toContainText(/were seeds already|was a seed already/);
  await expect(page.getByTestId('seed-chip')).toHaveCount(added);

  // The seeds generate a playlist.
  const seeds = await seedIds(page);
  await page.getByTestId('length').fill('12');
  await page.getByTestId('generate').click();
  await expect(page).toHaveURL(/\/playlist$/);
  await expectPlaylist(page, 12, seeds);

  // A playlist link: Spotify shows its tracks to its owner only, so sign in first.
  const [playlist] = await standinPlaylistsOf(request, 'alice');
  await page.goto(`/?q=${encodeURIComponent(`spotify:playlist:${playlist}`)}`);
  await expect(page.getByTestId('link-sign-in')).toContainText('Sign in with Spotify');
  await expect(page.getByTestId('add-link')).toHaveCount(0);

  // Signed in, the listener's own playlist (75 tracks) fills the seeds up to 50.
  const user = await signIn(page);
  await expect(page.getByTestId('seed-chip')).toHaveCount(added);
  const [own] = await standinPlaylistsOf(request, user);
  await page.goto(`/?q=${encodeURIComponent(`https://open.spotify.com/playlist/${own}`)}`);
  await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
  await page.getByTestId('add-link').click();
  await expect(said).toContainText(/^Added \d+ of the first 50 tracks from the playlist.*did not fit \(at most 50 seeds\)/);
  await expect(page.getByTestId('seed-chip')).toHaveCount(50);
  // Someone else's playlist: Spotify lets apps read only your own and collaborative ones.
  const [bobs] = await standinPlaylistsOf(request, 'bob');
  await page.locator('#q').fill(`spotify:playlist:${bobs}`);
  // The offer of the new link, once the search has loaded (the previous link's is still there).
  await expect(page.getByTestId('link-offer').locator('input[name=link]')).toHaveValue(new RegExp(bobs));
  await page.getByTestId('add-link').click();
  await expect(page.getByTestId('action-error').first()).toContainText('only your own and collaborative playlists');
  await expect(page.getByTestId('seed-chip')).toHaveCount(50);
  expect(errors).toEqual([]);
});
