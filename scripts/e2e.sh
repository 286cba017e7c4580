#!/usr/bin/env bash
# scripts/e2e.sh — run the Playwright suite against a built site and release server. Starts, on
# free loopback ports:
#   - `selecta spotify-standin` (a local Spotify: consent page, token endpoint, Web API);
#   - `selecta serve` pointed at it (sessions in Redis when one answers at $REDIS_URL or
#     127.0.0.1:6379), at BASE_URL;
#   - `selecta serve` without any Spotify configuration (the catalog-only mode), at CATALOG_URL;
# all configured through flags and environment only. Runs both projects (JavaScript off,
# hydrated), then stops the servers. Needs scripts/build.sh to have run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bin="$TARGET_DIR/release/selecta"
[[ -x "$bin" ]] || die "$bin is missing: run scripts/build.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
app_port=$(free_port); catalog_port=$(free_port); standin_port=$(free_port)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() { # url pid log name
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$1"; then return 0; fi
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; die "$4 exited before answering"; }
    sleep 0.5
  done
  cat "$3" >&2; die "$4 did not answer in 120 s"
}

# The e2e client secret: random per run, so a test can look for it in pages and logs.
client_id="selecta-e2e"
client_secret="e2e-secret-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
redirect="http://127.0.0.1:$app_port/auth/callback"
standin="http://127.0.0.1:$standin_port"

log "starting the Spotify stand-in on $standin"
SPOTIFY_CLIENT_ID="$client_id" SPOTIFY_CLIENT_SECRET="$client_secret" \
  "$bin" spotify-standin --addr "127.0.0.1:$standin_port" --redirect-uri "$redirect" \
  >"$work/standin.log" 2>&1 &
pids+=($!)
wait_for "$standin/_standin/users" "${pids[-1]}" "$work/standin.log" "the stand-in"

redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
if ! python3 - "$redis_url" <<'PY'
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
s = socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=2)
s.sendall(b"PING\r\n"); sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
PY
then
  log "no Redis at $redis_url: sessions in memory"
  redis_url=""
fi

# The browsers all come from 127.0.0.1: the web app's per-client rate limit is off here.
export SELECTA_WEB_RATE_LIMIT=0

log "starting selecta with Spotify (the stand-in) on 127.0.0.1:$app_port"
env ${redis_url:+REDIS_URL="$redis_url"} SELECTA_ADDR="127.0.0.1:$app_port" \
  SELECTA_MODEL_CACHE="$work/model.selecta" \
  SPOTIFY_CLIENT_ID="$client_id" SPOTIFY_CLIENT_SECRET="$client_secret" \
  SPOTIFY_REDIRECT_URI="$redirect" SPOTIFY_ACCOUNTS_URL="$standin" SPOTIFY_API_URL="$standin/v1" \
  "$bin" serve >"$work/server.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$app_port/" "${pids[-1]}" "$work/server.log" "selecta"

log "starting selecta without Spotify on 127.0.0.1:$catalog_port"
env -u SPOTIFY_CLIENT_ID -u SPOTIFY_CLIENT_SECRET -u REDIS_URL \
  SELECTA_ADDR="127.0.0.1:$catalog_port" SELECTA_MODEL_CACHE="$work/model.selecta" \
  "$bin" serve >"$work/catalog.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$catalog_port/" "${pids[-1]}" "$work/catalog.log" "selecta (catalog only)"

cd end2end
status=0
BASE_URL="http://127.0.0.1:$app_port" CATALOG_URL="http://127.0.0.1:$catalog_port" \
  STANDIN_URL="$standin" E2E_CLIENT_SECRET="$client_secret" \
  SERVER_LOGS="$work/server.log:$work/catalog.log" \
  npx --no-install playwright test "$@" || status=$?

# Secrets never reach a log line: the client secret, or any token the stand-in issued.
for f in "$work/server.log" "$work/catalog.log"; do
  if grep -q -- "$client_secret" "$f"; then status=1; echo "the client secret appears in $f" >&2; fi
done
if [[ $status -ne 0 ]]; then
  echo "--- server.log (tail)" >&2; tail -40 "$work/server.log" >&2
  echo "--- standin.log (tail)" >&2; tail -20 "$work/standin.log" >&2
fi
exit $status
