import { defineConfig } from '@playwright/test';

// The server is started by scripts/e2e.sh, which passes its address in BASE_URL.
const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

// Debian's Chromium; Playwright's own browser download is never used (it cannot work offline).
// The background-networking flags keep Chromium from dialling out on a closed network.
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { baseURL, headless: true, launchOptions },
  projects: [
    // Server-rendered pages must work for people (and robots) without JavaScript.
    { name: 'no-js', testMatch: /.*\.nojs\.spec\.ts/, use: { javaScriptEnabled: false } },
    // The hydrated WebAssembly client.
    { name: 'hydrated', testMatch: /.*\.hydrated\.spec\.ts/, use: { javaScriptEnabled: true } },
    // Two replicas behind nginx (scripts/replicas.sh passes their addresses); plain form posts.
    ...(process.env.REPLICA_URLS
      ? [{ name: 'replicas', testMatch: /.*\.replicas\.spec\.ts/, use: { javaScriptEnabled: false } }]
      : []),
  ],
});
