#!/usr/bin/env bash
# Installs what building and testing ksuite need, and nothing that is already there.
#   scripts/setup.sh          build tools (make run)
#   scripts/setup.sh --test   build tools + Chromium, Playwright, Python test clients (make test)
# Works as root on a fresh Debian 12 (apt) and on a developer machine with rustup.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
export PATH="$HOME/.cargo/bin:$PATH"

# --- Which way do we get a wasm32 standard library? --------------------------------------
# rustup with the wasm32 target (developer laptops) or Debian's rustc + std sources.
wasm_mode() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo rustup
  elif command -v rustup >/dev/null && rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    echo rustup
  else
    echo debian
  fi
}
MODE_FILE=.tools/wasm-mode
mkdir -p .tools
# Tools pinned by version live in a per-user cache that every checkout shares, so a fresh
# clone (CI) does not build or download them again; .tools/ links to them.
CACHE="${KSUITE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ksuite}"
mkdir -p "$CACHE"
link_cached() { # name: .tools/<name> -> $CACHE/<name>
  if [ "$(readlink ".tools/$1" 2>/dev/null)" != "$CACHE/$1" ]; then
    rm -rf ".tools/$1" && ln -s "$CACHE/$1" ".tools/$1"
  fi
}
# KSUITE_WASM_TOOLCHAIN=debian|rustup forces a choice (e.g. to test the Debian path).
if [ -n "${KSUITE_WASM_TOOLCHAIN:-}" ]; then
  echo "$KSUITE_WASM_TOOLCHAIN" > "$MODE_FILE"
elif [ ! -f "$MODE_FILE" ]; then
  wasm_mode > "$MODE_FILE"
fi
MODE=$(cat "$MODE_FILE")

# --- apt packages -------------------------------------------------------------------------
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
command -v cc >/dev/null || need+=(build-essential)
command -v pkg-config >/dev/null || need+=(pkg-config)
# OpenSSL headers: web push payload encryption (the `ece` crate under `web-push`).
have_pkg libssl-dev || need+=(libssl-dev)
# libclang: SQLite is built with its pre-update hook (dav::versions), whose bindings
# libsqlite3-sys generates with bindgen.
have_pkg libclang-dev || need+=(libclang-dev)
if [ "$MODE" = debian ]; then
  for p in rustc-web cargo-web rust-web-src lld-19; do have_pkg "$p" || need+=("$p"); done
