import { test, expect } from '@playwright/test';
import {
  addFromLibrary, expectCleanLogs, expectNoSecrets, expectPlaylist, playlistIds, seedIds, signIn,
  standinPlaylist, standinPlaylistsOf,
} from './helpers';

// scripts/replicas.sh: BASE_URL is nginx, REPLICA_URLS the two replicas behind it. Cookies do
// not depend on the port, so the browser's session cookie reaches either replica directly too.
const replicas = (process.env.REPLICA_URLS ?? '').split(',').filter(Boolean);

test('signed in through the proxy: the same session and seeds on either replica, saved through each', async ({ page, request }) => {
  expect(replicas).toHaveLength(2);
  await page.goto('/');
  const user = await signIn(page);
  await page.getByTestId('tab-saved').click();
  await addFromLibrary(page, 2);
  const picked = await seedIds(page);
  expect(picked).toHaveLength(2);

  // Each replica, asked directly, knows the listener and their seeds (sessions in Redis).
  for (const replica of replicas) {
    await page.goto(`${replica}/`);
    await expect(page.getByTestId('signed-in')).toBeVisible();
    expect(await seedIds(page)).toEqual(picked);
  }

  // A seed added on the second replica is there through the proxy and on the first.
  await page.goto(`${replicas[1]}/?q=daft punk`);
  await page.getByTestId('hits').getByTestId('add-seed').first().click();
  await expect(page.getByTestId('seed-chip')).toHaveCount(3);
  const seeds = await seedIds(page);
  for (const where of ['', replicas[0]]) {
    await page.goto(`${where}/`);
    expect(await seedIds(page)).toEqual(seeds);
  }

  // Generated through the proxy, saved through each replica in turn.
  for (const [i, replica] of replicas.entries()) {
    await page.goto('/');
    await page.getByTestId('length').fill('10');
    await page.getByTestId('generate').click();
    await expect(page).toHaveURL(/\/playlist$/);
    const ids = await expectPlaylist(page, 10, seeds);

    await page.goto(`${replica}/playlist`);
    expect(await playlistIds(page)).toEqual(ids);
    const before = await standinPlaylistsOf(request, user);
    await page.getByTestId('save-name').fill(`Replica ${i + 1}`);
    await page.getByTestId('save').click();
    await expect(page.getByTestId('saved')).toContainText('Saved 10 tracks');
    expectNoSecrets(await page.content(), `the saved page of ${replica}`);
    const after = await standinPlaylistsOf(request, user);
    expect(after.length).toBe(before.length + 1);
    const created = after.find((p) => !before.includes(p))!;
    const saved = await standinPlaylist(request, created);
    expect(saved.name).toBe(`Replica ${i + 1}`);
    expect(saved.uris).toEqual(ids.map((id) => `spotify:track:${id}`));
  }
  expectCleanLogs();
});
