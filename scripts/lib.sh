# scripts/lib.sh — shared by build.sh, run.sh and test.sh (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELECTA_TOOLS="${SELECTA_TOOLS:-$HOME/.local/share/selecta/tools}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export SELECTA_TOOLS

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }

load_tools_env() {
  [[ -f "$SELECTA_TOOLS/env.sh" ]] || die "no $SELECTA_TOOLS/env.sh: run scripts/setup.sh first"
  # shellcheck disable=SC1091
  source "$SELECTA_TOOLS/env.sh"
}

# wasm_env CMD...: runs CMD with the wasm32 toolchain chosen by setup.sh.
wasm_env() {
  if [[ "${SELECTA_WASM_MODE:-}" == debian ]]; then
    # Debian's cargo/rustc 1.96 (they have the wasm32 backend; /usr/bin before rustup's proxies),
    # std built from source (-Zbuild-std, allowed on a stable compiler by RUSTC_BOOTSTRAP),
    # linked by wasm-ld-22 (Debian ships no rust-lld). A target dir of its own: mixing two
    # compilers in one target dir forces full rebuilds.
    env PATH="$SELECTA_TOOLS/bin:$SELECTA_TOOLS/node_modules/.bin:/usr/bin:$PATH" \
      RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
      CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22 \
      CARGO_TARGET_DIR="$TARGET_DIR/wasm-debian" "$@"
  else
    env CARGO_TARGET_DIR="$TARGET_DIR" "$@"
  fi
}
