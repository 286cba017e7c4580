#!/usr/bin/env bash
# scripts/run.sh — set up (first run: minutes), build, and run Selecta at http://127.0.0.1:3000
# on its embedded defaults (bundled catalog, no Redis, no S3, no Spotify needed).
# Extra arguments go to `selecta serve` (see `selecta serve --help`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"
cd "$ROOT"
exec "$TARGET_DIR/release/selecta" serve "$@"
