#!/usr/bin/env bash
# scripts/e2e.sh — run the Playwright suite against a built site and release server:
# starts `selecta serve` on a free loopback port, waits until it answers, runs both projects
# (JavaScript off, hydrated), stops the server. Needs scripts/build.sh to have run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bin="$TARGET_DIR/release/selecta"
[[ -x "$bin" ]] || die "$bin is missing: run scripts/build.sh"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
log "starting selecta on 127.0.0.1:$port (log: $work/server.log)"
SELECTA_ADDR="127.0.0.1:$port" SELECTA_MODEL_CACHE="$work/model.selecta" "$bin" serve >"$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 1 240); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/"; then break; fi
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; die "selecta exited before answering"; }
  sleep 0.5
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/" || { cat "$work/server.log" >&2; die "selecta did not answer in 120 s"; }

cd end2end
BASE_URL="http://127.0.0.1:$port" npx --no-install playwright test || { tail -50 "$work/server.log" >&2; exit 1; }
