#!/usr/bin/env bash
# scripts/replicas.sh — two `selecta serve` replicas behind nginx, as docs/deploy.md runs them,
# tested as one service. Starts, on free loopback ports:
#   - moto (S3) with the model at deploy/selecta.env's MODEL_URL, fitted from the catalog;
#   - the Spotify stand-in; Redis is the machine's (127.0.0.1:6379, database 11, emptied first;
#     REPLICAS_REDIS_URL to change it);
#   - replicas A and B started from deploy/selecta.env (the same S3 key, Redis and Spotify
#     app), each with its own address and local model cache as deploy/selecta@.service gives
#     them, looking at the model's ETag every 2 s (SELECTA_MODEL_WATCH);
#   - nginx with deploy/nginx.conf (only its ports changed) in front of them;
# and has systemd-analyze verify deploy/selecta@.service (where systemd-analyze exists).
# Then checks:
#   1. (Playwright) a listener signed in through the proxy has the same session and seeds on
#      either replica, and saves through each;
#   2. a Spotify lookup made by one replica is answered from Redis by the other (no second call);
#   3. a new model uploaded to the S3 key is served by both replicas within 30 s, while a load
#      through the proxy (keep-alive GETs from Python threads) sees no failed request;
#   4. stopping a replica (SIGTERM) during a load through the proxy fails no request.
# Needs scripts/build.sh to have run (the release binary and the site) and setup.sh --test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bin="$TARGET_DIR/release/selecta"
[[ -x "$bin" ]] || die "$bin is missing: run scripts/build.sh"
command -v nginx >/dev/null || die "nginx is missing: run scripts/setup.sh --test"
# load URL SECONDS CONNECTIONS > FILE: GETs URL over CONNECTIONS keep-alive connections for
# SECONDS; prints "<answered 200> <failed>", then one line per failure (status or error).
# A correctness check, not a benchmark (timing runs stay out of CI: scripts/load.sh).
load() {
  python3 - "$@" <<'PY'
import http.client, sys, threading, time, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
path = url.path + ("?" + url.query if url.query else "")
stop = time.monotonic() + float(sys.argv[2])
ok, failed, lock = [0], [], threading.Lock()
def client():
    conn = None
    while time.monotonic() < stop:
        try:
            if conn is None:
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
            conn.request("GET", path)
            answer = conn.getresponse()
            answer.read()
            with lock:
                if answer.status == 200:
                    ok[0] += 1
                else:
                    failed.append(f"HTTP {answer.status}")
            if answer.will_close:
                conn.close()
                conn = None
        except Exception as e:
            with lock:
                failed.append(repr(e))
            if conn is not None:
                conn.close()
            conn = None
threads = [threading.Thread(target=client) for _ in range(int(sys.argv[3]))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(ok[0], len(failed))
for f in failed[:10]:
    print(f)
PY
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
chmod 755 "$work" # nginx's workers (another user when run as root) write their temp files here
pids=()
cleanup() {
  [[ -f "$work/nginx/nginx.pid" ]] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  SELECTA_S3_RUN="$work/moto" "$ROOT/scripts/s3-server.sh" stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  for f in "$work"/*.log; do echo "--- $f (tail)" >&2; tail -25 "$f" >&2; done
  die "$*"
}
wait_for() { # url pid log name
  for _ in $(seq 1 240); do
    if curl -fs -o /dev/null "$1"; then return 0; fi
    kill -0 "$2" 2>/dev/null || fail "$4 exited before answering"
    sleep 0.5
  done
  fail "$4 did not answer in 120 s"
}
# The model's track count as one replica's /readyz says it.
tracks_of() { curl -fsS "$1/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tracks"])'; }

# A database of its own on the machine's Redis, emptied first: what an earlier run cached
# (sessions, lookups) must not answer for this one.
redis_url="${REPLICAS_REDIS_URL:-redis://127.0.0.1:6379/11}"
python3 - "$redis_url" <<'PY' || die "no Redis at $redis_url: the replicas share their sessions through it"
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
db = (u.path or "/0").strip("/") or "0"
s = socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=2)
if u.password:
    s.sendall(f"AUTH {u.password}\r\n".encode()); assert s.recv(64).startswith(b"+OK")
s.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
reply = b""
while reply.count(b"\r\n") < 2:
    reply += s.recv(64)
sys.exit(0 if reply == b"+OK\r\n+OK\r\n" else 1)
PY

# ---- S3 with the first model ---------------------------------------------------------------
endpoint=$(SELECTA_S3_RUN="$work/moto" "$ROOT/scripts/s3-server.sh" start)
export AWS_ACCESS_KEY_ID=replica-test AWS_SECRET_ACCESS_KEY=replica-test-secret AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
export S3_ENDPOINT_URL="$endpoint" S3_FORCE_PATH_STYLE=true
# The model's key is deploy/selecta.env's.
model_url=$(sed -n 's/^MODEL_URL=//p' deploy/selecta.env)
[[ $model_url =~ ^s3://([^/]+)/.+ ]] || die "deploy/selecta.env: MODEL_URL is not an s3:// URL"
curl -fsS -X PUT -o /dev/null "$endpoint/${BASH_REMATCH[1]}" || die "cannot create the bucket on moto at $endpoint"
catalog="$ROOT/data/spotify_songs.csv.gz"
log "fitting the first model into $model_url"
"$bin" fit --catalog "$catalog" --out "$model_url" >"$work/fit.log" 2>&1 || fail "selecta fit failed"
# The second model: the catalog and two more tracks, so that /readyz tells the two apart.
python3 - "$catalog" "$work/more.csv" <<'PY'
import csv, gzip, sys
rows = csv.DictReader(gzip.open(sys.argv[1], "rt", newline=""))
with open(sys.argv[2], "w", newline="") as out:
    w = csv.DictWriter(out, fieldnames=rows.fieldnames)
    w.writeheader()
    for i, row in zip(range(2), rows):
        row["track_id"] = f"0ReplicaTestTrack{i:05d}"
        row["track_name"] = f"Replica test track {i}"
        w.writerow(row)
PY

# ---- the stand-in, the replicas, nginx -------------------------------------------------------
proxy_port=$(free_port); a_port=$(free_port); b_port=$(free_port); standin_port=$(free_port)
proxy="http://127.0.0.1:$proxy_port"
standin="http://127.0.0.1:$standin_port"
client_id="selecta-replicas"
client_secret="replica-secret-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
SPOTIFY_CLIENT_ID="$client_id" SPOTIFY_CLIENT_SECRET="$client_secret" \
  "$bin" spotify-standin --addr "127.0.0.1:$standin_port" --redirect-uri "$proxy/auth/callback" \
  >"$work/standin.log" 2>&1 &
pids+=($!)
wait_for "$standin/_standin/users" "${pids[-1]}" "$work/standin.log" "the stand-in"

start_replica() { # name port
  mkdir -p "$work/$1"
  # deploy/selecta.env as systemd's EnvironmentFile reads it, then what differs on this
  # machine; the address and the model cache are what deploy/selecta@.service sets.
  local shared
  mapfile -t shared < <(grep -E '^[A-Z0-9_]+=' deploy/selecta.env)
  env "${shared[@]}" REDIS_URL="$redis_url" SELECTA_MODEL_WATCH=2 \
    SELECTA_PUBLIC_URL="$proxy" SELECTA_SITE_ROOT="$ROOT/target/site" \
    SELECTA_ADDR="127.0.0.1:$2" SELECTA_MODEL_CACHE="$work/$1/model.selecta" \
    SELECTA_API_RATE_LIMIT=0 SELECTA_WEB_RATE_LIMIT=0 \
    SPOTIFY_CLIENT_ID="$client_id" SPOTIFY_CLIENT_SECRET="$client_secret" \
    SPOTIFY_REDIRECT_URI="$proxy/auth/callback" SPOTIFY_ACCOUNTS_URL="$standin" \
    SPOTIFY_API_URL="$standin/v1" \
    "$bin" serve >"$work/replica-$1.log" 2>&1 &
  pids+=($!)
}
start_replica a "$a_port"; a_pid=${pids[-1]}
start_replica b "$b_port"; b_pid=${pids[-1]}
wait_for "http://127.0.0.1:$a_port/readyz" "$a_pid" "$work/replica-a.log" "replica A"
wait_for "http://127.0.0.1:$b_port/readyz" "$b_pid" "$work/replica-b.log" "replica B"

# deploy/selecta@.service as systemd reads it (this machine runs no systemd to start it): the
# replicas above were given what it sets.
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$work/unit"
  sed "s|/usr/local/bin/selecta|$bin|" deploy/selecta@.service >"$work/unit/selecta@$a_port.service"
  # A warning (an unknown key, say) counts as a refusal.
  if ! systemd-analyze verify "$work/unit/selecta@$a_port.service" >"$work/unit.log" 2>&1 \
    || [[ -s "$work/unit.log" ]]; then
    fail "systemd-analyze verify refuses deploy/selecta@.service: $(cat "$work/unit.log")"
  fi
  log "ok: systemd-analyze verify accepts deploy/selecta@.service"
else
  log "no systemd-analyze here: deploy/selecta@.service not verified"
fi

mkdir -p "$work/nginx"
sed -e "s/127\.0\.0\.1:3001/127.0.0.1:$a_port/; s/127\.0\.0\.1:3002/127.0.0.1:$b_port/" \
  -e "s/listen 8080;/listen 127.0.0.1:$proxy_port;/" deploy/nginx.conf >"$work/nginx/selecta.conf"
grep -q "127.0.0.1:$a_port" "$work/nginx/selecta.conf" && grep -q "127.0.0.1:$b_port" "$work/nginx/selecta.conf" \
  && grep -q "listen 127.0.0.1:$proxy_port;" "$work/nginx/selecta.conf" || die "deploy/nginx.conf: the ports to replace are gone"
# What /etc/nginx/nginx.conf gives on a server; here in the test's own folder.
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx.log warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    include $work/nginx/selecta.conf;
}
EOF
nginx -t -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx-check.log" 2>&1 || fail "nginx refuses deploy/nginx.conf"
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >>"$work/nginx.log" 2>&1 || fail "nginx did not start"
wait_for "$proxy/readyz" "$a_pid" "$work/nginx.log" "nginx"
log "nginx on $proxy in front of replicas on :$a_port and :$b_port"

# ---- 1. sessions across replicas (Playwright, JavaScript off) --------------------------------
(cd end2end && BASE_URL="$proxy" REPLICA_URLS="http://127.0.0.1:$a_port,http://127.0.0.1:$b_port" \
  STANDIN_URL="$standin" E2E_CLIENT_SECRET="$client_secret" \
  SERVER_LOGS="$work/replica-a.log:$work/replica-b.log" \
  npx --no-install playwright test --project replicas) || fail "the session test failed"

# ---- 2. one Spotify lookup for both replicas --------------------------------------------------
unknown=$(curl -fsS "$standin/_standin/examples" | python3 -c 'import json,sys; print(json.load(sys.stdin)["same_artist"][0])')
# The stand-in's API requests that name the track.
lookups() { curl -fsS "$standin/_standin/requests" | python3 -c "import json,sys; print(sum('$unknown' in r for r in json.load(sys.stdin)['requests']))"; }
ask() { # port
  local code
  code=$(curl -s -o "$work/answer.json" -w '%{http_code}' "http://127.0.0.1:$1/v1/recommendations?seed_tracks=$unknown&limit=5")
  [[ $code == 200 ]] || fail "replica :$1 answered $code to a seed the catalog lacks: $(cat "$work/answer.json")"
}
ask "$a_port"
by_a=$(lookups)
((by_a > 0)) || fail "replica A answered a seed the catalog lacks without looking it up"
ask "$b_port"
[[ $(lookups) == "$by_a" ]] || fail "replica B looked the track up again: the lookup cache is not shared through Redis"
log "ok: a lookup made by replica A served replica B from Redis (1 Spotify call)"

# ---- 3. a new model in S3 reaches both replicas, with no failed request ----------------------
seed=$(python3 -c 'import csv,gzip,sys; print(next(csv.DictReader(gzip.open(sys.argv[1],"rt")))["track_id"])' "$catalog")
target="/v1/recommendations?seed_tracks=$seed&limit=10"
before=$(tracks_of "http://127.0.0.1:$a_port")
load "$proxy$target" 25 4 >"$work/load-switch.txt" 2>&1 &
load=$!
sleep 2
log "uploading a new model (the catalog and 2 tracks) to $model_url"
"$bin" fit --catalog "$catalog" --catalog "$work/more.csv" --out "$model_url" >"$work/fit2.log" 2>&1 || fail "the second fit failed"
uploaded=$SECONDS
want=$((before + 2))
for port in "$a_port" "$b_port"; do
  until [[ $(tracks_of "http://127.0.0.1:$port") == "$want" ]]; do
    ((SECONDS - uploaded <= 30)) || fail "replica :$port does not serve the new model 30 s after the upload"
    sleep 0.5
  done
done
log "ok: both replicas serve the new model ($want tracks) $((SECONDS - uploaded)) s after the upload"
wait "$load" || fail "the load failed"
check_load() { # file what
  local ok failed
  read -r ok failed <"$1" || true
  [[ -n $ok && $ok -gt 0 ]] || fail "$2: no request went through: $(cat "$1")"
  [[ $failed == 0 ]] || fail "$2: $failed failed requests: $(cat "$1")"
  log "ok: $2: $ok requests, none failed"
}
check_load "$work/load-switch.txt" "the model switch"

# ---- 4. a replica stops during a load ----------------------------------------------------------
load "$proxy$target" 12 8 >"$work/load-stop.txt" 2>&1 &
load=$!
sleep 4
log "stopping replica B (SIGTERM) during the load"
kill -TERM "$b_pid"
wait "$b_pid" 2>/dev/null || true
wait "$load" || fail "the load failed"
check_load "$work/load-stop.txt" "replica B stopped"
[[ $(tracks_of "$proxy") == "$want" ]] || fail "the proxy does not answer from replica A"

# Secrets never reach a log line.
for f in "$work"/replica-*.log; do
  if grep -q -- "$client_secret" "$f"; then fail "the client secret appears in $f"; fi
done
log "replicas: all green"
