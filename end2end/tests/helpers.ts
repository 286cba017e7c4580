import { expect, Page, APIRequestContext } from '@playwright/test';
import * as fs from 'fs';

/** The server without any Spotify configuration (the catalog-only mode). */
export const catalogURL = process.env.CATALOG_URL ?? 'http://127.0.0.1:3000';
/** The local Spotify stand-in the main server is configured with. */
export const standinURL = process.env.STANDIN_URL ?? 'http://127.0.0.1:3001';
/** The client secret of this run (random per run): it must never show up. */
export const clientSecret = process.env.E2E_CLIENT_SECRET ?? 'no-secret-given';

/** Words that would betray a token in a page or a server function's answer. */
const LEAKS = [/access_token/i, /refresh_token/i, /Bearer /, /code_verifier/i, /pkce_verifier/i];

/** Fails when a text holds the client secret or looks like it carries a token. */
export function expectNoSecrets(text: string, where: string) {
  expect(text.includes(clientSecret), `client secret in ${where}`).toBe(false);
  for (const re of LEAKS) expect(re.test(text), `${re} in ${where}`).toBe(false);
}

/** Collects every same-origin response body of a page (HTML, server functions, JS) for checks. */
export function watchResponses(page: Page, origin: string): Promise<string[]>[] {
  const bodies: Promise<string[]>[] = [];
  page.on('response', (r) => {
    if (!r.url().startsWith(origin) || r.url().endsWith('.wasm')) return;
    bodies.push(r.text().then((t) => [r.url(), t]).catch(() => [r.url(), '']));
  });
  return bodies;
}

/** The server logs of this run contain no secret and no token. */
export function expectCleanLogs() {
  for (const f of (process.env.SERVER_LOGS ?? '').split(':').filter(Boolean)) {
    const text = fs.readFileSync(f, 'utf8');
    expectNoSecrets(text, f);
  }
}

/** Signs in on the stand-in's consent page as its first listener; returns their id. */
export async function signIn(page: Page): Promise<string> {
  await page.getByTestId('sign-in').click();
  await expect(page.locator('#approve')).toBeVisible();
  expect(page.url().startsWith(standinURL)).toBe(true);
  expect(page.url()).toContain('code_challenge_method=S256');
  const first = page.locator('input[name=user]').first();
  const user = (await first.getAttribute('value'))!;
  await first.check();
  await page.locator('#approve').click();
  await expect(page.getByTestId('signed-in')).toBeVisible();
  return user;
}

/** Adds the first `n` catalog-matched tracks of the list on screen not yet picked. */
export async function addFromLibrary(page: Page, n: number) {
  const rows = page.locator('[data-testid=library-track][data-in-catalog=true]');
  await expect(rows.first()).toBeVisible();
  let added = 0;
  for (let i = 0; added < n; i++) {
    const button = rows.nth(i).getByTestId('add-seed');
    if (await button.isDisabled()) continue;
    const before = await seedCount(page);
    await button.click();
    await expect.poll(() => seedCount(page)).toBe(before + 1);
    added++;
  }
}

/** The number of picked seeds, from the counter ("3 / 50"). */
export async function seedCount(page: Page): Promise<number> {
  const text = (await page.getByTestId('seed-count').textContent()) ?? '';
  return parseInt(text.split('/')[0].trim(), 10);
}

/** The catalog ids of the chips, in order. */
export async function seedIds(page: Page): Promise<string[]> {
  return page.getByTestId('seed-chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-track-id')!));
}

/** The track ids of the generated playlist, in order. */
export async function playlistIds(page: Page): Promise<string[]> {
  return page.getByTestId('entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-track-id')!));
}

/** Checks the playlist page: `n` distinct tracks, none a seed, each with a reason. */
export async function expectPlaylist(page: Page, n: number, seeds: string[]) {
  await expect(page.getByTestId('entry')).toHaveCount(n);
  const ids = await playlistIds(page);
  expect(new Set(ids).size).toBe(n);
  for (const s of seeds) expect(ids).not.toContain(s);
  const reasons = await page.getByTestId('reason').allTextContents();
  expect(reasons).toHaveLength(n);
  for (const r of reasons) expect(r.trim().length).toBeGreaterThan(10);
  await expect(page.getByTestId('features').first()).toBeVisible();
  return ids;
}

/** Downloads the M3U8 export and checks it lists `ids` in order. */
export async function expectM3u8(page: Page, ids: string[]) {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-m3u8').click();
  const file = await (await download).path();
  const text = fs.readFileSync(file!, 'utf8');
  expect(text.startsWith('#EXTM3U')).toBe(true);
  const links = text.split('\n').filter((l) => l.startsWith('https://open.spotify.com/track/'));
  expect(links.map((l) => l.split('/').pop())).toEqual(ids);
}

/** The stand-in's view of a playlist: its track URIs in order. */
export async function standinPlaylist(request: APIRequestContext, id: string) {
  const res = await request.get(`${standinURL}/_standin/playlists/${id}`);
  expect(res.status()).toBe(200);
  return (await res.json()) as { id: string; name: string; public: boolean; uris: string[] };
}

/** The playlists a stand-in listener owns. */
export async function standinPlaylistsOf(request: APIRequestContext, user: string): Promise<string[]> {
  const res = await request.get(`${standinURL}/_standin/users`);
  const users = (await res.json()).users as { id: string; playlists: string[] }[];
  return users.find((u) => u.id === user)!.playlists;
}

/** Ids of the stand-in world's tracks, artists and albums of each kind (`/_standin/examples`). */
export async function standinExamples(request: APIRequestContext) {
  const res = await request.get(`${standinURL}/_standin/examples`);
  expect(res.status()).toBe(200);
  return (await res.json()) as { mixed_albums: string[]; unknown_albums: string[]; same_artist: string[] };
}
