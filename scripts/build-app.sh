#!/usr/bin/env bash
# Builds the web app into dist/ (release), with the toolchain setup.sh chose:
#   cargo (wasm32, relocations kept) -> wasm-split-cli (one chunk per feature, see
#   app/src/routes.rs) -> wasm-bindgen -> wasm-opt on every module (tools/wasm-opt-all.mjs)
#   -> short glue import names (tools/minify-imports.mjs) -> tools/web-dist.mjs
#   (dist layout, index.html) -> service-worker precache list -> compressed copies and the
#   first-load budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$PWD/.tools/bin:$HOME/.cargo/bin:$PATH"
# Rebuilding takes a minute or more even when nothing changed: skip when nothing did.
STAMP=dist/.built
if [ -f "$STAMP" ] && [ -z "$(find app common style public Cargo.lock tools/package-lock.json tools/*.mjs tools/app-budget-gzip scripts/build-app.sh -newer "$STAMP" -print -quit)" ]; then
  echo "web app is up to date (dist/)"
  exit 0
fi
# Leptos `erase_components`: components return type-erased views, so the view tree is not
# monomorphized per component. `--emit-relocs` lets wasm-split-cli follow every call.
WASM_RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs"
if [ "$(cat .tools/wasm-mode 2>/dev/null)" = debian ]; then
  # Debian's rustc (has the std sources) with the sysroot built by setup.sh; the server
  # keeps using rustup's compiler, and the two share target/ without rebuilding each other.
  export RUSTUP_TOOLCHAIN=/usr
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld
  WASM_RUSTFLAGS="$WASM_RUSTFLAGS --sysroot=$PWD/.tools/wasm-sysroot"
fi
# Two size flags that stable rustc keeps behind RUSTC_BOOTSTRAP (set for this build only):
# no file/line of panic locations, and `{:?}` compiled to nothing (the app never shows
# Debug output; a panic in the browser console then says less). 7-9 KB gzip off every
# first load. Each is passed only when this compiler knows it.
export RUSTC_BOOTSTRAP=1
# Read whole first: `rustc … | grep -q` under pipefail fails whenever grep stops reading
# before rustc has written everything (SIGPIPE), which dropped the flags now and then.
Z_HELP=$(rustc -Z help 2>/dev/null || true)
for flag in location-detail=none fmt-debug=none; do
  if grep -q -- " ${flag%%=*}=val " <<<"$Z_HELP"; then
    WASM_RUSTFLAGS="$WASM_RUSTFLAGS -Z$flag"
  fi
done
echo "app rustflags:$WASM_RUSTFLAGS"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$WASM_RUSTFLAGS"
cargo build -p app --bin app --target wasm32-unknown-unknown --profile wasm-release
STAGE=target/web-stage
rm -rf "$STAGE" && mkdir -p "$STAGE"
wasm-split-cli target/wasm32-unknown-unknown/wasm-release/app.wasm "$STAGE" --out-name app --target web
wasm-bindgen --target web --keep-lld-exports --no-demangle --no-typescript \
  --out-dir "$STAGE" --out-name app "$STAGE/app.wasm"
rm "$STAGE/app.wasm"  # wasm-bindgen wrote app_bg.wasm from it
# wasm-opt -Oz on every module (tools/wasm-opt-all.mjs: the few large ones through the CLI
# on both cores, the hundreds of small ones in one node process). Symbol names are dropped,
# and so are the producers and target-features sections, which every one of the ~480 split
# modules carried.
node tools/wasm-opt-all.mjs "$STAGE"
# Short names for the ~240 imports from the JS glue (tools/minify-imports.mjs): ~4 KB gzip.
node tools/minify-imports.mjs "$STAGE"
node tools/web-dist.mjs "$STAGE" dist
node tools/sw-precache.mjs dist
node tools/precompress.mjs dist "${KSUITE_APP_BUDGET_GZIP:-$(cat tools/app-budget-gzip)}" "$STAGE/first-load.json"
touch "$STAMP"
