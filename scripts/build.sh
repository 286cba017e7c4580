#!/usr/bin/env bash
# scripts/build.sh — build the site (Trunk: WASM bundle + CSS into target/site/pkg, public/ into
# target/site) and the release `selecta` binary. Needs scripts/setup.sh to have run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_tools_env
cd "$ROOT"

log "trunk build --release (browser bundle)"
wasm_env trunk build --release
mkdir -p target/site
cp -r public/. target/site/
for f in frontend.js frontend_bg.wasm main.css; do
  [[ -s "target/site/pkg/$f" ]] || die "trunk did not produce target/site/pkg/$f"
done
wasm=target/site/pkg/frontend_bg.wasm
log "bundle: $(stat -c %s "$wasm") bytes wasm, $(gzip -9c "$wasm" | wc -c) gzip'd"

log "cargo build --release -p server (the selecta binary)"
cargo build --release -p server --bin selecta
log "built: $TARGET_DIR/release/selecta, site in target/site"
