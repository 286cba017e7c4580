import { expect, Page } from '@playwright/test';
import { expectPlaylist, playlistIds, seedIds } from './helpers';

/**
 * Acting on a playlist track by track, the same steps with JavaScript off (plain form posts,
 * redirected back) and hydrated (in place): a catalog-only server, three seeds, 10 tracks.
 */
export async function actOnTracks(page: Page, hydrated: boolean) {
  await page.goto('/?q=beatles');
  if (hydrated) await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
  const add = page.getByTestId('hits').getByTestId('add-seed');
  for (let i = 0; i < 3; i++) {
    await add.nth(i).click();
    await expect(page.getByTestId('seed-chip')).toHaveCount(i + 1);
  }
  const seeds = await seedIds(page);
  await page.getByTestId('length').fill('10');
  await page.getByTestId('generate').click();
  await expect(page).toHaveURL(/\/playlist$/);
  const first = await expectPlaylist(page, 10, seeds);
  if (hydrated) {
    await expect(page.locator('[data-hydrated="true"]')).toHaveCount(1);
    // From here on, nothing reloads the page.
    await page.evaluate(() => { (window as any).__noReload = true; });
  }

  // The pictures, server-rendered: every track and seed on the sound map (seeds named as
  // such), named on focus; the flow line with its table.
  const map = page.getByTestId('sound-map');
  await expect(map.locator('svg[role=group]')).toHaveCount(1);
  await expect(map.locator('.point')).toHaveCount(13);
  await expect(map.locator('.point[aria-label^="Seed: "]')).toHaveCount(3);
  const point = map.locator('.point').first();
  await expect(point.locator('.point-label')).toBeHidden();
  await point.focus();
  await expect(point.locator('.point-label')).toBeVisible();
  await expect(page.getByTestId('flow-line').locator('svg title').first()).toHaveText(/^Flow/);
  await expect(page.getByTestId('flow-table').locator('tbody tr')).toHaveCount(10);

  // Every control names its track, for screen readers and voice control.
  const entry = (i: number) => page.getByTestId('entry').nth(i);
  const title = (await entry(0).locator('.title').textContent())!.trim();
  const open = entry(0).getByTestId('open-in-spotify');
  await expect(open).toHaveAttribute('href', `https://open.spotify.com/track/${first[0]}`);
  await expect(entry(0).getByRole('link', { name: new RegExp(`^Open in Spotify: .*${escape(title)}`) })).toHaveCount(1);
  for (const name of ['Remove', 'Less like this', 'More like this']) {
    await expect(entry(0).getByRole('button', { name: new RegExp(`^${name}: .*${escape(title)}`) })).toHaveCount(1);
  }

  // Remove the second track: the list keeps its length, the others keep their order, and a
  // new track (not a seed, not one already there) comes in at the end.
  await entry(1).getByTestId('remove-track').click();
  await gone(page, first[1]);
  const afterRemove = await expectPlaylist(page, 10, seeds);
  // The change is announced (a status region the next page fills, loaded in place when hydrated).
  await expect(page.getByTestId('action-status')).toHaveText(/^Removed “.+”; “.+” joins at the end\.$/);
  expect(afterRemove.slice(0, 9)).toEqual(first.filter((id) => id !== first[1]));
  expect(first).not.toContain(afterRemove[9]);

  // Keyboard: focus the first track's Remove and press Enter.
  await entry(0).getByTestId('remove-track').focus();
  await page.keyboard.press('Enter');
  await gone(page, afterRemove[0]);
  const afterKeyboard = await expectPlaylist(page, 10, seeds);
  // In place, the focus moves to the next track's Remove (a page load starts from the top).
  if (hydrated) await expect(entry(0).getByTestId('remove-track')).toBeFocused();
  expect(afterKeyboard.slice(0, 9)).toEqual(afterRemove.slice(1));

  // Less like this: the track becomes a negative seed (the options show it) and leaves.
  const less = afterKeyboard[0];
  await entry(0).getByTestId('less-like-this').click();
  await gone(page, less);
  await expectPlaylist(page, 10, seeds);
  await page.getByTestId('options-summary').click();
  await expect(page.getByTestId('negative-seeds')).toHaveValue(less);

  // More like this: the track becomes a seed (the summary names it) and leaves the list.
  const more = await entry(2).getAttribute('data-track-id');
  const moreTitle = (await entry(2).locator('.title').textContent())!.trim();
  await entry(2).getByTestId('more-like-this').click();
  await gone(page, more);
  await expectPlaylist(page, 10, [...seeds, more!]);
  await expect(page.getByTestId('playlist-summary')).toContainText(moreTitle);
  if (hydrated) expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  await page.goto('/');
  expect(await seedIds(page)).toEqual([...seeds, more]);
}

/** Waits until the playlist no longer holds `id` (a plain form post reloads the page meanwhile). */
async function gone(page: Page, id: string | null) {
  await expect.poll(async () => {
    try {
      return (await playlistIds(page)).includes(id!) ? 'still listed' : 'gone';
    } catch {
      return 'page loading';
    }
  }).toBe('gone');
}

function escape(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
