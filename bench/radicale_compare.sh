#!/usr/bin/env bash
# The same DAV benchmark against Radicale (a popular open-source CalDAV/CardDAV server),
# on the same machine and data, for comparison with bench/dav.sh. Radicale runs with
# authentication off (its best case); ksuite checks an application password each time.
#   bench/radicale_compare.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
RADICALE_VERSION=3.9.0
command -v wrk >/dev/null || { echo "installing wrk"; ${SUDO:-} apt-get install -y -qq wrk >/dev/null; }
VENV=.tools/radicale
if [ "$(cat $VENV/.installed 2>/dev/null)" != "$RADICALE_VERSION" ]; then
  python3 -m venv $VENV && $VENV/bin/pip install -q "radicale==$RADICALE_VERSION" && echo "$RADICALE_VERSION" > $VENV/.installed
fi

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
$VENV/bin/python -m radicale --storage-filesystem-folder="$WORK/collections" --auth-type=none \
  --server-hosts="127.0.0.1:$PORT" --logging-level=warning > "$WORK/out" 2>&1 &
PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -s -o /dev/null "$BASE/" && break; sleep 0.1; done

USER=bench
CAL="/$USER/calendar/"
BOOK="/$USER/contacts/"
A=(-sf -o /dev/null -u "$USER:x")
curl "${A[@]}" -X MKCALENDAR "$BASE$CAL"
curl "${A[@]}" -X MKCOL -H 'content-type: application/xml' "$BASE$BOOK" --data-binary \
  '<d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>'
BENCH_CAL_PATH=$CAL BENCH_BOOK_PATH=$BOOK python3 bench/dav_seed.py "$BASE" "$USER" x "$WORK"
AUTH=$(cat "$WORK/auth")

echo "Radicale $RADICALE_VERSION DAV benchmark: 1,000 events + 1,000 contacts, $CONNECTIONS connections, ${DURATION}s each, $(nproc) cores"
source bench/wrk_run.sh
run() { wrk_run radicale "$@"; }
run "PROPFIND depth 1 (1,000 events)" PROPFIND "$CAL" propfind 1
run "calendar-query, one month" REPORT "$CAL" query 1
run "sync-collection, initial" REPORT "$CAL" sync-initial 1
run "sync-collection, incremental (10)" REPORT "$CAL" sync-incremental 1
run "GET one event" GET "${CAL}event-500.ics" "" ""
run "addressbook-multiget of 50" REPORT "$BOOK" multiget 1
