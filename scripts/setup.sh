#!/usr/bin/env bash
# scripts/setup.sh — install everything Selecta needs to build, run and test, then exit.
#
# Idempotent and quick when everything is there (CI runs it every time). It installs:
#   - a Rust -> wasm32-unknown-unknown toolchain:
#       rustup's wasm32 target where rustup can add it, otherwise Debian's rustc-web/cargo-web
#       1.96 with the std source (rust-web-src), lld-22 (wasm-ld) and rust-web-clippy, used with
#       -Zbuild-std (Debian ships no precompiled wasm32 std);
#   - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock, and Trunk (cargo install);
#   - wasm-opt from npm's binaryen (Debian's binaryen 108 breaks wasm-bindgen 0.2.130 output);
#   - brotli (Debian), for the precompressed copies of the site's files;
#   - with --test: Chromium (Debian), the Playwright runner with axe-core (npm, no browser download), the
#     moto S3 server (PyPI) used by the test suite; nginx (Debian) for the replica test.
# Tools go to $SELECTA_TOOLS (default ~/.local/share/selecta/tools); it writes
# $SELECTA_TOOLS/env.sh, which scripts/build.sh and scripts/test.sh source.
#
# Usage: scripts/setup.sh [--test]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELECTA_TOOLS="${SELECTA_TOOLS:-$HOME/.local/share/selecta/tools}"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132.0.0"
JOBS="${CARGO_BUILD_JOBS:-$(nproc)}"
WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
have_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

