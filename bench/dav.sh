#!/usr/bin/env bash
# CalDAV/CardDAV throughput: a release ksuite with 1,000 events and 1,000 contacts PUT over
# DAV, then wrk on loopback per request kind. Prints requests/s and p99 for each. On
# PostgreSQL: bench/on_postgres.sh bench/dav.sh; two processes behind nginx:
# KSUITE_BENCH_PROCESSES=2 (see bench/server.sh).
#   bench/dav.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
command -v wrk >/dev/null || { echo "installing wrk"; ${SUDO:-} apt-get install -y -qq wrk >/dev/null; }
cargo build -q --release -p ksuite-server

WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
source bench/server.sh
start_ksuite

EMAIL=bench@example.org
J=(-sf -H 'content-type: application/json' -c "$WORK/cookies" -b "$WORK/cookies")
CSRF=$(curl "${J[@]}" "$BASE/api/auth/signup" \
  -d "{\"email\":\"$EMAIL\",\"display_name\":\"Bench\",\"password\":\"correct horse battery staple\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
APP_PASSWORD=$(curl "${J[@]}" -H "x-csrf-token: $CSRF" -H "origin: $BASE" "$BASE/api/account/app-passwords" -d '{"name":"bench"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])')
python3 bench/dav_seed.py "$BASE" "$EMAIL" "$APP_PASSWORD" "$WORK"
AUTH=$(cat "$WORK/auth")
CAL="/dav/calendars/$EMAIL/1/"
BOOK="/dav/addressbooks/$EMAIL/1/"

echo "ksuite DAV benchmark ($SETUP): 1,000 events + 1,000 contacts, $CONNECTIONS connections, ${DURATION}s each, $(nproc) cores (wrk and server share them)"
source bench/wrk_run.sh
WARMUP=2
run() { wrk_run ksuite "$@"; }
# Repeated requests (what polling devices send): answered from the ctag-keyed cache.
run "PROPFIND depth 1 (1,000 events)" PROPFIND "$CAL" propfind 1
run "calendar-query, one month" REPORT "$CAL" query 1
run "sync-collection, initial" REPORT "$CAL" sync-initial 1
run "sync-collection, incremental (10)" REPORT "$CAL" sync-incremental 1
run "GET one event" GET "${CAL}event-500.ics" "" ""
run "addressbook-multiget of 50" REPORT "$BOOK" multiget 1
# Every request different: the database is read and the answer rendered each time.
run "PROPFIND depth 1 (1,000 events), fresh" PROPFIND "$CAL" propfind 1 fresh
run "calendar-query, one month, fresh" REPORT "$CAL" query 1 fresh
run "sync-collection, initial, fresh" REPORT "$CAL" sync-initial 1 fresh
run "sync-collection, incremental (10), fresh" REPORT "$CAL" sync-incremental 1 fresh
run "addressbook-multiget of 50, fresh" REPORT "$BOOK" multiget 1 fresh
