import { test } from '@playwright/test';
import { checkPages } from './a11y';

// axe-core runs as a script in the page, so this context has JavaScript on but the app's own
// bundle blocked: the pages are exactly what a browser without JavaScript gets (server-rendered,
// plain form posts), and axe can still inspect them.
test.use({ javaScriptEnabled: true });

test('home, picker and playlist pages have no serious accessibility violations (axe-core, no JavaScript)', async ({ page, baseURL }) => {
  await page.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  await checkPages(page, baseURL!, false);
});