APT_UPDATED=0
apt_install() { # apt_install pkg... : installs the missing ones, says which and why it failed
  local missing=() p
  for p in "$@"; do have_deb "$p" || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "missing Debian packages ${missing[*]} and no apt-get to install them"
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    $sudo apt-get update -qq || die "apt-get update failed (is the Debian mirror reachable?)"
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

mkdir -p "$SELECTA_TOOLS/bin"

# ---- 1. the wasm32 toolchain --------------------------------------------------------------------
WASM_MODE=""
if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  WASM_MODE=rustup
elif [[ -f "$SELECTA_TOOLS/env.sh" ]] && grep -q 'SELECTA_WASM_MODE=debian' "$SELECTA_TOOLS/env.sh"; then
  WASM_MODE=debian # decided on an earlier run: rustup could not add the target here
elif command -v rustup >/dev/null && timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
  WASM_MODE=rustup
else
  log "rustup cannot add wasm32-unknown-unknown here (offline?): using Debian's rustc-web toolchain"
  WASM_MODE=debian
fi

if [[ $WASM_MODE == debian ]]; then
  apt_install rustc-web cargo-web rust-web-src rust-web-clippy lld-22
  rv=$(dpkg-query -W -f='${Version}' rustc-web); sv=$(dpkg-query -W -f='${Version}' rust-web-src)
  # -Zbuild-std needs the std source of the very same compiler version
  [[ "$rv" == "$sv" ]] || die "rustc-web $rv and rust-web-src $sv differ: run 'apt-get install rustc-web rust-web-src' to upgrade both"
  [[ -f /usr/lib/rustlib/src/rust/library/std/Cargo.toml ]] \
    || die "the Rust std source is missing at /usr/lib/rustlib/src/rust/library (package rust-web-src)"
  /usr/bin/rustc --print target-list | grep -qx wasm32-unknown-unknown \
    || die "Debian's /usr/bin/rustc has no wasm32-unknown-unknown target"
  command -v wasm-ld-22 >/dev/null || die "wasm-ld-22 is missing (package lld-22)"
fi

# ---- 2. wasm-opt (npm binaryen) -----------------------------------------------------------------
bin_ver=""
[[ -f "$SELECTA_TOOLS/node_modules/binaryen/package.json" ]] \
  && bin_ver=$(node -p "require('$SELECTA_TOOLS/node_modules/binaryen/package.json').version" 2>/dev/null || true)
if [[ "$bin_ver" != "$BINARYEN_VERSION" ]]; then
  command -v npm >/dev/null || apt_install nodejs npm
  log "npm install binaryen@$BINARYEN_VERSION"
  npm install --prefix "$SELECTA_TOOLS" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION" >/dev/null \
    || die "npm install binaryen@$BINARYEN_VERSION failed"
fi

# ---- 3. wasm-bindgen-cli and Trunk (from source, minutes on a cold machine) --------------------
cargo_install() { # cargo_install crate version [args...]: into a staging root, moved in when complete
  local crate=$1 ver=$2; shift 2
  local stage="$SELECTA_TOOLS/.stage-$crate"
  rm -rf "$stage"
  log "cargo install $crate@$ver (from source; several minutes on a cold machine)"
  if ! cargo install --quiet --root "$stage" -j "$JOBS" "$crate" --version "=$ver" --locked "$@"; then
    log "--locked failed (a locked dependency may be yanked); retrying without it"
    cargo install --quiet --root "$stage" -j "$JOBS" "$crate" --version "=$ver" "$@" \
      || { rm -rf "$stage"; die "cargo install $crate@$ver failed"; }
  fi
  cp "$stage"/bin/* "$SELECTA_TOOLS/bin/" && rm -rf "$stage"
}
WB_VER=$(awk '$0=="name = \"wasm-bindgen\"" {getline; gsub(/"/,"",$3); print $3; exit}' "$ROOT/Cargo.lock" 2>/dev/null || true)
[[ -n "$WB_VER" ]] || die "cannot read wasm-bindgen's version from $ROOT/Cargo.lock"
if [[ "$("$SELECTA_TOOLS/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $WB_VER" ]]; then
  cargo_install wasm-bindgen-cli "$WB_VER"
fi
grep -q "wasm_bindgen = \"$WB_VER\"" "$ROOT/Trunk.toml" \
  || die "Trunk.toml's [tools] wasm_bindgen differs from Cargo.lock's wasm-bindgen $WB_VER: make them equal"
if [[ "$("$SELECTA_TOOLS/bin/trunk" --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]]; then
  cargo_install trunk "$TRUNK_VERSION" --no-default-features --features rustls
fi

# ---- 4. brotli and gzip, for the precompressed copies scripts/build.sh writes ---------------
command -v brotli >/dev/null || apt_install brotli
command -v gzip >/dev/null || apt_install gzip

# ---- 5. env.sh --------------------------------------------------------------------------------
tmp_env="$SELECTA_TOOLS/env.sh.tmp.$$"
{
  echo "# written by scripts/setup.sh; sourced by scripts/build.sh and scripts/test.sh"
  echo "export SELECTA_WASM_MODE=$WASM_MODE"
  echo "export PATH=\"$SELECTA_TOOLS/bin:$SELECTA_TOOLS/node_modules/.bin:\$PATH\""
} >"$tmp_env"
mv "$tmp_env" "$SELECTA_TOOLS/env.sh"

# ---- 5. what the tests need -------------------------------------------------------------------
if ((WITH_TEST)); then
  apt_install chromium
  [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium is missing after installing the chromium package"
  if [[ ! -d "$ROOT/end2end/node_modules/@playwright/test" || ! -d "$ROOT/end2end/node_modules/@axe-core/playwright" ]]; then
    log "npm ci in end2end/ (the Playwright runner; no browser download)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
      || die "npm ci in end2end/ failed"
  fi
  "$ROOT/scripts/s3-server.sh" install
  # The replica test (scripts/replicas.sh): a real reverse proxy.
  # RUNLEVEL=1: the package does not start a system nginx on port 80 (the test runs its own).
  RUNLEVEL=1 apt_install nginx-light
fi

log "ready: wasm32 via $WASM_MODE, $("$SELECTA_TOOLS/bin/trunk" --version), wasm-bindgen $WB_VER, $("$SELECTA_TOOLS/node_modules/.bin/wasm-opt" --version | head -1)"
