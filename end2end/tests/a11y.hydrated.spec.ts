import { test } from '@playwright/test';
import { checkPages } from './a11y';

test('home, picker and playlist pages have no serious accessibility violations (axe-core, hydrated)', async ({ page, baseURL }) => {
  await checkPages(page, baseURL!, true);
});
