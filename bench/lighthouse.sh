#!/usr/bin/env bash
# Lighthouse 12 (mobile emulation, its default) on Debian's Chromium against a release
# ksuite: the sign-in page for a visitor and /mail for a signed-in user. Prints the
# performance and accessibility scores and the paint timings of each run.
#   bench/lighthouse.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
CHROME=$(command -v chromium || true)
[ -n "$CHROME" ] || { echo "Debian's chromium is needed (scripts/setup.sh --test installs it)"; exit 1; }
scripts/build-app.sh >/dev/null
cargo build -q --release -p ksuite-server
LH_DIR=.tools/lighthouse
if [ ! -x "$LH_DIR/node_modules/.bin/lighthouse" ]; then
  echo "installing lighthouse 12.2.3 into $LH_DIR"
  mkdir -p "$LH_DIR"
  npm install --silent --prefix "$LH_DIR" lighthouse@12.2.3 >/dev/null
fi

WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
RUST_LOG=warn ./target/release/ksuite serve --listen 127.0.0.1:0 --smtp-listen 127.0.0.1:0 --imap-listen 127.0.0.1:0 --imaps-listen 127.0.0.1:0 --submission-listen 127.0.0.1:0 --submissions-listen 127.0.0.1:0 --data-dir "$WORK/data" --static-dir dist > "$WORK/out" 2>&1 &
PID=$!
for _ in $(seq 1 100); do grep -q "running at" "$WORK/out" && break; sleep 0.1; done
BASE=$(grep -o 'http://[0-9.:]*' "$WORK/out" | head -1)
[ -n "$BASE" ] || { cat "$WORK/out"; exit 1; }
curl -sf -o /dev/null -c "$WORK/jar" -H 'content-type: application/json' "$BASE/api/auth/signup" \
  -d '{"email":"bench@example.org","display_name":"Bench","password":"correct horse battery staple"}'
COOKIE=$(awk '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep="; " }' "$WORK/jar")

measure() { # name url [extra-headers-json]
  local name=$1 url=$2 headers=${3:-}
  for run in $(seq 1 "$RUNS"); do
    local out="$WORK/$name-$run.json"
    CHROME_PATH=$CHROME "$LH_DIR/node_modules/.bin/lighthouse" "$url" --quiet \
      --only-categories=performance,accessibility --output=json --output-path="$out" \
      --chrome-flags="--headless=new --no-sandbox" ${headers:+--extra-headers="$headers"}
    python3 - "$name" "$run" "$out" <<'PY'
import json, sys
name, run, path = sys.argv[1:4]
r = json.load(open(path))
audit = lambda k: r["audits"][k]["numericValue"] / 1000
print(f"{name:8} run {run}: performance {round(r['categories']['performance']['score'] * 100):3}"
      f"  accessibility {round(r['categories']['accessibility']['score'] * 100):3}"
      f"  FCP {audit('first-contentful-paint'):.1f} s  LCP {audit('largest-contentful-paint'):.1f} s"
      f"  TBT {audit('total-blocking-time') * 1000:.0f} ms")
PY
  done
}
measure login "$BASE/login"
measure mail "$BASE/mail" "{\"Cookie\": \"$COOKIE\"}"
