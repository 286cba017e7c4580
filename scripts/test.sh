#!/usr/bin/env bash
# scripts/test.sh — the whole test suite (what .ci/run calls):
#   set-up check, cargo fmt --check, clippy (host, and wasm32 for the browser crates),
#   unit + integration tests, then the end-to-end suite: release site + server on a free loopback
#   port, Playwright in Debian's Chromium (one project with JavaScript off, one hydrated);
#   then two replicas behind nginx (scripts/replicas.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

step() { log "== $* =="; }
t0=$SECONDS

step "setup"
"$ROOT/scripts/setup.sh" --test
load_tools_env

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (host)"
cargo clippy --all-targets -- -D warnings

step "clippy (wasm32: frontend + app with hydrate)"
wasm_env cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit and integration tests"
# (the S3 tests start their own moto server on a free loopback port; setup.sh installed it)
cargo test

step "end-to-end (Playwright, Chromium)"
"$ROOT/scripts/build.sh"
"$ROOT/scripts/e2e.sh"

step "replicas behind nginx (sessions, shared lookups, model upload, a replica stopping)"
"$ROOT/scripts/replicas.sh"

log "all green in $((SECONDS - t0)) s"
