import { test } from '@playwright/test';
import { catalogURL } from './helpers';
import { actOnTracks } from './actions';

test.use({ baseURL: catalogURL });

test('without JavaScript, each track can be opened, removed (refilled), and steer the playlist less or more like it', async ({ page }) => {
  await actOnTracks(page, false);
});
