import { test, expect } from '@playwright/test';
import { catalogURL } from './helpers';
import { actOnTracks } from './actions';

test.use({ baseURL: catalogURL });

test('hydrated, the track actions work in place without a page load', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await actOnTracks(page, true);
  expect(errors).toEqual([]);
});
