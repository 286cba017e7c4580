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
# Precompressed copies beside each text or WASM file of the site: the server sends the best
# one the browser accepts (brotli, then gzip), so the bundle is compressed once, at the
# highest levels, rather than on every request.
find target/site -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \
  -o -name '*.html' -o -name '*.json' -o -name '*.txt' -o -name '*.xml' -o -name '*.webmanifest' \) \
  -print0 | while IFS= read -r -d '' f; do
  { gzip -9 -n -c "$f" >"$f.gz.tmp" && mv "$f.gz.tmp" "$f.gz"; } || die "gzip $f failed"
  { brotli -q 11 -c "$f" >"$f.br.tmp" && mv "$f.br.tmp" "$f.br"; } || die "brotli $f failed"
done
wasm=target/site/pkg/frontend_bg.wasm
log "bundle: $(stat -c %s "$wasm") bytes wasm, $(stat -c %s "$wasm.gz") gzip, $(stat -c %s "$wasm.br") brotli"

log "cargo build --release -p server (the selecta binary)"
cargo build --release -p server --bin selecta
log "built: $TARGET_DIR/release/selecta, site in target/site"
