#!/usr/bin/env bash
# A local S3-compatible server (moto) for development and for the selecta-store tests.
#
# Usage:
#   scripts/s3-server.sh install   # venv with moto[server] (only if missing)
#   scripts/s3-server.sh start     # start on a free 127.0.0.1 port; prints the endpoint URL
#   scripts/s3-server.sh stop      # stop the server started by `start`
#   scripts/s3-server.sh status    # print the endpoint URL if the server answers
#
# Environment:
#   SELECTA_TOOLS   where tools live (default: $HOME/.local/share/selecta/tools);
#                   the venv is $SELECTA_TOOLS/moto-venv.
#   SELECTA_S3_RUN  where the pid/endpoint/log files go (default: $SELECTA_TOOLS/moto-run).
#   MOTO_VERSION    pip requirement for moto (default: moto[server]>=5,<6).
#
# `start` writes the endpoint URL (http://127.0.0.1:PORT) to $SELECTA_S3_RUN/endpoint and stdout.
# The tests in crates/store/tests/ start their own server; this script is only needed to install it.
set -euo pipefail

TOOLS="${SELECTA_TOOLS:-$HOME/.local/share/selecta/tools}"
VENV="$TOOLS/moto-venv"
RUN="${SELECTA_S3_RUN:-$TOOLS/moto-run}"
PIDFILE="$RUN/moto.pid"
ENDPOINT_FILE="$RUN/endpoint"
LOG="$RUN/moto.log"
MOTO_REQ="${MOTO_VERSION:-moto[server]>=5,<6}"

die() { echo "s3-server.sh: $*" >&2; exit 1; }

installed() { [ -x "$VENV/bin/moto_server" ]; }

cmd_install() {
  if installed; then
    echo "moto already installed: $VENV/bin/moto_server"
    return 0
  fi
  command -v python3 >/dev/null || die "python3 not found; install Python 3 first"
  mkdir -p "$TOOLS"
  # A half-made venv (interrupted install) is rebuilt rather than trusted.
  rm -rf "$VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet "$MOTO_REQ"
  installed || die "moto_server missing after install in $VENV"
  echo "moto installed: $VENV/bin/moto_server"
}

# A free loopback port: bind port 0 and read what the kernel picked.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() { curl -s -o /dev/null --max-time 2 "$1" 2>/dev/null || python3 - "$1" <<'EOF'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass  # any HTTP answer means the server is up
except Exception:
    sys.exit(1)
EOF
}

cmd_start() {
  installed || die "moto is not installed; run: scripts/s3-server.sh install"
  if running_pid >/dev/null && [ -f "$ENDPOINT_FILE" ]; then
    cat "$ENDPOINT_FILE"
    return 0
  fi
  mkdir -p "$RUN"
  local port endpoint pid
  port="$(free_port)"
  endpoint="http://127.0.0.1:$port"
  nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$PIDFILE"
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      die "moto_server exited at start; see $LOG"
    fi
    if answers "$endpoint/"; then
      echo "$endpoint" >"$ENDPOINT_FILE"
      echo "$endpoint"
      return 0
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
  die "moto_server did not answer on $endpoint within 10 s; see $LOG"
}

cmd_stop() {
  local pid
  if pid="$(running_pid)"; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "stopped moto_server (pid $pid)"
  else
    echo "moto_server not running"
  fi
  rm -f "$PIDFILE" "$ENDPOINT_FILE"
}

cmd_status() {
  if running_pid >/dev/null && [ -f "$ENDPOINT_FILE" ] && answers "$(cat "$ENDPOINT_FILE")/"; then
    cat "$ENDPOINT_FILE"
  else
    echo "moto_server not running" >&2
    return 1
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
