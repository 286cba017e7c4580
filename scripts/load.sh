#!/usr/bin/env bash
# scripts/load.sh — load test of /v1/recommendations (issue 18): starts a release `selecta serve`
# on loopback with the API and web rate limits off, waits for its neighbour table, and runs
# `wrk` rotating 200 seed sets of 1-3 catalog tracks (limit=20). Not part of CI: the numbers
# depend on the machine and on what else runs on it.
#
# Settings (environment): LOAD_THREADS (2), LOAD_CONNECTIONS (32), LOAD_DURATION (30s),
# LOAD_WARMUP (5s; 0 skips it), LOAD_ADDR (127.0.0.1:3099), LOAD_SETS (200),
# SELECTA_BIN (default: the release build, brought up to date first).
# Prints wrk's report, then one summary line: req/s, p50, p90, p99, errors, bytes per answer
# (headers included), and the load average before the run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

THREADS="${LOAD_THREADS:-2}"
CONNECTIONS="${LOAD_CONNECTIONS:-32}"
DURATION="${LOAD_DURATION:-30s}"
WARMUP="${LOAD_WARMUP:-5s}"
ADDR="${LOAD_ADDR:-127.0.0.1:3099}"
SETS="${LOAD_SETS:-200}"
BIN="${SELECTA_BIN:-$TARGET_DIR/release/selecta}"
WORK="$TARGET_DIR/load"

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if ! command -v wrk >/dev/null; then
  log "installing wrk from Debian"
  as_root apt-get install -y wrk >/dev/null 2>&1 ||
    { as_root apt-get update >/dev/null && as_root apt-get install -y wrk >/dev/null; } ||
    die "cannot install wrk (apt-get install wrk)"
fi
command -v python3 >/dev/null || die "python3 is needed to pick the seed sets"
command -v curl >/dev/null || die "curl is needed to probe the server"

if [[ -z "${SELECTA_BIN:-}" ]]; then
  log "building the release binary (up to date: seconds; from scratch: many minutes)"
  cargo build --release -p server
fi
[[ -x "$BIN" ]] || die "no binary at $BIN"

mkdir -p "$WORK/site/pkg"
# Only the API is loaded: `serve` checks that the site's bundle exists, so empty stand-ins do.
for f in frontend.js frontend_bg.wasm main.css; do : >"$WORK/site/pkg/$f"; done

# The seed sets: a fixed draw from the bundled catalog's track ids, the same every run.
python3 - "$SETS" "$WORK/seeds.lua" <<'PY'
import csv, gzip, random, sys
sets, out = int(sys.argv[1]), sys.argv[2]
with gzip.open("data/spotify_songs.csv.gz", "rt", encoding="utf-8", newline="") as f:
    ids = sorted({row["track_id"] for row in csv.DictReader(f)})
rng = random.Random(18)
paths = []
for _ in range(sets):
    seeds = rng.sample(ids, rng.randint(1, 3))
    paths.append("/v1/recommendations?limit=20&seed_tracks=" + ",".join(seeds))
with open(out, "w") as f:
    f.write("paths = {\n" + "".join(f'  "{p}",\n' for p in paths) + "}\n")
PY
cat >"$WORK/load.lua" <<'LUA'
dofile(os.getenv("LOAD_SEEDS"))
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  -- Each thread starts at its own place in the rotation.
  counter = (id * 97) % #paths
end
function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local secs = summary.duration / 1e6
  io.write(string.format(
    "SUMMARY req/s=%.0f p50=%.1fms p90=%.1fms p99=%.1fms errors=%d (non-2xx %d) bytes/answer=%.0f requests=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, errors, e.status, summary.bytes / math.max(summary.requests, 1),
    summary.requests))
end
LUA

LOG="$WORK/serve.log"
log "starting $BIN serve on $ADDR (rate limits off; log: $LOG)"
"$BIN" serve --addr "$ADDR" --site-root "$WORK/site" --model-cache "$WORK/model.selecta" \
  --api-rate-limit 0 --web-rate-limit 0 --log info >"$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT

# Ready, then the neighbour table: until it is there, requests search instead of reading it.
for ((i = 0; ; i++)); do
  kill -0 "$PID" 2>/dev/null || { tail -20 "$LOG" >&2; die "the server stopped"; }
  if curl -fsS "http://$ADDR/readyz" >/dev/null 2>&1 && grep -q "precomputed the neighbour table" "$LOG"; then
    break
  fi
  ((i < 1200)) || die "the server was not ready within 10 minutes (see $LOG)"
  sleep 0.5
done
log "ready: $(grep -o 'seconds=[0-9.]*' "$LOG" | head -1) for the neighbour table"

export LOAD_SEEDS="$WORK/seeds.lua"
first="$(head -2 "$WORK/seeds.lua" | tail -1 | tr -d ' ",')"
curl -fsS -o /dev/null "http://$ADDR$first" || die "a first request failed: $first"
if [[ "$WARMUP" != 0 ]]; then
  log "warming up for $WARMUP"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$WORK/load.lua" "http://$ADDR" >/dev/null
fi
load="$(cut -d' ' -f1-3 /proc/loadavg)"
log "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $SETS seed sets (load average before: $load)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/load.lua" "http://$ADDR"
echo "load average before the run: $load; after: $(cut -d' ' -f1-3 /proc/loadavg)"
