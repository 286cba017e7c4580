#!/usr/bin/env bash
# scripts/lighthouse.sh — Lighthouse (npm, pinned 12.2.3; mobile defaults) in Debian's Chromium
# on the home page and on a playlist page of 30 tracks, against the release build; prints the
# scores. A measurement, not part of scripts/test.sh. Needs scripts/build.sh and
# `scripts/setup.sh --test` (Chromium, Playwright) to have run.
#
# Usage: scripts/lighthouse.sh [--keep DIR]   (--keep: leave the JSON reports in DIR)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_tools_env
cd "$ROOT"

LIGHTHOUSE_VERSION="12.2.3"
keep=""
[[ "${1:-}" == "--keep" ]] && keep="${2:?--keep needs a folder}"
bin="$TARGET_DIR/release/selecta"
[[ -x "$bin" ]] || die "$bin is missing: run scripts/build.sh"
[[ -x /usr/bin/chromium ]] || die "no /usr/bin/chromium: run scripts/setup.sh --test"
[[ -d end2end/node_modules/playwright-core ]] || die "no Playwright: run scripts/setup.sh --test"

lh_dir="$SELECTA_TOOLS/lighthouse"
lh="$lh_dir/node_modules/.bin/lighthouse"
if [[ "$("$lh" --version 2>/dev/null)" != "$LIGHTHOUSE_VERSION" ]]; then
  log "npm install lighthouse@$LIGHTHOUSE_VERSION"
  npm install --prefix "$lh_dir" --no-audit --no-fund --loglevel=error "lighthouse@$LIGHTHOUSE_VERSION" >/dev/null \
    || die "npm install lighthouse@$LIGHTHOUSE_VERSION failed"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
cleanup() { [[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
base="http://127.0.0.1:$port"
# Catalog only (no Spotify), sessions in memory, no rate limit for the runs.
env -u REDIS_URL -u SPOTIFY_CLIENT_ID -u SPOTIFY_CLIENT_SECRET \
  "$bin" serve --addr "127.0.0.1:$port" --model-cache "$work/model.selecta" \
  --web-rate-limit 0 >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do curl -fsS -o /dev/null "$base/readyz" && break; sleep 0.5; done
curl -fsS -o /dev/null "$base/readyz" || { cat "$work/serve.log" >&2; die "selecta serve did not start"; }

# A session holding a playlist of 30 tracks from 5 seeds, made through the plain forms.
log "making a 30-track playlist"
cookie=$(cd end2end && BASE="$base" node -e '
const { chromium } = require("playwright-core");
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(process.env.BASE + "/?q=queen");
  for (let i = 0; i < 5; i++) {
    await page.getByTestId("hits").getByTestId("add-seed").nth(i).click();
  }
  await page.getByTestId("length").fill("30");
  await page.getByTestId("generate").click();
  await page.waitForURL(/\/playlist$/);
  const n = await page.getByTestId("entry").count();
  if (n !== 30) throw new Error(`the playlist page shows ${n} tracks, not 30`);
  const cookies = await context.cookies();
  console.log(cookies.map((c) => `${c.name}=${c.value}`).join("; "));
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
')
[[ -n "$cookie" ]] || die "no session cookie"

run() { # name url [cookie]
  local out="$work/$1.json" headers=()
  [[ -n "${3:-}" ]] && headers=(--extra-headers "{\"Cookie\": \"$3\"}")
  CHROME_PATH=/usr/bin/chromium "$lh" "$2" --quiet --output=json --output-path="$out" \
    --only-categories=performance,accessibility \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" "${headers[@]}" \
    || die "lighthouse failed on $2"
  python3 - "$1" "$out" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
a, c = r["audits"], r["categories"]
ms = lambda k: a[k]["numericValue"]
print(f"| {name} | {c['performance']['score']*100:.0f} | {c['accessibility']['score']*100:.0f} | "
      f"{ms('first-contentful-paint')/1000:.1f} s | {ms('largest-contentful-paint')/1000:.1f} s | "
      f"{ms('interactive')/1000:.1f} s | {ms('total-blocking-time'):.0f} ms | "
      f"{a['total-byte-weight']['numericValue']/1024:.0f} KiB |")
PY
  [[ -z "$keep" ]] || { mkdir -p "$keep"; cp "$out" "$keep/"; }
}
echo "| page | performance | accessibility | FCP | LCP | TTI | TBT | weight |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
run home "$base/"
run playlist "$base/playlist" "$cookie"
