#!/usr/bin/env bash
# scripts/build.sh — build the site (Trunk: WASM bundle + CSS into target/site/pkg, public/ into
# target/site) and the release `selecta` binary. Needs scripts/setup.sh to have run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_tools_env
cd "$ROOT"

# A clean pkg/: the files of an earlier build, under other hashed names, would stay beside.
rm -rf target/site/pkg
log "trunk build --release (browser bundle)"
wasm_env trunk build --release
mkdir -p target/site
cp -r public/. target/site/
# Trunk names the files after their content (Trunk.toml `filehash`).
shopt -s nullglob
js=(target/site/pkg/frontend-*.js) wasms=(target/site/pkg/frontend-*_bg.wasm) css=(target/site/pkg/main-*.css)
shopt -u nullglob
((${#js[@]} == 1 && ${#wasms[@]} == 1 && ${#css[@]} == 1)) \
  || die "trunk did not produce one each of target/site/pkg/{frontend-<hash>.js, frontend-<hash>_bg.wasm, main-<hash>.css}"
# Precompressed copies beside each text or WASM file of the site: the server sends the best
# one the browser accepts (brotli, then gzip), so the bundle is compressed once, at the
# highest levels, rather than on every request.
find target/site -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \
  -o -name '*.html' -o -name '*.json' -o -name '*.txt' -o -name '*.xml' -o -name '*.webmanifest' \) \
  -print0 | while IFS= read -r -d '' f; do
  { gzip -9 -n -c "$f" >"$f.gz.tmp" && mv "$f.gz.tmp" "$f.gz"; } || die "gzip $f failed"
  { brotli -q 11 -c "$f" >"$f.br.tmp" && mv "$f.br.tmp" "$f.br"; } || die "brotli $f failed"
done
wasm=${wasms[0]}
log "bundle: $(basename "$wasm"): $(stat -c %s "$wasm") bytes wasm, $(stat -c %s "$wasm.gz") gzip, $(stat -c %s "$wasm.br") brotli"

log "cargo build --release -p server (the selecta binary)"
cargo build --release -p server --bin selecta
log "built: $TARGET_DIR/release/selecta, site in target/site"
