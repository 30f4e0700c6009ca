#!/usr/bin/env bash
# Builds the web app into dist/ with Trunk (release). Uses the toolchain setup.sh chose.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"  # wasm-opt from npm
export TRUNK_SKIP_VERSION_CHECK=true
# Trunk always rebuilds (wasm-bindgen + wasm-opt take ~20 s): skip when nothing changed.
STAMP=dist/.built
if [ -f "$STAMP" ] && [ -z "$(find app common style public Cargo.lock Trunk.toml tools/package-lock.json tools/precompress.mjs tools/sw-precache.mjs tools/app-budget-gzip -newer "$STAMP" -print -quit)" ]; then
  echo "web app is up to date (dist/)"
  exit 0
fi
cargo fetch -q  # Trunk.toml has offline = true
# Leptos `erase_components`: components return type-erased views, so the view tree is not
# monomorphized per component (wasm 2.24 MB -> 1.78 MB, 859 KB -> 668 KB gzip).
WASM_RUSTFLAGS="--cfg erase_components"
if [ "$(cat .tools/wasm-mode 2>/dev/null)" = debian ]; then
  # Debian's rustc (has the std sources) with the sysroot built by setup.sh; the server
  # keeps using rustup's compiler, and the two share target/ without rebuilding each other.
  export RUSTUP_TOOLCHAIN=/usr
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld
  WASM_RUSTFLAGS="$WASM_RUSTFLAGS --sysroot=$PWD/.tools/wasm-sysroot"
fi
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$WASM_RUSTFLAGS"
trunk build --release "$@"
# Brotli/gzip copies for the server, and the first-load weight budget (gzip bytes of
# index.html + CSS + JS + wasm): the build fails when the app grows past it.
node tools/sw-precache.mjs dist
node tools/precompress.mjs dist "${KSUITE_APP_BUDGET_GZIP:-$(cat tools/app-budget-gzip)}"
touch "$STAMP"