fi
command -v npm >/dev/null || need+=(nodejs npm)
if [ "$WITH_TEST" = 1 ]; then
  have_pkg chromium || need+=(chromium)
  # mbsync: a real IMAP sync client for the two-way sync test.
  command -v mbsync >/dev/null || need+=(isync)
  # clamd: a real virus scanner for the inbound-mail scanning tests (they bring their own
  # test signature; no virus database download needed).
  [ -x /usr/sbin/clamd ] || need+=(clamav-daemon)
  # dnsmasq: a real DNS server with test records for the SPF/DKIM/DMARC tests.
  [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
  # rspamd with its Redis: a real spam filter for the spam-filing and learning tests.
  command -v rspamd >/dev/null || need+=(rspamd)
  command -v redis-server >/dev/null || need+=(redis-server)
  # PostgreSQL: the schema tests start their own server in a temporary directory.
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
  # Debian's python3 needs python3-venv for `python3 -m venv` (with pip).
  python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
fi
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "Missing: ${need[*]}. Install them with your package manager." >&2; exit 1
  fi
  log "apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- Rust toolchain for the server (rustup's stable, with fmt and clippy) ------------------
if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust with rustup (https://rustup.rs)." >&2; exit 1
fi
if [ "$WITH_TEST" = 1 ] && command -v rustup >/dev/null; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
fi

# --- wasm-split-cli (route chunks) and the wasm-bindgen CLI matching Cargo.lock ----------
# wasm_split_cli_support's CLI splits the app at its #[wasm_split] points (app/src/routes.rs);
# its format must match the wasm_split_helpers version in Cargo.lock (0.2.x).
WSPLIT=0.2.4
if ! grep -q "wasm_split_cli_support $WSPLIT" "$CACHE/wasm-split/.crates.toml" 2>/dev/null || [ ! -x "$CACHE/wasm-split/bin/wasm-split-cli" ]; then
  log "installing wasm-split-cli $WSPLIT (about a minute, once per machine)"
  cargo install --locked wasm_split_cli_support --version "$WSPLIT" --features build-binary --root "$CACHE/wasm-split"
fi
mkdir -p .tools/bin
ln -sf "$CACHE/wasm-split/bin/wasm-split-cli" .tools/bin/wasm-split-cli
WBG=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WBG\$"; then
  log "installing wasm-bindgen-cli $WBG (a few minutes, once)"
  # Not --locked: its lock file pins a yanked crate.
  cargo install wasm-bindgen-cli --version "$WBG" --force
fi

# --- wasm-opt from npm's binaryen (Debian's 108 produced broken modules) ----------------
npm_install() { # dir
  if [ ! -f "$1/node_modules/.installed" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.installed" ]; then
    log "npm ci in $1"
    (cd "$1" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed)
  fi
}
npm_install tools

# --- Debian: build the wasm32 std once into a sysroot -----------------------------------
if [ "$MODE" = debian ]; then
  SYSROOT=$ROOT/.tools/wasm-sysroot
  STAMP=$SYSROOT/rustc-version
  WANT=$(/usr/bin/rustc --version)
  if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
    log "building the wasm32 standard library with Debian's $WANT (about a minute, once)"
    SEED=$ROOT/.tools/sysroot-seed
    rm -rf "$SEED" "$SYSROOT"
    mkdir -p "$SEED/src" "$SYSROOT/lib/rustlib/wasm32-unknown-unknown/lib"
    cat > "$SEED/Cargo.toml" <<'TOML'
[package]
name = "sysroot-seed"
version = "0.0.0"
edition = "2021"
[lib]
crate-type = ["rlib", "cdylib"]
[profile.release]
lto = true
[workspace]
TOML
    : > "$SEED/src/lib.rs"
    (cd "$SEED" && RUSTUP_TOOLCHAIN= PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld \
      /usr/bin/cargo build -q --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort)
    for f in "$SEED"/target/wasm32-unknown-unknown/release/deps/lib*.rlib; do
      case "$(basename "$f")" in libsysroot_seed*) ;; *) cp "$f" "$SYSROOT/lib/rustlib/wasm32-unknown-unknown/lib/" ;; esac
    done
    echo "$WANT" > "$STAMP"
    # Cargo does not notice a new std: drop wasm artifacts built against the old one.
    rm -rf "$ROOT/target/wasm32-unknown-unknown"
  fi
fi

# --- Test tools ---------------------------------------------------------------------------
if [ "$WITH_TEST" = 1 ]; then
  # Playwright's test runner only: it drives Debian's Chromium and downloads no browser.
  npm_install end2end
  # Real DAV clients and a real SMTP relay (aiosmtpd) for the integration tests, in a venv
  # of their own.
  PY_CLIENTS="caldav==3.6.0 vdirsyncer==0.21.0 aiosmtpd==1.4.6 dkimpy==1.1.8 moto[server]==5.2.6"
  PY_STAMP="$CACHE/py/.installed"
  if [ "$(cat "$PY_STAMP" 2>/dev/null)" != "$PY_CLIENTS" ]; then
    log "python test clients: $PY_CLIENTS"
    python3 -m venv "$CACHE/py"
    "$CACHE/py/bin/pip" install -q --disable-pip-version-check $PY_CLIENTS
    echo "$PY_CLIENTS" > "$PY_STAMP"
  fi
  link_cached py
  # python-caldav's own functional test suite (its sdist carries tests/), run against a
  # fresh ksuite by server/tests/caldav_suite.rs. Its config names ksuite through
  # environment variables the test sets; its [test] extras also bring the embedded Radicale
  # and Xandikos it compares against, which the test deselects.
  SUITE_VERSION=3.6.0
  SUITE="$CACHE/caldav-suite"
  if [ "$(cat "$SUITE/.installed" 2>/dev/null)" != "$SUITE_VERSION" ]; then
    log "python-caldav $SUITE_VERSION test suite"
    rm -rf "$SUITE" && mkdir -p "$SUITE"
    python3 -m venv "$SUITE/venv"
    "$SUITE/venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: \
      -d "$SUITE" "caldav==$SUITE_VERSION"
    tar -xzf "$SUITE/caldav-$SUITE_VERSION.tar.gz" -C "$SUITE"
    "$SUITE/venv/bin/pip" install -q --disable-pip-version-check "$SUITE/caldav-$SUITE_VERSION[test]"
    echo "$SUITE_VERSION" > "$SUITE/.installed"
  fi
  link_cached caldav-suite
  cp "$ROOT/server/tests/clients/caldav_test_servers.yaml" \
    "$SUITE/caldav-$SUITE_VERSION/tests/caldav_test_servers.yaml"
fi
log "ready ($MODE wasm toolchain)"
